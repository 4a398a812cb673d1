"""The draw.io export: it parses, holds every node and edge of the GraphML at the same geometry,
draws them in the SVG's colours, and its ids and bytes are stable."""

from __future__ import annotations

import html
import re

import pytest
from click.testing import CliRunner
from lxml import etree

from bpdiag import labels, styles
from bpdiag.cli import cli
from bpdiag.diagrams import RenderOptions, render_view
from bpdiag.export.drawio import drawio_bytes, edge_cell_id, group_cell_id
from bpdiag.graph import attrs as a
from bpdiag.graph import build_graph
from bpdiag.model import Network
from bpdiag.richtext import parse, rich, to_html
from bpdiag.views import View, all_views
from conftest import needs_dot
from grid_layout import grid_layout
from yed_checks import G, Y

NET = Network((2, 3, 2, 1))
SVG = "{http://www.w3.org/2000/svg}"


def cells(data: bytes) -> dict[str, tuple[etree._Element, etree._Element]]:
    """Cell id -> (the <object> or the <mxCell> holding the data, its <mxCell>)."""
    root = etree.fromstring(data, etree.XMLParser(no_network=True))
    found = {}
    for item in root.find("diagram/mxGraphModel/root"):
        cell = item if item.tag == "mxCell" else item.find("mxCell")
        found[item.get("id")] = (item, cell)
    return found


def style_of(cell: etree._Element) -> dict[str, str]:
    parts = [part for part in cell.get("style", "").split(";") if part]
    return dict(part.split("=", 1) if "=" in part else (part, "1") for part in parts)


def absolute_box(found, cell_id: str) -> tuple[float, float, float, float]:
    """A vertex's box in the drawing's coordinates: its geometry plus its parents' corners."""
    _, cell = found[cell_id]
    geometry = cell.find("mxGeometry")
    x, y = float(geometry.get("x", "0")), float(geometry.get("y", "0"))
    parent = cell.get("parent")
    while parent in found and found[parent][1].find("mxGeometry") is not None:
        px, py, _, _ = absolute_box(found, parent)
        return (round(x + px, 2), round(y + py, 2), float(geometry.get("width")),
                float(geometry.get("height")))
    return (x, y, float(geometry.get("width")), float(geometry.get("height")))


def origin(found, parent: str) -> tuple[float, float]:
    if parent in found and found[parent][1].find("mxGeometry") is not None:
        return absolute_box(found, parent)[:2]
    return (0.0, 0.0)


# -- structure, with a Graphviz-free layout --------------------------------------------------

@pytest.fixture(scope="module", params=[View(None), View(1), View(2, "unit")],
                ids=lambda view: view.stem)
def exported(request):
    graph = build_graph(NET, request.param)
    layout = grid_layout(graph, (320.0, 90.0))
    return graph, layout, drawio_bytes(graph, layout, "<b>legend</b>", legend_description="key",
                                       title="A <title> & more")


def test_an_uncompressed_mxfile_with_one_page(exported):
    graph, layout, data = exported
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<mxfile ')
    root = etree.fromstring(data)
    assert root.tag == "mxfile" and root.get("compressed") == "false"
    (diagram,) = root.findall("diagram")
    assert diagram.get("name") == "A <title> & more" and diagram.get("id") == graph.graph["view"]
    model = diagram.find("mxGraphModel")
    assert [child.tag for child in diagram] == ["mxGraphModel"]  # not a compressed text
    assert float(model.get("pageWidth")) == pytest.approx(layout.width, abs=0.05)
    first, layer = model.find("root")[:2]
    assert (first.get("id"), first.get("parent")) == ("0", None)
    assert (layer.get("id"), layer.get("parent")) == ("1", "0")


def test_every_node_is_an_object_with_its_data(exported):
    graph, _, data = exported
    found = cells(data)
    for node, attrs in graph.nodes(data=True):
        obj, cell = found[node]
        assert obj.tag == "object" and obj.get("bpdiag_id") == node
        assert obj.get("label") == to_html(labels.node_label(graph, node), styles.font().size)
        assert obj.get("tooltip") == labels.node_description(graph, node)
        assert obj.get("kind") == attrs[a.KIND]
        if attrs[a.KIND] in a.QUANTITY_KINDS:
            assert obj.get("formula") == attrs[a.FORMULA]
            assert obj.get("shape") == labels.shape_text(attrs)
        assert cell.get("vertex") == "1" and style_of(cell)["html"] == "1"
    legend, _ = found["legend"]
    assert (legend.get("label"), legend.get("tooltip"), legend.get("bpdiag_id")) == \
        ("<b>legend</b>", "key", "legend")


