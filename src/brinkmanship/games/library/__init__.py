"""Library of classic games, each with its source. `names()` lists them; `get(name)` builds one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from brinkmanship.errors import InputError
from brinkmanship.games.extensive import ExtensiveGame
from brinkmanship.games.normal import NormalFormGame


@dataclass(frozen=True)
class Entry:
    """A library game: how to build it, a one-line summary and its source."""

    name: str
    build: Callable[[], ExtensiveGame | NormalFormGame]
    summary: str
    source: str


def _entries() -> dict[str, Entry]:
    from brinkmanship.games.library import bargaining, brinkmanship, classic, zagare

    items = [
        Entry("chicken", classic.chicken, "Chicken (2x2): two pure equilibria and one mixed",
              "Rapoport & Chammah 1966"),
        Entry("prisoners-dilemma", classic.prisoners_dilemma, "Prisoner's Dilemma (Axelrod payoffs)",
              "Flood & Dresher 1950; Axelrod 1984"),
        Entry("radg", zagare.radg, "Rudimentary Asymmetric Deterrence Game, B Hard or Soft (pB = 1/2)",
              "Zagare & Kilgour 2000"),
        Entry("aeg", zagare.aeg, "Asymmetric Escalation Game (complete information)", "Kilgour & Zagare 2007"),
        Entry("fearon", bargaining.fearon, "Fearon bargaining: take-it-or-leave-it offer vs costly war",
              "Fearon 1995"),
        Entry("powell", bargaining.powell, "Powell commitment problem: preventive war by a declining state",
              "Powell 2006"),
        Entry("brinkmanship", brinkmanship.brinkmanship,
              "Schelling/Powell brinkmanship: rising risk of disaster, B's resolve private",
              "Schelling 1960; Powell 1990"),
        Entry("oped-commitment", brinkmanship.oped_commitment,
              "2017 op-ed: withdrawal + retaliation rules vs tests, talks or invasion (IHL flag)",
              "The National Interest, 24 Sep 2017"),
    ]
    return {e.name: e for e in items}


def names() -> list[str]:
    """Names of the library games."""
    return list(_entries())


def entries() -> list[Entry]:
    """All library entries."""
    return list(_entries().values())


def get(name: str) -> ExtensiveGame | NormalFormGame:
    """Build a library game by name (InputError naming the choices if unknown)."""
    table = _entries()
    if name not in table:
        raise InputError(f"unknown game '{name}'", field="game", fix=f"use a file path or one of: {', '.join(table)}")
    return table[name].build()
