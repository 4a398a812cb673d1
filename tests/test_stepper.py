"""The step-through page (`render --format html`): self-contained, in explain's order, and walked
with the keyboard in headless Chromium and headless Firefox, every network request refused: each
browser test runs once in each browser (the `browser` fixture), the same checks for both."""

import json
import re
import time

import pytest
from click.testing import CliRunner

from bpdiag.api import explain, render
from bpdiag.cli import cli
from bpdiag.explanation.steps import explain_view, in_notation, shape_text
from bpdiag.export.html import inline_svg
from bpdiag.graph import attrs as a
from bpdiag.graph import build_graph
from bpdiag.model import Network
from bpdiag.profiles import load_profile
from bpdiag.views import View
from chromium_pipe import CHROMIUM, Chromium
from conftest import needs_dot
from firefox_bidi import FIREFOX, Firefox

NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def embedded_steps(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="bpdiag-steps">\n(.*?)\n</script>',
                      page, re.S)
    return json.loads(match.group(1))


def render_cli(*args) -> None:
    result = CliRunner().invoke(cli, ["render", *args])
    assert result.exit_code == 0, result.output
    return result.output.split()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """--all as html and svg, and the variants the browser walks."""
    out = tmp_path_factory.mktemp("pages")
    render_cli("--all", "--format", "html,svg", "--out", str(out))
    render_cli("--to-layer", "2", "--view", "example", "--format", "html", "--out", str(out))
    render_cli("--to-layer", "2", "--view", "unit", "--format", "html", "--out", str(out))
    render_cli("--to-layer", "3", "--values", "--seed", "3", "--format", "html", "--out", str(out))
    render_cli("--to-layer", "2", "--notation", "nielsen", "--format", "html", "--out", str(out))
    render_cli("--forward", "--inference", "--format", "html", "--out", str(out))
    return out


@needs_dot
def test_all_writes_a_page_per_view_and_an_index(pages):
    names = ["forward.html", "backprop_to_layer_3.html", "backprop_to_layer_2.html",
             "backprop_to_layer_1.html"]
    for name in names:
        assert (pages / name).is_file()
    index = (pages / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+)"', index) == names
    assert 'class="index-link" href="index.html"' in (pages / "forward.html").read_text()
    # a single view has no index, and its page does not link to one
    assert 'class="index-link"' not in (pages / "backprop_to_layer_2_example.html").read_text()


@needs_dot
def test_the_page_inlines_the_svg_file_and_refers_to_nothing_outside(pages):
    for page_path in sorted(pages.glob("*.html")):
        page = page_path.read_text(encoding="utf-8")
        assert not re.search(r"<(link|img|iframe|object|embed)\b", page), page_path.name
        assert not re.search(r"\b(src|srcset)\s*=", page), page_path.name
        assert "url(" not in page and "@import" not in page and "@font-face" not in page
        assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) <= NAMESPACES, page_path.name
        for link in re.findall(r'href="([^"]+)"', page):
            assert re.fullmatch(r"[\w-]+\.html", link), (page_path.name, link)
    for stem in ("forward", "backprop_to_layer_2"):
        svg = (pages / f"{stem}.svg").read_bytes()
        page = (pages / f"{stem}.html").read_text(encoding="utf-8")
        assert inline_svg(svg) in page  # the very SVG export/svg.py writes, from its root on


@needs_dot
@pytest.mark.parametrize("stem, view, notation", [
    ("forward", View(None), None), ("backprop_to_layer_1", View(1), None),
    ("backprop_to_layer_2_example", View(2, "example"), None),
    ("backprop_to_layer_2_unit", View(2, "unit"), None),
    ("backprop_to_layer_2_nielsen", View(2), "nielsen")])
def test_the_embedded_steps_are_explains(pages, stem, view, notation):
    net = Network()
    data = embedded_steps((pages / f"{stem}.html").read_text(encoding="utf-8"))
    explanation = explain_view(net, view)
    shown = explanation
    if notation:
        shown = in_notation(explanation, load_profile(notation).plain)
    assert [item["formula"] for item in data["steps"]] == [step.formula for step in shown.steps]
    assert [item["shape"] for item in data["steps"]] == [shape_text(s.shape, s.dims)
                                                          for s in shown.steps]
    printed = explain(net, view, notation=notation).splitlines()
    numbered = [line for line in printed if re.match(r"\s+\d+\s", line)]
    assert len(numbered) == len(data["steps"])
    graph = build_graph(net, view)
    for item, step in zip(data["steps"], explanation.steps):
        assert graph.nodes[item["node"]][a.SYMBOL] == step.symbol
        assert [graph.nodes[read["node"]][a.SYMBOL] for read in item["reads"]] == \
            [operand.symbol for operand in step.operands]
        assert [read["cached"] for read in item["reads"]] == [o.cached for o in step.operands]
    assert data["stop"] == shown.stop


