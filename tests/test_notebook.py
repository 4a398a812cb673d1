"""A Diagram in a Jupyter notebook, run by `jupyter nbconvert --execute` (the `notebook` test extra:
nbconvert, nbclient, ipykernel; skipped without them): its rich output is the SVG as an image
scaled to the cell's width with alternative text, its plain-text output one line; in Chromium the
exported page shows the whole diagram within the cell, without a horizontal scrollbar."""

import importlib.util
import json
import re
import shutil
import subprocess
import sys

import pytest

from conftest import needs_dot

JUPYTER = all(importlib.util.find_spec(name) for name in ("nbconvert", "nbclient", "ipykernel",
                                                          "nbformat"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CODE = "import bpdiag\nbpdiag.render(bpdiag.Network((2, 3, 2, 1)), 2)"

MEASURE = """<script>
window.addEventListener('load', () => {
  const img = document.querySelector('.jp-OutputArea-output img, .output_html img');
  const area = img.closest('.jp-OutputArea-output, .output_html');
  const pre = document.createElement('pre'); pre.id = 'result';
  pre.textContent = JSON.stringify({img: img.getBoundingClientRect().width,
    natural: img.naturalWidth, area: area.getBoundingClientRect().width,
    scroll: document.documentElement.scrollWidth, window: window.innerWidth});
  document.body.appendChild(pre);
});
</script>"""


def _nbconvert(*args, cwd):
    done = subprocess.run([sys.executable, "-m", "nbconvert", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr


@needs_dot
@pytest.mark.skipif(not JUPYTER, reason="Jupyter is not installed (pip install -e '.[notebook]')")
def test_a_diagram_in_a_notebook(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(CODE)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, tmp_path / "diagram.ipynb")
    _nbconvert("--to", "notebook", "--execute", "diagram.ipynb", "--output", "run.ipynb",
               cwd=tmp_path)
    (output,) = json.loads((tmp_path / "run.ipynb").read_text("utf-8"))["cells"][0]["outputs"]
    data = {kind: "".join(text) for kind, text in output["data"].items()}
    assert set(data) == {"text/html", "text/plain"}  # the SVG once, as the image's source
    assert data["text/plain"] == ("<bpdiag.Diagram backprop_to_layer_2: layers 2,3,2,1 (L = 3), "
                                  "hidden relu, output sigmoid; batch view; "
                                  "graphml, svg, png, pdf, dot, json, drawio, html>")
    assert re.fullmatch(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" '
                        r'alt="Back-propagation to the weights and biases of layer 2[^"]+" '
                        r'title="[^"]+" style="max-width:100%;height:auto">', data["text/html"])

    log = _nbconvert("--to", "html", "run.ipynb", "--output", "run.html", cwd=tmp_path)
    assert "Alternative text is missing" not in log

    if CHROMIUM is None:
        return
    page = tmp_path / "run.html"
    page.write_text(page.read_text("utf-8").replace("</body>", MEASURE + "</body>"), "utf-8")
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,800",
         "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    match = re.search(r'<pre id="result">(.*?)</pre>', done.stdout, re.S)
    assert match, done.stderr[-2000:]
    shown = json.loads(match.group(1).replace("&quot;", '"'))
    assert shown["natural"] > 2000                   # the SVG decoded at its natural width ...
    assert 0 < shown["img"] <= shown["area"] + 0.5   # ... shown whole within the cell
    assert shown["scroll"] <= shown["window"]        # no horizontal scrollbar
