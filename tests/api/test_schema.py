"""`brink schema`: JSON Schemas generated from the models; the packaged files validate against them."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from brinkmanship.cli import app
from brinkmanship.history.events import events_path, load_events
from brinkmanship.spec.loader import packaged_scenarios, packaged_strategy_names, scenario_dir, strategy_dir

runner = CliRunner()


def _schema(kind: str) -> dict:
    result = runner.invoke(app, ["schema", kind])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _yaml_12(obj):
    """PyYAML reads the key `on` as true (YAML 1.1); editors and the package read YAML 1.2, where it is text."""
    if isinstance(obj, dict):
        return {("on" if k is True else k): _yaml_12(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_yaml_12(v) for v in obj]
    return obj


def _yaml(path) -> dict:
    data = _yaml_12(yaml.safe_load(path.read_text(encoding="utf-8")))
    return json.loads(json.dumps(data, default=str))  # dates as ISO strings, as an editor sees them


@pytest.mark.parametrize("name", packaged_strategy_names())
def test_packaged_strategies_validate(name):
    jsonschema.validate(_yaml(strategy_dir() / f"{name}.yaml"), _schema("strategy"))


@pytest.mark.parametrize("name", packaged_scenarios())
def test_packaged_scenarios_validate(name):
    jsonschema.validate(_yaml(scenario_dir() / f"{name}.yaml"), _schema("scenario"))


def test_schema_rejects_what_the_loader_rejects():
    bad = _yaml(strategy_dir() / "engagement.yaml")
    bad["levers"]["sanctions"]["mode"] = "obliterate"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, _schema("strategy"))


def test_record_schema_accepts_the_packaged_record_file():
    from brinkmanship.history.recordfile import RecordFile  # noqa: F401  the model the schema comes from

    schema = _schema("record")
    jsonschema.validate(_yaml(events_path().parent / "korea-2016-2018-record.yaml"), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "x", "months": [{"month": "2017-10", "class": "bombing"}]}, schema)


def test_events_schema_accepts_the_packaged_events():
    schema = _schema("events")
    rows = load_events(events_path())
    assert len(rows) > 50
    import csv

    with events_path().open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            row["count"] = int(row["count"])
            jsonschema.validate(row, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**row, "type": "exercise", "count": 3}, schema)


def test_unknown_kind_is_bad_input():
    result = runner.invoke(app, ["schema", "nonsense"])
    assert result.exit_code == 2
    assert "strategy, scenario, record, events" in result.output
