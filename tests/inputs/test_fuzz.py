"""Fuzz suite: hypothesis over the YAML and Gambit grammars and the numeric options, plus a corpus of hostile
files run in real processes. Every case ends within a time bound with exit 0 or 2 (never 1, never a signal,
never a traceback), in bounded memory, changing no file outside the test's folder.

Deterministic: hypothesis runs derandomized with a bounded number of examples and no example database.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile import LDF, alias_bomb, big_yaml, deep_nesting, make_fifo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from brinkmanship.cli import app
from brinkmanship.limits import SEED_MAX
from brinkmanship.spec.loader import scenario_dir
from brinkmanship.spec.yaml_input import parse_yaml
from short_scenario import short_korea

pytestmark = pytest.mark.fuzz

runner = CliRunner()
FUZZ = settings(max_examples=40, derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
# CPU seconds per case; a hang or an exponential blow-up goes far beyond. A valid file's audit (the short
# scenario's credibility equilibria) takes 10-31 CPU s with a cold compile cache, by the machine's speed that day
CASE_SECONDS = 45.0
WALL_SECONDS = 3 * CASE_SECONDS  # wall clock: also catches a case that blocks without computing, on a loaded machine
SCENARIO = (scenario_dir() / "korea-2017.yaml").read_text(encoding="utf-8")


def _check(result, seconds: tuple[float, float], as_json: bool = False) -> None:
    """The contract of every case: exit 0 or 2, no traceback, in time (CPU and wall seconds: the CPU a case
    costs does not depend on what else the machine runs); with --json, JSON on stdout."""
    assert result.exit_code in (0, 2), (result.exit_code, result.output[-2000:], result.exception)
    assert "Traceback" not in result.output
    cpu, wall = seconds
    assert cpu < CASE_SECONDS and wall < WALL_SECONDS, seconds
    if as_json:
        json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON output"))


def _invoke(args: list[str], as_json: bool = False):
    t0, c0 = time.perf_counter(), time.process_time()
    result = runner.invoke(app, [*args, *(["--json"] if as_json else [])])
    _check(result, (time.process_time() - c0, time.perf_counter() - t0), as_json)
    return result


# -- YAML -------------------------------------------------------------------------------------------------
HOSTILE_VALUES = (
    st.floats(0, 1)  # often valid: a probability or a fraction
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.sampled_from([".nan", ".inf", "-.inf", "1e400", "1e999999999", "2018-02-30", "2020-09-15", "[/]", "my[v2]",
                       "", "~", "true", "yes", "on", None, [], {}, {"value": float("nan"), "source": "x"},
                       dt.date(2019, 1, 1), dt.date(1, 1, 1), dt.date(9999, 12, 31), "\u202e", "a\tb"])
    | st.text(max_size=12)
)
SNIPPETS = st.sampled_from([
    "a: &x [1, 2]\nb: *x\n", "<<: {name: other}\n", "rules: []\n", "name: again\n", "---\nx: 1\n",
    "x: !!python/object/apply:os.system ['true']\n", "x: !!binary aGk=\n", "\t- tab\n", "x: [" * 40 + "\n",
    "x: " + "[" * 40 + "]" * 40 + "\n", "x: '" + "z" * 5000 + "'\n", "\x00\n", "\ufeffx: 1\n", "? [a, b]\n: c\n",
    "x: {a: 1, a: 2}\n", "summary: [/bold]\n",
])


def _paths(data: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(data, dict):
        out += [p for k, v in data.items() for p in _paths(v, (*path, k))]
    elif isinstance(data, list):
        out += [p for i, v in enumerate(data) for p in _paths(v, (*path, i))]
    return out


def _mutated(text: str, draw) -> str:
    data, _ = parse_yaml(text)
    for _ in range(draw(st.integers(0, 3))):  # 0: the file as packaged, which must pass
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        node = data
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = copy.deepcopy(draw(HOSTILE_VALUES))
    out = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    if draw(st.integers(0, 2)) == 0:
        lines = out.splitlines(keepends=True)
        at = draw(st.integers(0, len(lines)))
        out = "".join([*lines[:at], draw(SNIPPETS), *lines[at:]])
    return out


@pytest.fixture(scope="module")
def short_scenario(tmp_path_factory) -> Path:
    """korea-2017 on a 16-month horizon: the audit's credibility equilibria (every path of it) in under half the
    time of the packaged 36 months; the subject here is the strategy file."""
    return short_korea(tmp_path_factory.mktemp("scenario"))


@FUZZ
@given(data=st.data(), as_json=st.booleans())
def test_fuzzed_strategy_files(tmp_path_factory, short_scenario, data, as_json):
    folder = tmp_path_factory.mktemp("strategy")
    path = folder / "s[v2].yaml"
    path.write_text(_mutated(LDF, data.draw), encoding="utf-8")
    _invoke(["audit", str(path), "--scenario", str(short_scenario)], as_json)


@settings(FUZZ, max_examples=25)
@given(data=st.data())
def test_fuzzed_scenario_files(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("scenario")
    path = folder / "sc.yaml"
    path.write_text(_mutated(SCENARIO, data.draw), encoding="utf-8")
    _invoke(["show", str(path)], as_json=True)


# -- Gambit files ---------------------------------------------------------------------------------------------
NUMBER_TOKENS = st.sampled_from(["0", "1", "-3", "1/3", "2.5", "1e3", "-7/2", "nan", "inf", "-inf", "1e999999999",
                                 "9" * 400, "1/0", "abc", '"q"', "{", "}", "1e-400", "0.000001"])
COUNT_TOKENS = st.sampled_from(["1", "2", "3", "0", "-1", "1000000000", "9" * 30, "x", "2.5"])


@st.composite
def nfg_text(draw) -> str:
    n = draw(st.integers(1, 3))
    players = " ".join(f'"P{i}"' for i in range(n))
    counts = [draw(COUNT_TOKENS) for _ in range(n)]
    cells = 1
    for c in counts:
        cells *= int(c) if c.isdigit() and 0 < int(c) <= 3 else 2
    pays = [draw(NUMBER_TOKENS) if draw(st.integers(0, 9)) == 0 else str(draw(st.integers(-9, 9)))
            for _ in range(min(cells * n, 60))]
    if draw(st.booleans()) and pays:
        pays = pays[: draw(st.integers(0, len(pays)))]
    return f'NFG 1 R "g[/]" {{ {players} }} {{ {" ".join(counts)} }}\n""\n{" ".join(pays)}\n'


@st.composite
def efg_text(draw) -> str:
    depth = draw(st.integers(1, 6))
    lines = []
    for i in range(depth):
        if draw(st.integers(0, 4)) == 0:
            lines.append(f'c "" {i + 1} "" {{ "h" {draw(NUMBER_TOKENS)} "t" 1/2 }} 0')
        else:
            lines.append(f'p "[/n]" {draw(st.sampled_from(["1", "2", "3", "0", "x"]))} {i + 1} "" {{ "a" "b" }} 0')
        lines.append(f't "" {i + 2} "o" {{ {draw(NUMBER_TOKENS)}, {draw(st.integers(-5, 5))} }}')
    lines.append('t "" 1 "end" { 1, 1 }')
    return 'EFG 2 R "t" { "A" "B" }\n""\n' + "\n".join(lines) + "\n"


@FUZZ
@given(text=nfg_text() | efg_text(), method=st.sampled_from([None, "pure", "support", "lemke-howson", "qre", "spe",
                                                            "sequence"]), as_json=st.booleans())
def test_fuzzed_game_files(tmp_path_factory, text, method, as_json):
    path = tmp_path_factory.mktemp("game") / ("g.nfg" if text.startswith("NFG") else "g.efg")
    path.write_text(text, encoding="utf-8")
    _invoke(["solve", str(path), *(["--method", method] if method else [])], as_json)


# -- numeric options ------------------------------------------------------------------------------------------
OPTIONS = [  # (command prefix, option, kind); the scenario is missing, so any valid value ends at "file not found"
    (["run", "none.yaml", "-s", "engagement"], "--runs", "count"), (["run", "none.yaml", "-s", "x"], "--seed", "seed"),
    (["compare", "none.yaml"], "--chunk-size", "count"), (["explore", "none.yaml"], "--samples", "count"),
    (["explore", "none.yaml"], "--workers", "workers"), (["explore", "none.yaml"], "--dask-local", "workers"),
    (["explore", "none.yaml"], "--seed", "seed"), (["sensitivity", "none.yaml", "--strategy", "a"], "--n", "count"),
    (["report", "none.yaml", "--out", "o"], "--runs", "count"), (["backtest", "none.yaml"], "--seed", "seed"),
    (["discover", "--db", "none.duckdb", "--strategy", "a"], "--threshold", "float"),
    (["discover", "--db", "none.duckdb", "--strategy", "a"], "--min-density", "float"),
]
VALUES = (st.integers(-(2**70), 2**70).map(str) | st.sampled_from(["0", "1", "-1", str(SEED_MAX), str(SEED_MAX + 1)])
          | st.floats(allow_nan=True, allow_infinity=True).map(repr) | st.sampled_from(["nan", "-inf", "1e999", "x[/]"]))


def _valid(kind: str, text: str) -> bool | None:
    """Whether `text` is in range for the option (None: not even a number of its type)."""
    try:
        value: Any = float(text) if kind == "float" else int(text)
    except ValueError:
        return None
    lo, hi = {"seed": (0, SEED_MAX), "count": (1, 2**63 - 1), "workers": (1, 4096)}.get(kind, (None, None))
    if kind == "float":
        return abs(value) <= 1e15
    return lo <= value <= hi


@settings(FUZZ, max_examples=60)
@given(case=st.sampled_from(OPTIONS), value=VALUES, as_json=st.booleans())
def test_fuzzed_numeric_options(tmp_path_factory, monkeypatch, case, value, as_json):
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    prefix, option, kind = case
    result = _invoke([*prefix, f"{option}={value}"], as_json)
    assert result.exit_code == 2, result.output
    valid = _valid(kind, value)
    if valid is False:
        assert option in result.output, result.output
    elif valid:
        assert ("not found" in result.output or "no such results store" in result.output
                or "range" in result.output), result.output  # a float option's own range check may come first


# -- hostile corpus in real processes ---------------------------------------------------------------------------
# The child's own peak: Linux's ru_maxrss survives exec, so a child started by vfork (as subprocess does)
# reports the test process's peak when it is larger; VmHWM is the peak of the child's own address space.
_CHILD = """
import atexit, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))  # a regression fails here, not on the machine
def peak_kb():
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
atexit.register(lambda: sys.stderr.write(f"\\nMAXRSS_KB={peak_kb()}\\n"))
sys.argv = ["brink", *sys.argv[1:]]
from brinkmanship.cli import main
main()
"""


def _corpus(folder: Path) -> list[tuple[str, list[str]]]:
    def put(name: str, text: str) -> str:
        (folder / name).write_text(text, encoding="utf-8")
        return str(folder / name)

    nan_scenario = SCENARIO.replace("value: 0.", "value: .nan #")
    return [
        ("fifo strategy", ["run", "korea-2017", "-s", str(make_fifo(folder)), "--runs", "10"]),
        ("dev zero game", ["solve", "/dev/zero"]),
        ("dev zero scenario", ["show", "/dev/zero"]),
        ("alias bomb", ["audit", put("bomb.yaml", alias_bomb(12))]),
        ("deep nesting", ["audit", put("deep.yaml", deep_nesting(200_000))]),
        ("6 MB file", ["show", put("big.yaml", big_yaml(6))]),
        ("duplicate key", ["run", "korea-2017", "-s", put("dup.yaml", LDF + "rules: []\n"), "--runs", "10"]),
        ("nan everywhere", ["show", put("nan.yaml", nan_scenario), "--json"]),
        ("billion strategies", ["solve", put("big.nfg", 'NFG 1 R "g" { "A" "B" } { 1000000000 1000000000 }\n""\n1\n')]),
        ("huge exponent", ["solve", put("exp.nfg", 'NFG 1 R "g" { "A" "B" } { 1 1 }\n""\n1e999999999 0\n')]),
    ]


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_hostile_corpus_in_real_processes(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    cases = _corpus(tmp_path)
    src = Path(__file__).resolve().parents[2] / "src"
    before_src, before_tmp = _snapshot(src), _snapshot(tmp_path)
    env = {**os.environ, "HOME": str(work), "TMPDIR": str(work)}
    for name, args in cases:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _CHILD, *args], cwd=work, env=env, capture_output=True,
                              text=True, timeout=120)
        seconds = time.perf_counter() - t0
        assert proc.returncode == 2, (name, proc.returncode, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr + proc.stdout, name
        rss_kb = int(proc.stderr.rsplit("MAXRSS_KB=", 1)[1])
        assert rss_kb < 2 * (1 << 20), (name, rss_kb)  # under 2 GB
        assert seconds < 60, (name, seconds)
        if "--json" in args:
            assert json.loads(proc.stdout)["error"]["exit_code"] == 2
    assert _snapshot(src) == before_src
    assert _snapshot(tmp_path) == before_tmp  # inputs untouched, nothing written next to them or in cwd
