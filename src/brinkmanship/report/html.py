"""Assemble sections into one self-contained HTML page: inline CSS, plotly.js inline once, PNGs as data URIs.

No external resource of any kind (no CDN, no web font, no remote image), so the page works offline.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from typing import Any

from brinkmanship.report.blocks import Section
from brinkmanship.report.figures import PLOTLY_CONFIG

esc = html.escape

CSS = """
:root { --fg:#1d1d1f; --muted:#5f6368; --line:#d9d9de; --bad:#b00020; --warn:#8a5a00; --bg:#ffffff; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--fg); background: var(--bg); margin: 0; line-height: 1.45; }
header { padding: 24px 32px 8px; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 4px; font-size: 1.6rem; }
header p { margin: 4px 0; color: var(--muted); }
nav { padding: 8px 32px; border-bottom: 1px solid var(--line); font-size: .92rem; }
nav a { margin-right: 14px; color: #1a5fb4; text-decoration: none; }
main { padding: 8px 32px 40px; max-width: 1400px; }
section { margin: 28px 0; }
h2 { font-size: 1.3rem; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.05rem; margin: 18px 0 6px; }
table { border-collapse: collapse; margin: 10px 0; font-size: .86rem; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #f4f4f6; }
table.num td { text-align: right; } table.num td:first-child { text-align: left; }
.ci { color: var(--muted); font-size: .8em; }
.bad { color: var(--bad); font-weight: 600; } .warn { color: var(--warn); }
.disclaimer { border-left: 4px solid var(--warn); padding: 6px 12px; background: #fff8e6; }
.note { color: var(--muted); font-style: italic; }
figure { margin: 16px 0; } figcaption { color: var(--muted); font-size: .88rem; margin-top: 4px; }
details summary { cursor: pointer; color: #1a5fb4; font-size: .88rem; }
img.static { max-width: 100%; height: auto; border: 1px solid var(--line); margin-top: 6px; }
footer { padding: 16px 32px; border-top: 1px solid var(--line); color: var(--muted); font-size: .85rem; }
"""


def png_data_uri(png: bytes) -> str:
    """A PNG as a `data:` URI (so the page needs no other file)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def figure_html(slug: str, caption: str, png: bytes, plotly_fig: Any | None) -> str:
    """A figure block: the interactive plotly chart (when given) and the static PNG."""
    parts = [f'<figure id="figure-{esc(slug)}">']
    img = (f'<img class="static" alt="{esc(caption)}" data-figure="{esc(slug)}" '
           f'src="{png_data_uri(png)}">')
    if plotly_fig is not None:
        div = plotly_fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"plot-{slug}",
                                 config=PLOTLY_CONFIG)
        parts.append(div)
        parts.append(f"<details><summary>Static image (PNG)</summary>{img}</details>")
    else:
        parts.append(img)
    parts.append(f"<figcaption>{esc(caption)}</figcaption></figure>")
    return "".join(parts)


def page(title: str, subtitle: str, sections: Sequence[Section], footer: str) -> str:
    """The whole HTML document; plotly.js is embedded once, in the head, only if a section needs it."""
    needs_plotly = any(f.plotly is not None for s in sections for f in s.figures)
    script = ""
    if needs_plotly:
        from plotly.offline import get_plotlyjs

        script = f'<script type="text/javascript">{get_plotlyjs()}</script>'
    nav = "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    body = []
    for s in sections:
        figs = "".join(figure_html(f.slug, f.caption, f.png, f.plotly) for f in s.figures)
        body.append(f'<section id="{esc(s.id)}"><h2>{esc(s.title)}</h2>{s.body}{figs}{s.after}</section>')
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{esc(title)}</title><style>{CSS}</style>{script}</head><body>"
        f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header><nav>{nav}</nav>"
        f"<main>{''.join(body)}</main><footer>{footer}</footer></body></html>\n"
    )
