"""Drawn formats: DOT source (golden), one Graphviz run giving SVG, PNG and the layout."""

import json
import re
import struct

import pytest
from lxml import etree

from bpdiag.diagrams import RenderOptions, dot_stage, render_view
from bpdiag.export import render as render_module
from bpdiag.export.dot import dot_names, to_dot
from bpdiag.export.placement import segment_meets
from bpdiag.graph import build_graph
from bpdiag.layout import from_graphviz_json
from bpdiag import labels
from bpdiag.model import Network
from bpdiag.views import View
from conftest import needs_dot

SMALL = Network((2, 2, 1))
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("view", [View(None), View(1), View(2)])
def test_dot_source_matches_golden(view, golden):
    data = render_view(SMALL, view, ("dot",), RenderOptions(license="CC BY 4.0"))["dot"]
    golden(f"small_{view.stem}.dot", data)


@pytest.mark.parametrize("view", [View(None), View(1)])
def test_json_matches_golden(view, golden):
    golden(f"small_{view.stem}.json", render_view(SMALL, view, ("json",), RenderOptions())["json"])


@needs_dot
@pytest.mark.parametrize("layout", ["rows", "strip"])
def test_backward_views_grow_to_the_left_and_forward_to_the_right(layout):
    forward = _source(SMALL, View(None), layout)
    backward = _source(SMALL, View(1), layout)
    assert "rankdir=LR" in forward
    assert "rankdir=RL" in backward


def _source(net: Network, view: View, layout: str = "rows", legend: bool = False) -> str:
    """The DOT of a view as bpdiag draws it (rows: composed from one dot run per row)."""
    dot, *_ = dot_stage(net, build_graph(net, view), RenderOptions(layout=layout, legend=legend))
    return dot.source


def test_dot_escapes_markup_in_user_text():
    options = RenderOptions(title='a <b> & "c" ]]> é', license="<CC> & co")
    source = render_view(SMALL, View(None), ("dot",), options)["dot"].decode()
    assert 'a &lt;b&gt; &amp; "c" ]]&gt; é' in source          # inside the HTML-like legend
    assert 'digraph <a &lt;b&gt; &amp; "c" ]]&gt; é> {' in source  # the graph's name, an HTML string
    assert "&lt;CC&gt; &amp; co" in source


@pytest.fixture(scope="module")
def drawn():
    if render_module.shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    net = Network()
    graph = build_graph(net, View(2))
    options = RenderOptions(title="Back-prop <to> layer 2 & more", license="CC BY 4.0")
    outputs = render_view(net, View(2), ("svg", "png", "dot"), options)
    layout_json = render_module.run_dot(outputs["dot"].decode(), ("json0",))["json0"]
    groups = {g: labels.group_label(graph, g) for g in labels.groups_in_order(graph)}
    layout = from_graphviz_json(json.loads(layout_json), dot_names(graph), groups)
    return graph, outputs, layout


@needs_dot
def test_svg_keeps_text_as_text_with_a_title(drawn):
    graph, outputs, _ = drawn
    root = etree.fromstring(outputs["svg"])
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}g/{SVG}title").text == "Back-prop <to> layer 2 & more"
    texts = "".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    for word in ("dW", "dZ", "cached for", "CC BY 4.0", "(1/m)"):
        assert word in texts
    ids = {g.get("id") for g in root.iter(f"{SVG}g")}
    assert set(graph.nodes) <= ids


@needs_dot
def test_svg_superscripts_have_explicit_sizes(drawn):
    """A superscript is a smaller run raised by dy inside its line; the next run comes back."""
    _, outputs, _ = drawn
    root = etree.fromstring(outputs["svg"])
    supers = 0
    for text in root.iter(f"{SVG}text"):
        spans = list(text.iter(f"{SVG}tspan"))
        for index, span in enumerate(spans):
            if float(span.get("dy", "0")) < 0:
                supers += 1
                # one type scale: a superscript is 70 to 80 % of its line
                assert 0.7 <= float(span.get("font-size")) / float(spans[0].get("font-size")) <= 0.8
                assert float(span.get("font-size")) < float(spans[0].get("font-size"))
        assert sum(float(span.get("dy", "0")) for span in spans) <= 0.01  # never below the line
        assert not any(span.get("x") or span.get("dx") for span in spans)
    assert supers, "no superscripts drawn"


