"""The yEd GraphML export: schema-valid, semantically sound, readable by networkx, stable bytes."""

from __future__ import annotations

import networkx as nx
import pytest
from lxml import etree

from bpdiag import labels
from bpdiag.diagrams import RenderOptions, render_view
from bpdiag.export import yed_xml
from bpdiag.export.graphml import _port, graphml_bytes
from bpdiag.graph import build_graph
from bpdiag.layout import Box, Layout, Route
from bpdiag.model import Network
from bpdiag.richtext import parse, rich, to_swing_html
from bpdiag.views import View, all_views
from grid_layout import grid_layout
from conftest import needs_dot
from yed_checks import G, Y, parse as parse_xml, schema_errors, semantic_problems

NETWORKS = [Network((2, 2, 1)), Network((2, 3, 2, 1))]
CASES = [(net, view) for net in NETWORKS for view in all_views(net)]
NASTY = 'A "title" <b>not bold</b> & ]]> \'quoted\' — ε, ∂J/∂W, 日本 \x07bell'


def case_id(case) -> str:
    net, view = case
    return "-".join(map(str, net.sizes)) + ":" + view.name


def legend_text(title: str = "Back-propagation to layer 1", licence: str = "CC BY 4.0") -> object:
    return rich(parse(title, bold=True), parse("W[1], dZ[2]_1 and A[0]"), parse(licence))


def export(net: Network, view: View, legend=True) -> tuple[nx.DiGraph, Layout, bytes]:
    graph = build_graph(net, view)
    layout = grid_layout(graph, (320.0, 90.0) if legend else None)
    return graph, layout, graphml_bytes(graph, layout, legend_text() if legend else None)


@pytest.fixture(scope="module", params=CASES, ids=case_id)
def exported(request):
    return export(*request.param)


# -- the schema (README §5.2) ------------------------------------------------------------------

def test_reference_diagrams_pass_the_schema_check(shared_dir):
    """Guards the validator: yEd's own files must pass it unchanged."""
    files = sorted((shared_dir / "reference" / "seed-diagrams").glob("*.graphml"))
    assert len(files) == 5
    for path in files:
        tree = etree.parse(str(path), etree.XMLParser(no_network=True))
        assert schema_errors(tree, shared_dir) == [], path.name


def test_schema_check_catches_mistakes(shared_dir, exported):
    """...and it is not blind: wrong child order and a bad enum value are reported."""
    tree = parse_xml(exported[2])
    shape = next(tree.getroot().iter(f"{Y}ShapeNode"))
    shape.insert(0, shape.find(f"{Y}Fill"))           # Fill before Geometry
    next(tree.getroot().iter(f"{Y}LineStyle")).set("type", "dash")
    assert len(schema_errors(tree, shared_dir)) >= 2


def test_export_is_schema_valid(shared_dir, exported):
    assert schema_errors(parse_xml(exported[2]), shared_dir) == []


def test_export_is_valid_for_xmlschema_too(shared_dir):
    """A second, spec-conformant validator that needs no keyref filtering."""
    xmlschema = pytest.importorskip("xmlschema")
    from yed_checks import schema_path, strip_yed_324
    schema = xmlschema.XMLSchema(str(schema_path(shared_dir)))
    _, _, data = export(*CASES[1])
    tree = strip_yed_324(parse_xml(data))
    assert list(schema.iter_errors(tree)) == []
    next(tree.getroot().iter(f"{Y}LineStyle")).set("type", "dash")
    assert len(list(schema.iter_errors(tree))) == 1


# -- semantics (README §5.3) --------------------------------------------------------------------

def test_export_is_semantically_sound(exported):
    assert semantic_problems(parse_xml(exported[2])) == []


def test_header_keys_and_order_as_yed_writes_them(exported):
    data = exported[2]
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<graphml ')
    root = parse_xml(data).getroot()
    keys = [k.get("id") for k in root.findall(f"{G}key")]
    assert keys == [f"d{i}" for i in range(12)]
    assert root[-1].tag == f"{G}data" and root[-1].get("key") == "d7"
    assert root[-1][0].tag == f"{Y}Resources"
    top = root.find(f"{G}graph")
    assert (top.get("id"), top.get("edgedefault")) == ("G", "directed")
    assert "backprop" in top.find(f"{G}data[@key='d0']").text or "forward" in top.find(f"{G}data[@key='d0']").text


