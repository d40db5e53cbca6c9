"""MkDocs hooks: pages generated at build time from the code, so the reference cannot drift.

- `files/strategy.md`, `files/scenario.md`, `files/record.md`: the file formats, from their JSON Schemas
  (generated from the pydantic models that validate the files);
- `cli.md`: every `brink` command with its options, from the Typer app;
- `cite.md`: the packaged sources and which numbers cite each;
- `notebooks/<name>.md`: the example notebooks (stored without outputs) as Markdown;
- `architecture.md`: a stub only while the real page is missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "examples"


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages to the site."""
    pages = {
        "files/strategy.md": schema_page("strategy"),
        "files/scenario.md": schema_page("scenario"),
        "files/record.md": schema_page("record"),
        "files/events.md": schema_page("events"),
        "cli.md": cli_page(),
        "cite.md": cite_page(),
    }
    for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
        pages[f"notebooks/{nb.stem}.md"] = notebook_page(nb)
    if files.get_file_from_path("architecture.md") is None:
        pages["architecture.md"] = "# The model\n\nThe architecture page is being written.\n"
    for uri, text in pages.items():
        files.append(File.generated(config, uri, content=text))
    return files


# ---- file formats ----------------------------------------------------------------------------------------

_TITLES = {
    "strategy": ("Strategy files", "A strategy is a YAML file: levers, target lists, reactive rules and deadlines."),
    "scenario": ("Scenario files", "A scenario is a YAML file: dates, the starting state and every sourced "
                 "number of the model."),
    "record": ("Record files", "A record is a YAML file, one entry a month, that `brink backtest --record` "
               "scores a forecast against."),
    "events": ("Event record files", "The event record is a CSV file, one event per row, with these columns."),
}


def _type(prop: dict[str, Any]) -> str:
    """A short type for a schema property: links to object definitions, enums listed."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "enum" in prop:
        return " or ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"])
    kind = prop.get("type", "any")
    if kind == "array":
        if "prefixItems" in prop:
            return "[" + ", ".join(_type(p) for p in prop["prefixItems"]) + "]"
        return "list of " + _type(prop.get("items", {}))
    if kind == "object" and "additionalProperties" in prop and isinstance(prop["additionalProperties"], dict):
        return "mapping of name to " + _type(prop["additionalProperties"])
    fmt = f" ({prop['format']})" if "format" in prop else ""
    return f"{kind}{fmt}"


def _constraints(prop: dict[str, Any]) -> str:
    keys = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<",
            "pattern": "matches", "minLength": "length >="}
    return ", ".join(f"{op} `{prop[k]}`" for k, op in keys.items() if k in prop)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (pipes, new lines and angle brackets escaped)."""
    return _text(text).replace("|", "\\|").replace("\n", " ")


def _text(text: str) -> str:
    """Text safe in Markdown: `<lambda>` stays visible instead of becoming an HTML tag (code spans as they are)."""
    parts = str(text).split("`")
    for i in range(0, len(parts), 2):  # outside code spans
        parts[i] = parts[i].replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts)


def _object_table(name: str, obj: dict[str, Any]) -> list[str]:
    lines = [f"## {name}", ""]
    if obj.get("description"):
        lines += [_cell(obj["description"]), ""]
    if "enum" in obj:
        return [*lines, "One of: " + ", ".join(f"`{v}`" for v in obj["enum"]), ""]
    required = set(obj.get("required", []))
    lines += ["| field | type | required / default | constraints and notes |", "|---|---|---|---|"]
    for field, prop in obj.get("properties", {}).items():
        need = "required" if field in required else (
            f"default `{json.dumps(prop['default'])}`" if "default" in prop else "optional")
        notes = "; ".join(x for x in (_constraints(prop), prop.get("description", "")) if x)
        lines.append(f"| `{field}` | {_cell(_type(prop))} | {_cell(need)} | {_cell(notes)} |")
    return [*lines, ""]


def schema_page(kind: str) -> str:
    """A reference page for one file format, generated from its JSON Schema."""
    from brinkmanship._api.schema import json_schema

    schema = json_schema(kind)
    title, intro = _TITLES[kind]
    lines = [f"# {title}", "", intro, "",
             f"Generated from the same schema `brink schema {kind}` prints; see [Editor support](../editor.md) "
             "to have your editor check and complete files as you type.", ""]
    lines += _object_table(schema.get("title", kind), schema)
    for name, obj in sorted(schema.get("$defs", {}).items()):
        lines += _object_table(name, obj)
    return "\n".join(lines)


