"""Gambit files: finite numbers only, sizes checked from the header, regular files only, bounded trees."""

from __future__ import annotations

import time

import pytest
from hostile import make_fifo

from brinkmanship.errors import InputError
from brinkmanship.games.gambit_io import parse_efg, parse_nfg, read_game
from brinkmanship.games.solve import solve
from brinkmanship.limits import MAX_GAME_BYTES, MAX_GAME_PAYOFFS, MAX_TREE_DEPTH, MAX_TREE_NODES

NFG = 'NFG 1 R "g" { "A" "B" } { 2 2 }\n""\n{X}\n'
GOOD = NFG.replace("{X}", "1 1 0 2 2 0 1 1")


def _refused(text: str, words: str, seconds: float = 2.0, parse=parse_nfg) -> InputError:
    t0 = time.perf_counter()
    with pytest.raises(InputError) as err:
        parse(text, file="g.nfg")
    assert time.perf_counter() - t0 < seconds
    assert words in err.value.render(), err.value.render()
    assert err.value.line is not None
    return err.value


def test_the_well_formed_game_reads():
    assert parse_nfg(GOOD).payoffs.shape == (2, 2, 2)


@pytest.mark.parametrize("word", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999999999", "1e400", "1/0",
                                  "9" * 100, "1e31", "0x10", "1_000", "2e16"])
def test_non_finite_or_huge_payoffs_are_refused_fast(word):
    _refused(NFG.replace("{X}", f"1 1 0 2 2 0 1 {word}"), "a payoff")


def test_a_declared_billion_strategies_is_refused_before_allocating():
    _refused('NFG 1 R "g" { "A" "B" } { 1000000000 2 }\n""\n1 2\n', "number of strategies")
    err = _refused('NFG 1 R "g" { "A" "B" } { 1000 1000 }\n""\n1 2\n', f"{MAX_GAME_PAYOFFS:,} payoffs")
    assert "limit" in err.message


def test_a_huge_integer_token_is_refused_not_crashed():
    _refused('NFG 1 R "g" { "A" "B" } { ' + "9" * 5000 + ' 2 }\n""\n1 2\n', "an integer")


def test_a_nan_chance_probability_is_refused():
    efg = ('EFG 2 R "t" { "A" }\n""\nc "" 1 "" { "h" nan "s" 1/2 } 0\nt "" 1 "o" { 1 }\nt "" 2 "p" { 2 }\n')
    _refused(efg, "chance probability", parse=parse_efg)


def test_a_tree_over_the_node_limit_is_refused(monkeypatch):
    import brinkmanship.games.gambit_io as io

    monkeypatch.setattr(io, "MAX_TREE_NODES", 50)
    chain = "".join(f'p "" 1 {i + 1} "" {{ "a" "b" }} 0\nt "" 1 "o" {{ 1 }}\n' for i in range(60))
    efg = 'EFG 2 R "t" { "A" }\n""\n' + chain + 't "" 1 "o" { 1 }\n'
    _refused(efg, "more than 50 nodes", parse=parse_efg)
    assert MAX_TREE_NODES >= 10_000


def test_a_tree_deeper_than_the_limit_is_refused_before_solving():
    _refused(_deep_tree(MAX_TREE_DEPTH + 1), f"deeper than {MAX_TREE_DEPTH} moves", parse=parse_efg)
    game = parse_efg(_deep_tree(MAX_TREE_DEPTH))
    t0 = time.perf_counter()
    assert solve(game, "sequence").equilibria and solve(game, "spe").equilibria
    assert time.perf_counter() - t0 < 30


def _deep_tree(depth: int) -> str:
    """Player 1 moves `depth` times in a chain (one infoset each): 2**depth pure strategies, unreduced."""
    body = "".join(f'p "" 1 {i + 1} "" {{ "a" "b" }} 0\nt "" {i + 2} "o{i}" {{ {i}, 0 }}\n' for i in range(depth))
    return 'EFG 2 R "deep" { "A" "B" }\n""\n' + body + 't "" 1 "end" { 1, 1 }\n'


def test_a_deep_tree_is_refused_by_strategic_methods_and_solved_by_tree_methods():
    game = parse_efg(_deep_tree(40))  # 2**40 unreduced pure strategies for player 1
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="pure strategies"):
        solve(game, "lemke-howson")
    assert time.perf_counter() - t0 < 2.0
    assert solve(game, "spe").equilibria


def test_game_files_must_be_regular_and_bounded(tmp_path):
    with pytest.raises(InputError, match="not a regular file"):
        read_game("/dev/zero")
    with pytest.raises(InputError, match="not a regular file"):
        read_game(make_fifo(tmp_path, "g.nfg"))
    big = tmp_path / "big.nfg"
    big.write_text(GOOD + " " * MAX_GAME_BYTES)
    with pytest.raises(InputError, match="over the limit"):
        read_game(big)
