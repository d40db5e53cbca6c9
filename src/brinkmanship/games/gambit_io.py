"""Read and write Gambit's `.efg` (extensive) and `.nfg` (strategic) text formats, exactly.

Numbers are kept as Fractions (decimals like 0.1 stay 1/10), so a game read and written back is the same
game. Malformed files raise `InputError` naming the file, the line and what was expected.
"""

from __future__ import annotations

import bisect
import re
from fractions import Fraction
from pathlib import Path

import numpy as np

from brinkmanship.errors import InputError
from brinkmanship.games.assemble import TreeAssembler
from brinkmanship.games.extensive import CHANCE, TERMINAL, ExtensiveGame
from brinkmanship.games.normal import NormalFormGame
from brinkmanship.games.numbers import format_number
from brinkmanship.limits import (
    MAX_GAME_BYTES,
    MAX_GAME_PAYOFFS,
    MAX_MAGNITUDE,
    MAX_TREE_DEPTH,
    MAX_TREE_NODES,
    read_text_bounded,
)

#: decimals with an optional exponent, or p/q; exponents and lengths are bounded before Fraction sees them
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]{1,6}))?(?:/[0-9]+)?")
_MAX_EXPONENT = 30
_MAX_NUMBER_CHARS = 64
_TOKEN = re.compile(r'\s*(?:(")|([{}])|(,)|([^\s{}",]+))', re.S)


class _Tokens:
    """A cursor over Gambit tokens: quoted strings, braces, bare words/numbers (commas ignored)."""

    def __init__(self, text: str, file: str | None) -> None:
        self.items: list[tuple[str, str, int]] = []  # (kind, value, line)
        self.file = file
        newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        pos, n = 0, len(text)
        while pos < n:
            m = _TOKEN.match(text, pos)
            if m is None:
                break
            start = m.end(0) - len(m.group(0).lstrip())
            line = bisect.bisect_left(newlines, start) + 1
            if m.group(1):
                j = m.end(0)
                buf = []
                while j < n and text[j] != '"':
                    if text[j] == "\\" and j + 1 < n:
                        buf.append(text[j + 1])
                        j += 2
                        continue
                    buf.append(text[j])
                    j += 1
                if j >= n:
                    raise InputError("unterminated quoted string", file=file, line=line)
                self.items.append(("str", "".join(buf), line))
                pos = j + 1
                continue
            if m.group(2):
                self.items.append((m.group(2), m.group(2), line))
            elif m.group(4):
                self.items.append(("word", m.group(4), line))
            pos = m.end(0)
        self.i = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.items[self.i] if self.i < len(self.items) else None

    def line(self) -> int:
        tok = self.peek()
        return tok[2] if tok else (self.items[-1][2] if self.items else 1)

    def fail(self, message: str, fix: str | None = None) -> InputError:
        return InputError(message, file=self.file, line=self.line(), fix=fix)

    def next(self, kind: str, what: str) -> str:
        tok = self.peek()
        if tok is None or tok[0] != kind:
            got = "end of file" if tok is None else repr(tok[1])
            raise self.fail(f"expected {what}, found {got}")
        self.i += 1
        return tok[1]

    def accept(self, kind: str) -> bool:
        tok = self.peek()
        if tok is not None and tok[0] == kind:
            self.i += 1
            return True
        return False

    def number(self, what: str) -> Fraction:
        """A finite number of sane size: decimal (optional exponent) or p/q; never nan, inf or 1e999999999."""
        word = self.next("word", what)
        m = _NUMBER.fullmatch(word)
        if m is None or len(word) > _MAX_NUMBER_CHARS or (m.group(1) and abs(int(m.group(1))) > _MAX_EXPONENT):
            self.i -= 1
            raise self.fail(f"expected a number for {what}, found {word[:40]!r} (finite, decimal or p/q)",
                            fix=f"write a decimal or p/q of magnitude at most {MAX_MAGNITUDE:g}")
        try:
            value = Fraction(word)
        except (ValueError, ZeroDivisionError):
            self.i -= 1
            raise self.fail(f"expected a number for {what}, found {word!r}") from None
        if abs(value) > MAX_MAGNITUDE:
            self.i -= 1
            raise self.fail(f"{what} {word} is beyond the largest accepted magnitude {MAX_MAGNITUDE:g}",
                            fix="rescale the payoffs")
        return value

    def integer(self, what: str, limit: int = 2**31 - 1) -> int:
        word = self.next("word", what)
        if not re.fullmatch(r"[+-]?[0-9]{1,18}", word) or abs(int(word)) > limit:
            self.i -= 1
            raise self.fail(f"expected an integer for {what} (at most {limit:,}), found {word[:40]!r}")
        return int(word)

    def strings(self, what: str) -> list[str]:
        self.next("{", f"'{{' opening the {what}")
        out = []
        while not self.accept("}"):
            out.append(self.next("str", f"a quoted {what} name"))
        return out


