"""`brink show`: a scenario or strategy in readable form, every number with its source or range."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from brinkmanship.cli.app import console, print_json


def _param_rows(params: dict[str, Any], cites: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"name": k, "value": p.value, "range": list(p.range) if p.range else None,
         "source": p.source, "citation": cites.get(p.source) if p.source else None,
         "assumption": p.assumption, "note": p.note, "dist": p.dist}
        for k, p in params.items()
    ]


def _param_table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold", show_lines=False)
    table.add_column("parameter", no_wrap=True)
    table.add_column("value", justify="right")
    table.add_column("range", justify="right")
    table.add_column("source")
    for r in rows:
        rng = "" if r["range"] is None else f"{r['range'][0]:g} – {r['range'][1]:g}"
        if r.get("dist", "uniform") != "uniform":
            rng += f" ({r['dist']})"
        src = escape(f"{r['source']}") if r["source"] else "[yellow]assumption[/]"
        if r["note"]:
            src += f" [dim]({escape(r['note'])})[/]"
        table.add_row(escape(r["name"]), f"{r['value']:g}", rng, src)
    return table


def _strategy_text(st: Any) -> list[str]:
    lv = st.levers
    lines = [
        f"[bold]China[/]: {lv.third_parties.china.value}   [bold]Russia[/]: {lv.third_parties.russia.value}",
        f"[bold]Talks[/]: channel {lv.talks.channel.value}, offer {lv.talks.offer.value:g}",
        f"[bold]Sanctions[/]: {lv.sanctions.mode.value}",
        f"[bold]Posture[/]: to {lv.posture.target.value:g} of the 2017 level over {lv.posture.ramp_months} months",
        f"[bold]Exercises[/]: {lv.exercises.mode.value}",
    ]
    for name, tl in st.target_lists.items():
        cls = ", ".join(f"{k.value} {v}" for k, v in tl.classes.items())
        lines.append(f"[bold]Target list[/] {escape(name)}: {tl.size} abstract targets ({cls})")
    for r in st.rules:
        what = (r.from_list and f"from list {escape(r.from_list)}") or (r.target_class and r.target_class.value)
        per = "per missile" if r.per == "missile" else "per event"
        lines.append(f"[bold]Rule[/] {escape(r.id)}: on {r.on.value} do {r.do.value} {r.count} {what} {per}; "
                     f"executed with p={r.probability.value:g}, believed {r.believed.value:g}")
    for d in st.deadlines:
        lines.append(f"[bold]Deadline[/] {escape(d.id)}: between {d.at.earliest} and {d.at.latest} unless "
                     f"{' or '.join(d.unless)} do {d.do.value} with p={d.probability.value:g}, "
                     f"believed {d.believed.value:g}")
    for ph in st.phases:
        lines.append(f"[bold]Phase[/] {escape(ph.id)}{': ' + escape(ph.title) if ph.title else ''}; "
                     f"{escape(phase_summary(ph))}")
    return lines


def phase_summary(ph: Any) -> str:
    """One line for a phase: when it begins, the levers it sets, what it switches on and off."""
    en, lv = ph.enter, ph.levers
    if en.at is not None:
        when = (f"from {en.at.earliest}" if en.at.earliest == en.at.latest
                else f"from a month between {en.at.earliest} and {en.at.latest}")
    elif en.months is not None:
        when = (f"from month {en.months.earliest}" if en.months.earliest == en.months.latest
                else f"from a month between {en.months.earliest} and {en.months.latest}")
    elif en.when.talks_at_least is not None:
        when = f"once talks reach {en.when.talks_at_least.value:g}"
    else:
        when = f"after {en.when.months_without_test} months without a test"
    sets = []
    if lv.third_parties is not None:
        sets.append(f"China {lv.third_parties.china.value}, Russia {lv.third_parties.russia.value}")
    if lv.talks is not None:
        sets.append(f"talks {lv.talks.channel.value} offer {lv.talks.offer.value:g}")
    if lv.sanctions is not None:
        sets.append(f"sanctions {lv.sanctions.mode.value}")
    if lv.posture is not None:
        sets.append(f"posture to {lv.posture.target.value:g} over {lv.posture.ramp_months} months")
    if lv.exercises is not None:
        sets.append(f"exercises {lv.exercises.mode.value}")
    sets += [f"{x} on" for x in ph.switch_on] + [f"{x} off" for x in ph.switch_off]
    return f"{when}: {', '.join(sets) or 'no change'}"


def render_show(scenario: str, strategy: str | None, sources_only: bool, as_json: bool) -> None:
    """Print (or emit as JSON) a scenario, optionally one of its strategies, with sourced numbers."""
    from brinkmanship.spec import all_params, load_scenario, load_strategy, sources

    cites = sources()
    if sources_only:
        if as_json:
            print_json(cites)
            return
        table = Table(header_style="bold")
        table.add_column("id", no_wrap=True)
        table.add_column("citation")
        for k, v in cites.items():
            table.add_row(k, v)
        console.print(table)
        return
    sc = load_scenario(scenario)
    st = load_strategy(strategy, sc) if strategy else None
    scenario_rows = _param_rows(sc.params(), cites)
    strategy_rows = []
    if st is not None:
        own = {k: v for k, v in all_params(sc, st).items() if k not in sc.params()}
        strategy_rows = _param_rows(own, cites)
    audit = None
    if st is not None:
        from brinkmanship.audit import audit_strategy

        audit = [f.model_dump() for f in audit_strategy(st)]
    if as_json:
        print_json({
            "scenario": {"name": sc.name, "title": sc.title, "start": sc.start.isoformat(),
                         "horizon_months": sc.horizon_months, "parameters": scenario_rows},
            "strategy": None if st is None else {
                "name": st.name, "title": st.title, "source": st.source,
                "definition": st.model_dump(mode="json"), "parameters": strategy_rows, "audit": audit},
        })
        return
    console.print(Panel(escape(f"{sc.title}\n{sc.summary.strip()}\nstart {sc.start}, {sc.horizon_months} monthly "
                               f"steps; exercises in months {sc.exercise_months} ({sc.exercise_source})"),
                        title=f"scenario {sc.name}", title_align="left"))
    if st is not None:
        src = escape(f"{st.source}: {cites.get(st.source, '')}") if st.source else "user strategy"
        console.print(Panel("\n".join([escape(st.summary.strip()), f"[dim]{src}[/]", "", *_strategy_text(st)]),
                            title=escape(f"strategy {st.name}: {st.title}"), title_align="left"))
        console.print(_param_table("Strategy numbers", strategy_rows))
        if audit:
            prohibited = sum(1 for f in audit if f.get("verdict") == "prohibited")
            console.print(f"IHL audit: {len(audit)} findings, [bold red]{prohibited} prohibited[/] "
                          f"(see `brink audit {st.name}`; not legal advice)")
    console.print(_param_table("Scenario numbers", scenario_rows))