@needs_dot
def test_html_output_is_deterministic_and_in_the_api(tmp_path):
    first = render_cli("--to-layer", "2", "--values", "--format", "html", "--out",
                       str(tmp_path / "a"))
    second = render_cli("--to-layer", "2", "--values", "--format", "html", "--out",
                        str(tmp_path / "b"))
    assert [p.rsplit("/", 1)[1] for p in first] == ["backprop_to_layer_2_values.html"]
    assert (tmp_path / "a" / "backprop_to_layer_2_values.html").read_bytes() == \
        (tmp_path / "b" / "backprop_to_layer_2_values.html").read_bytes()
    diagram = render(view=2, values=True)
    assert diagram.to_bytes("html") == (tmp_path / "a" / "backprop_to_layer_2_values.html").read_bytes()
    assert diagram.write(tmp_path / "page.html") == [tmp_path / "page.html"]


@needs_dot
def test_an_index_takes_the_sets_variant_suffixes(tmp_path):
    render_cli("--all", "--view", "example", "--values", "--format", "html", "--out", str(tmp_path))
    index = (tmp_path / "index_example_values.html").read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+)"', index)[0] == "forward_example_values.html"
    assert not (tmp_path / "index.html").exists()


# -- in the browser ---------------------------------------------------------------------------

STATE = """JSON.stringify({
  current: Array.from(document.querySelectorAll('#diagram g.node.current'), g => g.id),
  reads: Array.from(document.querySelectorAll('#diagram g.node.reads'), g => g.id).sort(),
  cachedMarks: document.querySelectorAll('.bpdiag-mark.cached').length,
  formula: (document.querySelector('#step .formula') || {}).textContent,
  text: document.getElementById('step').textContent,
  counter: document.getElementById('counter').textContent})"""

# each client: open, evaluate, press, click, drag, wheel, resize, requests, console_errors and
# events, the same in both (see their modules)
BROWSERS = {"chromium": (CHROMIUM, Chromium), "firefox": (FIREFOX, Firefox)}


@pytest.fixture(scope="module", params=sorted(BROWSERS))
def browser(request, tmp_path_factory):
    """One headless browser for the module's tests, first Chromium then Firefox; each skips
    where its browser is not installed."""
    executable, client = BROWSERS[request.param]
    if executable is None:
        pytest.skip(f"headless {request.param} is not installed")
    with client(tmp_path_factory.mktemp(f"{request.param}-profile")) as opened:
        yield opened


def state(browser) -> dict:
    return json.loads(browser.evaluate(STATE))


def walk(browser, url: str) -> list[dict]:
    """Open the page and press → until nothing moves; the state at each step."""
    browser.events.clear()
    browser.open(url)
    states = [state(browser)]
    for _ in range(500):
        browser.press("ArrowRight")
        now = state(browser)
        if now == states[-1]:
            break
        states.append(now)
    return states


@needs_dot
@pytest.mark.parametrize("stem, view, notation", [
    ("forward", View(None), None), ("backprop_to_layer_1", View(1), None),
    ("backprop_to_layer_3", View(3), None),
    ("backprop_to_layer_2_example", View(2, "example"), None),
    ("backprop_to_layer_2_unit", View(2, "unit"), None),
    ("backprop_to_layer_2_nielsen", View(2), "nielsen")])
def test_the_keyboard_walks_explains_steps(pages, browser, stem, view, notation):
    net = Network()
    explanation = explain_view(net, view)
    shown = explanation
    if notation:
        shown = in_notation(explanation, load_profile(notation).plain)
    graph = build_graph(net, view)
    states = walk(browser, (pages / f"{stem}.html").as_uri())
    assert [s["formula"] for s in states] == [step.formula for step in shown.steps]
    for number, (seen, step, text) in enumerate(zip(states, explanation.steps, shown.steps), 1):
        assert len(seen["current"]) == 1, (number, seen["current"])
        assert graph.nodes[seen["current"][0]][a.SYMBOL] == step.symbol
        operands = list(step.operands) + list(step.shortcut.operands if step.shortcut else ())
        assert sorted({graph.nodes[n][a.SYMBOL] for n in seen["reads"]}) == \
            sorted({o.symbol for o in operands}), number
        assert seen["cachedMarks"] == sum(o.cached for o in operands), number
        assert shape_text(text.shape, text.dims) in seen["text"]
        assert seen["counter"] == f"step {number} of {len(shown.steps)}"
    assert shown.stop in states[-1]["text"]
    last = states[-1]
    browser.press("ArrowRight")  # past the last step nothing moves
    assert state(browser) == last
    browser.press("ArrowLeft")
    assert state(browser) == states[-2]
    browser.press("Home")
    assert state(browser) == states[0]
    browser.press("ArrowLeft")
    assert state(browser) == states[0]
    browser.press("End")
    assert state(browser) == last
    # (Chromium reports the file:// loads too, Firefox only requests to the network)
    assert all(url.startswith("file://") for url in browser.requests()), browser.requests()
    assert browser.console_errors() == []


