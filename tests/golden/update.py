"""Regenerate the golden results on purpose (`make golden`) and show what changed.

Each golden file is the JSON a command prints; `tests/engine/test_golden.py` checks the command still
prints it. Run this only when a change of results is intended, and commit the diff it shows with a note
saying why the numbers moved.
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path

from typer.testing import CliRunner

HERE = Path(__file__).parent
GOLDEN = {  # file -> the `brink` arguments that print it
    "compare-korea-2017-exact.json": ["compare", "korea-2017", "--exact", "--types", "point", "--json"],
    "compare-korea-2017-exact-prior.json": ["compare", "korea-2017", "--exact", "--type-count", "16", "--runs",
                                            "20000", "--json"],
}


def render(args: list[str]) -> str:
    """What `brink ARGS` prints (as JSON text, two-space indented), run in process."""
    from brinkmanship.cli import app

    result = CliRunner().invoke(app, args)
    if result.exit_code != 0:
        raise RuntimeError(f"brink {' '.join(args)} failed:\n{result.output}")
    return json.dumps(json.loads(result.stdout), indent=2) + "\n"


def main() -> int:
    """Rewrite every golden file and print a unified diff of each one that changed."""
    changed = 0
    for name, args in GOLDEN.items():
        path = HERE / name
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        new = render(args)
        if new == old:
            print(f"{name}: unchanged")
            continue
        changed += 1
        sys.stdout.writelines(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                                   f"{name} (before)", f"{name} (after)"))
        path.write_text(new, encoding="utf-8")
        print(f"{name}: rewritten (brink {' '.join(args)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
