"""The packaged 2016-2018 event record: sourced, valid, and consistent with the facts file's counts."""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brinkmanship.errors import InputError
from brinkmanship.history.events import (
    COLUMNS,
    COUNTING_RULES,
    EVENT_TYPES,
    events_path,
    load_events,
    monthly_aggregates,
)


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return load_events()


@pytest.fixture(scope="module")
def ballistic(events: pd.DataFrame) -> pd.DataFrame:
    return monthly_aggregates(events, rule="ballistic_only")


@pytest.fixture(scope="module")
def all_missiles(events: pd.DataFrame) -> pd.DataFrame:
    return monthly_aggregates(events, rule="all_missiles")


def _raw_rows() -> list[dict[str, str]]:
    with events_path().open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _year(agg: pd.DataFrame, year: int) -> pd.Series:
    return agg[agg.index.year == year].sum(numeric_only=True)


# --- the file itself -------------------------------------------------------------------------------


def test_packaged_file_exists_with_readme() -> None:
    assert events_path().is_file()
    assert (events_path().parent / "README.md").is_file()


def test_every_row_has_a_source_read_independently_of_the_loader() -> None:
    rows = _raw_rows()
    assert len(rows) >= 60
    empty = [i for i, row in enumerate(rows, start=1) if not (row["source"] or "").strip()]
    assert empty == []
    # a source names a publication: at least a word of letters, not a placeholder
    assert all(re.search(r"[A-Za-z]{3,}", row["source"]) for row in rows)