def test_groups_follow_yed_ids_and_realizers(exported):
    graph, layout, data = exported
    root = parse_xml(data).getroot()
    groups = root.findall(f"{G}graph/{G}node[@yfiles.foldertype='group']")
    assert len(groups) == len(layout.groups) == len(labels.groups_in_order(graph))
    for group in groups:
        gid = group.get("id")
        realizers = group.find(f"{G}data/{Y}ProxyAutoBoundsNode/{Y}Realizers")
        assert realizers.get("active") == "0"
        opened, closed = realizers.findall(f"{Y}GroupNode")
        assert opened.find(f"{Y}State").get("closed") == "false"
        assert closed.find(f"{Y}State").get("closed") == "true"
        assert closed.find(f"{Y}Geometry").get("width") == "50.0"
        label = opened.find(f"{Y}NodeLabel")
        assert (label.get("modelName"), label.get("modelPosition"), label.get("autoSizePolicy")) == \
            ("internal", "t", "node_width")
        inner = group.find(f"{G}graph")
        assert inner.get("id") == f"{gid}:"
        children = [n.get("id") for n in inner.findall(f"{G}node")]
        assert children == [f"{gid}::n{i}" for i in range(len(children))]
        # the group's data come before its nested graph
        assert list(group).index(inner) == len(group) - 1


def test_group_geometry_matches_the_layout(exported):
    graph, layout, data = exported
    root = parse_xml(data).getroot()
    by_bpdiag = {n.findtext(f"{G}data[@key='d11']"): n for n in root.iter(f"{G}node")}
    for group in layout.groups:
        for member in group.members:      # the layout's promise, relied on by yEd
            assert group.box.contains(layout.nodes[member])
            assert layout.nodes[member].y >= group.box.y + group.label_height
        node = by_bpdiag[group.id]
        geometry = node.find(f".//{Y}GroupNode/{Y}Geometry")
        assert [float(geometry.get(k)) for k in ("x", "y", "width", "height")] == \
            [yed_xml.rounded(v) for v in (group.box.x, group.box.y, group.box.width, group.box.height)]
        insets = node.find(f".//{Y}GroupNode/{Y}Insets")
        assert float(insets.get("topF")) == pytest.approx(15.0)
        assert node.find(f".//{Y}GroupNode/{Y}NodeLabel").get("height") == "21.0"


def test_edges_live_in_their_ends_lowest_common_group_with_yed_ids(exported):
    """An edge between two nodes of one group is in that group's graph (where draw.io's
    importer and yEd's closed folders put it), every other edge in the top graph; ids say where."""
    graph, layout, data = exported
    root = parse_xml(data).getroot()
    edges = list(root.iter(f"{G}edge"))
    assert len(edges) == graph.number_of_edges()
    inner = 0
    for edge in edges:
        source, target = edge.get("source"), edge.get("target")
        scope = source.split("::")[0] if "::" in source else None
        holder = edge.getparent()
        if scope and target.startswith(scope + "::"):
            assert edge.get("id").startswith(scope + "::e")
            assert holder.get("id") == f"{scope}:"  # the group's nested graph
            assert holder.getparent().get("id") == scope
            inner += 1
        else:
            assert edge.get("id").startswith("e")
            assert holder.get("id") == "G"
        # after the nodes of its graph, as yEd writes them
        assert all(sibling.tag == f"{G}edge" for sibling in edge.itersiblings())
        line = edge.find(f"{G}data/{Y}PolyLineEdge")
        assert [child.tag.removeprefix(Y) for child in line] == \
            ["Path", "LineStyle", "Arrows", "BendStyle"]
        assert line.find(f"{Y}BendStyle").get("smoothed") == "false"
    assert inner == sum(1 for u, v in graph.edges if layout.edge_scope(u, v) is not None) > 0
    ids = [e.get("id") for e in edges]
    assert len(set(ids)) == len(ids)


def _edges_by_ends(root) -> dict[tuple[str, str], etree._Element]:
    """GraphML edges by the bpdiag ids of their ends."""
    bpdiag_id = {n.get("id"): n.findtext(f"{G}data[@key='d11']") for n in root.iter(f"{G}node")}
    return {(bpdiag_id[e.get("source")], bpdiag_id[e.get("target")]): e
            for e in root.iter(f"{G}edge")}


def test_bends_are_the_routes_inner_points(exported):
    """Bends stay in absolute coordinates, wherever the edge is nested (yEd reads them so)."""
    graph, layout, data = exported
    edges = _edges_by_ends(parse_xml(data).getroot())
    assert len(edges) == len(layout.edges)
    for route in layout.edges:
        edge = edges[route.source, route.target]
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.iter(f"{Y}Point")]
        assert points == [(yed_xml.rounded(x), yed_xml.rounded(y)) for x, y in route.points[1:-1]]
        # the source port is where the route starts, relative to the node's centre
        path = edge.find(f".//{Y}Path")
        cx, cy = layout.nodes[route.source].center
        assert float(path.get("sx")) == pytest.approx(route.points[0][0] - cx, abs=0.11)
        assert float(path.get("sy")) == pytest.approx(route.points[0][1] - cy, abs=0.11)