def test_labels_are_html_with_superscripts_and_grids(exported):
    graph, _, data = exported
    found = cells(data)
    quantities = [n for n, d in graph.nodes(data=True) if d[a.KIND] in a.QUANTITY_KINDS]
    for node in quantities:
        label = found[node][0].get("label")
        assert not label.startswith("<html>") and "<span" in label  # browser HTML, not Swing's
        if labels.matrix_glyph(graph.nodes[node]):
            assert label.startswith("<table") and "<td" in label
    assert any("<sup" in found[n][0].get("label") for n in quantities)


def test_groups_are_collapsible_containers_holding_their_nodes(exported):
    graph, layout, data = exported
    found = cells(data)
    assert len(layout.groups) == len(labels.groups_in_order(graph)) > 0
    for group in layout.groups:
        obj, cell = found[group_cell_id(group.id)]
        style = style_of(cell)
        assert style["swimlane"] == "1" and style["container"] == "1" and style["collapsible"] == "1"
        assert float(style["startSize"]) == pytest.approx(group.label_height, abs=0.05)
        assert (obj.get("bpdiag_id"), obj.get("label")) == (group.id, html.escape(group.label, quote=False))
        assert cell.get("parent") == "1"
        for member in group.members:
            assert found[member][1].get("parent") == group_cell_id(group.id)
            box = layout.nodes[member]
            geometry = found[member][1].find("mxGeometry")  # relative to the container
            assert float(geometry.get("x")) == pytest.approx(box.x - group.box.x, abs=0.11)
            assert float(geometry.get("y")) == pytest.approx(box.y - group.box.y, abs=0.11)


def test_edges_are_children_of_their_lowest_common_group_with_relative_bends(exported):
    graph, layout, data = exported
    found = cells(data)
    inner = 0
    for source, target in graph.edges:
        _, cell = found[edge_cell_id(source, target)]
        assert (cell.get("edge"), cell.get("source"), cell.get("target")) == ("1", source, target)
        scope = layout.edge_scope(source, target)
        assert cell.get("parent") == (group_cell_id(scope.id) if scope else "1")
        inner += scope is not None
        ox, oy = origin(found, cell.get("parent"))
        bends = [(float(p.get("x")) + ox, float(p.get("y")) + oy)
                 for p in cell.findall("mxGeometry/Array/mxPoint")]
        route = layout.route(source, target)
        assert bends == [pytest.approx(point, abs=0.11) for point in route[1:-1]]
    assert inner > 0


def test_annotation_edges_have_no_arrowhead(exported):
    graph, _, data = exported
    found = cells(data)
    for source, target, role in graph.edges(data=a.ROLE):
        style = style_of(found[edge_cell_id(source, target)][1])
        assert (style["endArrow"] == "none") == (role == a.ANNOTATION)


def test_bytes_are_stable():
    graph = build_graph(NET, View(2))
    layout = grid_layout(graph)
    assert drawio_bytes(graph, layout) == drawio_bytes(build_graph(NET, View(2)), grid_layout(graph))


def test_markup_in_user_text_stays_text():
    graph = build_graph(NET, View(None))
    layout = grid_layout(graph, (320.0, 90.0))
    legend = to_html(rich(parse('<b>x</b> & "y"')), 13)
    data = drawio_bytes(graph, layout, legend, legend_description="<i>n</i>\x07", title="<&>")
    found = cells(data)
    assert found["legend"][0].get("label") == legend and "&lt;b&gt;x&lt;/b&gt; &amp;" in legend
    # a character XML cannot hold becomes U+FFFD, as in the GraphML
    assert found["legend"][0].get("tooltip") == "<i>n</i>\ufffd"


def test_missing_boxes_are_reported():
    graph = build_graph(NET, View(None))
    with pytest.raises(ValueError, match="no box"):
        drawio_bytes(graph, grid_layout(build_graph(Network((2, 1)), View(None))))
    with pytest.raises(ValueError, match="legend"):
        drawio_bytes(graph, grid_layout(graph), "<b>legend</b>")


# -- the real layout: the GraphML's geometry, the SVG's colours --------------------------------

def _graphml_geometry(data: bytes):
    """bpdiag id -> (x, y, w, h) of each GraphML node, and (source, target) -> (bends, start, end)
    of each edge, all absolute."""
    root = etree.fromstring(data)
    boxes, ids = {}, {}
    for node in root.iter(f"{G}node"):
        bpdiag_id = node.findtext(f"{G}data[@key='d11']")
        ids[node.get("id")] = bpdiag_id
        geometry = node.find(f"{G}data/{Y}ShapeNode/{Y}Geometry")
        if geometry is None:
            geometry = node.find(f".//{Y}GroupNode/{Y}Geometry")  # the open group, first
        boxes[bpdiag_id] = tuple(float(geometry.get(k)) for k in ("x", "y", "width", "height"))
    edges = {}
    for edge in root.iter(f"{G}edge"):
        source, target = ids[edge.get("source")], ids[edge.get("target")]
        path = edge.find(f".//{Y}Path")
        bends = [(float(p.get("x")), float(p.get("y"))) for p in path.findall(f"{Y}Point")]
        ends = []
        for node, dx, dy in ((source, "sx", "sy"), (target, "tx", "ty")):
            x, y, w, h = boxes[node]
            ends.append((x + w / 2 + float(path.get(dx)), y + h / 2 + float(path.get(dy))))
        edges[source, target] = (bends, *ends)
    return boxes, edges


