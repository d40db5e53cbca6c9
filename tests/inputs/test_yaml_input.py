"""YAML that means something other than it shows is refused, once parsed, bounded in size, depth and time."""

from __future__ import annotations

import time

import pytest
import yaml
from hostile import LDF, alias_bomb, big_yaml, deep_nesting, make_fifo

from brinkmanship.errors import InputError
from brinkmanship.limits import MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES
from brinkmanship.spec import load_scenario, load_strategy
from brinkmanship.spec.yaml_input import SafeYamlLoader, parse_yaml


def _refused(text: str, tmp_path, words: str, seconds: float = 5.0) -> InputError:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(InputError) as err:
        load_strategy(path)
    assert time.perf_counter() - t0 < seconds
    assert words in err.value.render(), err.value.render()
    assert str(path) in err.value.render()
    return err.value


def test_uses_the_c_parser_when_pyyaml_has_it():
    if getattr(yaml, "__with_libyaml__", False):
        assert issubclass(SafeYamlLoader, yaml.CSafeLoader)


def test_a_trailing_duplicate_key_is_refused_with_both_lines(tmp_path):
    text = LDF + "rules: []\n"
    err = _refused(text, tmp_path, "appears twice")
    assert err.line == len(text.splitlines())
    assert f"first on line {next(i for i, t in enumerate(LDF.splitlines(), 1) if t.startswith('rules:'))}" in err.message


def test_a_duplicate_key_inside_a_flow_mapping_is_refused(tmp_path):
    _refused(LDF.replace("{china: forget, russia: forget}", "{china: forget, china: engage}"), tmp_path,
             "key 'china' appears twice")


def test_an_alias_bomb_is_refused_at_once(tmp_path):
    err = _refused(alias_bomb(), tmp_path, "alias", seconds=2.0)
    assert err.line == 2


def test_any_alias_is_refused_with_its_line():
    with pytest.raises(InputError, match="alias") as err:
        parse_yaml("a: &x {value: 1}\nb: *x\n", "f.yaml")
    assert err.value.line == 2


def test_deep_nesting_is_refused_before_anything_recurses(tmp_path):
    _refused(deep_nesting(), tmp_path, "nesting", seconds=3.0)
    with pytest.raises(InputError, match=f"deeper than {MAX_YAML_DEPTH}"):
        parse_yaml("x: " + "[" * (MAX_YAML_DEPTH + 1) + "]" * (MAX_YAML_DEPTH + 1))
    parse_yaml("x: " + "[" * (MAX_YAML_DEPTH - 1) + "]" * (MAX_YAML_DEPTH - 1))  # at the limit: fine


def test_a_6_mb_file_is_refused_by_its_size_before_parsing(tmp_path):
    err = _refused(big_yaml(6), tmp_path, f"over the limit of {MAX_YAML_BYTES:,}", seconds=1.0)
    assert "bytes" in err.message


def test_too_many_nodes_are_refused():
    with pytest.raises(InputError, match="YAML nodes"):
        parse_yaml("x: [" + "0," * MAX_YAML_NODES + "0]")


def test_a_largest_accepted_file_parses_quickly():
    text = "x: '" + "a" * (MAX_YAML_BYTES - 10) + "'\n"
    t0 = time.perf_counter()
    data, _ = parse_yaml(text)
    assert len(data["x"]) == MAX_YAML_BYTES - 10
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize("text", ["a: 1\n---\nb: 2\n", "--- 1\n--- 2\n"])
def test_a_second_document_is_refused(text):
    with pytest.raises(InputError, match="more than one YAML document"):
        parse_yaml(text)


@pytest.mark.parametrize("day", ["2018-02-30", "2018-13-01", "2018-00-10"])
def test_an_impossible_date_is_refused_with_its_line(tmp_path, day):
    err = _refused(LDF.replace("earliest: 2018-01-01", f"earliest: {day}"), tmp_path, "invalid value")
    assert err.line == next(i for i, t in enumerate(LDF.splitlines(), 1) if "earliest: 2018-01-01" in t)


def test_non_regular_inputs_are_refused_without_blocking(tmp_path):
    fifo = make_fifo(tmp_path)
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="not a regular file"):
        load_strategy(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_scenario("/dev/zero")
    with pytest.raises(InputError, match="folder"):
        load_scenario(tmp_path)
    assert time.perf_counter() - t0 < 2.0


def test_line_index_comes_from_the_one_parse():
    data, lines = parse_yaml("a:\n  b: [1, {c: 2}]\non: x\n")
    assert data == {"a": {"b": [1, {"c": 2}]}, "on": "x"}  # YAML 1.2 booleans: `on` stays a key
    assert lines[("a", "b", 1, "c")] == 2 and lines[("on",)] == 3


def test_the_packaged_files_still_load(korea, strategies):
    assert korea.name == "korea-2017" and "let-deterrence-fail" in strategies