def _header(tok: _Tokens, magic: str) -> tuple[str, list[str]]:
    word = tok.next("word", f"'{magic}'")
    if word != magic:
        raise tok.fail(f"not a Gambit {magic.lower()} file (starts with {word!r})", fix=f"the first word must be {magic}")
    tok.next("word", "the format version")
    fmt = tok.next("word", "'R' or 'D'")
    if fmt not in ("R", "D"):
        raise tok.fail(f"unknown number format {fmt!r}", fix="use R")
    title = tok.next("str", "the quoted title")
    players = tok.strings("player")
    return title, players


# -- EFG ----------------------------------------------------------------------------------------------
def parse_efg(text: str, file: str | None = None) -> ExtensiveGame:
    """Parse the text of a Gambit .efg file."""
    tok = _Tokens(text, file)
    title, players = _header(tok, "EFG")
    comment = ""
    nxt = tok.peek()
    if nxt is not None and nxt[0] == "str":
        comment = tok.next("str", "comment")
    asm = TreeAssembler(title, players)
    outcome_index: dict[int, int] = {}
    # stack of (parent node, next action index, number of children)
    open_nodes: list[list[int]] = []
    depth: list[int] = []  # moves from the root, per node
    try:
        while tok.peek() is not None:
            line = tok.line()
            if len(asm.parent) >= MAX_TREE_NODES:
                raise tok.fail(f"the tree has more than {MAX_TREE_NODES:,} nodes (the limit)",
                               fix="solve a smaller game")
            if not open_nodes and asm.parent:
                raise tok.fail("extra nodes after the tree is complete")
            kind = tok.next("word", "a node type (p, c or t)")
            if kind not in ("p", "c", "t"):
                tok.i -= 1
                raise tok.fail(f"unknown node type {kind!r}", fix="nodes start with p, c or t")
            label = tok.next("str", "the quoted node name")
            parent, act = (open_nodes[-1][0], open_nodes[-1][1]) if open_nodes else (-1, -1)
            player, k, nchildren = TERMINAL, -1, 0
            if kind in ("p", "c"):
                if kind == "p":
                    player = tok.integer("the player number")
                    if player < 1 or player > len(players):
                        raise InputError(
                            f"player {player} does not exist (the game has {len(players)})", file=file, line=line
                        )
                else:
                    player = CHANCE
                number = tok.integer("the information set number")
                ilabel = ""
                if tok.peek() is not None and tok.peek()[0] == "str":
                    ilabel = tok.next("str", "information set name")
                actions, probs = None, None
                if tok.peek() is not None and tok.peek()[0] == "{":
                    tok.next("{", "'{'")
                    actions, plist = [], []
                    while not tok.accept("}"):
                        actions.append(tok.next("str", "a quoted action name"))
                        if kind == "c":
                            plist.append(tok.number("a chance probability"))
                    probs = plist if kind == "c" else None
                try:
                    k = asm.infoset_index(player, number, ilabel, actions, probs)
                except ValueError as exc:
                    raise InputError(str(exc), file=file, line=line) from None
                nchildren = len(asm.info_actions[k])
            o = tok.integer("the outcome number")
            oi = -1
            if o != 0:
                olabel = None
                if tok.peek() is not None and tok.peek()[0] == "str":
                    olabel = tok.next("str", "outcome name")
                pay = None
                if tok.peek() is not None and tok.peek()[0] == "{":
                    tok.next("{", "'{'")
                    pay = []
                    while not tok.accept("}"):
                        pay.append(tok.number("a payoff"))
                    if len(pay) != len(players):
                        raise InputError(
                            f"outcome {o} has {len(pay)} payoffs for {len(players)} players", file=file, line=line
                        )
                if o not in outcome_index:
                    if pay is None:
                        raise InputError(f"outcome {o} is used before its payoffs are given", file=file, line=line)
                    outcome_index[o] = asm.add_outcome(olabel or "", pay)
                elif pay is not None and tuple(pay) != asm.outcome_payoffs[outcome_index[o]]:
                    raise InputError(f"outcome {o} has different payoffs here than before", file=file, line=line)
                oi = outcome_index[o]
            me = asm.add_node(parent, act, player, k, oi, label)
            if open_nodes:
                open_nodes[-1][1] += 1
                if open_nodes[-1][1] == open_nodes[-1][2]:
                    open_nodes.pop()
            depth.append(depth[parent] + 1 if parent >= 0 else 0)
            if depth[-1] > MAX_TREE_DEPTH:
                raise InputError(f"the tree is deeper than {MAX_TREE_DEPTH} moves (the limit)", file=file,
                                 line=line, fix="solve a shallower game")
            if nchildren:
                open_nodes.append([me, 0, nchildren])
        if open_nodes:
            raise tok.fail("the tree ends early: a node is missing children")
        game = asm.finish(comment=comment)
    except ValueError as exc:
        raise InputError(str(exc), file=file) from None
    object.__setattr__(game, "meta", {**game.meta, "outcome_numbers": sorted(outcome_index, key=outcome_index.get)})
    return game


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_efg(game: ExtensiveGame) -> str:
    """Serialise an extensive game in Gambit's .efg format (exact numbers)."""
    lines = [f"EFG 2 R {_q(game.title)} {{ {' '.join(_q(p) for p in game.players)} }}", _q(game.comment), ""]
    labels = game.node_labels
    for v in range(game.n_nodes):
        pl = int(game.node_player[v])
        name = _q(labels[v] if labels else "")
        if pl == TERMINAL:
            head = f"t {name}"
        else:
            k = int(game.node_infoset[v])
            a0, a1 = int(game.action_offset[k]), int(game.action_offset[k + 1])
            if pl == CHANCE:
                acts = " ".join(f"{_q(game.action_label(a))} {format_number(game.exact_chance(a))}" for a in range(a0, a1))
                head = f"c {name} {int(game.infoset_number[k])} {_q(game.infoset_label(k))} {{ {acts} }}"
            else:
                acts = " ".join(_q(game.action_label(a)) for a in range(a0, a1))
                head = f"p {name} {pl} {int(game.infoset_number[k])} {_q(game.infoset_label(k))} {{ {acts} }}"
        o = int(game.node_outcome[v])
        if o < 0:
            lines.append(f"{head} 0")
        else:
            olabel = game.outcome_labels[o] if game.outcome_labels else ""
            pay = ", ".join(format_number(x) for x in game.exact_outcome(o))
            lines.append(f"{head} {o + 1} {_q(olabel)} {{ {pay} }}")
    return "\n".join(lines) + "\n"