# ---- command line ----------------------------------------------------------------------------------------

def cli_page() -> str:
    """Every `brink` command: usage, help and options, from the Typer app itself."""
    import typer.main

    from brinkmanship.cli import app

    root = typer.main.get_command(app)
    lines = ["# Command line", "", _cell(root.help or ""), "",
             "Every command that prints results takes `--json` for machine output; every command exits 0 (ok), "
             "1 (failure) or 2 (bad input).", ""]
    ctx = root.context_class(root, info_name="brink")
    for name in sorted(root.list_commands(ctx)):  # type: ignore[attr-defined]
        cmd = root.get_command(ctx, name)  # type: ignore[attr-defined]
        sub = cmd.context_class(cmd, info_name=name, parent=ctx)
        lines += [f"## brink {name}", "", _text((cmd.help or "").strip()), "", "```text",
                  cmd.get_usage(sub).strip().replace("Usage: ", ""), "```", ""]
        params = [p for p in cmd.params if p.name != "help"]
        if params:
            lines += ["| argument / option | default | help |", "|---|---|---|"]
            for p in params:
                if p.param_type_name == "option":
                    names = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
                else:
                    names = f"`{(p.name or '').upper()}`"
                default = "required" if p.required else ("" if p.default in (None, "") else f"`{p.default}`")
                help_text = getattr(p, "help", None) or ""
                lines.append(f"| {names} | {_cell(default)} | {_cell(help_text)} |")
            lines.append("")
    return "\n".join(lines)


# ---- sources ---------------------------------------------------------------------------------------------

def cite_page() -> str:
    """The packaged sources with the numbers that cite each, and how to cite the lab itself."""
    from brinkmanship import __version__
    from brinkmanship.spec import all_params, load_scenario, load_strategy, packaged_scenarios, sources
    from brinkmanship.spec.loader import packaged_strategy_names

    users: dict[str, list[str]] = {}
    for sc_name in packaged_scenarios():
        sc = load_scenario(sc_name)
        for name, p in sc.params().items():
            if p.source:
                users.setdefault(p.source, []).append(f"{sc_name}: {name}")
        users.setdefault(sc.exercise_source, []).append(f"{sc_name}: exercise_months")
    base = load_scenario(packaged_scenarios()[0])
    for st_name in packaged_strategy_names():
        st = load_strategy(st_name)
        if st.source:
            users.setdefault(st.source, []).append(f"strategy {st_name}")
        own = all_params(base, st)
        for name in sorted(set(own) - set(base.params())):
            if own[name].source:
                users.setdefault(own[name].source, []).append(f"{st_name}: {name}")
    lines = [
        "# How to cite the sources", "",
        "Every number in a packaged scenario or strategy names its source by an id (`source: sipri2017`) or "
        "is declared an assumption with a range. `brink show korea-2017 --sources` prints the list; "
        "`brink show korea-2017` prints every number with its source.", "",
        "When you use a result, cite the sources of the numbers it rests on (the table below says which "
        "numbers cite each source), and the lab with its version, the scenario, the strategies, the "
        "adversary, the number of runs and the seed. Every API result records these in `.provenance`, "
        "and the JSON output of every command carries them, e.g.:", "",
        "```text",
        f"brinkmanship {__version__}, scenario korea-2017, compare (rational adversary), 100,000 runs, seed 7",
        "```", "",
        "To add a source, give it an id and a `citation` in your own copy of `data/sources/sources.yaml` "
        "and refer to the id in your files; an unknown id is rejected with the file, field and line.", "",
        "| id | citation | cited by |", "|---|---|---|",
    ]
    for sid, citation in sources().items():
        cited = ", ".join(f"`{u}`" for u in sorted(set(users.get(sid, [])))) or "-"
        lines.append(f"| `{sid}` | {_cell(citation)} | {_cell(cited)} |")
    return "\n".join(lines) + "\n"


# ---- notebooks -------------------------------------------------------------------------------------------

def notebook_page(path: Path) -> str:
    """A notebook as Markdown: its text cells as they are, its code cells as Python blocks (no outputs)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        src = "".join(cell["source"]).rstrip()
        if not src:
            continue
        out.append(src if cell["cell_type"] == "markdown" else f"```python\n{src}\n```")
    out.append(f"*This page is the notebook `examples/{path.name}` of the repository; run it with "
               f"`jupyter lab examples/{path.name}`.*")
    return "\n\n".join(out) + "\n"