def test_annotation_edges_have_no_arrowhead():
    graph, _, data = export(*CASES[1])
    edges = _edges_by_ends(parse_xml(data).getroot())
    arrows = [edges[u, v].find(f".//{Y}Arrows").get("target") for u, v in graph.edges]
    roles = [d.get("role") for _, _, d in graph.edges(data=True)]
    assert "annotation" in roles
    assert all((arrow == "none") == (role == "annotation") for arrow, role in zip(arrows, roles))


# -- networkx reads it back (README §5.4) -------------------------------------------------------

def test_networkx_round_trip(exported, tmp_path):
    graph, layout, data = exported
    path = tmp_path / "view.graphml"
    path.write_bytes(data)
    back = nx.read_graphml(path)
    assert back.number_of_nodes() == graph.number_of_nodes() + len(layout.groups) + 1  # + legend
    assert back.number_of_edges() == graph.number_of_edges()
    by_bpdiag = {d["bpdiag_id"]: d for _, d in back.nodes(data=True)}
    assert set(by_bpdiag) == set(graph) | {g.id for g in layout.groups} | {"legend"}
    for node in graph:
        read = by_bpdiag[node]
        assert read["label"] == to_swing_html(labels.node_label(graph, node))
        assert read["label"].startswith("<html>")
        assert read["description"] == labels.node_description(graph, node)
        box = layout.nodes[node]
        assert (float(read["x"]), float(read["y"])) == (yed_xml.rounded(box.x), yed_xml.rounded(box.y))
        assert read["shape_type"] in ("rectangle", "roundrectangle", "ellipse", "hexagon")
    assert by_bpdiag["fwd:J"]["shape_type"] == "hexagon"


# -- with the real (Graphviz) layout ----------------------------------------------------------

@pytest.fixture(scope="module")
def rendered():
    net = Network((2, 3, 2, 1))
    options = RenderOptions(title="Back-prop <to> layer 2 & \"more\" ]]>", license="CC BY 4.0")
    return net, render_view(net, View(2), ("graphml", "svg"), options)


@needs_dot
def test_real_layout_is_valid_sound_and_readable(rendered, shared_dir, tmp_path):
    net, outputs = rendered
    tree = parse_xml(outputs["graphml"])
    assert schema_errors(tree, shared_dir) == []
    assert semantic_problems(tree) == []
    path = tmp_path / "real.graphml"
    path.write_bytes(outputs["graphml"])
    back = nx.read_graphml(path)
    graph = build_graph(net, View(2))
    groups = labels.groups_in_order(graph)
    assert back.number_of_nodes() == graph.number_of_nodes() + len(groups) + 1
    assert back.number_of_edges() == graph.number_of_edges()
    legend = next(d for _, d in back.nodes(data=True) if d["bpdiag_id"] == "legend")
    assert legend["label"].startswith("<html>") and "Back-prop &lt;to&gt; layer 2" in legend["label"]
    description = tree.getroot().find(f"{G}graph/{G}data[@key='d0']").text
    assert description.startswith('Back-prop <to> layer 2 & "more" ]]>')


@needs_dot
def test_real_layout_matches_the_svg(rendered):
    """One layout for every format: each operation's ellipse in the SVG sits where the GraphML
    puts the node (SVG coordinates are the layout's, shifted by Graphviz's pad)."""
    _, outputs = rendered
    svg = etree.fromstring(outputs["svg"])
    ns = "{http://www.w3.org/2000/svg}"
    pad, shift = (float(v) for v in
                  svg.find(f"{ns}g").get("transform").split("translate(")[1].rstrip(")").split())
    root = parse_xml(outputs["graphml"]).getroot()
    boxes = {}
    for node in root.iter(f"{G}node"):
        geometry = node.find(f"{G}data/{Y}ShapeNode/{Y}Geometry")
        if geometry is not None:
            x, y, w, h = (float(geometry.get(k)) for k in ("x", "y", "width", "height"))
            boxes[node.findtext(f"{G}data[@key='d11']")] = (x + w / 2, y + h / 2, w, h)
    checked = 0
    for group in svg.iter(f"{ns}g"):
        ellipse = group.find(f".//{ns}ellipse")
        if group.get("class") != "node" or ellipse is None:
            continue
        cx, cy, w, h = boxes[group.get("id")]
        assert cx == pytest.approx(float(ellipse.get("cx")), abs=0.11)
        assert cy == pytest.approx(float(ellipse.get("cy")) + shift - pad, abs=0.11)
        # json0 gives sizes in inches to a few decimals only: allow half a point
        assert w == pytest.approx(2 * float(ellipse.get("rx")), abs=0.5)
        checked += 1
    assert checked >= 10


