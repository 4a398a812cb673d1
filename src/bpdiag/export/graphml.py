"""A laid-out dataflow graph as yEd GraphML: the same picture as the SVG, ready to edit in yEd.

Every node carries its absolute geometry from the layout, its style and an HTML label; each
layer group becomes a yEd group node (open and closed realizers) holding its members in a
nested graph; edges keep the layout's route as ports and bends (absolute, as yEd reads them),
each in the graph of the lowest group holding both its ends. Ids follow yEd's own scheme
(n0, n0::n1, e0, n0::e0) and bpdiag's node id is kept in the custom property `bpdiag_id`.
"""

from __future__ import annotations

import math

import networkx as nx
from lxml import etree

from .. import labels, styles
from ..graph import attrs as a
from ..layout import LEGEND, Box, GroupBox, Layout
from ..profiles import Profile, load_profile
from ..richtext import RichText, to_swing_html
from .yed_xml import (BPDIAG_ID, EDGE_GRAPHICS, GRAPH_DESCRIPTION, NODE_DESCRIPTION,
                      NODE_GRAPHICS, colour, document, element, finish, g, num, rounded, y)

CLOSED_SIZE = 50.0  # a collapsed group, as yEd draws a fresh one
DEFAULT_INSET = 15.0


def graphml_bytes(graph: nx.DiGraph, layout: Layout, legend: RichText | str | None = None, *,
                  legend_description: str | None = None, title: str | None = None,
                  notation: Profile | str | None = None) -> bytes:
    """The yEd GraphML of `graph` drawn with `layout`, labels in the `notation` profile.

    `legend` is drawn in the layout's box 'legend': rich text, or ready Swing HTML starting
    with '<html>'; `legend_description` is its tooltip. `title` leads the graph's description.
    """
    layout.check_covers(graph, legend is not None)

    profile = load_profile(notation)
    root = document()
    top = element(root, g("graph"), {"edgedefault": "directed", "id": "G"})
    element(top, g("data"), {"key": GRAPH_DESCRIPTION}, _graph_description(graph, title),
            preserve=True)

    ids: dict[str, str] = {}           # bpdiag node id -> yEd node id
    yed_group: dict[str, str] = {}     # group id -> its yEd node id
    graphs: dict[str | None, etree._Element] = {None: top}  # group id -> its nested <graph>
    items = layout.top_level(graph)
    for index, item in enumerate(items):
        yed_id = f"n{index}"
        if isinstance(item, GroupBox):
            group = _group_node(top, yed_id, item, graph, layout)
            inner = element(group, g("graph"), {"edgedefault": "directed", "id": f"{yed_id}:"})
            yed_group[item.id], graphs[item.id] = yed_id, inner
            for child_index, member in enumerate(item.members):
                ids[member] = f"{yed_id}::n{child_index}"
                _graph_node(inner, ids[member], member, graph, layout.nodes[member], profile)
        else:
            ids[item] = yed_id
            _graph_node(top, yed_id, item, graph, layout.nodes[item], profile)
    if legend is not None:
        _legend_node(top, f"n{len(items)}", legend, legend_description, layout.nodes[LEGEND])

    counters: dict[str, int] = {}
    for source, target, data in graph.edges(data=True):
        # An edge lives in the graph of the lowest group holding both ends (GraphML allows any
        # graph that holds both; readers such as draw.io's make the edge a child of that group)
        # and is named after it as yEd does: n0::e3, or e3 at the top. Bends stay absolute.
        scope = layout.edge_scope(source, target)
        prefix = f"{yed_group[scope.id]}::" if scope else ""
        counters[prefix] = counters.get(prefix, 0) + 1
        edge_id = f"{prefix}e{counters[prefix] - 1}"
        _edge(graphs[scope.id if scope else None], edge_id, ids[source], ids[target],
              layout.nodes[source], layout.nodes[target], layout.route(source, target),
              data.get(a.ROLE))
    return finish(root)


def _graph_description(graph: nx.DiGraph, title: str | None) -> str:
    info = graph.graph
    sizes = ", ".join(str(size) for size in info.get("layers", []))
    text = (f"bpdiag view {info.get('view', '?')} ({info.get('granularity', 'batch')}) of the "
            f"network with layer sizes {sizes}, hidden activation {info.get('hidden_activation')}")
    text += ", inference only" if info.get("inference") else ""
    return f"{title}\n{text}" if title else text


