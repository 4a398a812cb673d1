"""SVG labels fit their shapes when a real browser lays the text out (headless Chromium).

Graphviz measures text with its own font metrics; a browser uses its own fonts. Superscripts at
Graphviz's default size overflow their boxes in Chromium, so bpdiag sizes every run explicitly;
this test renders the SVGs in Chromium and measures each node's text against its outline.
"""

import json
import re
import shutil
import subprocess

import pytest

from bpdiag.diagrams import RenderOptions, render_view
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
  }
  document.getElementById('result').textContent = JSON.stringify(report);
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
    report = chromium_report(tmp_path, names + ["control.svg"])
    assert [row[0] for row in report["control.svg"]] == ["control"], "the measurement is blind"
    for name in names:
        assert report[name] == [], f"{name}: text overflows its node in Chromium: {report[name][:5]}"