# -- NFG ----------------------------------------------------------------------------------------------
def parse_nfg(text: str, file: str | None = None) -> NormalFormGame:
    """Parse the text of a Gambit .nfg file (payoff-list or outcome form)."""
    tok = _Tokens(text, file)
    title, players = _header(tok, "NFG")
    tok.next("{", "'{' opening the strategy lists")
    strategies: list[list[str]] = []
    cells = 1
    while not tok.accept("}"):
        nxt = tok.peek()
        if nxt is not None and nxt[0] == "{":
            strategies.append(tok.strings("strategy"))
        else:
            count = tok.integer("a number of strategies", limit=MAX_GAME_PAYOFFS)
            if count < 1:
                raise tok.fail("every player needs at least one strategy")
            strategies.append([str(j + 1) for j in range(count)])
        cells *= max(1, len(strategies[-1]))
        if cells * max(len(players), len(strategies)) > MAX_GAME_PAYOFFS:
            raise tok.fail(f"the game has more than {MAX_GAME_PAYOFFS:,} payoffs (strategies x players; the limit)",
                           fix="solve a smaller game")
    if len(strategies) != len(players):
        raise tok.fail(f"{len(strategies)} strategy lists for {len(players)} players")
    comment = ""
    nxt = tok.peek()
    if nxt is not None and nxt[0] == "str":
        comment = tok.next("str", "comment")
    shape = [len(s) for s in strategies]
    n_cells = int(np.prod(shape))
    n = len(players)
    cells: list[tuple[Fraction, ...]] = []
    nxt = tok.peek()
    if nxt is not None and nxt[0] == "{":
        tok.next("{", "'{'")
        outcomes: list[tuple[Fraction, ...]] = []
        while not tok.accept("}"):
            tok.next("{", "'{' opening an outcome")
            tok.next("str", "the outcome name")
            pay = []
            while not tok.accept("}"):
                pay.append(tok.number("a payoff"))
            if len(pay) != n:
                raise tok.fail(f"an outcome has {len(pay)} payoffs for {n} players")
            outcomes.append(tuple(pay))
        zero = tuple(Fraction(0) for _ in range(n))
        for _ in range(n_cells):
            o = tok.integer("an outcome number")
            if o < 0 or o > len(outcomes):
                raise tok.fail(f"outcome {o} does not exist (there are {len(outcomes)})")
            cells.append(outcomes[o - 1] if o else zero)
    else:
        flat = []
        for _ in range(n_cells * n):
            flat.append(tok.number("a payoff"))
        cells = [tuple(flat[c * n : (c + 1) * n]) for c in range(n_cells)]
    if tok.peek() is not None:
        raise tok.fail("unexpected text after the payoffs")
    exact = np.empty((n, *shape), dtype=object)
    # Gambit lists contingencies with player 1's strategy changing fastest
    for c, pay in enumerate(cells):
        idx = np.unravel_index(c, shape[::-1])[::-1]
        for i in range(n):
            exact[(i, *idx)] = pay[i]
    floats = np.array([float(v) for v in exact.ravel()]).reshape(exact.shape)
    return NormalFormGame(
        title=title,
        players=tuple(players),
        strategies=tuple(tuple(s) for s in strategies),
        payoffs=floats,
        exact=exact,
        comment=comment,
    )


