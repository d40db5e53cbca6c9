"""The workbench's server side: validation with the loader's messages, YAML round trip, bounded work."""

from __future__ import annotations

import base64
import json

import pytest

from brinkmanship.errors import InputError
from brinkmanship.spec import content_hash, load_strategy
from brinkmanship.web import workbench as wbm

POSTURE = json.dumps(["levers", "posture", "target"])


@pytest.fixture(scope="module")
def wb(korea, strategies) -> wbm.Workbench:
    return wbm.Workbench(korea, list(strategies.values()))


def test_an_edit_outside_its_range_gets_the_loader_message(wb, strategies) -> None:
    base = strategies["let-deterrence-fail"].model_dump(mode="json")
    with pytest.raises(InputError) as err:
        wbm.edited_strategy(wb, base, {POSTURE: 0.5}, wb.scenario)
    assert err.value.render() == ("edited strategy: levers.posture.target: value 0.5 lies outside its range "
                                  "[0.0, 0.15]. Fix: correct the value")


def test_a_scenario_assumption_is_edited_and_validated(wb) -> None:
    key = json.dumps(["talks", "deal_threshold"])
    assert wbm.edited_scenario(wb, {key: 0.5}).talks.deal_threshold.value == 0.5
    with pytest.raises(InputError, match=r"talks\.deal_threshold: value 0\.9 lies outside its range"):
        wbm.edited_scenario(wb, {key: 0.9})


def test_downloaded_yaml_loads_back_identical(wb, strategies, tmp_path) -> None:
    st = wbm.edited_strategy(wb, strategies["let-deterrence-fail"].model_dump(mode="json"), {POSTURE: 0.1},
                             wb.scenario)
    path = tmp_path / "edited.yaml"
    path.write_text(wbm.to_yaml(st))
    back = load_strategy(path, wb.scenario)
    assert content_hash(back) == content_hash(st) and back.levers.posture.target.value == 0.1


def test_an_uploaded_bad_file_gets_the_cli_message(wb, tmp_path) -> None:
    text = "name: bad\ntitle: Bad\nlevers:\n  talks: {offer: {value: 0.5, assumption: true, range: [0, 1]}}\n" \
           "  posture: {target: {value: 2, source: usfk2017}}\n"
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as from_file:
        load_strategy(path, wb.scenario)
    contents = "data:application/x-yaml;base64," + base64.b64encode(text.encode()).decode()
    with pytest.raises(InputError) as from_upload:
        wbm.uploaded_strategy(contents, str(path), wb.scenario)
    assert from_upload.value.render() == from_file.value.render()
    assert "levers.posture.target" in from_upload.value.render()


def test_uploads_are_bounded(wb) -> None:
    big = "data:text/plain;base64," + base64.b64encode(b"#" * (wbm.MAX_UPLOAD_BYTES + 1)).decode()
    with pytest.raises(InputError, match="above the limit"):
        wbm.uploaded_strategy(big, "big.yaml", wb.scenario)
    with pytest.raises(InputError, match="could not be read"):
        wbm.uploaded_strategy("no comma here", "x.yaml", wb.scenario)


def test_a_huge_target_list_is_refused_before_solving(wb, strategies) -> None:
    base = strategies["let-deterrence-fail"].model_dump(mode="json")
    base["target_lists"]["high_value"] = {"size": 10_000, "classes": {"military": 10_000}}
    with pytest.raises(InputError, match="planner's grid would have"):
        wbm.edited_strategy(wb, base, {}, wb.scenario)


def test_a_request_without_a_valid_session_is_refused(wb, strategies) -> None:
    with pytest.raises(InputError, match="session"):
        wbm.compute(wb, "../../etc", strategies["engagement"].model_dump(mode="json"), {}, {})
