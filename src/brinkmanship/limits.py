"""Bounds on what any input may ask for, a bounded reader for input files, and work and memory limits.

Every limit here is checked before the expensive step it protects (parsing, allocating, solving), and a
refusal is an `InputError` (exit 2) that names the size found and the limit (and, for memory, how to raise
it). The reasons for each number are in the README's "Limits on input" section. Work estimates are upper
bounds in plain Python numbers (no overflow for `--runs 10**12`).
"""

from __future__ import annotations

import math
import os
import re
import stat
from pathlib import Path

from brinkmanship.errors import InputError

#: Largest scenario or strategy file, in bytes (the packaged ones are about 16 kB).
MAX_YAML_BYTES = 1 << 20
#: Deepest nesting of mappings and lists in a YAML file (the packaged files nest 5 levels).
MAX_YAML_DEPTH = 32
#: Most nodes (scalars, mappings, lists) in a YAML file (the packaged scenario has about 700).
MAX_YAML_NODES = 20_000
#: Largest event-record CSV, in bytes (the packaged record is about 20 kB).
MAX_RECORD_BYTES = 4 << 20
#: Largest Gambit game file, in bytes.
MAX_GAME_BYTES = 4 << 20
#: Most payoff entries (contingencies x players) of a strategic game read from a file.
MAX_GAME_PAYOFFS = 1_000_000
#: Most nodes of a game tree read from a file (reading and backward induction are linear in it).
MAX_TREE_NODES = 50_000
#: Deepest game tree read from a file: a tree deeper than this is a chain, on which the sequence-form
#: LCP's pivots grow fast (a 100-move chain solves in seconds, a 400-move one takes minutes).
MAX_TREE_DEPTH = 100
#: Largest magnitude of any model number or payoff (far above any death toll or warhead count).
MAX_MAGNITUDE = 1e15
#: Seeds are non-negative 63-bit integers (they are stored as DuckDB BIGINT and hashed as uint64).
SEED_MAX = 2**63 - 1

_FIX_REGULAR = "give a regular file (not a pipe, device or folder)"


def read_text_bounded(path: str | Path, limit: int, what: str = "input file") -> str:
    """Read a regular UTF-8 file of at most `limit` bytes; refuse pipes, devices, folders and larger files.

    The file is opened without blocking (a FIFO with no writer would hang a plain `open`) and checked
    with `fstat` on the open descriptor, so the file checked is the file read.
    """
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError("file not found", file=str(p), fix="check the path") from None
    except IsADirectoryError:
        raise InputError(f"{what} is a folder", file=str(p), fix=_FIX_REGULAR) from None
    except OSError as exc:
        raise InputError(f"cannot open the {what} ({exc.strerror})", file=str(p),
                         fix="check the path and its permissions") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{what} is not a regular file", file=str(p), fix=_FIX_REGULAR)
        if info.st_size > limit:
            raise InputError(f"{what} is {info.st_size:,} bytes, over the limit of {limit:,}", file=str(p),
                             fix=f"give a file of at most {limit:,} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:  # a file that grows while read (or reports size 0) is still bounded
            block = os.read(fd, min(1 << 16, limit + 1 - size))
            if not block:
                break
            chunks.append(block)
            size += len(block)
            if size > limit:
                raise InputError(f"{what} is over the limit of {limit:,} bytes", file=str(p),
                                 fix=f"give a file of at most {limit:,} bytes")
    except OSError as exc:
        raise InputError(f"cannot read the {what} ({exc.strerror})", file=str(p), fix=_FIX_REGULAR) from None
    finally:
        os.close(fd)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not UTF-8 text (byte {exc.start})", file=str(p),
                         fix="save the file as UTF-8") from None


def is_finite_number(x: float) -> bool:
    """True for a finite float of magnitude at most `MAX_MAGNITUDE`."""
    return math.isfinite(x) and abs(x) <= MAX_MAGNITUDE


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
