"""The packaged korea-2017 scenario with a shorter horizon, for tests whose subject is not the model's numbers
(hostile files, kill -9 while writing): every code path runs, in a fraction of the time. The horizon still
holds every packaged date of the crisis's first phase (the Congressional deadline's window ends 2018-12-31)."""

from __future__ import annotations

from pathlib import Path

import yaml

from brinkmanship.spec.loader import scenario_dir

SHORT_MONTHS = 16  # 2017-09-24 plus 16 months: past the end of the 2018 deadline window


def short_korea(folder: Path, months: int = SHORT_MONTHS) -> Path:
    """korea-2017 with `horizon_months` set to `months`, written to `folder` (the same name: strategies and
    history that refer to it still match)."""
    data = yaml.safe_load((scenario_dir() / "korea-2017.yaml").read_text(encoding="utf-8"))
    assert data["horizon_months"] > months
    data["horizon_months"] = months
    path = folder / "korea-2017.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
