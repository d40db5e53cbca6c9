"""The Typer application and the error boundary shared by every command.

Exit codes: 0 ok, 1 failure, 2 bad input (an `InputError`, printed as one line, never a traceback).
With `--json` an error is one JSON object `{"error": {...}}` on stdout (where the result would have been);
otherwise it is one line on stderr. User text is escaped before rich prints it.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from brinkmanship.errors import InputError
from brinkmanship.limits import SEED_MAX, is_finite_number

# the parser's exception bases, whether typer vendors click or uses the click package
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
_Abort = [c for c in typer.Abort.__mro__ if c.__name__ == "Abort"][-1]


class _Group(TyperGroup):
    """The command group; with `--json` in the arguments a usage error (bad option value) is JSON too."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode or "--json" not in argv:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(argv, prog_name, complete_var, False, **extra)
        except _ClickException as exc:
            print_json(error_json("usage", exc.format_message(), exc.exit_code))
            sys.exit(exc.exit_code)
        except _Abort:
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


if TYPE_CHECKING:
    from brinkmanship.engine.decision import Adversary

app = typer.Typer(
    cls=_Group,
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


#: Integer options by parameter name -> (lowest, highest) accepted; any other integer must fit in int64.
INT_RANGES: dict[str, tuple[int, int]] = {
    "seed": (0, SEED_MAX),
    "runs": (1, 2**63 - 1),
    "samples": (1, 2**63 - 1),
    "n": (1, 2**63 - 1),
    "chunk_size": (1, 2**63 - 1),
    "workers": (1, 4096),
    "dask_local": (1, 4096),
    "box": (0, 2**63 - 1),
}
_INT64 = (-(2**63), 2**63 - 1)


def check_options(values: dict[str, Any]) -> None:
    """Refuse a non-finite float option and an integer option outside its range (`INT_RANGES`)."""
    for name, value in values.items():
        flag = f"--{name.replace('_', '-')}"  # every option is spelled after its parameter
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, float) and not is_finite_number(value):
            raise InputError(f"{value} is not a finite number of sane size", field=flag,
                             fix="give a finite number")
        if isinstance(value, int):
            lo, hi = INT_RANGES.get(name, _INT64)
            if not lo <= value <= hi:
                shown = str(value) if abs(value) < 10**30 else f"a {len(str(abs(value)))}-digit number"
                raise InputError(f"{shown} is outside the accepted range {lo} to {hi}", field=flag,
                                 fix=f"give a whole number from {lo} to {hi}")


def _wants_json(kwargs: dict[str, Any]) -> bool:
    return bool(kwargs.get("as_json") or kwargs.get("json_out"))


def error_json(kind: str, text: str, code: int, exc: InputError | None = None) -> dict[str, Any]:
    """The `--json` form of an error: always the same keys, null where a key does not apply."""
    err: dict[str, Any] = {"kind": kind, "message": text, "file": None, "field": None, "line": None,
                           "fix": None, "text": text, "exit_code": code}
    if exc is not None:
        err.update(message=exc.message, file=exc.file, field=exc.field, line=exc.line, fix=exc.fix)
    return {"error": err}


def _fail(kind: str, text: str, code: int, as_json: bool, exc: InputError | None = None) -> typer.Exit:
    """Print one error (JSON on stdout with `--json`, else one escaped line on stderr); the Exit to raise."""
    if as_json:
        print_json(error_json(kind, text, code, exc))
    else:
        label = "[bold red]error:[/]" if code == 2 else "[bold red]failed:[/]"
        err_console.print(f"{label} {escape(text)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=code)


def handle_errors(func: F) -> F:
    """Check numeric options, then turn `InputError` into one message and exit 2; other errors into exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = _wants_json(kwargs)
        try:
            check_options(kwargs)
            return func(*args, **kwargs)
        except InputError as exc:
            raise _fail("input", exc.render(), 2, as_json, exc) from None
        except typer.Exit:
            raise
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]")
            raise typer.Exit(code=130) from None
        except Exception as exc:  # last-resort boundary: one line, no traceback
            if "--debug" in sys.argv:
                raise
            raise _fail("failure", f"{type(exc).__name__}: {exc}", 1, as_json) from None

    return wrapper  # type: ignore[return-value]


def json_safe(obj: Any) -> Any:
    """A JSON-safe copy: NaN and infinities become null (a metric not computed), numpy values plain Python."""
    import math

    import numpy as np

    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_safe(obj.tolist())
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else None
    return obj


def to_json(obj: Any, **kwargs: Any) -> str:
    """Strict JSON text of `obj`: non-finite numbers become null (`json_safe`), never `NaN` or `Infinity`."""
    return json.dumps(json_safe(obj), allow_nan=False, default=_json_default, **kwargs)


def print_json(obj: Any) -> None:
    """Machine output: one JSON object on stdout, nothing else (non-finite numbers as null)."""
    sys.stdout.write(to_json(obj, indent=2) + "\n")


def _json_default(o: Any) -> Any:
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def parse_adversary(value: str) -> Adversary:
    """`--adversary` as a typed value, parsed once here: `rational`, `base-rate` or `logit:<lambda>`."""
    import brinkmanship.adversary  # noqa: F401  registers the planner decision models
    from brinkmanship.engine.decision import Adversary

    return Adversary.parse(value)


def main() -> None:
    """Entry point of the `brink` script."""
    app()
