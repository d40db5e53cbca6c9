"""Output files written atomically, and output folders checked before any work starts.

A file is written to a temporary name in its own folder and renamed over the target once complete, so an
interrupted command (even `kill -9`) leaves either the previous file or the new one, never a torn one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from brinkmanship.errors import InputError


def _temporary_name(path: Path) -> Path:
    """A hidden, unique name next to `path` (same folder, so the rename is atomic)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it is flushed to disk and renamed over `path`.

    On any failure (or interrupt) the temporary file is removed and `path` is left as it was.
    """
    path = Path(path)
    tmp = _temporary_name(path)
    try:
        yield tmp
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """`open(path, mode)` whose content replaces `path` only when the block completes (mode `w` or `wb`)."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files (mode w or wb), not {mode!r}")
    with atomic_path(path) as tmp, tmp.open(mode.replace("w", "x"), **kwargs) as fh:
        yield fh


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` atomically; return the path."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` atomically; return the path."""
    with atomic_open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(text)
    return Path(path)


def prepare_out_dir(out: str | Path, option: str = "--out", create: bool = True) -> Path:
    """Create the output folder (and parents) or refuse, before any work: not a file, writable.

    Refuses (exit 2) an existing path that is not a folder, a parent that is a file, and a folder this
    process may not write to; creates nothing when it refuses (nor at all without `create`).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", file=str(out), field=option,
                         fix="give a folder (it is created when missing), not a file")
    existing = out
    while not existing.exists():  # the nearest existing ancestor must be a writable folder
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise InputError(f"{existing} is a file, so the folder cannot be created", file=str(out), field=option,
                         fix="choose an output folder whose parents are folders")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"folder {existing} is not writable", file=str(out), field=option,
                         fix="choose a folder you can write to")
    if not create:
        return out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder ({exc.strerror})", file=str(out), field=option,
                         fix="choose a folder you can write to") from exc
    return out