def write_nfg(game: NormalFormGame) -> str:
    """Serialise a strategic game in Gambit's .nfg payoff-list format (exact numbers)."""
    strat = " ".join("{ " + " ".join(_q(s) for s in ss) + " }" for ss in game.strategies)
    head = f"NFG 1 R {_q(game.title)} {{ {' '.join(_q(p) for p in game.players)} }} {{ {strat} }}"
    exact = game.exact_payoffs()
    shape = game.shape
    vals = []
    for c in range(int(np.prod(shape))):
        idx = np.unravel_index(c, shape[::-1])[::-1]
        vals.extend(format_number(exact[(i, *idx)]) for i in range(game.n_players))
    return f"{head}\n{_q(game.comment)}\n\n{' '.join(vals)}\n"


# -- files ----------------------------------------------------------------------------------------------
def read_game(path: str | Path) -> ExtensiveGame | NormalFormGame:
    """Read a .efg or .nfg file (decided by the header, not the suffix)."""
    p = Path(path)
    text = read_text_bounded(p, MAX_GAME_BYTES, "game file")
    head = text.lstrip()[:3]
    if head == "EFG":
        return parse_efg(text, file=str(p))
    if head == "NFG":
        return parse_nfg(text, file=str(p))
    raise InputError("not a Gambit game file", file=str(p), line=1, fix="the file must start with EFG or NFG")


def write_game(game: ExtensiveGame | NormalFormGame, path: str | Path) -> None:
    """Write a game to `path` in the format matching its type."""
    from brinkmanship.outfiles import write_text

    write_text(path, write_efg(game) if isinstance(game, ExtensiveGame) else write_nfg(game))
