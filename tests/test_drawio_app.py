"""draw.io itself opens bpdiag's files (optional: needs the draw.io web app and headless Chromium).

The web app is not shipped with bpdiag; drawio_app.install_hint() says how to put it in the cache
folder. These tests skip cleanly without it.
"""

from __future__ import annotations

import copy
import html
from collections import Counter

import pytest
from lxml import etree

from bpdiag import labels
from bpdiag.diagrams import RenderOptions, render_view
from bpdiag.export.drawio import group_cell_id
from bpdiag.graph import build_graph
from bpdiag.model import Network
from bpdiag.views import View
from conftest import needs_dot
from drawio_app import CHROMIUM, app_dir, install_hint, open_in_editor, open_in_viewer
from test_drawio import _graphml_geometry, absolute_box, cells
from yed_checks import G, Y

APP = app_dir()
pytestmark = [needs_dot,
              pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed"),
              pytest.mark.skipif(APP is None, reason=install_hint())]
NET = Network((2, 3, 2, 1))


@pytest.fixture(scope="module", params=[View(None), View(2)], ids=lambda view: view.stem)
def rendered(request):
    graph = build_graph(NET, request.param)
    return graph, render_view(NET, request.param, ("graphml", "drawio"), RenderOptions())


def test_the_viewer_draws_every_cell_where_the_file_puts_it(rendered):
    graph, outputs = rendered
    report = open_in_viewer(outputs["drawio"], APP)
    found = cells(outputs["drawio"])
    vertices = [cell_id for cell_id, (_, cell) in found.items() if cell.get("vertex") == "1"]
    assert sorted(report["vertices"]) == sorted(vertices)
    boxes = {cell_id: absolute_box(found, cell_id) for cell_id in vertices}
    # the viewer may shift the whole drawing to its border: compare after that one shift
    dx, dy = (min(box[i] for box in report["vertices"].values()) - min(box[i] for box in boxes.values())
              for i in (0, 1))
    for cell_id, (x, y, w, h) in boxes.items():
        assert report["vertices"][cell_id] == pytest.approx((x + dx, y + dy, w, h), abs=0.06)
    _, edges = _graphml_geometry(outputs["graphml"])
    drawn = {(found[i][1].get("source"), found[i][1].get("target")): [(x - dx, y - dy) for x, y in points]
             for i, points in report["edges"].items()}
    assert set(drawn) == set(edges)
    for ends, (bends, start, end) in edges.items():
        points = drawn[ends]
        assert points[1:-1] == [pytest.approx(bend, abs=0.06) for bend in bends], ends
        assert points[0] == pytest.approx(start, abs=0.5) and points[-1] == pytest.approx(end, abs=0.5)


def test_labels_show_as_html_inside_their_shapes(rendered):
    graph, outputs = rendered
    report = open_in_viewer(outputs["drawio"], APP)
    assert report["raw_markup"] == []
    assert report["overflow"] == [], "labels overflow their shapes in draw.io"
    assert report["sup"] > graph.number_of_nodes()  # superscripts drawn as such
    for node in graph:
        # draw.io shows a tooltip as HTML, its text escaped
        assert html.unescape(report["tooltips"][node]) == labels.node_description(graph, node)


def test_the_label_measurement_is_not_blind(rendered):
    """A node squeezed to 10 wide and a label of escaped markup are both reported."""
    graph, outputs = rendered
    root = etree.fromstring(outputs["drawio"])
    first, second = [obj for obj in root.iter("object") if obj.get("bpdiag_id") in graph][:2]
    first.find("mxCell/mxGeometry").set("width", "10.0")
    second.set("label", "&lt;b&gt;shown as markup&lt;/b&gt;")
    report = open_in_viewer(etree.tostring(root), APP)
    assert first.get("id") in [row[0] for row in report["overflow"]]
    assert {row[0] for row in report["overflow"]} <= {first.get("id"), second.get("id")}
    assert report["raw_markup"] == [second.get("id")]


def test_groups_are_containers_that_collapse(rendered):
    graph, outputs = rendered
    report = open_in_viewer(outputs["drawio"], APP)
    assert report["containers"] == [group_cell_id(g) for g in labels.groups_in_order(graph)]
    assert report["collapsed"]["children_drawn"] == 0
    assert report["collapsed"]["height"] < 40


def _bends_in_place(graphml: bytes) -> tuple[int, int]:
    """(bends of the GraphML that draw.io's importer draws where the GraphML puts them, all)."""
    report = open_in_viewer(graphml, APP, graphml=True)
    assert "error" not in report, report.get("error")
    root = etree.fromstring(graphml)
    geometries = list(root.iter(f"{Y}Geometry"))
    # the importer may move the whole drawing: compare after the shift of its leftmost, topmost box
    dx = min(v[0] for v in report["vertices"].values()) - min(float(g.get("x")) for g in geometries)
    dy = min(v[1] for v in report["vertices"].values()) - min(float(g.get("y")) for g in geometries)
    drawn = Counter((round(x - dx, 1), round(y - dy, 1))
                    for points in report["edges"].values() for x, y in points[1:-1])
    bends = [(float(p.get("x")), float(p.get("y"))) for p in root.iter(f"{Y}Point")]
    return sum(1 for bend in bends if drawn[bend] > 0), len(bends)


def test_drawios_graphml_importer_draws_the_bends_in_place(rendered):
    """The GraphML's nested edges are what draw.io's importer needs; the same file with every
    edge in the top graph (as bpdiag wrote it before) shows the bends displaced: not blind."""
    _, outputs = rendered
    placed, total = _bends_in_place(outputs["graphml"])
    assert total > 10 and placed == total
    flat = etree.fromstring(outputs["graphml"])
    top = flat.find(f"{G}graph")
    for edge in list(flat.iter(f"{G}edge")):
        top.append(copy.deepcopy(edge))
        edge.getparent().remove(edge)
    placed_flat, _ = _bends_in_place(etree.tostring(flat))
    assert placed_flat < total * 0.7


def test_the_editor_opens_the_file_as_a_page_of_its_own(rendered):
    """draw.io's editor itself (index.html, offline) opens the file: its page tab has the
    diagram's title and it draws a label for every node, group and the legend."""
    graph, outputs = rendered
    dom = open_in_editor(outputs["drawio"], APP)
    name = etree.fromstring(outputs["drawio"]).find("diagram").get("name")
    assert f'title="{html.escape(name)} (' in dom  # the page tab: its name (its id) [its number]
    svg = dom[dom.index('class="geDiagramContainer'):dom.index('class="geTabContainer"')]
    objects = len(cells(outputs["drawio"])) - 2 - graph.number_of_edges()  # less the two roots
    assert svg.count("<foreignObject") == objects
    assert "geDialog" not in dom  # no error dialog