@needs_dot
def test_svg_displays_at_natural_size(drawn):
    _, outputs, layout = drawn
    root = etree.fromstring(outputs["svg"])
    width = float(root.get("width").removesuffix("pt"))
    # the drawing plus Graphviz's pad (0.25 in each side), in points, unscaled by the PNG's dpi
    assert width == pytest.approx(layout.width + 36, abs=1.0)
    assert root.get("viewBox").split()[2] == f"{width:.2f}"
    assert "scale(1 1)" in root.find(f"{SVG}g").get("transform")


@needs_dot
def test_png_is_sharp_enough_for_a_slide(drawn):
    _, outputs, layout = drawn
    png = outputs["png"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width >= (layout.width + 36) * 150 / 72 - 2   # 150 dpi
    assert height >= (layout.height + 36) * 150 / 72 - 2


@needs_dot
def test_layout_puts_every_node_in_its_group_without_overlaps(drawn):
    graph, _, layout = drawn
    assert set(graph.nodes) | {"legend"} == set(layout.nodes)
    for group in layout.groups:
        expected = {n for n, d in graph.nodes(data=True) if d.get("group") == group.id}
        assert set(group.members) == expected
        for member in group.members:
            assert group.box.contains(layout.nodes[member])
    boxes = list(layout.nodes.values())
    for i, first in enumerate(boxes):
        for second in boxes[i + 1:]:
            assert not first.overlaps(second)
    assert len(layout.edges) == graph.number_of_edges()


def _svg_node_box(svg_root, node_id):
    """Bounding box of a node's outline in the SVG, in layout coordinates (points, y down)."""
    group = next(g for g in svg_root.iter(f"{SVG}g") if g.get("id") == node_id)
    shape = next(el for el in group.iter() if el.tag in (f"{SVG}polygon", f"{SVG}path", f"{SVG}ellipse"))
    if shape.tag == f"{SVG}ellipse":
        cx, cy, rx, ry = (float(shape.get(k)) for k in ("cx", "cy", "rx", "ry"))
        xs, ys = [cx - rx, cx + rx], [cy - ry, cy + ry]
    else:
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", shape.get("points") or shape.get("d"))]
        xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


@needs_dot
def test_svg_and_layout_are_the_same_picture(drawn):
    """The SVG (drawn by Graphviz) and the layout GraphML is built from agree on every node."""
    graph, outputs, layout = drawn
    root = etree.fromstring(outputs["svg"])
    # Graphviz draws in points with y negative upwards from the bottom edge: y_svg = y - height
    for node in graph.nodes:
        box = layout.nodes[node]
        x0, y0, x1, y1 = _svg_node_box(root, node)
        center_x, center_y = (x0 + x1) / 2, (y0 + y1) / 2 + layout.height
        assert center_x == pytest.approx(box.center[0], abs=1.5), node
        assert center_y == pytest.approx(box.center[1], abs=1.5), node


@needs_dot
@pytest.mark.parametrize("layout", ["rows", "column"])
def test_graphviz_draws_once_per_diagram(monkeypatch, layout):
    """Every format comes from one drawing run; the rows layout first lays out its rows (and
    sizes the legend) and routes the edges between rows, in runs that write only layouts."""
    calls = []
    real = render_module.subprocess.Popen

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(render_module.subprocess, "Popen", counting)
    render_view(SMALL, View(1), ("svg", "png", "pdf", "dot", "json"), RenderOptions(layout=layout))
    formats = [sorted(arg for arg in call if arg.startswith("-T")) for call in calls]
    # the SVG, its drawing operations (the text widths that join label lines), the PNG, the
    # layout (the PNG's intended size) and the PDF
    assert formats[-1] == ["-Tjson", "-Tjson0", "-Tpdf", "-Tpng", "-Tsvg"]
    if layout == "column":
        assert len(calls) == 1
    else:  # the rows (and the legend's size), any row tried cut in two, the edges between rows
        assert 3 <= len(calls) <= 4 and all(f == ["-Tjson0"] for f in formats[:-1])


@needs_dot
def test_all_views_keep_their_order_when_drawn_largest_first(tmp_path):
    from bpdiag.diagrams import write_views
    from bpdiag.views import all_views

    net = Network((2, 3, 3, 1))
    written = write_views(net, all_views(net), ("svg",), tmp_path, RenderOptions())
    assert [path.stem for path in written] == [view.stem for view in all_views(net)]


def test_missing_graphviz_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("BPDIAG_DOT", "")
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    with pytest.raises(render_module.GraphvizError, match="Graphviz's 'dot' program was not found.*apt-get install graphviz"):
        render_view(SMALL, View(1), ("svg",), RenderOptions())
    # json needs no Graphviz
    assert render_view(SMALL, View(1), ("json",), RenderOptions())["json"].startswith(b"{")


def test_failing_graphviz_is_reported(monkeypatch, tmp_path):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'Error: syntax error in line 1' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BPDIAG_DOT", str(fake))
    with pytest.raises(render_module.GraphvizError, match="Graphviz failed: Error: syntax error"):
        render_view(SMALL, View(1), ("svg",), RenderOptions())


def test_slow_graphviz_times_out(monkeypatch, tmp_path):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nsleep 5\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BPDIAG_DOT", str(fake))
    monkeypatch.setattr(render_module, "DOT_TIMEOUT_SECONDS", 0.2)
    with pytest.raises(render_module.GraphvizError, match="longer than 0.2 s"):
        render_view(SMALL, View(1), ("svg",), RenderOptions())


@needs_dot
def test_outputs_are_byte_identical_across_runs():
    first = render_view(Network(), View(1), ("svg", "png", "dot", "json"), RenderOptions())
    second = render_view(Network(), View(1), ("svg", "png", "dot", "json"), RenderOptions())
    assert first == second


def test_matrices_carry_a_grid_of_their_shape():
    from bpdiag.labels import matrix_glyph, node_label

    graph = build_graph(Network(), View(1))
    w2 = matrix_glyph(graph.nodes["fwd:L2:W"])
    assert (w2.rows, w2.columns, w2.open_columns) == (2, 3, False)
    z1 = matrix_glyph(graph.nodes["fwd:L1:Z"])           # (n[1], m): m symbolic
    assert (z1.rows, z1.columns, z1.open_columns) == (3, 2, True)
    assert matrix_glyph(graph.nodes["fwd:J"]) is None    # a scalar
    assert node_label(graph, "fwd:L2:W").glyph == w2
    wide = build_graph(Network((12, 3, 1)), View(1), m=20)
    x = matrix_glyph(wide.nodes["fwd:X"])
    assert (x.rows, x.more_rows, x.columns, x.open_columns) == (8, True, 8, True)
    source = to_dot(graph, title="t", layout="strip").source
    cell = w2.CELL
    assert source.count(f'FIXEDSIZE="TRUE" WIDTH="{3 * cell:g}" HEIGHT="{2 * cell:g}"') >= 1  # W[2]


@needs_dot
@pytest.mark.parametrize("granularity", ["batch", "example", "unit"])
def test_graphviz_draws_every_label_without_warnings(granularity):
    """'cell size too small for content' and the like mean a label does not fit its box."""
    import subprocess

    for view in [View(None, granularity), View(1, granularity)]:
        for values in (False, True):
            source = render_view(Network(), view, ("dot",), RenderOptions(values=values))["dot"]
            done = subprocess.run([render_module.dot_program(), "-Tsvg", "-o", "/dev/null"],
                                  input=source, capture_output=True)
            assert done.returncode == 0
            assert done.stderr.decode() == "", (view.stem, values, done.stderr.decode()[:300])


def test_layers_sit_side_by_side_not_in_a_staircase():
    """Edges between groups are long enough that no two layers share a rank."""
    from bpdiag.export.dot import layer_spacing

    forward = build_graph(Network(), View(None))
    spacing = layer_spacing(forward)
    assert spacing[("fwd:L1:A", "fwd:L2:Z:op")] == 2          # W[2], b[2] go one rank before
    backward = build_graph(Network(), View(1))
    # dA[1] waits for g'(Z[1]) (Z -> g' -> g'(Z) -> ⊙) and for dW[2], db[2] to end layer 2
    assert backward.nodes["bwd:L1:dA"]["group"] == "L1"
    assert layer_spacing(backward)[("bwd:L1:dA:op", "bwd:L1:dA")] == 4
    assert backward.nodes["bwd:L1:dA:op"]["group"] == "L2"


def _size(net: Network, view: View, layout: str) -> tuple[float, float]:
    source = _source(net, view, layout)
    bb = json.loads(render_module.run_dot(source, ("json0",))["json0"])["bb"]
    return tuple(float(v) for v in bb.split(",")[2:])


@needs_dot
@pytest.mark.parametrize("view", [View(None), View(1)])
def test_deeper_networks_grow_in_one_direction(view):
    """Rows: a deeper network adds rows, so the width stays that of a layer; strip: it adds
    layers side by side, so the height stays (neither is a staircase of clusters)."""
    nets = {depth: Network((3,) + (3,) * (depth - 1) + (1,)) for depth in (3, 6)}
    rows = {depth: _size(net, view, "rows") for depth, net in nets.items()}
    strip = {depth: _size(net, view, "strip") for depth, net in nets.items()}
    assert rows[6][0] < 1.1 * rows[3][0] and rows[6][1] > 1.5 * rows[3][1], rows
    assert strip[6][1] < 1.1 * strip[3][1] and strip[6][0] > 1.5 * strip[3][0], strip


@needs_dot
@pytest.mark.parametrize("net", [Network(), Network(batch_norm=True)], ids=["plain", "batchnorm"])
def test_rows_keep_the_pass_order_and_start_level(net):
    """Back-propagation's rows run from layer L at the top down to layer 1, the forward pass's
    from layer 1 down to the loss (batch norm's group after its layer's); every row starts at
    the same edge of the drawing, and no two rows overlap."""
    for view, start in ((View(1), "right"), (View(2), "right"), (View(None), "left")):
        graph = build_graph(net, view)
        order = labels.groups_in_order(graph)
        assert order[-1] == ("cost" if start == "left" else "L1" if view.to_layer == 1 else "L2")
        source = _source(net, view)
        layout = from_graphviz_json(json.loads(render_module.run_dot(source, ("json0",))["json0"]),
                                    dot_names(graph), {})
        boxes = {group.id: group.box for group in layout.groups}
        tops = [boxes[group].y for group in order]
        assert tops == sorted(tops), (view, tops)
        for upper, lower in zip(order, order[1:]):   # rows do not overlap
            assert boxes[upper].y + boxes[upper].height <= boxes[lower].y + 0.5
        if start == "right":
            edges = {round(boxes[g].x + boxes[g].width) for g in order[1:]}  # L[L]: J, Y beside
        else:
            edges = {round(boxes[g].x) for g in order[1:-1]}   # X and Y indent layer 1, the cost
        assert max(edges) - min(edges) <= 1, (view, edges)


@needs_dot
def test_a_row_far_longer_than_the_others_is_cut_in_two_and_runs_back():
    """Batch norm's backward steps: one group, two rows; the first reads right to left as every
    back-propagation row does, the second, below it, left to right (a snake), so that the
    edges from dZ_norm[2] into the second half and from its end into dZ[2] stay short."""
    net = Network(batch_norm=True)
    graph = build_graph(net, View(2))
    source = _source(net, View(2), legend=True)
    layout = from_graphviz_json(json.loads(render_module.run_dot(source, ("json0",))["json0"]),
                                dot_names(graph), {})
    group = next(g for g in layout.groups if g.id == "L2bn")
    members = [n for n, d in graph.nodes(data=True) if d.get("group") == "L2bn"]
    assert sorted(group.members) == sorted(members)
    assert all(group.box.contains(layout.nodes[n]) for n in members)
    x = {n: layout.nodes[n].center[0] for n in members}
    y = {n: layout.nodes[n].center[1] for n in members}
    assert x["bwd:L2:dA"] > x["bwd:L2:dZtilde"] > x["bwd:L2:dZnorm"]      # first half: to the left
    assert x["bwd:L2:dsigma2"] < x["bwd:L2:dmu"]                         # second half: to the right
    assert min(y["bwd:L2:dsigma2"], y["bwd:L2:dmu"]) > max(y["bwd:L2:dA"], y["bwd:L2:dZnorm"])
    assert group.box.y + group.box.height < layout.nodes["bwd:L2:dZ"].y   # then layer 2's dZ row
    # the second half starts below the first half's end
    assert abs(x["fwd:L2:sigma2"] - x["bwd:L2:dZnorm"]) < abs(x["fwd:L2:sigma2"] - x["bwd:L2:dA"])


@needs_dot
@pytest.mark.parametrize("net, view", [
    (Network((2, 1)), View(None)), (Network((2, 1)), View(1)), (Network(), View(3)),
    (Network(batch_norm=True), View(2)), (Network(batch_norm=True), View(None)),
    (Network(), View(2, "example"))], ids=lambda item: str(item))
def test_loose_nodes_stay_out_of_the_layer_boxes_and_notes_go_under_their_node(net, view):
    """J, Y, X and the stop note are in no layer's box, nothing overlaps the legend, and the
    note sits below every row, under the node it annotates."""
    from bpdiag.export.dot import LEGEND_ID

    graph = build_graph(net, view)
    source = _source(net, view, legend=True)
    layout = from_graphviz_json(json.loads(render_module.run_dot(source, ("json0",))["json0"]),
                                dot_names(graph), {})
    loose = [n for n, d in graph.nodes(data=True) if not d.get("group")]
    for node in loose + [LEGEND_ID]:
        for group in layout.groups:
            assert not layout.nodes[node].overlaps(group.box), (node, group.id)
    for node in graph:
        assert node == LEGEND_ID or not layout.nodes[node].overlaps(layout.nodes[LEGEND_ID])
    for note in (n for n in loose if graph.nodes[n]["kind"] == "annotation"):
        (near,) = graph.predecessors(note)
        box = layout.nodes[note]
        assert box.y > max(group.box.bottom for group in layout.groups)
        assert abs(box.center[0] - layout.nodes[near].center[0]) < 1


@needs_dot
@pytest.mark.parametrize("net, views", [
    (Network((3, 4, 1)), [View(None), View(1)]),
    (Network((2, 3, 2, 3), output="softmax", batch_norm=True, l2=0.1, keep_prob=0.8),
     [View(None), View(1), View(3)]),
    (Network((2, 3, 3, 3, 2, 1)), [View(2, "example"), View(1)]),
    (Network((2, 2, 2), output="linear"), [View(1, "unit"), View(None, "unit")]),
], ids=["small", "everything", "deep-example", "unit"])
def test_rows_drawn_without_overlaps(net, views):
    """Whatever the network, no two nodes of the rows layout overlap, every node lies inside
    its own layer's box and no other, and no two layers' boxes overlap."""
    for view in views:
        graph = build_graph(net, view)
        layout = from_graphviz_json(
            json.loads(render_module.run_dot(_source(net, view, legend=True), ("json0",))["json0"]),
            dot_names(graph), {})
        boxes = sorted(layout.nodes.items())
        for i, (one, box) in enumerate(boxes):
            for other, box2 in boxes[i + 1:]:
                assert not box.overlaps(box2), (view.stem, one, other)
        for group in layout.groups:
            for node, box in layout.nodes.items():
                inside = graph.nodes[node].get("group") == group.id if node in graph else False
                assert group.box.contains(box) if inside else not group.box.overlaps(box), \
                    (view.stem, group.id, node)
        for i, group in enumerate(layout.groups):
            for other in layout.groups[i + 1:]:
                assert not group.box.overlaps(other.box), (view.stem, group.id, other.id)


@needs_dot
@pytest.mark.parametrize("net, view", [(Network(), View(1)), (Network(), View(2)),
                                       (Network(l2=0.1), View(1)),
                                       (Network(batch_norm=True), View(2)),
                                       (Network(batch_norm=True), View(None))],
                         ids=lambda item: str(item))
def test_edges_between_rows_keep_off_the_layer_titles(net, view):
    """An edge from one row into another goes round every layer's title, as round a node."""
    graph = build_graph(net, view)
    data = json.loads(render_module.run_dot(_source(net, view), ("json0",))["json0"])
    titles = []
    for obj in data["objects"]:
        if obj["name"].startswith("cluster_"):
            x, y = (float(v) for v in obj["lp"].split(","))
            w, h = float(obj["lwidth"]) * 36, float(obj["lheight"]) * 36
            titles.append((obj["name"], (x - w, y - h, x + w, y + h)))
    layout = from_graphviz_json(data, dot_names(graph), {})
    crossings = 0
    for route in layout.edges:
        if graph.nodes[route.source].get("group") == graph.nodes[route.target].get("group"):
            continue
        for a_point, b_point in zip(route.points, route.points[1:]):
            for name, (x0, y0, x1, y1) in titles:  # the layout's y points down
                box = (x0, layout.height - y1, x1, layout.height - y0)
                crossings += segment_meets(box, (a_point, b_point), 0.0)
    assert crossings == 0


@needs_dot
def test_column_reads_downwards_with_the_legend_below():
    """The page layout: the layers one below the other in the pass's order (back-propagation from
    J at the top down to layer 1), J above them, then the legend; in back-propagation J, Y and
    the stop note stay within the widest layer's width."""
    from bpdiag.graph.head import COST_ID
    from bpdiag.legend import build_legend, to_graphviz_table

    for view, order in ((View(1), ["L3", "L2", "L1"]), (View(None), ["L1", "L2", "L3", "cost"])):
        graph = build_graph(Network(), view)
        legend = build_legend(graph, version="0", network_text="n", title=None, license=None)
        source = to_dot(graph, title="t", layout="column", legend_table=to_graphviz_table(legend)).source
        assert "rankdir=TB" in source
        layout = from_graphviz_json(json.loads(render_module.run_dot(source, ("json0",))["json0"]),
                                    {**dot_names(graph), "legend": "legend"}, {})
        boxes = {group.id: group.box for group in layout.groups}
        for upper, lower in zip(order, order[1:]):
            assert boxes[upper].y + boxes[upper].height <= boxes[lower].y + 0.5, (view, order)
        drawn = {node: box for node, box in layout.nodes.items() if node != "legend"}
        assert layout.nodes["legend"].y >= max(box.y + box.height for box in drawn.values()) - 0.5
        if view.to_layer:
            left = min(box.x for box in boxes.values())
            right = max(box.x + box.width for box in boxes.values())
            for node, box in drawn.items():
                assert left - 1 <= box.x and box.x + box.width <= right + 1, (view, node)
            assert layout.nodes[COST_ID].y + layout.nodes[COST_ID].height <= boxes["L3"].y + 0.5


def test_legend_explains_the_arrows_and_only_the_operators_drawn():
    from bpdiag.legend import build_legend

    def legend(view):
        return build_legend(build_graph(Network(), view), version="0", network_text="n",
                            title=None, license=None)

    backward, unit, forward = legend(View(2)), legend(View(2, "unit")), legend(View(None))
    assert [style.style for _, style in backward.edges] == ["dashed", "dotted"]
    assert "where back-propagation starts" in backward.edges[0][0]
    assert forward.edges == ()
    ops = lambda lg: [op for op, _ in lg.operators]
    assert "⊙" in ops(backward) and "ᵀ" in ops(backward) and "·" not in ops(backward)
    assert "·" in ops(unit) and "⊙" not in ops(unit) and "ᵀ" not in ops(unit)
    assert "ℒ" in [symbol for symbol, _, _ in backward.notation]   # named by ∂ℒ/∂A


def test_browser_text_joins_the_runs_of_a_line():
    """Runs Graphviz placed end to end become one <text> of <tspan>s, anchored as laid out."""
    from bpdiag.export.svg import browser_text

    svg = (b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
           b'<svg xmlns="http://www.w3.org/2000/svg"><g id="n" class="node">'
           b'<polygon points="0,0 100,0 100,-40 0,-40"/>'
           b'<text text-anchor="start" x="10" y="-20" font-size="9.00">dA</text>'
           b'<text text-anchor="start" x="22" y="-20" baseline-shift="super" font-size="6.00">[1]</text>'
           b'<text text-anchor="start" x="30" y="-20" font-size="9.00"> = W</text>'
           b'<text text-anchor="start" x="31" y="-10" font-size="9.00">two</text>'
           b'<text text-anchor="start" x="60" y="-10" font-size="9.00">cell</text>'
           b'</g></svg>')
    ops = [{"op": "T", "pt": [x, -y], "align": "l", "width": w, "text": t}
           for x, y, w, t in [(10, -20, 12, "dA"), (22, -20, 8, "[1]"), (30, -20, 20, " = W"),
                              (31, -10, 18, "two"), (60, -10, 16, "cell")]]
    layout = json.dumps({"objects": [{"_ldraw_": ops}]}).encode()
    out = browser_text(svg, layout)
    assert out == browser_text(svg, layout)  # deterministic
    root = etree.fromstring(out)
    texts = list(root.iter(f"{SVG}text"))
    assert ["".join(t.itertext()) for t in texts] == ["dA[1] = W", "two", "cell"]
    line = texts[0]
    assert (line.get("text-anchor"), line.get("x"), line.get("y")) == ("middle", "30", "-20")
    assert line.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    spans = list(line)
    assert [span.get("dy") for span in spans] == [None, "-3.15", "3.15"]   # up, back to the line
    assert [span.get("font-size") for span in spans] == ["9.00", "6.00", "9.00"]
    assert not any(span.get("x") or span.get("baseline-shift") for span in spans)
    # 'two' ends at 49, 'cell' starts at 60: two cells, not one line; they share no edge
    assert [t.get("text-anchor") for t in texts[1:]] == ["middle", "middle"]
    assert texts[1].get("x") == "40" and texts[2].get("x") == "68"


def test_browser_text_keeps_left_aligned_lines_left_aligned():
    from bpdiag.export.svg import browser_text

    rows = [(5, -30, 40, "a long line"), (5, -20, 12, "(1, m)"), (5, -10, 12, "(1, m)"),
            (70, -10, 12, "alone")]
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><g id="legend" class="node">'
           + "".join(f'<text text-anchor="start" x="{x}" y="{y}" font-size="9.00">{t}</text>'
                     for x, y, _, t in rows) + "</g></svg>").encode()
    ops = [{"op": "T", "pt": [x, -y], "align": "l", "width": w, "text": t} for x, y, w, t in rows]
    root = etree.fromstring(browser_text(svg, json.dumps({"objects": [{"_ldraw_": ops}]}).encode()))
    anchors = [(t.get("text-anchor"), t.get("x")) for t in root.iter(f"{SVG}text")]
    # the two '(1, m)' share their centre too, but three lines share the left edge
    assert anchors == [("start", "5"), ("start", "5"), ("start", "5"), ("middle", "76")]
    # the legend is no node of the dataflow: scripts walking `g.node` pass it by
    assert root.find(f"{SVG}g").get("class") == "legend"