# -- nodes ----------------------------------------------------------------------------------

def _geometry(parent: etree._Element, box: Box) -> None:
    element(parent, y("Geometry"), {"height": num(box.height), "width": num(box.width),
                                   "x": num(box.x), "y": num(box.y)})


def _label_attrs(text_colour: str, **extra: str) -> dict[str, str]:
    font = styles.font()
    attrs = {"alignment": "center", "autoSizePolicy": "content", "fontFamily": font.yed_family,
             "fontSize": str(round(font.size)), "fontStyle": "plain",
             "hasBackgroundColor": "false", "hasLineColor": "false", "modelName": "internal",
             "modelPosition": "c", "textColor": colour(text_colour), "visible": "true"}
    attrs.update(extra)
    return attrs


def _shape_node(parent: etree._Element, yed_id: str, box: Box, fill: str, border: str,
                border_type: str, border_width: float, shape: str, label: str,
                text_colour: str, description: str, bpdiag_id: str) -> None:
    node = element(parent, g("node"), {"id": yed_id})
    element(node, g("data"), {"key": NODE_DESCRIPTION}, description, preserve=True)
    graphics = element(element(node, g("data"), {"key": NODE_GRAPHICS}), y("ShapeNode"))
    _geometry(graphics, box)
    element(graphics, y("Fill"), {"color": colour(fill), "transparent": "false"})
    element(graphics, y("BorderStyle"), {"color": colour(border), "type": border_type,
                                         "width": num(border_width)})
    # no label x/y/width/height: yEd measures HTML labels itself (Swing), as pyyed relies on
    element(graphics, y("NodeLabel"), _label_attrs(text_colour), label, preserve=True)
    element(graphics, y("Shape"), {"type": shape})
    element(node, g("data"), {"key": BPDIAG_ID}, bpdiag_id)


def _graph_node(parent: etree._Element, yed_id: str, node: str, graph: nx.DiGraph,
                box: Box, profile: Profile) -> None:
    style = styles.node_style(graph.nodes[node])
    _shape_node(parent, yed_id, box, style.fill, style.border, style.border_style,
                style.border_width, style.shape,
                to_swing_html(labels.node_label(graph, node, profile)),
                style.text, labels.node_description(graph, node, profile), node)


def _legend_node(parent: etree._Element, yed_id: str, legend: RichText | str,
                 description: str | None, box: Box) -> None:
    style = styles.legend_style()
    if isinstance(legend, RichText):
        label, plain = to_swing_html(legend), legend.plain
    else:
        label, plain = legend, ""
    _shape_node(parent, yed_id, box, style["fill"], style["border"], "line", 1.0, "rectangle",
                label, "#000000", plain if description is None else description, LEGEND)


def _group_node(parent: etree._Element, yed_id: str, group: GroupBox, graph: nx.DiGraph,
                layout: Layout) -> etree._Element:
    node = element(parent, g("node"), {"id": yed_id, "yfiles.foldertype": "group"})
    element(node, g("data"), {"key": NODE_DESCRIPTION}, group.label, preserve=True)
    proxy = element(element(node, g("data"), {"key": NODE_GRAPHICS}), y("ProxyAutoBoundsNode"))
    realizers = element(proxy, y("Realizers"), {"active": "0"})
    insets = _insets(group, [layout.nodes[member] for member in group.members])
    closed = Box(group.box.x, group.box.y, CLOSED_SIZE, CLOSED_SIZE)
    _group_realizer(realizers, group, group.box, closed=False, insets=insets, graph=graph)
    _group_realizer(realizers, group, closed, closed=True, insets=insets, graph=graph)
    element(node, g("data"), {"key": BPDIAG_ID}, group.id)
    return node


