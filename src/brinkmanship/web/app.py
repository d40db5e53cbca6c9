"""The Dash application of `brink serve`: the strategy workbench and, with a store, the exploration browser.

Responsiveness: callbacks run in the server's request threads (no worker processes: the results cache is
shared and a solve of the edited strategy takes a fraction of a second). A change that needs several solves
(an edited scenario assumption re-solves the packaged strategies) reports progress through a polled line,
and the next change of the same session supersedes it between solves.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

from brinkmanship.engine.constants import OUTCOMES
from brinkmanship.errors import InputError
from brinkmanship.web import workbench as wbm
from brinkmanship.web.compute import ADVERSARIES, SupersededError
from brinkmanship.web.fields import FieldSpec

CSS = {
    "page": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "margin": "0 1rem"},
    "cols": {"display": "flex", "gap": "1.2rem", "alignItems": "flex-start"},
    "left": {"flex": "0 0 430px", "maxHeight": "92vh", "overflowY": "auto", "paddingRight": "0.5rem"},
    "right": {"flex": "1 1 auto", "minWidth": 0},
    "row": {"display": "grid", "gridTemplateColumns": "140px 1fr 90px", "alignItems": "center", "gap": "6px",
            "margin": "2px 0"},
    "error": {"color": "#b00020", "whiteSpace": "pre-wrap", "margin": "0.4rem 0"},
    "busy": {"color": "#555", "fontStyle": "italic", "minHeight": "1.2em"},
    "table": {"borderCollapse": "collapse", "fontSize": "0.9rem"},
    "cell": {"padding": "2px 8px", "borderBottom": "1px solid #ddd", "textAlign": "right"},
}

SYNC_JS = """
function(sliderValue, fieldValue, lo, hi) {
    const nu = window.dash_clientside.no_update;
    const ctx = window.dash_clientside.callback_context;
    const trig = (ctx.triggered || []).map(t => t.prop_id).join(' ');
    if (trig.indexOf('"slider"') >= 0) { return [nu, sliderValue]; }
    if (typeof fieldValue === 'number' && fieldValue >= lo && fieldValue <= hi) { return [fieldValue, nu]; }
    return [nu, nu];
}
"""


def _control(spec: FieldSpec, model: str) -> Any:
    """One row: the label (hover: source, range, note), a slider when the value has a declared range, an input."""
    from dash import dcc, html

    fid = {"type": "field", "model": model, "path": spec.key}
    label = html.Label(spec.label, title=spec.help or spec.label, htmlFor=None,
                       style={"textDecoration": "underline dotted" if spec.help else "none"})
    if spec.kind in ("param", "int", "number"):
        step = 1 if spec.kind == "int" else "any"
        box = dcc.Input(id=fid, type="number", value=spec.value, step=step, debounce=True,
                        style={"width": "85px"})
        middle: Any = html.Span()
        if spec.slider:
            lo, hi = float(spec.low), float(spec.high)  # type: ignore[arg-type]
            middle = dcc.Slider(id={"type": "slider", "model": model, "path": spec.key}, min=lo, max=hi,
                                step=1 if spec.kind == "int" else (hi - lo) / 100, value=spec.value,
                                marks={lo: f"{lo:g}", hi: f"{hi:g}"}, updatemode="mouseup",
                                allow_direct_input=False)  # the box beside it takes any value (validated)
        return html.Div([label, middle, box], style=CSS["row"], title=spec.help, **{"data-path": spec.key})
    if spec.kind in ("choice", "multi"):
        options = [{"label": o, "value": o} for o in spec.options]
        if spec.optional:
            options = [{"label": "(none)", "value": ""}, *options]
        value = spec.value if spec.value is not None else ""
        box = dcc.Dropdown(id=fid, options=options, value=value, multi=spec.kind == "multi", clearable=False)
        return html.Div([label, box], style={**CSS["row"], "gridTemplateColumns": "140px 1fr"},
                        **{"data-path": spec.key})
    if spec.kind == "bool":
        box = dcc.Dropdown(id=fid, options=[{"label": "true", "value": True}, {"label": "false", "value": False}],
                           value=bool(spec.value), clearable=False)
        return html.Div([label, box], style={**CSS["row"], "gridTemplateColumns": "140px 1fr"})
    box = dcc.Input(id=fid, type="text", value=spec.value, debounce=True, style={"width": "100%"})
    return html.Div([label, box], style={**CSS["row"], "gridTemplateColumns": "140px 1fr"})


def controls(specs: list[FieldSpec], model: str) -> list[Any]:
    """Rows of controls with a heading wherever the group (levers.posture, rules.0, ...) changes."""
    from dash import html

    out: list[Any] = []
    group: tuple = ("",)
    for spec in specs:
        if spec.group != group:
            group = spec.group
            out.append(html.H4(" › ".join(str(p) for p in group) or model, style={"margin": "0.7rem 0 0.2rem"}))
        out.append(_control(spec, model))
    return out


def _table(header: list[str], rows: list[list[Any]], row_ids: list[str] | None = None) -> Any:
    from dash import html

    head = html.Tr([html.Th(h, style={**CSS["cell"], "textAlign": "left"}) for h in header])
    body = [html.Tr([html.Td(c, style={**CSS["cell"], "textAlign": "left" if j == 0 else "right"})
                     for j, c in enumerate(r)], id=row_ids[i] if row_ids else f"row-{i}")
            for i, r in enumerate(rows)]
    return html.Table([html.Thead(head), html.Tbody(body)], style=CSS["table"])


def outcome_table(result: dict[str, Any]) -> Any:
    """Outcome probabilities as `brink compare` prints them: the edited strategy first, then the packaged."""
    rows = [[result["label"], *result["edited"]["cells"]]]
    rows += [[e["strategy"], *e["cells"]] for e in result["packaged"]]
    ids = ["wb-edited-row"] + [f"wb-row-{e['strategy']}" for e in result["packaged"]]
    return _table(["strategy", *wbm.OUTCOME_NAMES], rows, ids)


def audit_table(findings: list[dict[str, str]]) -> Any:
    from dash import html

    from brinkmanship.audit import DISCLAIMER

    rows = [[f["rule"], f["principle"], f["verdict"], f["citation"]] for f in findings]
    t = _table(["element", "principle", "verdict", "citation"], rows)
    return html.Div([t, html.P(DISCLAIMER, style={"fontSize": "0.8rem", "color": "#555"})])


def workbench_layout(wb: wbm.Workbench, start: str) -> Any:
    """The workbench tab: controls on the left, results on the right."""
    from dash import dcc, html

    from brinkmanship.spec import sources
    from brinkmanship.web.fields import walk

    base = wb.strategy(start)
    left = html.Div([
        html.Label("Target (adversary model)"),
        dcc.Dropdown(id="wb-adversary", options=[{"label": a, "value": a} for a in ADVERSARIES],
                     value="rational", clearable=False),
        html.Label("Start from a packaged strategy"),
        dcc.Dropdown(id="wb-pick", options=[{"label": n, "value": n} for n in wb.names], value=start,
                     clearable=False),
        dcc.Upload(id="wb-upload", children=html.Button("Upload a strategy YAML"), max_size=wbm.MAX_UPLOAD_BYTES,
                   style={"margin": "0.4rem 0", "display": "inline-block"}),
        html.Button("Download strategy YAML", id="wb-dl-strategy", style={"marginLeft": "0.4rem"}),
        html.Button("Download scenario YAML", id="wb-dl-scenario", style={"marginLeft": "0.4rem"}),
        dcc.Download(id="wb-download"),
        html.Div(id="wb-upload-message", role="alert", style=CSS["error"]),
        html.Div(id="wb-message", role="alert", style=CSS["error"]),
        html.Details([html.Summary(html.B("Strategy")),
                      html.Div(controls(walk(base, sources()), "strategy"), id="wb-controls")], open=True),
        html.Details([html.Summary(html.B("Scenario assumptions")),
                      html.Div(controls(wbm.scenario_specs(wb.scenario), "scenario"))]),
    ], style=CSS["left"])
    right = html.Div([
        html.Div(id="wb-progress", style=CSS["busy"]),
        html.H3("Outcome probabilities (exact, as `brink compare --exact` prints them)"),
        html.Div(id="wb-outcomes"),
        dcc.Graph(id="wb-bars", config={"displaylogo": False}),
        dcc.Graph(id="wb-fan", config={"displaylogo": False}),
        html.H3("The target's best response"),
        html.P(id="wb-why"),
        dcc.Graph(id="wb-policy", config={"displaylogo": False}),
        html.H3("Humanitarian-law audit of the edited strategy"),
        html.Div(id="wb-audit"),
    ], style=CSS["right"])
    return html.Div([
        dcc.Store(id="wb-base", data=base.model_dump(mode="json")),
        dcc.Store(id="wb-result"),
        dcc.Interval(id="wb-tick", interval=300, disabled=True),
        html.Div([left, right], style=CSS["cols"]),
    ])


def create_app(scenario: str = "korea-2017", store: Path | None = None, warm: bool = True) -> Any:
    """The Dash app for a scenario (packaged name or file) and an optional exploration store."""
    import dash
    from dash import ALL, MATCH, Input, Output, State, dcc, html

    from brinkmanship.spec import load_scenario, packaged_strategies

    sc = load_scenario(scenario)
    wb = wbm.Workbench(sc, packaged_strategies(sc))
    start = "let-deterrence-fail" if "let-deterrence-fail" in wb.names else wb.names[0]
    explorer = None
    if store is not None:
        from brinkmanship.web.explorer import Explorer

        explorer = Explorer.load(store)
    if warm:
        threading.Thread(target=wb.warm, name="warm-cache", daemon=True).start()

    here = Path(__file__).parent
    app = dash.Dash(__name__, title=f"brinkmanship: {sc.title}", serve_locally=True,
                    assets_folder=str(here / "no-assets"), include_assets_files=False,
                    update_title=None, suppress_callback_exceptions=True)
    app.server.config["MAX_CONTENT_LENGTH"] = 4 * wbm.MAX_UPLOAD_BYTES

    def layout() -> Any:
        tabs = [dcc.Tab(label="Strategy workbench", value="workbench", children=workbench_layout(wb, start))]
        if explorer is not None:
            tabs.append(dcc.Tab(label="Exploration", value="explore", children=explorer.layout()))
        return html.Div([
            dcc.Store(id="wb-session", data=uuid.uuid4().hex),
            html.H2(f"brinkmanship: {sc.title}", style={"margin": "0.5rem 0"}),
            dcc.Tabs(id="tabs", value="workbench", children=tabs),
        ], style=CSS["page"])

    app.layout = layout

    app.clientside_callback(
        SYNC_JS,
        Output({"type": "slider", "model": MATCH, "path": MATCH}, "value"),
        Output({"type": "field", "model": MATCH, "path": MATCH}, "value"),
        Input({"type": "slider", "model": MATCH, "path": MATCH}, "value"),
        Input({"type": "field", "model": MATCH, "path": MATCH}, "value"),
        State({"type": "slider", "model": MATCH, "path": MATCH}, "min"),
        State({"type": "slider", "model": MATCH, "path": MATCH}, "max"),
        prevent_initial_call=True,
    )

    strategy_fields = {"type": "field", "model": "strategy", "path": ALL}
    scenario_fields = {"type": "field", "model": "scenario", "path": ALL}

    @app.callback(
        Output("wb-base", "data"), Output("wb-controls", "children"), Output("wb-upload-message", "children"),
        Input("wb-pick", "value"), Input("wb-upload", "contents"), State("wb-upload", "filename"),
        prevent_initial_call=True,
    )
    def pick(name: Any, contents: Any, filename: Any) -> tuple:
        from brinkmanship.spec import sources
        from brinkmanship.web.fields import walk

        try:
            if dash.ctx.triggered_id == "wb-upload" and contents:
                st = wbm.uploaded_strategy(contents, filename, wb.scenario)
            else:
                st = wb.strategy(str(name))
        except InputError as exc:
            return dash.no_update, dash.no_update, f"error: {exc.render()}"
        return st.model_dump(mode="json"), controls(walk(st, sources()), "strategy"), ""

    @app.callback(
        Output("wb-result", "data"), Output("wb-message", "children"), Output("wb-outcomes", "children"),
        Input(strategy_fields, "value"), Input(scenario_fields, "value"), Input("wb-adversary", "value"),
        State(strategy_fields, "id"), State(scenario_fields, "id"), State("wb-base", "data"),
        State("wb-session", "data"),
        running=[(Output("wb-tick", "disabled"), False, True)],
    )
    def update(st_values: list, sc_values: list, adversary: Any, st_ids: list, sc_ids: list, base: Any,
               sid: Any) -> tuple:
        """The numbers first (the latency that matters); the figures follow from `wb-result`."""
        try:
            result = wbm.compute(wb, sid, base, wbm.values_of(st_ids, st_values), wbm.values_of(sc_ids, sc_values),
                                 adversary)
        except InputError as exc:
            return dash.no_update, f"error: {exc.render()}", dash.no_update
        except SupersededError:
            raise dash.exceptions.PreventUpdate from None
        return result, "", outcome_table(result)

    @app.callback(
        Output("wb-bars", "figure"), Output("wb-fan", "figure"), Output("wb-why", "children"),
        Output("wb-policy", "figure"), Output("wb-audit", "children"), Input("wb-result", "data"),
        prevent_initial_call=True,
    )
    def figures(result: Any) -> tuple:
        from brinkmanship.report import figures as fg
        from brinkmanship.web.figures import exact_fan_plotly

        found = wbm.cached(wb, result)
        if found is None:
            raise dash.exceptions.PreventUpdate
        label, edited, others = found
        exact = lambda e, name: {"name": name, "outcomes": {o: {"p": e.outcomes[o], "lo": e.outcomes[o],  # noqa: E731
                                                                  "hi": e.outcomes[o]} for o in OUTCOMES}}
        bars = fg.comparison_plotly([exact(edited, label), *[exact(e, e.strategy) for e in others]])
        bars.update_layout(title={"text": "Outcome probabilities (exact: intervals have zero width)"})
        why = edited.explanation
        if why["policy_map"] is None:
            policy_fig = {"data": [], "layout": {"title": {"text": "No policy map: the base-rate target does not plan"},
                                                 "height": 200}}
        else:
            policy = {**why["policy_map"], "row_label": "talks progress", "col_label": "targets left"}
            policy_fig = fg.policy_plotly(policy, f"The target's policy in {why['policy_map']['date']} "
                                                  "(no tests yet)")
        return bars, exact_fan_plotly(edited, others, label), why["summary"], policy_fig, audit_table(edited.audit)

    @app.callback(Output("wb-progress", "children"), Input("wb-tick", "n_intervals"), State("wb-session", "data"),
                  prevent_initial_call=True)
    def progress(_: Any, sid: Any) -> str:
        text = wb.sessions.progress(str(sid)) if isinstance(sid, str) else ""
        return text + "…" if text else "computing…"

    @app.callback(Output("wb-progress", "children", allow_duplicate=True), Input("wb-tick", "disabled"),
                  prevent_initial_call=True)
    def idle(disabled: Any) -> Any:
        return "" if disabled else dash.no_update

    @app.callback(
        Output("wb-download", "data"), Output("wb-message", "children", allow_duplicate=True),
        Input("wb-dl-strategy", "n_clicks"), Input("wb-dl-scenario", "n_clicks"),
        State(strategy_fields, "value"), State(scenario_fields, "value"),
        State(strategy_fields, "id"), State(scenario_fields, "id"), State("wb-base", "data"),
        prevent_initial_call=True,
    )
    def download(_a: Any, _b: Any, st_values: list, sc_values: list, st_ids: list, sc_ids: list,
                 base: Any) -> tuple:
        try:
            scenario = wbm.edited_scenario(wb, wbm.values_of(sc_ids, sc_values))
            if dash.ctx.triggered_id == "wb-dl-scenario":
                return {"content": wbm.to_yaml(scenario), "filename": f"{scenario.name}.yaml"}, ""
            strategy = wbm.edited_strategy(wb, base, wbm.values_of(st_ids, st_values), scenario)
        except InputError as exc:
            return dash.no_update, f"error: {exc.render()}"
        return {"content": wbm.to_yaml(strategy), "filename": f"{strategy.name}.yaml"}, ""

    if explorer is not None:
        explorer.register(app)
    app.workbench = wb  # for tests and benchmarks: the caches
    return app


def serve(scenario: str, store: Path | None, host: str, port: int) -> None:
    """Run the app on host:port until interrupted (threaded: sessions are served side by side)."""
    app = create_app(scenario, store)
    app.run(host=host, port=port, debug=False, threaded=True)