@pytest.fixture(scope="module", params=[View(None), View(2), View(2, "example")],
                ids=lambda view: view.stem)
def rendered(request):
    return render_view(NET, request.param, ("graphml", "drawio", "svg"),
                       RenderOptions(title="T <&>"))


@needs_dot
def test_every_graphml_node_and_edge_is_there_at_the_same_geometry(rendered):
    boxes, edges = _graphml_geometry(rendered["graphml"])
    found = cells(rendered["drawio"])
    by_bpdiag = {obj.get("bpdiag_id"): cell_id for cell_id, (obj, _) in found.items()
                 if obj.get("bpdiag_id")}
    assert set(by_bpdiag) == set(boxes)
    for node, box in boxes.items():
        assert absolute_box(found, by_bpdiag[node]) == pytest.approx(box, abs=1e-6), node
    drawn_edges = {(cell.get("source"), cell.get("target")): cell
                   for _, cell in found.values() if cell.get("edge") == "1"}
    assert set(drawn_edges) == set(edges)
    for (source, target), (bends, start, end) in edges.items():
        cell = drawn_edges[source, target]
        ox, oy = origin(found, cell.get("parent"))
        points = [(float(p.get("x")) + ox, float(p.get("y")) + oy)
                  for p in cell.findall("mxGeometry/Array/mxPoint")]
        assert points == [pytest.approx(bend, abs=1e-6) for bend in bends]
        # the ends are pinned where the GraphML's ports are (its ports are clamped to 0.1)
        style = style_of(cell)
        for prefix, node, point in (("exit", source, start), ("entry", target, end)):
            x, y, w, h = boxes[node]
            assert style[f"{prefix}Perimeter"] == "0"
            assert x + float(style[f"{prefix}X"]) * w == pytest.approx(point[0], abs=0.2)
            assert y + float(style[f"{prefix}Y"]) * h == pytest.approx(point[1], abs=0.2)


def _svg_paint(svg: bytes) -> dict[str, tuple[str, str]]:
    """Node id -> (fill, stroke) of its outline in the SVG."""
    paint = {}
    for group in etree.fromstring(svg).iter(f"{SVG}g"):
        if group.get("class") != "node" or group.get("id") == "legend":
            continue
        shape = next(el for el in group.iter() if el.tag in (f"{SVG}path", f"{SVG}polygon", f"{SVG}ellipse"))
        paint[group.get("id")] = (shape.get("fill").upper(), shape.get("stroke").upper())
    return paint


@needs_dot
def test_nodes_have_the_svgs_colours_and_borders(rendered):
    found = cells(rendered["drawio"])
    paint = _svg_paint(rendered["svg"])
    assert len(paint) > 10
    for node, (fill, stroke) in paint.items():
        style = style_of(found[node][1])
        assert (style["fillColor"], style["strokeColor"]) == (fill, stroke), node
        svg_group = next(g for g in etree.fromstring(rendered["svg"]).iter(f"{SVG}g")
                         if g.get("id") == node)
        dashed = any(el.get("stroke-dasharray") == "5,2" for el in svg_group.iter())
        assert (style.get("dashed") == "1") == dashed, node
        if dashed:
            assert style["dashPattern"] == "5 2" and style["strokeWidth"] == "2.5"


@needs_dot
def test_real_output_is_stable(rendered):
    again = render_view(NET, View(2), ("drawio",), RenderOptions(title="T <&>"))["drawio"]
    first = render_view(NET, View(2), ("drawio",), RenderOptions(title="T <&>"))["drawio"]
    assert again == first
    assert re.search(rb"\d{4}-\d\d-\d\dT", first) is None  # no timestamps


@needs_dot
def test_cli_writes_name_drawio_beside_the_other_formats(tmp_path):
    result = CliRunner().invoke(cli, ["render", "--to-layer", "3", "--format", "svg,drawio",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backprop_to_layer_3.drawio",
                                                          "backprop_to_layer_3.svg"]
    first = (tmp_path / "backprop_to_layer_3.drawio").read_bytes()
    result = CliRunner().invoke(cli, ["render", "--to-layer", "3", "--format", "drawio",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0 and (tmp_path / "backprop_to_layer_3.drawio").read_bytes() == first
    cells(first)  # parses


@needs_dot
def test_every_view_exports(tmp_path):
    for view in all_views(Network((2, 2, 1))) + [View(1, "unit")]:
        data = render_view(Network((2, 2, 1)), view, ("drawio",), RenderOptions(values=True))["drawio"]
        assert len(cells(data)) > 5
