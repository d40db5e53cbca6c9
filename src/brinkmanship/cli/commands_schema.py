"""`brink schema`: the JSON Schema of a file format, for editors that validate and complete YAML."""

from __future__ import annotations

from typing import Annotated

import typer

from brinkmanship.cli.app import app, handle_errors, print_json


@app.command("schema")
@handle_errors
def schema_cmd(
    kind: Annotated[str, typer.Argument(help="strategy | scenario | record | events")],
) -> None:
    """Print the JSON Schema of a strategy, scenario, monthly record (`--record`) or event CSV file (see the
    docs for editor set-up)."""
    from brinkmanship._api.schema import json_schema

    print_json(json_schema(kind))
