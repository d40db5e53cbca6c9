"""CLI commands of the games area (registered on the shared app): `brink games`, `brink solve`."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape

from brinkmanship.cli.app import app, console, handle_errors, print_json


@app.command("games")
@handle_errors
def games_command(json_out: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List the library of classic games (use a name with `brink solve NAME`)."""
    from brinkmanship.games import library

    rows = [{"name": e.name, "summary": e.summary, "source": e.source} for e in library.entries()]
    if json_out:
        print_json({"games": rows})
        return
    from rich.table import Table

    table = Table(title="Game library")
    for col in ("name", "summary", "source"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["summary"], r["source"])
    console.print(table)


@app.command("solve")
@handle_errors
def solve_command(
    target: str = typer.Argument(..., help="A Gambit .efg/.nfg file or a library game name (see `brink games`)."),
    method: str = typer.Option(None, "--method", "-m", help="pure | support | lemke-howson | sequence | spe | qre"),
    exact: bool = typer.Option(False, "--exact", help="Rational arithmetic (small games)."),
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Compute equilibria of a game and print them (strategies in the file's order)."""
    from brinkmanship._api.verbs import solve

    solution = solve(target, method, exact=exact)
    game, out = solution.game, solution.to_json()
    if json_out:
        print_json(out)
        return
    _print_table(game, out)


def _fmt(v: Any) -> str:
    if isinstance(v, str):
        return v
    return f"{v:.6g}"


def _print_table(game: Any, out: dict[str, Any]) -> None:
    from rich.table import Table

    from brinkmanship.games.extensive import ExtensiveGame

    table = Table(title=f"{escape(str(out['game']))} — {out['method']} ({len(out['equilibria'])} equilibria)")
    table.add_column("#")
    for p in game.players:
        table.add_column(escape(p))
    table.add_column("payoffs")
    for i, eq in enumerate(out["equilibria"], start=1):
        cells = []
        for p, strat in enumerate(eq["strategies"]):
            if isinstance(game, ExtensiveGame) and out["form"] == "behavior":
                infosets = game.player_infosets(p + 1)
                parts = []
                for k, probs in zip(infosets, strat, strict=True):
                    a0 = int(game.action_offset[k])
                    acts = ", ".join(
                        f"{game.action_label(a0 + j)}={_fmt(x)}" for j, x in enumerate(probs) if x not in (0, "0")
                    )
                    parts.append(f"[{game.infoset_label(k) or k + 1}] {acts}")
                cells.append(escape("\n".join(parts)))
            else:
                names = _strategy_names(game, p, len(strat))
                cells.append(escape(", ".join(f"{n}={_fmt(x)}" for n, x in zip(names, strat, strict=True) if x not in (0, "0"))))
        table.add_row(str(i), *cells, ", ".join(_fmt(v) for v in eq["payoffs"]))
    console.print(table)


def _strategy_names(game: Any, p: int, n: int) -> list[str]:
    from brinkmanship.games.normal import NormalFormGame

    if isinstance(game, NormalFormGame):
        return list(game.strategies[p])
    return [str(j + 1) for j in range(n)]
