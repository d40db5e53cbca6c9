"""`brink games` and `brink solve`: JSON shape, file input, errors as exit code 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from brinkmanship.cli.app import app
from brinkmanship.games.gambit_io import write_efg, write_nfg
from brinkmanship.games.library.classic import prisoners_dilemma
from brinkmanship.games.library.zagare import radg

import brinkmanship.cli.commands_games  # noqa: F401  isort: skip  (registers the commands)

runner = CliRunner()


def test_games_lists_the_library() -> None:
    res = runner.invoke(app, ["games", "--json"])
    assert res.exit_code == 0, res.output
    names = [g["name"] for g in json.loads(res.stdout)["games"]]
    assert {"chicken", "radg", "aeg", "fearon", "powell", "oped-commitment"} <= set(names)


def test_solve_library_name_json_shape() -> None:
    res = runner.invoke(app, ["solve", "chicken", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["game"] == "Chicken" and out["method"] == "support"
    assert len(out["equilibria"]) == 3
    for eq in out["equilibria"]:
        assert len(eq["strategies"]) == 2 and all(len(s) == 2 for s in eq["strategies"])
        assert len(eq["payoffs"]) == 2


def test_solve_nfg_file_exact(tmp_path) -> None:
    path = tmp_path / "pd.nfg"
    path.write_text(write_nfg(prisoners_dilemma()))
    res = runner.invoke(app, ["solve", str(path), "--method", "support", "--exact", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["equilibria"][0]["strategies"] == [["0", "1"], ["0", "1"]]


@pytest.mark.parametrize("method", ["spe", "sequence", "support", "pure", "lemke-howson", "qre"])
def test_solve_efg_file_every_method(tmp_path, method: str) -> None:
    path = tmp_path / "radg.efg"
    path.write_text(write_efg(radg()))
    res = runner.invoke(app, ["solve", str(path), "--method", method, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["method"] == method and out["equilibria"]
    if method in ("spe", "sequence"):
        # behaviour per information set in file order: A has one infoset, B two
        strategies = out["equilibria"][0]["strategies"]
        assert [len(s) for s in strategies] == [1, 2]


def test_solve_table_output() -> None:
    res = runner.invoke(app, ["solve", "radg"])
    assert res.exit_code == 0, res.output
    assert "B Hard" in res.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["solve", "no-such-game"], "unknown game"),
        (["solve", "chicken", "--method", "magic"], "unknown method"),
        (["solve", "chicken", "--method", "spe"], "extensive-form"),
    ],
)
def test_bad_input_exits_with_code_2(args, needle: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert needle in res.output


def test_malformed_efg_exits_with_code_2(tmp_path) -> None:
    path = tmp_path / "bad.efg"
    path.write_text('EFG 2 R "x" { "A" }\n""\np "" 1 1 "" { "a" "b" } 0\nt "" 0\n')
    res = runner.invoke(app, ["solve", str(path)])
    assert res.exit_code == 2
    assert "bad.efg" in res.output and "Traceback" not in res.output
