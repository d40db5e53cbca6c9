"""Open a report in headless Debian Chromium through Playwright and check it renders, offline and clean."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Per plotly figure: the number of data marks drawn (bars, line/point paths, Sankey links, heat-map images).
MARKS_JS = """
() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(div => {
  const svg = div.querySelector('.main-svg');
  const marks = div.querySelectorAll(
    '.main-svg .trace path, .main-svg .point path, .main-svg .sankey-link, .main-svg .hm image, '
    + '.main-svg .heatmaplayer image, .main-svg .scatterlayer .js-line');
  let drawn = 0;
  marks.forEach(m => { const d = m.getAttribute('d'); if ((d && d.length > 4 && d !== 'M0,0Z') || m.tagName === 'image') drawn++; });
  return {id: div.id, svg: !!svg, traces: (div._fullData || []).length, marks: drawn,
          width: div.getBoundingClientRect().width, height: div.getBoundingClientRect().height};
})
"""

# Per <img>: decoded, drawn onto a canvas, and whether its pixels vary (not a blank image).
IMAGES_JS = """
async () => {
  const out = [];
  for (const img of Array.from(document.querySelectorAll('img'))) {
    try { await img.decode(); } catch (e) { out.push({src: img.src.slice(0, 40), ok: false, error: String(e)}); continue; }
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d'); g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    out.push({figure: img.dataset.figure || '', ok: true, w: c.width, h: c.height, colours: colours.size});
  }
  return out;
}
"""


def render(html_path: Path, screenshot: Path, pw: Any) -> dict[str, Any]:
    """Load the page with every request recorded (`pw`: the session's Playwright driver); return console
    errors, requests, figure and image checks."""
    errors: list[str] = []
    requests: list[str] = []
    url = html_path.resolve().as_uri()
    with tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM), headless=True,
                                                    args=ARGS, viewport={"width": 1400, "height": 1000})
        try:
            page = ctx.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            ctx.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
            page.goto(url, wait_until="load")
            page.wait_for_function("() => typeof Plotly !== 'undefined'", timeout=20_000)
            page.wait_for_timeout(500)
            marks = page.evaluate(MARKS_JS)
            images = page.evaluate(IMAGES_JS)
            page.screenshot(path=str(screenshot), full_page=True)
            n_sections = page.evaluate("() => document.querySelectorAll('main > section').length")
        finally:
            ctx.close()
    return {"errors": errors, "requests": requests, "url": url, "marks": marks, "images": images,
            "sections": n_sections}