@needs_dot
def test_clicking_a_node_jumps_to_its_step(pages, browser):
    browser.open((pages / "backprop_to_layer_2.html").as_uri())
    explanation = explain_view(Network(), View(2))
    target = explanation.steps[6]
    node = build_graph(Network(), View(2))
    (node_id,) = [n for n, d in node.nodes(data=True) if d.get(a.SYMBOL) == target.symbol]
    box = json.loads(browser.evaluate(
        f"JSON.stringify(document.getElementById({json.dumps(node_id)}).getBoundingClientRect())"))
    browser.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    seen = state(browser)
    assert seen["current"] == [node_id] and seen["formula"] == target.formula
    # a given quantity (A[3], cached): the first step that reads it
    box = json.loads(browser.evaluate(
        "JSON.stringify(document.getElementById('fwd:L3:A').getBoundingClientRect())"))
    browser.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert state(browser)["formula"] == explanation.steps[0].formula
    assert browser.console_errors() == []


@needs_dot
def test_the_address_names_the_step(pages, browser):
    """#step-N opens the page at step N, a changed address moves there, and each step shown
    is written back into the address."""
    explanation = explain_view(Network(), View(2))
    url = (pages / "backprop_to_layer_2.html").as_uri()
    browser.open(url + "#step-4")
    assert state(browser)["formula"] == explanation.steps[3].formula
    browser.evaluate("location.hash = '#step-7'")
    assert state(browser)["formula"] == explanation.steps[6].formula
    browser.press("ArrowRight")
    assert browser.evaluate("location.hash") == "#step-8"
    assert browser.console_errors() == []


@needs_dot
def test_keyboard_focus_order_and_the_live_step_text(pages, browser):
    browser.open((pages / "forward.html").as_uri())
    order = []
    for _ in range(4):
        browser.press("Tab")
        order.append(browser.evaluate(
            "document.activeElement.id || document.activeElement.tagName.toLowerCase()"))
    assert order == ["back", "next", "summary", "zoom-in"]
    browser.press("Enter")  # zoom-in has focus: Enter presses it, the step does not move
    assert state(browser)["counter"].startswith("step 1 ")
    assert browser.evaluate("document.getElementById('step').getAttribute('aria-live')") == "polite"
    browser.open((pages / "backprop_to_layer_1.html").as_uri())
    browser.press("Tab")
    browser.press("Tab")  # Next has focus: Enter steps on
    browser.press("Enter")
    assert state(browser)["counter"].startswith("step 2 ")
    # the list of all steps: open it, Tab to its third step, Enter jumps there and closes it
    browser.press("Tab")
    browser.press("Enter")
    assert browser.evaluate("document.getElementById('all-steps').open") is True
    for _ in range(3):
        browser.press("Tab")
    browser.press("Enter")
    assert state(browser)["counter"].startswith("step 3 ")
    assert browser.evaluate("document.getElementById('all-steps').open") is False
    assert browser.evaluate("document.activeElement.tagName") == "SUMMARY"
    browser.press("Enter")
    browser.press("Escape")  # Escape closes the list too
    assert browser.evaluate("document.getElementById('all-steps').open") is False


LIST = """JSON.stringify((() => {
  const list = document.getElementById('step-list'), box = list.getBoundingClientRect();
  return {open: document.getElementById('all-steps').open, left: box.left, right: box.right,
          window: document.documentElement.clientWidth,
          clipped: list.scrollWidth > list.clientWidth};
})())"""


@needs_dot
@pytest.mark.parametrize("width", [1920, 890])
def test_the_step_list_opens_inside_the_window(pages, browser, width):
    browser.resize(width, 1080)
    try:
        browser.open((pages / "backprop_to_layer_1.html").as_uri())
        for _ in range(3):
            browser.press("Tab")
        browser.press("Enter")  # on "All steps"
        deadline = time.monotonic() + 5
        while True:  # the list is placed once the browser reports it open (its toggle event)
            seen = json.loads(browser.evaluate(LIST))
            inside = seen["open"] and 0 <= seen["left"] and seen["right"] <= seen["window"]
            if inside or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert inside and not seen["clipped"], seen
    finally:
        browser.resize(1920, 1080)