def _group_realizer(parent: etree._Element, group: GroupBox, box: Box, closed: bool,
                    insets: dict[str, float], graph: nx.DiGraph) -> None:
    style = styles.group_style()
    fill = style["cost_fill"] if group.id == a.COST_GROUP else style["fill"]
    realizer = element(parent, y("GroupNode"))
    _geometry(realizer, box)
    element(realizer, y("Fill"), {"color": colour(fill), "transparent": "false"})
    element(realizer, y("BorderStyle"), {"color": colour(style["border"]),
                                         "type": style["border_style"], "width": "1.0"})
    # The title band spans the top of the open group; its height is part of the top inset.
    label = _label_attrs("#000000", alignment=labels.group_title_side(graph),
                         autoSizePolicy="node_width",
                         modelPosition="t",
                         hasBackgroundColor="true", backgroundColor=colour(style["label_fill"]),
                         borderDistance="0.0", height=num(group.label_height),
                         width=num(box.width), x="0.0", y="0.0")
    if closed:  # the collapsed box is small: let the title stick out rather than be cropped
        label.update(autoSizePolicy="content")
        del label["width"], label["height"], label["x"], label["y"]
    element(realizer, y("NodeLabel"), label, group.label, preserve=True)
    element(realizer, y("Shape"), {"type": "roundrectangle"})
    element(realizer, y("State"), {"closed": "true" if closed else "false",
                                   "innerGraphDisplayEnabled": "false"})
    inset_attrs = {}
    for side, value in insets.items():
        inset_attrs[side] = str(round(rounded(value)))
        inset_attrs[f"{side}F"] = num(value)
    element(realizer, y("Insets"), inset_attrs)
    element(realizer, y("BorderInsets"), {side + suffix: "0" if not suffix else "0.0"
                                          for side in insets for suffix in ("", "F")})


def _insets(group: GroupBox, members: list[Box]) -> dict[str, float]:
    """The margins yEd keeps around the children when it resizes the group (label excluded)."""
    if not members:
        return dict.fromkeys(("bottom", "left", "right", "top"), DEFAULT_INSET)
    box = group.box
    left = min(m.x for m in members) - box.x
    top = min(m.y for m in members) - box.y - group.label_height
    right = box.x + box.width - max(m.x + m.width for m in members)
    bottom = box.y + box.height - max(m.y + m.height for m in members)
    return {side: max(0.0, value) for side, value in
            (("bottom", bottom), ("left", left), ("right", right), ("top", top))}


# -- edges ----------------------------------------------------------------------------------

def _port(box: Box, point: tuple[float, float] | None) -> tuple[str, str]:
    """A port relative to the node's centre, clamped inside the node as written to the file."""
    if point is None:
        return "0.0", "0.0"
    x, y_, width, height = (rounded(v) for v in (box.x, box.y, box.width, box.height))
    ports = []
    for value, centre, half in ((point[0], x + width / 2, width / 2),
                                (point[1], y_ + height / 2, height / 2)):
        limit = math.floor(half * 10 + 1e-9) / 10  # a multiple of 0.1, so rounding stays inside
        ports.append(num(max(-limit, min(limit, rounded(value - centre)))))
    return ports[0], ports[1]


def _edge(parent: etree._Element, edge_id: str, source: str, target: str, source_box: Box,
          target_box: Box, points: tuple[tuple[float, float], ...], role: str | None) -> None:
    style = styles.edge_style(role)
    edge = element(parent, g("edge"), {"id": edge_id, "source": source, "target": target})
    line = element(element(edge, g("data"), {"key": EDGE_GRAPHICS}), y("PolyLineEdge"))
    sx, sy = _port(source_box, points[0] if len(points) >= 2 else None)
    tx, ty = _port(target_box, points[-1] if len(points) >= 2 else None)
    path = element(line, y("Path"), {"sx": sx, "sy": sy, "tx": tx, "ty": ty})
    for bend_x, bend_y in points[1:-1]:
        element(path, y("Point"), {"x": num(bend_x), "y": num(bend_y)})
    element(line, y("LineStyle"), {"color": colour(style.color), "type": style.style,
                                   "width": num(style.width)})
    # an annotation edge points at a note, not at a value computed from its source
    arrow = "none" if role == a.ANNOTATION else "standard"
    element(line, y("Arrows"), {"source": "none", "target": arrow})
    element(line, y("BendStyle"), {"smoothed": "false"})