def test_loader_returns_known_types_and_dates_in_range(events: pd.DataFrame) -> None:
    assert list(events.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert set(events["type"]) <= set(EVENT_TYPES)
    assert events["date"].min() >= pd.Timestamp("2016-01-01")
    assert events["date"].max() <= pd.Timestamp("2018-12-31")
    assert events["date"].is_monotonic_increasing
    assert (events["source"].str.strip() != "").all()
    assert (events["count"] >= 1).all()
    launches = events["type"].str.endswith("launch")
    assert (events.loc[~launches, "count"] == 1).all()


def test_no_coordinates_in_the_record() -> None:
    text = events_path().read_text(encoding="utf-8")
    assert not re.search(r"\d+(\.\d+)?\s*°", text)
    assert not re.search(r"\b\d{1,3}\.\d{3,}\s*[NSEW]?\b", text)


def test_unverified_rows_are_not_counted_events(events: pd.DataFrame) -> None:
    unverified = events[events["unverified"]]
    assert 0 < len(unverified) <= 15
    counted = set().union(*COUNTING_RULES.values()) | {"nuclear_test", "sanctions_resolution"}
    assert not unverified["type"].isin(counted).any()


# --- counts against the facts file ---------------------------------------------------------------


def test_2017_launch_counts_match_the_facts_file(ballistic: pd.DataFrame, all_missiles: pd.DataFrame) -> None:
    every = _year(all_missiles, 2017)
    assert 15 <= every["launch_events"] <= 20
    assert 20 <= every["missiles"] <= 25
    # the facts file's own reconciliation: 16 events, 24 missiles, 20 of them ballistic
    assert (every["launch_events"], every["missiles"]) == (16, 24)
    only = _year(ballistic, 2017)
    assert (only["launch_events"], only["missiles"]) == (15, 20)


def test_2017_dates_match_the_facts_file(events: pd.DataFrame) -> None:
    facts = {
        "2017-02-12": 1, "2017-03-06": 4, "2017-03-22": 1, "2017-04-05": 1, "2017-04-16": 1,
        "2017-04-29": 1, "2017-05-14": 1, "2017-05-21": 1, "2017-05-29": 1, "2017-06-08": 4,
        "2017-07-04": 1, "2017-07-28": 1, "2017-08-26": 3, "2017-08-29": 1, "2017-09-15": 1,
        "2017-11-29": 1,
    }  # fmt: skip
    rows = events[events["type"].isin(COUNTING_RULES["all_missiles"]) & (events["date"].dt.year == 2017)]
    got = {d.date().isoformat(): int(c) for d, c in zip(rows["date"], rows["count"], strict=True)}
    assert got == facts


def test_partial_2017_counts_match_the_quoted_tallies(
    ballistic: pd.DataFrame, all_missiles: pd.DataFrame
) -> None:
    # CNN (updated 13 Jun 2017): 16 missiles in 10 tests
    to_june = all_missiles.loc["2017-01":"2017-06"].sum()
    assert (to_june["launch_events"], to_june["missiles"]) == (10, 16)
    # the op-ed (24 Sep 2017): 19 by late September, i.e. ballistic missiles
    assert ballistic.loc["2017-01":"2017-09", "missiles"].sum() == 19
    # CBS "17 by September" lies between the event and missile counts of either rule
    sept = all_missiles.loc["2017-01":"2017-09"].sum()
    assert sept["launch_events"] <= 17 <= sept["missiles"]


def test_2016_counts(ballistic: pd.DataFrame, all_missiles: pd.DataFrame) -> None:
    assert (_year(ballistic, 2016)["launch_events"], _year(ballistic, 2016)["missiles"]) == (14, 23)
    # the satellite launch adds one event and one rocket under the "all" rule
    assert (_year(all_missiles, 2016)["launch_events"], _year(all_missiles, 2016)["missiles"]) == (15, 24)
    assert ballistic.loc["2016-02", "launch_events"] == 0
    assert all_missiles.loc["2016-02", "launch_events"] == 1


def test_artillery_rockets_never_count(events: pd.DataFrame, all_missiles: pd.DataFrame) -> None:
    assert (events["type"] == "artillery_rocket_launch").sum() == 2
    # March 2016: 2 + 2 ballistic missiles; the 6 + 5 rocket projectiles are not counted
    assert all_missiles.loc["2016-03", "missiles"] == 4


def test_nuclear_tests_exactly_in_the_three_months(all_missiles: pd.DataFrame) -> None:
    months = [str(m) for m in all_missiles.index[all_missiles["nuclear_tests"] > 0]]
    assert months == ["2016-01", "2016-09", "2017-09"]
    assert all_missiles["nuclear_tests"].sum() == 3


def test_no_launch_from_december_2017_to_december_2018(
    ballistic: pd.DataFrame, all_missiles: pd.DataFrame
) -> None:
    for agg in (ballistic, all_missiles):
        assert agg.loc["2017-12":"2018-12", "launch_events"].sum() == 0
        assert agg.loc["2017-12":"2018-12", "nuclear_tests"].sum() == 0
        assert agg.loc["2017-11", "launch_events"] == 1  # the Hwasong-15, the last one


def test_unsc_resolutions_in_the_right_months(events: pd.DataFrame, all_missiles: pd.DataFrame) -> None:
    expected = {2270: "2016-03", 2321: "2016-11", 2371: "2017-08", 2375: "2017-09", 2397: "2017-12"}
    resolutions = events[events["type"] == "sanctions_resolution"]
    found: dict[int, str] = {}
    for when, detail in zip(resolutions["date"], resolutions["detail"], strict=True):
        number = re.search(r"Resolution (\d{4})", detail)
        assert number, detail
        found[int(number.group(1))] = str(when.to_period("M"))
    assert {k: found[k] for k in expected} == expected
    assert set(found) - set(expected) == {2356}  # designations only, June 2017
    for month in expected.values():
        assert all_missiles.loc[month, "sanctions_resolutions"] >= 1
    assert all_missiles.loc["2018-01":"2018-12", "sanctions_resolutions"].sum() == 0


def test_exercises_summits_and_the_moratorium(all_missiles: pd.DataFrame) -> None:
    agg = all_missiles
    for month in ("2016-03", "2016-08", "2017-03", "2017-04", "2017-08", "2018-04"):
        assert agg.loc[month, "exercises_active"], month
    for month in ("2017-06", "2018-02", "2018-08", "2018-12"):
        assert not agg.loc[month, "exercises_active"], month  # Olympic delay; UFG 2018 suspended
    assert agg.loc["2016-01":"2017-12", "summits"].sum() == 0
    assert agg.loc["2018-06", "summits"] == 2  # Singapore and the third Kim-Xi meeting
    assert agg.loc["2018-04", "summits"] == 1  # Panmunjom
    assert not agg.loc["2018-03", "moratorium_declared"]
    assert agg.loc["2018-04":"2018-12", "moratorium_declared"].all()
    assert agg.loc["2018-06", "exercise_suspensions"] == 2


def test_flags_follow_the_counts(ballistic: pd.DataFrame) -> None:
    agg = ballistic
    assert (agg["any_launch"] == (agg["launch_events"] > 0)).all()
    assert (agg["provocation"] == (agg["any_launch"] | agg["any_nuclear_test"])).all()
    assert list(agg.index.astype(str))[:2] == ["2016-01", "2016-02"]
    assert len(agg) == 36


def test_window_and_rule_arguments(events: pd.DataFrame) -> None:
    sub = monthly_aggregates(events, start="2017-08", end="2017-09", rule="all_missiles")
    assert [str(m) for m in sub.index] == ["2017-08", "2017-09"]
    assert sub["missiles"].tolist() == [4, 1]  # 26 Aug (3) + 29 Aug (1); 15 Sep (1)
    with pytest.raises(InputError, match="rule"):
        monthly_aggregates(events, rule="everything")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="start"):
        monthly_aggregates(events, start="2017/01")
    with pytest.raises(InputError, match="before start"):
        monthly_aggregates(events, start="2018-01", end="2017-01")


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=200), max_size=40), st.sampled_from(sorted(COUNTING_RULES)))
def test_aggregates_conserve_counts_for_any_subset(picks: set[int], rule: str) -> None:
    full = load_events()
    subset = full.iloc[sorted(i for i in picks if i < len(full))]
    agg = monthly_aggregates(subset, rule=rule)  # type: ignore[arg-type]
    counted = subset[subset["type"].isin(COUNTING_RULES[rule])]
    assert agg["missiles"].sum() == counted["count"].sum()
    assert agg["launch_events"].sum() == len(counted)
    assert agg["nuclear_tests"].sum() == (subset["type"] == "nuclear_test").sum()


