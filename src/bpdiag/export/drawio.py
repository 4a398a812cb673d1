"""A laid-out dataflow graph as a draw.io (diagrams.net) file: the SVG's picture, to edit there.

An uncompressed `<mxfile><diagram><mxGraphModel><root>` with the layout's coordinates, the same
numbers as the GraphML. Each node is an `<object>` around its mxCell, draw.io's way of carrying
data: `bpdiag_id`, the kind, formula, shape and notes (Edit Data), and a `tooltip`. Labels are
HTML (`html=1`) with real superscripts and the matrix grids. Each layer group is a collapsible
container (a swimlane whose title band is as high as the SVG's group title) holding its nodes
and the edges between them. draw.io places a child, and an edge's points, relative to its
parent: there they are the layout's numbers less the container's corner.
"""

from __future__ import annotations

import networkx as nx
from lxml import etree

from .. import labels, styles
from ..graph import attrs as a
from ..layout import LEGEND, Box, GroupBox, Layout
from ..profiles import Profile, load_profile
from ..richtext import html_text, to_html
from .yed_xml import colour, num, rounded, xml_text

TOP = "1"  # draw.io's default layer, the parent of everything not in a group
ORIGIN = Box(0.0, 0.0, 0.0, 0.0)
ARC = 24  # corners: Graphviz's rounded boxes and clusters have a radius of 12 points

_SHAPES = {
    "rectangle": "rounded=0",
    "roundrectangle": f"rounded=1;absoluteArcSize=1;arcSize={ARC}",
    "ellipse": "ellipse",
    # Graphviz's hexagon: the slanted sides take a quarter of the width each
    "hexagon": "shape=hexagon;perimeter=hexagonPerimeter2;size=0.25;fixedSize=0",
    "octagon": "shape=octagon;perimeter=rectanglePerimeter",
    "parallelogram": "shape=parallelogram;perimeter=parallelogramPerimeter",
}
# Graphviz's SVG dash patterns (stroke-dasharray 5,2 and 1,5), not scaled by the line's width
_LINES = {"line": "", "dashed": "dashed=1;dashPattern=5 2;fixDash=1",
          "dotted": "dashed=1;dashPattern=1 5;fixDash=1"}


