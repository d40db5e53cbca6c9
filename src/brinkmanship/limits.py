"""Work and memory limits: a request's size is estimated before it starts, and refused when it would not fit.

Estimates are upper bounds in plain Python numbers (no overflow for `--runs 10**12`); the refusal is an
`InputError` (exit 2) that says the size, the limit and how to raise it.
"""

from __future__ import annotations

import math
import re

from brinkmanship.errors import InputError

# 4 GiB: a sixth of a 24 GB machine, so a few commands (or test workers) can run side by side with room for
# the OS; every shipped command needs well under 1 GiB at its default sizes.
DEFAULT_MAX_MEMORY = 4 * 2**30
MEMORY_OPTION = "--max-memory"
_UNITS = {"": 1, "B": 1, "K": 2**10, "KB": 10**3, "KIB": 2**10, "M": 2**20, "MB": 10**6, "MIB": 2**20,
          "G": 2**30, "GB": 10**9, "GIB": 2**30, "T": 2**40, "TB": 10**12, "TIB": 2**40}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?(?:[eE][+]?[0-9]+)?)\s*([A-Za-z]*)\s*$")


def parse_memory(text: str | int) -> int:
    """`4G`, `512M`, `2.5GB`, `1e9` or a byte count as bytes; refuses anything else (exit 2)."""
    if isinstance(text, int):
        value, unit = float(text), ""
    else:
        m = _SIZE.match(str(text))
        if m is None or m.group(2).upper() not in _UNITS:
            raise InputError(f"'{text}' is not a memory size", field=MEMORY_OPTION, fix="write e.g. 4G, 512M or 8GB")
        value, unit = float(m.group(1)), m.group(2).upper()
    size = value * _UNITS[unit]
    if not math.isfinite(size) or size < 2**20:
        raise InputError(f"'{text}' is below 1 MiB or not finite", field=MEMORY_OPTION, fix="write e.g. 4G")
    return int(size)


def format_bytes(n: float) -> str:
    """A byte count for people: `3.7 GiB`, `120 MiB`, `1.2e+06 TiB`."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            v = n / size
            return f"{v:.3g} {unit}" if v < 1e5 else f"{v:.2e} {unit}"
    return f"{int(n)} B"


def check_memory(need: float, limit: int | None, what: str, fix: str, field: str | None = None) -> None:
    """Refuse `what` when its estimated memory `need` (bytes) exceeds `limit` (default: DEFAULT_MAX_MEMORY)."""
    limit = DEFAULT_MAX_MEMORY if limit is None else limit
    if need <= limit:
        return
    raise InputError(
        f"{what} needs about {format_bytes(need)} of memory, over the limit of {format_bytes(limit)}",
        field=field, fix=f"{fix}, or raise the limit with {MEMORY_OPTION} {_suggest(need)} if the machine has it")


def _suggest(need: float) -> str:
    """The next whole GiB (or TiB) above `need`, written as an option value."""
    gib = math.ceil(need * 1.1 / 2**30)
    return f"{gib}G" if gib < 10_000 else f"{math.ceil(need * 1.1 / 2**40)}T"