POPPLER = all(render_module.shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdfimages"))


@needs_dot
@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdffonts, pdfimages) missing")
def test_pdf_is_vector_with_text_as_text(tmp_path):
    import subprocess

    path = tmp_path / "bp2.pdf"
    path.write_bytes(render_view(Network(), View(1), ("pdf",), RenderOptions())["pdf"])
    assert path.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True,
                          check=True).stdout
    # a superscript is a smaller run on a raised baseline: pdftotext may set it off with
    # spaces ("dZ [2]"), so the symbols are looked for with the spaces taken out
    flat = re.sub(r"\s+", "", text)
    for symbol in ("W[1]", "dZ[2]", "dW[1]", "A[2]", "(1/m)dZ[1]Xᵀ"):
        assert symbol in flat, symbol
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts
    images = subprocess.run(["pdfimages", "-list", path], capture_output=True, text=True,
                            check=True).stdout
    assert len(images.strip().splitlines()) == 2, images  # the header only: no bitmaps


@needs_dot
def test_pdf_bytes_do_not_carry_the_time(monkeypatch):
    """cairo stamps /CreationDate to the second; two runs a second apart give the same bytes."""
    import time

    from bpdiag.export.pdf import fixed_dates

    first = render_view(SMALL, View(1), ("pdf",), RenderOptions())["pdf"]
    time.sleep(1.1)
    second = render_view(SMALL, View(1), ("pdf",), RenderOptions())["pdf"]
    assert first == second
    assert b"/CreationDate (D:19700101000000" in first
    stamped = b"<< /CreationDate (D:20261201175305+01'00') /ModDate (D:20261201175305Z) >>"
    assert fixed_dates(stamped) == (b"<< /CreationDate (D:19700101000000+01'00') "
                                    b"/ModDate (D:19700101000000Z) >>")


