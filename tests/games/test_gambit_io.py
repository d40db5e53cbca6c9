"""Gambit .efg/.nfg reading and writing: exact round trips through pygambit, clear errors."""

from __future__ import annotations

import pytest
from gamehelpers import same_extensive, same_normal, to_gambit

from brinkmanship.errors import InputError
from brinkmanship.games import library
from brinkmanship.games.extensive import ExtensiveGame
from brinkmanship.games.gambit_io import parse_efg, parse_nfg, read_game, write_efg, write_nfg
from brinkmanship.games.generate import complete_tree, random_bimatrix

EFG = '''EFG 2 R "test" { "A" "B" }
"a comment"

p "" 1 1 "" { "C" "D" } 0
t "" 1 "SQ" { 0, 0 }
c "" 1 "" { "h" 1/3 "s" 2/3 } 0
p "" 2 1 "" { "c" "d" } 0
t "" 2 "DC" { 1, -1 }
t "" 3 "DD" { -2, -5/2 }
p "" 2 2 "" { "c" "d" } 0
t "" 2 "DC" { 1, -1 }
t "" 4 "DD2" { -2, 5 }
'''


@pytest.mark.parametrize("name", library.names())
def test_library_game_round_trips_through_pygambit(name: str) -> None:
    game = library.get(name)
    gg = to_gambit(game)
    if isinstance(game, ExtensiveGame):
        back = parse_efg(gg.to_efg())
        same_extensive(game, back)
    else:
        back = parse_nfg(gg.to_nfg())
        same_normal(game, back)


def test_efg_text_is_reproduced_byte_for_byte() -> None:
    game = parse_efg(EFG)
    assert write_efg(game) == EFG
    assert to_gambit(game).to_efg() == EFG


def test_efg_numbers_are_exact() -> None:
    from fractions import Fraction

    game = parse_efg(EFG)
    assert game.exact_chance(2) == Fraction(1, 3)
    assert game.exact_outcome(2) == (Fraction(-2), Fraction(-5, 2))


@pytest.mark.parametrize("seed", [0, 1])
def test_generated_tree_round_trip(seed: int) -> None:
    game = complete_tree(3, 3, info="own", seed=seed)
    gg = to_gambit(game)
    same_extensive(game, parse_efg(gg.to_efg()))


def test_nfg_from_pygambit_with_outcomes() -> None:
    game = random_bimatrix(3, 4, seed=2, integers=True)
    text = to_gambit(game).to_nfg()
    assert "{ \"" in text  # pygambit writes the outcome form
    same_normal(game, parse_nfg(text))
    assert parse_nfg(write_nfg(game)).exact_payoffs().tolist() == game.exact_payoffs().tolist()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('EFG 2 R "x" { "A" }\n""\np "" 1 1 "" { "a" "b" } 0\nt "" 0\n', "ends early"),
        ('EFG 2 R "x" { "A" }\n""\nq "" 1 1 "" { "a" } 0\n', "unknown node type"),
        ('EFG 2 R "x" { "A" }\n""\np "" 3 1 "" { "a" } 0\nt "" 0\n', "player 3 does not exist"),
        ('EFG 2 R "x" { "A" "B" }\n""\nt "" 1 "o" { 1 }\n', "1 payoffs for 2 players"),
        ('EFG 2 R "x" { "A" }\n""\nc "" 1 "" { "a" 1/2 "b" 1/3 } 0\nt "" 0\nt "" 0\n', "sum to 1"),
        ('EFG 2 R "x" { "A" }\n""\np "" 1 1 "" { "a" } 0\nt "" 1 "o" { abc }\n', "expected a number"),
        ('NFG 1 R "x" { "A" "B" } { 2 2 }\n""\n1 2 3\n', "expected a payoff, found end of file"),
        ("hello", "not a Gambit"),
    ],
)
def test_malformed_files_raise_input_error_with_line(tmp_path, text: str, needle: str) -> None:
    path = tmp_path / "bad.efg"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_game(path)
    assert needle in err.value.render()
    assert "bad.efg" in err.value.render()


def test_error_names_the_line() -> None:
    with pytest.raises(InputError) as err:
        parse_efg('EFG 2 R "x" { "A" }\n""\n\np "" 1 1 "" { "a" } 0\nx "" 0\n', file="f.efg")
    assert err.value.line == 5


def test_missing_file() -> None:
    with pytest.raises(InputError, match="file not found"):
        read_game("/nonexistent/game.efg")
