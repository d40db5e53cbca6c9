"""The Typer application and the error boundary shared by every command.

Exit codes: 0 ok, 1 failure, 2 bad input (an `InputError`, printed as one line, never a traceback).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console

from brinkmanship.errors import InputError

if TYPE_CHECKING:
    from brinkmanship.engine.decision import Adversary

app = typer.Typer(
    name="brink",
    help="brinkmanship: analyse coercive-diplomacy and deterrence strategies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
err_console = Console(stderr=True)
if not console.is_terminal:  # pipes and CI logs: wide enough for the comparison tables
    console.width = max(console.width, 120)

F = TypeVar("F", bound=Callable[..., Any])


def _print_version(value: bool) -> None:
    if value:
        from brinkmanship import __version__

        sys.stdout.write(f"brink {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """brinkmanship: analyse coercive-diplomacy and deterrence strategies."""


def handle_errors(func: F) -> F:
    """Turn `InputError` into one message and exit code 2; other errors into exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            err_console.print(f"[bold red]error:[/] {exc.render()}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None
        except typer.Exit:
            raise
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]")
            raise typer.Exit(code=130) from None
        except Exception as exc:  # last-resort boundary: one line, no traceback
            if "--debug" in sys.argv:
                raise
            err_console.print(f"[bold red]failed:[/] {type(exc).__name__}: {exc}", highlight=False)
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def print_json(obj: Any) -> None:
    """Machine output: one JSON object on stdout, nothing else."""
    sys.stdout.write(json.dumps(obj, indent=2, default=_json_default) + "\n")


def _json_default(o: Any) -> Any:
    import numpy as np

    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def parse_adversary(value: str) -> Adversary:
    """`--adversary` as a typed value, parsed once here: `rational`, `base-rate` or `logit:<lambda>`."""
    import brinkmanship.adversary  # noqa: F401  registers the planner decision models
    from brinkmanship.engine.decision import Adversary

    return Adversary.parse(value)


def main() -> None:
    """Entry point of the `brink` script."""
    app()