def test_png_resolution_is_recorded_and_a_lowered_one_is_told():
    from bpdiag.export.png import (GRAPHVIZ_MAX_PX, drawn_dpi, lowered_note, pixel_size,
                                   resolution, with_resolution)

    header = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (32767).to_bytes(4, "big") \
        + (1066).to_bytes(4, "big") + b"\x08\x02\x00\x00\x00" + b"CRC!"
    png = header + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    assert pixel_size(png) == (32767, 1066)
    assert resolution(png) is None
    # a canvas of 20487 x 666.5 pt at 150 dpi would be 42681 px wide: Graphviz drew it 32767 wide
    dpi = drawn_dpi(png, 20487, 666.5, 150)
    assert dpi == pytest.approx(150 * GRAPHVIZ_MAX_PX / (20487 * 150 / 72))
    assert drawn_dpi(png, 15000, 666.5, 150) == 150        # 31250 px: within the limit
    lowered = with_resolution(png, dpi)
    assert resolution(lowered) == pytest.approx(dpi, abs=0.02)
    assert resolution(with_resolution(png, 150)) == pytest.approx(150, abs=0.02)
    assert lowered_note("forward.png", with_resolution(png, 150), 150) is None
    assert lowered_note("forward.png", lowered, 150).startswith(
        "forward.png: 115 dpi instead of 150 to stay within Graphviz's 32767-px limit")