def drawio_bytes(graph: nx.DiGraph, layout: Layout, legend: str | None = None, *,
                 legend_description: str | None = None, title: str | None = None,
                 notation: Profile | str | None = None) -> bytes:
    """The draw.io file of `graph` drawn with `layout`, labels in the `notation` profile.

    `legend` is ready HTML drawn in the layout's box 'legend' (bpdiag.legend.to_html),
    `legend_description` its tooltip; `title` names the page.
    """
    layout.check_covers(graph, legend is not None)
    profile = load_profile(notation)
    view = str(graph.graph.get("view", "diagram"))
    mxfile = _element(None, "mxfile", host="bpdiag", type="device", compressed="false")
    diagram = _element(mxfile, "diagram", id=view, name=title or view)
    model = _element(diagram, "mxGraphModel", grid="0", gridSize="10", guides="1", tooltips="1",
                     connect="1", arrows="1", fold="1", page="0", pageScale="1",
                     pageWidth=num(layout.width), pageHeight=num(layout.height),
                     background="#FFFFFF", math="0", shadow="0")
    root = _element(model, "root")
    _element(root, "mxCell", id="0")
    _element(root, "mxCell", id=TOP, parent="0")

    for item in layout.top_level(graph):
        if isinstance(item, GroupBox):
            _group(root, item, graph)
            for member in item.members:
                _node(root, member, graph, layout.nodes[member], profile, item)
        else:
            _node(root, item, graph, layout.nodes[item], profile, None)
    if legend is not None:
        _legend(root, legend, legend_description or "", layout.nodes[LEGEND])
    for source, target, data in graph.edges(data=True):
        _edge(root, source, target, layout, data.get(a.ROLE))
    body = etree.tostring(mxfile, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def group_cell_id(group: str) -> str:
    """A group's cell id (the SVG's id for the same cluster)."""
    return f"group:{group}"


def edge_cell_id(source: str, target: str) -> str:
    """An edge's cell id, from its ends: a graph has one edge per ordered pair."""
    return f"edge:{source}->{target}"


def _element(container: etree._Element | None, tag: str, /, **attrs: str) -> etree._Element:
    """An element with attributes in the order given (fixed, so output is byte-stable);
    positional-only, so that `parent`, draw.io's attribute, is free as a keyword."""
    node = etree.Element(tag) if container is None else etree.SubElement(container, tag)
    for name, value in attrs.items():
        node.set(name, xml_text(value))
    return node


def _style(*parts: str) -> str:
    return ";".join(part for part in parts if part) + ";"


def _geometry(cell: etree._Element, box: Box, origin: Box) -> None:
    _element(cell, "mxGeometry", x=num(rounded(box.x) - rounded(origin.x)),
             y=num(rounded(box.y) - rounded(origin.y)), width=num(box.width),
             height=num(box.height), **{"as": "geometry"})


def _font(size: float) -> str:
    return f"fontFamily={styles.font().family};fontSize={size:g}"


def _node(root: etree._Element, node: str, graph: nx.DiGraph, box: Box, profile: Profile,
          group: GroupBox | None) -> None:
    data = graph.nodes[node]
    style = styles.node_style(data)
    plain = profile.plain
    fields = {"label": to_html(labels.node_label(graph, node, profile), styles.font().size),
              "tooltip": labels.node_description(graph, node, profile), "bpdiag_id": node,
              "kind": data[a.KIND]}
    if data[a.KIND] in a.QUANTITY_KINDS:
        fields["formula"] = plain(data.get(a.FORMULA) or "")
        fields["shape"] = plain(labels.shape_text(data))
        if data.get(a.NOTE):
            fields["note"] = plain(data[a.NOTE])
        if data.get(a.CACHED):
            fields["cached_for"] = plain(", ".join(data[a.CACHED_FOR]))
    obj = _element(root, "object", **fields, id=node)
    cell = _element(obj, "mxCell", style=_style(
        _SHAPES[style.shape], "whiteSpace=nowrap", "html=1", f"fillColor={colour(style.fill)}",
        f"strokeColor={colour(style.border)}", f"strokeWidth={style.border_width:g}",
        _LINES[style.border_style], f"fontColor={colour(style.text)}", _font(styles.font().size)),
        vertex="1", parent=group_cell_id(group.id) if group else TOP)
    _geometry(cell, box, group.box if group else ORIGIN)


def _group(root: etree._Element, group: GroupBox, graph: nx.DiGraph) -> None:
    look = styles.group_style()
    fill = colour(look["cost_fill"] if group.id == a.COST_GROUP else look["fill"])
    obj = _element(root, "object", label=html_text(group.label), tooltip=group.label,
                   bpdiag_id=group.id, kind="group", id=group_cell_id(group.id))
    # a swimlane is draw.io's collapsible container; its title band is the cluster's label
    cell = _element(obj, "mxCell", style=_style(
        "swimlane", "container=1", "collapsible=1", "html=1",
        f"startSize={num(group.label_height)}", f"fillColor={fill}", f"swimlaneFillColor={fill}",
        "swimlaneLine=0", f"strokeColor={colour(look['border'])}", _LINES[look["border_style"]],
        "rounded=1", f"absoluteArcSize=1;arcSize={ARC}", f"align={labels.group_title_side(graph)}",
        "spacingLeft=8", "spacingRight=8", "fontStyle=0", "fontColor=#000000", _font(styles.font().group)),
        vertex="1", parent=TOP)
    _geometry(cell, group.box, ORIGIN)


def _legend(root: etree._Element, legend: str, description: str, box: Box) -> None:
    look = styles.legend_style()
    obj = _element(root, "object", label=legend, tooltip=description, bpdiag_id=LEGEND,
                   kind="legend", id=LEGEND)
    cell = _element(obj, "mxCell", style=_style(
        "rounded=0", "html=1", "overflow=fill", "whiteSpace=nowrap", "align=left",
        "verticalAlign=top", "spacing=0", f"fillColor={colour(look['fill'])}",
        f"strokeColor={colour(look['border'])}", "fontColor=#000000",
        _font(styles.font().legend)), vertex="1", parent=TOP)
    _geometry(cell, box, ORIGIN)


def _fraction(value: float, start: float, length: float) -> str:
    """Where `value` lies along [start, start + length], 0..1, for exitX/entryY and the like."""
    if length <= 0:
        return "0.5"
    share = min(1.0, max(0.0, (rounded(value) - rounded(start)) / rounded(length)))
    return f"{share:.4f}".rstrip("0").rstrip(".") or "0"


def _edge(root: etree._Element, source: str, target: str, layout: Layout,
          role: str | None) -> None:
    style = styles.edge_style(role)
    points = layout.route(source, target)
    scope = layout.edge_scope(source, target)
    origin = scope.box if scope else ORIGIN
    ends = []
    if len(points) >= 2:  # pin both ends where the layout drew them, not where draw.io would
        for prefix, node, point in (("exit", source, points[0]), ("entry", target, points[-1])):
            box = layout.nodes[node]
            ends += [f"{prefix}X={_fraction(point[0], box.x, box.width)}",
                     f"{prefix}Y={_fraction(point[1], box.y, box.height)}", f"{prefix}Perimeter=0"]
    # an annotation edge points at a note, not at a value computed from its source
    arrow = "endArrow=none" if role == a.ANNOTATION else "endArrow=block;endFill=1;endSize=7"
    cell = _element(root, "mxCell", id=edge_cell_id(source, target), style=_style(
        "edgeStyle=none", "rounded=0", "html=1", arrow, "startArrow=none",
        f"strokeColor={colour(style.color)}", f"strokeWidth={style.width:g}", _LINES[style.style],
        *ends), edge="1", parent=group_cell_id(scope.id) if scope else TOP, source=source,
        target=target)
    geometry = _element(cell, "mxGeometry", relative="1", **{"as": "geometry"})

    def point(xy: tuple[float, float], **attrs: str) -> dict[str, str]:
        return {"x": num(rounded(xy[0]) - rounded(origin.x)),
                "y": num(rounded(xy[1]) - rounded(origin.y)), **attrs}

    if len(points) >= 2:
        _element(geometry, "mxPoint", **point(points[0], **{"as": "sourcePoint"}))
        _element(geometry, "mxPoint", **point(points[-1], **{"as": "targetPoint"}))
    if len(points) > 2:
        bends = _element(geometry, "Array", **{"as": "points"})
        for bend in points[1:-1]:
            _element(bends, "mxPoint", **point(bend))
