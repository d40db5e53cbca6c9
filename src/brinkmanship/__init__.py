"""brinkmanship: a lab for analysing coercive-diplomacy and deterrence strategies.

The Python API has the same verbs as the `brink` command and returns result objects with `to_frame()`,
`to_json()`, `plot()` and a notebook view:

    >>> import brinkmanship as bk
    >>> comparison = bk.compare("korea-2017", runs=500, adversary="base-rate", progress=False)
    >>> frame = comparison.to_frame()
    >>> frame.columns.tolist()
    ['strategy', 'outcome', 'p', 'lo', 'hi']

Importing the package is cheap: the API and the submodules are loaded only when first used.
"""

from __future__ import annotations

import sys as _sys
import types as _types

__version__ = "0.1.0"

__all__ = [
    "Audit", "Backtest", "Comparison", "Explanation", "Provenance", "Sensitivity", "Solution", "__version__",
    "audit", "backtest", "compare", "explain", "explore", "load_scenario", "load_strategy", "run", "sensitivity",
    "solve",
]

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing `typing` would cost more than this module
if TYPE_CHECKING:  # for type checkers and documentation tools; at run time `__getattr__` loads on demand
    from typing import Any

    from brinkmanship._api import (
        Audit,
        Backtest,
        Comparison,
        Explanation,
        Provenance,
        Sensitivity,
        Solution,
        audit,
        backtest,
        compare,
        explain,
        explore,
        load_scenario,
        load_strategy,
        run,
        sensitivity,
        solve,
    )
del TYPE_CHECKING


def __getattr__(name: str) -> Any:
    """Load a public name from the private API module on first use (keeps `import brinkmanship` light)."""
    if name in __all__ and name != "__version__":
        from brinkmanship import _api

        value = getattr(_api, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'brinkmanship' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


class _Package(_types.ModuleType):
    """The package module: `audit` and `explore` name both a verb and a subpackage, and the verb wins.

    Importing a subpackage binds it on its parent (`brinkmanship.audit = <module>`), which would hide the
    verb; the binding is skipped for those names. The subpackages stay importable by their full names
    (`from brinkmanship.audit import audit_strategy`).
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in ("audit", "explore") and isinstance(value, _types.ModuleType):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
