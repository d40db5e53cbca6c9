"""Layers point one way: a module imports only from lower layers (or its own package), checked by scanning
every import statement of the package, including those inside functions and under TYPE_CHECKING.

The layers are those of docs/architecture.md; change both together.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import brinkmanship

PACKAGE = Path(brinkmanship.__file__).parent

# lower number = lower layer; a module may import a unit of a strictly lower layer, or its own unit
LAYERS: dict[str, int] = {
    "errors": 0,
    "limits": 1, "outfiles": 1,
    "spec": 2, "games": 2,
    "engine": 3, "audit": 3, "explore.parameters": 3,
    "adversary": 4, "store": 4,
    "explore": 5, "history": 5,
    "analysis": 6,
    "report": 7,
    "_api": 8, "web": 8,
    "cli": 9, "__main__": 10,
}


def unit_of(module: str) -> str:
    """The layer unit of a dotted module name below `brinkmanship` (a package, or a listed leaf module)."""
    parts = module.split(".")
    two = ".".join(parts[:2])
    return two if two in LAYERS else parts[0]


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module below `brinkmanship`) for every absolute import of the project in a file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names] if node.module == "brinkmanship" \
                else [node.module]
        else:
            continue
        for name in names:
            if name.startswith("brinkmanship.") and name != "brinkmanship.__version__":
                out.append((node.lineno, name.removeprefix("brinkmanship.")))
    return out


def violations() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        if rel.name == "__init__" and len(rel.parts) == 1:
            continue  # the package's own __init__ (version only)
        src_unit = unit_of(".".join(rel.parts))
        assert src_unit in LAYERS, f"{rel}: package '{src_unit}' has no layer; add it here and to the docs"
        for line, module in imports_of(path):
            dst_unit = unit_of(module)
            assert dst_unit in LAYERS, f"{rel}:{line}: imports '{module}' of no known layer"
            if dst_unit != src_unit and LAYERS[dst_unit] >= LAYERS[src_unit]:
                found.append(f"{rel}.py:{line}: {src_unit} (layer {LAYERS[src_unit]}) imports {module} "
                             f"(layer {LAYERS[dst_unit]})")
    return found


def test_every_import_points_down():
    assert violations() == []


def test_the_scan_sees_an_import_inside_a_function(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("def f():\n    from brinkmanship.adversary import planner_model\n", encoding="utf-8")
    assert imports_of(bad) == [(2, "adversary")]
    assert unit_of("explore.parameters") == "explore.parameters" and unit_of("explore.models") == "explore"


def test_importing_the_engine_does_not_load_the_adversary():
    code = ("import sys, brinkmanship.engine.experiments, brinkmanship.engine.simulate; "
            "print(any(m.startswith('brinkmanship.adversary') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "False"