def test_all_missiles_never_below_ballistic(ballistic: pd.DataFrame, all_missiles: pd.DataFrame) -> None:
    assert (all_missiles["missiles"] >= ballistic["missiles"]).all()
    assert (all_missiles["launch_events"] >= ballistic["launch_events"]).all()


# --- malformed copies -------------------------------------------------------------------------------


def _copy_with(tmp_path: Path, row: int, field: str, value: str) -> tuple[Path, int]:
    """Copy the packaged CSV with `field` of data row `row` (1-based) set to `value`; return path and line."""
    rows = _raw_rows()
    rows[row - 1][field] = value
    target = tmp_path / "events.csv"
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return target, row + 1  # header is line 1; no cell holds a newline


@pytest.mark.parametrize(
    ("row", "field", "value", "words"),
    [
        (7, "source", "", "source is empty"),
        (7, "source", "   ", "source is empty"),
        (12, "date", "2017-13-45", "not a valid calendar date"),
        (12, "date", "12/03/2017", "not an ISO date"),
        (12, "date", "2019-05-04", "outside the record's range"),
        (20, "type", "missle_launch", "unknown event type"),
        (20, "actor", "Atlantis", "unknown actor"),
        (20, "count", "two", "not a positive whole number"),
        (5, "end_date", "2015-01-01", "outside the record's range"),
    ],
)
def test_malformed_copy_names_file_row_line_and_field(
    tmp_path: Path, row: int, field: str, value: str, words: str
) -> None:
    path, line = _copy_with(tmp_path, row, field, value)
    with pytest.raises(InputError) as caught:
        load_events(path)
    err = caught.value
    assert err.field == field
    assert err.line == line
    assert err.file == str(path)
    assert err.fix
    message = str(err)
    assert f"row {row}" in message
    assert words in message
    assert message.startswith(f"{path}:{line}: {field}: ")


def test_count_above_one_for_a_non_launch_is_refused(tmp_path: Path) -> None:
    rows = _raw_rows()
    row = next(i for i, r in enumerate(rows, start=1) if r["type"] == "sanctions_resolution")
    path, line = _copy_with(tmp_path, row, "count", "3")
    with pytest.raises(InputError, match=f"row {row}: count is 3") as caught:
        load_events(path)
    assert (caught.value.field, caught.value.line) == ("count", line)


def test_end_before_start_is_refused(tmp_path: Path) -> None:
    rows = _raw_rows()
    row = next(i for i, r in enumerate(rows, start=1) if r["end_date"])
    path, _ = _copy_with(tmp_path, row, "end_date", rows[row - 1]["date"][:4] + "-01-01")
    with pytest.raises(InputError, match="before date"):
        load_events(path)


def test_wrong_header_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    shutil.copy(events_path(), bad)
    text = bad.read_text(encoding="utf-8").replace(",source\n", ",where\n", 1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_events(bad)
    assert (caught.value.field, caught.value.line) == ("header", 1)
    assert "source" in str(caught.value)
    with pytest.raises(InputError, match="not found"):
        load_events(tmp_path / "absent.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="no data rows"):
        load_events(empty)


def test_valid_copy_loads_identically(tmp_path: Path, events: pd.DataFrame) -> None:
    copy = tmp_path / "copy.csv"
    shutil.copy(events_path(), copy)
    pd.testing.assert_frame_equal(load_events(copy), events)
    assert date(2016, 1, 6) == events["date"].iloc[0].date()
