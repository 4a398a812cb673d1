"""Graphviz's SVG, made to display at its natural size and to draw its text as laid out.

With a dpi set (for a sharp PNG), Graphviz 2.x scales the SVG's width, height and content by
dpi/72 but not its viewBox, so browsers show it enlarged and cropped. The drawing is in points:
size and scale are set back to match the viewBox.

Graphviz writes each font run of an HTML-like label as its own `<text>` at an x from its own
font metrics (widths rounded up to whole points); a browser measures with its own and drops
leading and trailing spaces, so the pieces of a line collide or gape. `browser_text` joins the
runs of each line into one `<text>` of `<tspan>`s that the browser flows itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from lxml import etree

from .dot import LEGEND_ID

_VIEWBOX = re.compile(rb'viewBox="0\.00 0\.00 ([0-9.]+) ([0-9.]+)"')
_SIZE = re.compile(rb'<svg width="[0-9.]+pt" height="[0-9.]+pt"')
_SCALE = re.compile(rb'(<g id="[^"]*" class="graph" transform=")scale\([0-9.]+ [0-9.]+\)')

SVG = "{http://www.w3.org/2000/svg}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TOLERANCE = 0.06   # points: Graphviz writes SVG coordinates to 2 decimals, its JSON to 1 or 2
# How far a run is raised (super) or lowered (sub), in ems of the line's base text, as `dy`
# (every browser supports dy; Firefox ignores baseline-shift).
SHIFT_EM = {"super": -0.35, "sub": 0.2}
_POSITION = ("x", "y", "text-anchor", "baseline-shift")


def natural_size(svg: bytes) -> bytes:
    match = _VIEWBOX.search(svg)
    if match is None:
        return svg
    width, height = match.groups()
    svg = _SIZE.sub(b'<svg width="' + width + b'pt" height="' + height + b'pt"', svg, count=1)
    return _SCALE.sub(rb"\1scale(1 1)", svg, count=1)


@dataclass
class _Run:
    element: etree._Element
    x: float
    y: float
    width: float | None   # Graphviz's width of the run, from the layout's drawing operations
    size: float
    shift: str | None     # 'super', 'sub' or None


def span_widths(layout_json: bytes) -> dict[str, list[tuple[float, float, float]]]:
    """Graphviz's width of every text run it drew: text -> [(x, y, width)] from `dot -Tjson`.

    Runs are keyed by their text and found again by position, so nothing depends on the order
    in which the SVG and JSON renderers list objects. y is the SVG's (downwards, negated).
    """
    data = json.loads(layout_json)
    widths: dict[str, list[tuple[float, float, float]]] = {}
    for item in [data, *data.get("objects", []), *data.get("edges", [])]:
        for key, ops in item.items():
            if not (key.startswith("_") and key.endswith("draw_") and isinstance(ops, list)):
                continue
            for op in ops:
                if op.get("op") == "T":
                    x, y = op["pt"]
                    widths.setdefault(op["text"], []).append((x, -y, op["width"]))
    return widths


def _width(widths, text: str, x: float, y: float) -> float | None:
    for wx, wy, width in widths.get(text, ()):
        if abs(wx - x) < TOLERANCE and abs(wy - y) < TOLERANCE:
            return width
    return None


def _number(value: float) -> str:
    """Graphviz's style: two decimals at most, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _run(element, widths) -> _Run | None:
    if element.get("text-anchor", "start") != "start" or element.get("x") is None:
        return None
    if len(element) or element.text is None:
        return None  # already structured, or empty
    try:
        x, y = float(element.get("x")), float(element.get("y"))
        size = float(element.get("font-size", "14"))
    except ValueError:
        return None
    shift = element.get("baseline-shift")
    return _Run(element, x, y, _width(widths, element.text, x, y), size,
                shift if shift in SHIFT_EM else None)


def _joins(previous: _Run, run: _Run) -> bool:
    """Whether `run` continues `previous`'s line: Graphviz put it exactly where that one ended."""
    return (previous.width is not None
            and previous.element.getnext() is run.element
            and abs(previous.x + previous.width - run.x) < TOLERANCE
            and abs(previous.y - run.y) < 0.5 * max(previous.size, run.size))


def _lines(group, widths) -> list[list[_Run]]:
    lines: list[list[_Run]] = []
    for element in group.iter(f"{SVG}text"):
        run = _run(element, widths)
        if run is None:
            continue
        if lines and _joins(lines[-1][-1], run):
            lines[-1].append(run)
        else:
            lines.append([run])
    return lines


