"""Progress bars for long work: rich on a terminal, tqdm's notebook widget in Jupyter, nothing when off.

One small interface (`Bar.add(description, total)` returns a callable that advances that task) so the
simulation and exploration loops do not care where the bar is drawn.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Callable, Iterator
from typing import Any

Advance = Callable[[int], None]


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where a terminal bar would print one line per refresh)."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ip = getattr(shell, "get_ipython", lambda: None)()
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


class _Off:
    def add(self, description: str, total: int, completed: int = 0) -> Advance:
        return lambda n: None


class _Rich:
    def __init__(self, bar: Any) -> None:
        self._bar = bar

    def add(self, description: str, total: int, completed: int = 0) -> Advance:
        task = self._bar.add_task(description, total=total, completed=completed)
        return lambda n: self._bar.advance(task, n)


class _Tqdm:
    def __init__(self) -> None:
        self._bars: list[Any] = []

    def add(self, description: str, total: int, completed: int = 0) -> Advance:
        if importlib.util.find_spec("ipywidgets") is not None:
            from tqdm.notebook import tqdm
        else:  # no widget library: tqdm's text bar, which notebooks render in place
            from tqdm import tqdm

        bar = tqdm(total=total, initial=completed, desc=description, leave=False)
        self._bars.append(bar)
        return bar.update

    def close(self) -> None:
        for bar in self._bars:
            bar.close()


@contextlib.contextmanager
def progress_bar(enabled: bool = True, console: Any = None, transient: bool = True) -> Iterator[Any]:
    """A context giving an object whose `add(description, total)` returns an `advance(n)` callable.

    In a notebook the bars are tqdm's (widgets when ipywidgets is installed); elsewhere rich bars on stderr
    (or on `console`). `enabled=False` draws nothing.
    """
    if not enabled:
        yield _Off()
        return
    if console is None and _in_notebook():
        bars = _Tqdm()
        try:
            yield bars
        finally:
            bars.close()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console or Console(stderr=True), transient=transient) as bar:
        yield _Rich(bar)
