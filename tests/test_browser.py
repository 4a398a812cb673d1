"""SVG labels fit their shapes when a real browser lays the text out (headless Chromium).

Graphviz measures text with its own font metrics; a browser uses its own fonts. Superscripts at
Graphviz's default size overflow their boxes in Chromium, so bpdiag sizes every run explicitly;
this test renders the SVGs in Chromium and measures each node's text against its outline.

Graphviz also writes each font run of a line as its own <text> at its own x; bpdiag joins them into
one <text> of <tspan>s. Chromium then shows whether the pieces of a line collide (texts on one
baseline that touch or overlap) or lose their spaces (collapsed, or drawn without width). Graphviz's
own SVG, measured the same way, must fail: the measurement is not blind.
"""

import json
import re
import shutil
import subprocess

import pytest

from bpdiag.diagrams import RenderOptions, dot_stage, render_view
from bpdiag.export.render import run_dot
from bpdiag.export.svg import natural_size
from bpdiag.graph import build_graph
from bpdiag.model import Network
from bpdiag.views import View, all_views
from conftest import needs_dot

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

PAGE = """<!DOCTYPE html><html><body><div id="svg"></div><pre id="result">pending</pre><script>
const files = FILES;
async function measure() {
  const report = {};
  for (const name of files) {
    const text = await (await fetch(name)).text();
    const holder = document.getElementById('svg');
    holder.innerHTML = text;
    const over = [];
    for (const g of holder.querySelectorAll('g.node')) {
      if (g.id === 'legend') continue;   // a table: its first outline is one cell
      const shape = g.querySelector('polygon, ellipse, path');
      if (!shape) continue;
      const box = shape.getBBox();
      for (const t of g.querySelectorAll('text')) {
        if (!t.textContent.trim()) continue;
        const b = t.getBBox();
        const out = Math.max(box.x - b.x, b.x + b.width - box.x - box.width,
                             box.y - b.y, b.y + b.height - box.y - box.height);
        if (out > 0.5) over.push([g.id, t.textContent, Math.round(out * 10) / 10]);
      }
    }
    report[name] = over;
    report[name + ' pieces'] = pieces(holder);
  }
  document.getElementById('result').textContent = JSON.stringify(report);
}
// Texts of one node on one baseline are separate cells (they keep Graphviz's padding) or the
// pieces of one line (they touch or overlap: a collision). Inside a text, every space between
// two characters is drawn at least a fifth of its font size wide, none is collapsed.
function pieces(holder) {
  const collide = [], lost = [];
  for (const g of holder.querySelectorAll('g.node, g.cluster')) {
    const rows = new Map();
    for (const t of g.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      const key = Math.round(parseFloat(t.getAttribute('y')) * 2);
      if (!rows.has(key)) rows.set(key, []);
      rows.get(key).push(t);
    }
    for (const row of rows.values()) {
      row.sort((a, b) => a.getBBox().x - b.getBBox().x);
      for (let i = 1; i < row.length; i++) {
        const p = row[i - 1].getBBox(), q = row[i].getBBox();
        const gap = q.x - (p.x + p.width);
        if (gap < 1) collide.push([g.id, row[i - 1].textContent + '|' + row[i].textContent,
                                   Math.round(gap * 10) / 10]);
      }
    }
    for (const t of g.querySelectorAll('text')) {
      const chars = [];
      for (const node of t.childNodes) {
        const size = parseFloat(getComputedStyle(node.nodeType === 3 ? t : node).fontSize);
        for (const c of node.textContent) chars.push([c, size]);
      }
      if (t.getNumberOfChars() !== chars.length) {
        lost.push([g.id, t.textContent, 'collapsed']);
        continue;
      }
      for (let i = 1; i + 1 < chars.length; i++) {
        if (chars[i][0] !== ' ' || chars[i - 1][0] === ' ' || chars[i + 1][0] === ' ') continue;
        const gap = t.getStartPositionOfChar(i + 1).x - t.getEndPositionOfChar(i - 1).x;
        if (gap < 0.2 * chars[i][1]) lost.push([g.id, t.textContent, Math.round(gap * 10) / 10]);
      }
    }
  }
  return {collide, lost};
}
measure();
</script></body></html>"""

# A node whose text is far wider than its box: the measurement must report it.
CONTROL = ('<g id="control" class="node"><polygon points="0,0 10,0 10,-10 0,-10 0,0"/>'
           '<text x="5" y="-3" font-size="14">a label much wider than its box</text></g></svg>')


def chromium_report(folder, names):
    page = folder / "page.html"
    page.write_text(PAGE.replace("FILES", json.dumps(names)), encoding="utf-8")
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--allow-file-access-from-files", f"--user-data-dir={folder / 'profile'}",
         "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    match = re.search(r'<pre id="result">(.*?)</pre>', done.stdout, re.S)
    assert match and match.group(1) != "pending", done.stderr[-2000:]
    return json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@needs_dot
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_labels_fit_their_shapes_in_chromium(tmp_path):
    net = Network()
    views = all_views(net) + [View(2, "example"), View(2, "unit")]
    names = []
    for view in views:
        svg = render_view(net, view, ("svg",), RenderOptions(values=view.to_layer == 2))["svg"]
        (tmp_path / f"{view.stem}.svg").write_bytes(svg)
        names.append(f"{view.stem}.svg")
    control = (tmp_path / "forward.svg").read_text(encoding="utf-8").replace("</svg>", CONTROL)
    (tmp_path / "control.svg").write_text(control, encoding="utf-8")
    # Graphviz's own SVG of the unit view: the pieces of its lines must be caught
    unit = View(2, "unit")
    dot, *_ = dot_stage(net, build_graph(net, unit), RenderOptions())
    raw = natural_size(run_dot(dot.source, ("svg",))["svg"])
    (tmp_path / "graphviz.svg").write_bytes(raw)
    report = chromium_report(tmp_path, names + ["control.svg", "graphviz.svg"])
    assert [row[0] for row in report["control.svg"]] == ["control"], "the measurement is blind"
    blind = report["graphviz.svg pieces"]
    assert len(blind["collide"]) > 10 and len(blind["lost"]) > 10, "the measurement is blind"
    for name in names:
        assert report[name] == [], f"{name}: text overflows its node in Chromium: {report[name][:5]}"
        pieces = report[name + " pieces"]
        assert pieces["collide"] == [], f"{name}: pieces of a line collide: {pieces['collide'][:5]}"
        assert pieces["lost"] == [], f"{name}: spaces lost in Chromium: {pieces['lost'][:5]}"