def _extent(line: list[_Run]) -> tuple[float, float] | None:
    last = line[-1]
    return None if last.width is None else (line[0].x, last.x + last.width)


def _anchors(lines: list[list[_Run]]) -> list[tuple[str, float]]:
    """Each line's anchor and x, as Graphviz aligned it with the other lines of its label.

    Graphviz centres a line, or aligns its left or right edge. Which one shows in how many other
    lines share that centre (middle), left edge (start) or right edge (end): the most shared
    wins (lines of equal width share all three), a tie or a line that shares nothing is centred,
    Graphviz's default.
    """
    extents = [_extent(line) for line in lines]
    edges = {"middle": lambda e: (e[0] + e[1]) / 2, "start": lambda e: e[0], "end": lambda e: e[1]}
    result = []
    for index, (line, extent) in enumerate(zip(lines, extents)):
        if extent is None:
            result.append(("start", line[0].x))
            continue
        others = [other for number, other in enumerate(extents)
                  if other is not None and number != index]
        shared = {name: sum(abs(edge(other) - edge(extent)) < TOLERANCE for other in others)
                  for name, edge in edges.items()}
        anchor = max(edges, key=lambda name: shared[name])  # dict order breaks ties: middle
        result.append((anchor, edges[anchor](extent)))
    return result


def _base(line: list[_Run]) -> _Run:
    """The run that sets the line's baseline: the largest unshifted one."""
    unshifted = [run for run in line if run.shift is None] or line
    return max(unshifted, key=lambda run: run.size)


def _rewrite(line: list[_Run], anchor: str, x: float) -> None:
    first = line[0].element
    base = _base(line)
    if len(line) == 1 and base.shift is None:
        first.set("text-anchor", anchor)
        first.set("x", _number(x))
        first.set(XML_SPACE, "preserve")
        first.set("style", "white-space:pre")
        return
    text = etree.Element(f"{SVG}text", nsmap=first.nsmap)
    text.set("text-anchor", anchor)
    text.set("x", _number(x))
    text.set("y", _number(base.y))
    text.set(XML_SPACE, "preserve")
    text.set("style", "white-space:pre")
    text.tail = line[-1].element.tail
    current = base.y  # where the browser's pen stands vertically
    for run in line:
        target = run.y + (SHIFT_EM[run.shift] * base.size if run.shift else 0.0)
        span = etree.SubElement(text, f"{SVG}tspan")
        for name, value in run.element.attrib.items():
            if name not in _POSITION:
                span.set(name, value)
        if abs(target - current) > 0.005:
            span.set("dy", _number(target - current))
            current = target
        span.text = run.element.text
    parent = first.getparent()
    parent.replace(first, text)
    for run in line[1:]:
        parent.remove(run.element)


def browser_text(svg: bytes, layout_json: bytes) -> bytes:
    """`svg` with each label line as one `<text>` of `<tspan>` runs, spaces kept, anchored as
    Graphviz aligned it; `layout_json` is the same Graphviz run's `-Tjson` (its text widths)."""
    widths = span_widths(layout_json)
    parser = etree.XMLParser(huge_tree=True, remove_blank_text=False, resolve_entities=False,
                             load_dtd=False, no_network=True)
    root = etree.fromstring(svg, parser)
    for group in list(root.iter(f"{SVG}g")):
        if group.get("class") not in ("node", "cluster", "edge", "graph"):
            continue
        if group.get("class") == "graph":
            # only its own texts (the graph label); its subgroups are visited on their own
            lines = [[run] for run in (_run(child, widths) for child in group
                                       if child.tag == f"{SVG}text") if run is not None]
        else:
            lines = _lines(group, widths)
        for line, (anchor, x) in zip(lines, _anchors(lines)):
            _rewrite(line, anchor, x)
        if group.get("id") == LEGEND_ID:
            # a table beside the dataflow, not one of its nodes: scripts and styles that walk
            # the diagram's nodes (`g.node`) pass it by, and its cells are columns, not a line
            group.set("class", "legend")
    prolog = svg[:svg.find(b"<svg")]  # Graphviz's declaration, doctype and comments, verbatim
    return prolog + etree.tostring(root, encoding="UTF-8", xml_declaration=False) + b"\n"