@needs_dot
def test_real_layout_output_is_stable():
    net = Network((2, 2, 1))
    first = render_view(net, View(1), ("graphml",), RenderOptions())["graphml"]
    assert render_view(net, View(1), ("graphml",), RenderOptions())["graphml"] == first


# -- user text ---------------------------------------------------------------------------------

def test_nasty_legend_text_is_escaped_and_well_formed(shared_dir, tmp_path):
    net, view = CASES[1]
    graph = build_graph(net, view)
    layout = grid_layout(graph, (320.0, 90.0))
    legend = rich(parse(NASTY, bold=True), parse("licence: CC BY-SA <4.0> & \"more\""))
    data = graphml_bytes(graph, layout, legend)
    tree = parse_xml(data)                          # well-formed
    assert schema_errors(tree, shared_dir) == []
    assert b"\x07" not in data
    path = tmp_path / "nasty.graphml"
    path.write_bytes(data)
    read = next(d for _, d in nx.read_graphml(path).nodes(data=True) if d.get("bpdiag_id") == "legend")
    expected = to_swing_html(legend).replace("\x07", "\ufffd")
    assert read["label"] == expected
    assert "&lt;b&gt;not bold" in read["label"]     # the user's markup stays text inside the HTML
    assert "日本" in read["label"] and "]]&gt;" in read["label"]  # Swing HTML escapes ">"


# -- determinism and goldens -------------------------------------------------------------------

def test_output_is_byte_identical_across_runs():
    first = export(*CASES[-1])[2]
    second = export(*CASES[-1])[2]
    assert first == second


def test_golden_small_network(golden):
    """Grid layout, so the golden does not depend on the installed Graphviz."""
    golden("grid_2-2-1_backprop_to_layer_1.graphml", export(Network((2, 2, 1)), View(1))[2])


# -- units -------------------------------------------------------------------------------------

def test_number_format_is_single_and_normalised():
    assert yed_xml.num(-0.04) == "0.0"
    assert yed_xml.num(12) == "12.0"
    assert yed_xml.num(1.25) in ("1.2", "1.3")
    with pytest.raises(ValueError):
        yed_xml.num(float("nan"))


def test_colours_are_upper_case_hex_only():
    assert yed_xml.colour("#caecff84") == "#CAECFF84"
    for bad in ("red", "#FFF", "#GG0000", "FFCC00"):
        with pytest.raises(ValueError):
            yed_xml.colour(bad)


def test_ports_are_clamped_inside_the_node():
    box = Box(10.0, 20.0, 80.05, 40.0)
    sx, sy = _port(box, (500.0, -500.0))
    assert abs(float(sx)) <= 80.05 / 2 and abs(float(sy)) <= 20.0
    assert _port(box, None) == ("0.0", "0.0")


def test_an_edge_without_its_own_route_is_drawn_straight():
    graph = nx.DiGraph()
    graph.add_node("a", kind="operation", label="+")
    graph.add_node("b", kind="operation", label="×")
    graph.add_edge("a", "b")
    graph.add_edge("b", "a")
    boxes = {"a": Box(0.0, 0.0, 40.0, 20.0), "b": Box(100.0, 0.0, 40.0, 20.0)}
    only_back = Route("b", "a", ((100.0, 10.0), (70.0, 40.0), (40.0, 10.0)))
    data = graphml_bytes(graph, Layout(140.0, 20.0, boxes, (), (only_back,)))
    edges = parse_xml(data).getroot().findall(f"{G}graph/{G}edge")
    # a -> b has no route of its own: no bends (b -> a's are not borrowed)
    assert [p.get("x") for p in edges[0].iter(f"{Y}Point")] == []
    assert [p.get("x") for p in edges[1].iter(f"{Y}Point")] == ["70.0"]
    assert edges[1].find(f".//{Y}Path").get("sx") == "-20.0"


def test_missing_boxes_are_reported():
    graph = build_graph(Network((2, 2, 1)), View(None))
    layout = grid_layout(graph)
    with pytest.raises(ValueError, match="no box"):
        graphml_bytes(graph, Layout(1.0, 1.0, {}, (), ()))
    with pytest.raises(ValueError, match="legend"):
        graphml_bytes(graph, layout, legend_text())