VIEW = """JSON.stringify((() => {
  const svg = document.querySelector('#diagram svg'), box = svg.viewBox.baseVal;
  const area = document.getElementById('diagram').getBoundingClientRect();
  return {box: [box.x, box.y, box.width, box.height],
          area: [area.x, area.y, area.width, area.height]};
})())"""

UNDER = """JSON.stringify((() => {
  const svg = document.querySelector('#diagram svg'), point = svg.createSVGPoint();
  point.x = %f; point.y = %f;
  const seen = point.matrixTransform(svg.getScreenCTM().inverse());
  return [seen.x, seen.y];
})())"""


@needs_dot
def test_the_wheel_zooms_about_the_pointer_a_drag_pans_and_0_fits(pages, browser):
    browser.open((pages / "backprop_to_layer_2.html").as_uri())
    whole = json.loads(browser.evaluate(VIEW))
    x, y, width, height = whole["area"]
    pointer = (round(x + width * 0.3), round(y + height * 0.4))  # whole pixels, as BiDi sends
    under = json.loads(browser.evaluate(UNDER % pointer))
    browser.wheel(*pointer, -200)  # up: in
    zoomed = json.loads(browser.evaluate(VIEW))["box"]
    assert zoomed[2] < whole["box"][2] * 0.9 and zoomed[3] < whole["box"][3] * 0.9
    assert json.loads(browser.evaluate(UNDER % pointer)) == pytest.approx(under, abs=0.5)
    counter = state(browser)["counter"]
    start = (x + width * 0.5, y + height * 0.5)
    browser.drag(start, (start[0] + 200, start[1] + 100))
    panned = json.loads(browser.evaluate(VIEW))["box"]
    scale = min(width / zoomed[2], height / zoomed[3])  # screen px per point (xMidYMid meet)
    assert panned[0] == pytest.approx(zoomed[0] - 200 / scale, abs=1)  # the drawing follows
    assert panned[1] == pytest.approx(zoomed[1] - 100 / scale, abs=1)
    assert panned[2:] == zoomed[2:]
    assert state(browser)["counter"] == counter  # a drag is no click on a node
    browser.press("0")
    assert json.loads(browser.evaluate(VIEW))["box"] == pytest.approx(whole["box"])
    assert browser.console_errors() == []


@needs_dot
def test_the_values_page_shows_each_steps_numbers(pages, browser):
    browser.open((pages / "backprop_to_layer_3_values.html").as_uri())
    data = embedded_steps((pages / "backprop_to_layer_3_values.html").read_text(encoding="utf-8"))
    seen_verdict = False
    for item in data["steps"]:
        text = state(browser)["text"]
        for line in item["values"]:
            assert line in text, (item["formula"], line)
        if item["verdict"]:
            assert item["verdict"]["text"] in text
            seen_verdict = True
        browser.press("ArrowRight")
    assert seen_verdict
    assert all(item["values"] for item in data["steps"])
    assert browser.console_errors() == []


def test_the_browser_sees_requests_and_console_errors(tmp_path, browser):
    """The checks above are not blind: a page that fetches from the network, logs an error and
    throws shows all three (and the fetch is refused); a script its Content-Security-Policy
    forbids does not run, and the browser says so."""
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><img src="http://example.invalid/a.png">'
                       '<script>console.error("control"); undefinedFunction()</script>',
                       encoding="utf-8")
    browser.events.clear()
    browser.open(control.as_uri())
    # Firefox upgrades the address to https before it asks
    assert [url for url in browser.requests() if not url.startswith("file://")] in \
        (["http://example.invalid/a.png"], ["https://example.invalid/a.png"])
    errors = browser.console_errors()
    assert "control" in errors
    assert any("undefinedFunction" in error for error in errors), errors
    assert browser.evaluate("document.querySelector('img').naturalWidth") == 0  # refused
    forbidden = tmp_path / "forbidden.html"
    forbidden.write_text('<!DOCTYPE html><meta http-equiv="Content-Security-Policy" '
                         'content="default-src \'none\'"><script>window.ran = true</script>',
                         encoding="utf-8")
    browser.events.clear()
    browser.open(forbidden.as_uri())
    assert browser.evaluate("window.ran === undefined") is True
    assert any(re.search("Content.Security.Policy", error) for error in browser.console_errors())
