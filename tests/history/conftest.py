"""Make the src layout importable when the package is not installed into the environment."""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import brinkmanship  # noqa: F401
except ImportError:  # pragma: no cover - depends on how the environment was set up
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
