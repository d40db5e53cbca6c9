"""Hostile inputs shared by the input-hardening tests: built here, in the test's own folder, never fetched."""

from __future__ import annotations

import os
from pathlib import Path

from brinkmanship.spec.loader import strategy_dir

LDF = (strategy_dir() / "let-deterrence-fail.yaml").read_text(encoding="utf-8")


def alias_bomb(levels: int = 12) -> str:
    """The billion-laughs YAML: each level repeats the previous one ten times (10**levels leaves)."""
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def deep_nesting(depth: int = 100_000) -> str:
    """A flow sequence nested `depth` levels."""
    return "x: " + "[" * depth + "]" * depth + "\n"


def big_yaml(megabytes: int = 6) -> str:
    """A syntactically valid YAML mapping of about `megabytes` MB."""
    row = "k{:07d}: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]\n"
    n = megabytes * (1 << 20) // len(row.format(0)) + 1
    return "".join(row.format(i) for i in range(n))


def make_fifo(folder: Path, name: str = "pipe.yaml") -> Path:
    """A named pipe with no writer: a plain `open` for reading would block forever."""
    path = folder / name
    os.mkfifo(path)
    return path