@needs_dot
def test_a_png_past_graphvizs_limit_is_drawn_at_a_lower_dpi_and_said(tmp_path):
    """L = 30 in the batch view's strip layout is over 42000 px wide at 150 dpi: Graphviz scales
    it (the rows layout of the same network stays within the limit)."""
    from click.testing import CliRunner

    from bpdiag.cli import cli
    from bpdiag.export.png import GRAPHVIZ_MAX_PX, pixel_size, resolution

    layers = ",".join(["2"] * 30 + ["1"])
    result = CliRunner().invoke(cli, ["render", "--layers", layers, "--forward", "--format",
                                      "png", "--layout", "strip", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    png = (tmp_path / "forward_strip.png").read_bytes()
    assert max(pixel_size(png)) == GRAPHVIZ_MAX_PX
    dpi = resolution(png)
    assert 60 < dpi < 149
    notes = [line for line in result.stderr.splitlines() if line.startswith("bpdiag: note:")]
    assert notes == [f"bpdiag: note: forward_strip.png: {int(dpi)} dpi instead of 150 to stay within "
                     "Graphviz's 32767-px limit; draw fewer layers per diagram, or use the SVG "
                     "or PDF"]
    small = CliRunner().invoke(cli, ["render", "--to-layer", "1", "--format", "png", "--out",
                                     str(tmp_path / "small")])
    assert small.exit_code == 0 and "note" not in small.stderr
    assert resolution((tmp_path / "small" / "backprop_to_layer_1.png").read_bytes()) == \
        pytest.approx(150, abs=0.02)
