"""The slide layout: each layer's group laid out as a row of its own, the rows stacked in the
order the pass visits them, the legend where the drawing stays closest to a slide's 16:9.

Graphviz runs twice, and bpdiag places the rows in between:
1. `dot` lays out every row on its own (one run each, and one for the legend's size): inside a
   row the flow keeps its direction (forward left to right, back-propagation right to left from
   J), and no other row can push it around;
2. the rows are stacked one below the other in the pass's order, each starting at the same
   edge of the drawing (the left for the forward pass, the right for back-propagation), so the
   chain wraps from one row's end to the next row's start like a line of text; the legend goes
   beside the rows or into the room that shorter rows leave (`legend_place`);
3. the whole is written with every node's position and every row's own edge routes, and
   Graphviz's `nop2` engine (neato -n2) draws it, routing only the edges from one row into
   another around the nodes.

One dot run over the whole diagram, which this replaced, let dot's crossing minimisation choose
the rows' order: with batch normalisation's extra rows it put the loss between the layers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import graphviz
import networkx as nx

from .. import labels
from ..graph import attrs as a
from ..profiles import Profile, load_profile
from . import loose
from .dot import (LEGEND_ID, cluster_attrs, dot_names, edge_attrs, graph_attrs, legend_node,
                  new_digraph, node_attrs)
from .groups import group_members

LAYOUT = "rows"
ROW_GAP = 18.0      # points between one row's box and the next
SLIDE = (1920, 1080)


@dataclass(frozen=True)
class Row:
    """One row: a layer's group (None when the view has no groups) and the loose nodes drawn
    in it (J and Y beside A[L], X before layer 1, the note where back-propagation stops)."""

    group: str | None
    members: tuple[str, ...]
    loose: tuple[str, ...]

    @property
    def nodes(self) -> tuple[str, ...]:
        return self.members + self.loose


def rows_of(graph: nx.DiGraph) -> list[Row]:
    """The rows in the pass's order; each loose node is in the row of its first neighbour that
    belongs to a group (by the graph's edge order), or in the first row."""
    members = group_members(graph)
    order = labels.groups_in_order(graph)
    if not order:
        return [Row(None, (), tuple(graph))]
    carried: dict[str, list[str]] = {group: [] for group in order}
    for node, data in graph.nodes(data=True):
        if data.get(a.GROUP):
            continue
        neighbours = [*graph.successors(node), *graph.predecessors(node)]
        home = next((graph.nodes[n][a.GROUP] for n in neighbours if graph.nodes[n].get(a.GROUP)),
                    order[0])
        carried[home].append(node)
    return [Row(group, tuple(members[group]), tuple(carried[group])) for group in order]


def _backward(graph: nx.DiGraph) -> bool:
    return graph.graph.get("view", "forward") != "forward"


def row_dot(graph: nx.DiGraph, row: Row, first: bool, *, title: str, dpi: int,
            profile: Profile) -> graphviz.Digraph:
    """The Digraph of one row alone, for the first Graphviz run."""
    names = dot_names(graph)
    dot = new_digraph(title, {**graph_attrs(title, LAYOUT, _backward(graph), dpi), "pad": "0"})
    for node in row.loose:
        dot.node(names[node], **node_attrs(graph, node, profile, LAYOUT))
    if row.group is not None:
        with dot.subgraph(name=f"cluster_{row.group}") as cluster:
            cluster.attr(**cluster_attrs(graph, row.group))
            for node in row.members:
                cluster.node(names[node], **node_attrs(graph, node, profile, LAYOUT))
    inside = set(row.nodes)
    for source, target in graph.edges:
        if source in inside and target in inside:
            dot.edge(names[source], names[target], **edge_attrs(graph, source, target))
    if first:  # J and Y one rank before A[L], beside the first row's start
        for statement in loose.sources_before(graph, names):
            dot.body.append(f"\t{statement}\n")
    return dot


def legend_dot(legend_table: str, title: str, dpi: int) -> graphviz.Digraph:
    """The legend alone, for the first run: its size."""
    dot = new_digraph(title, {**graph_attrs(title, LAYOUT, False, dpi), "pad": "0"})
    dot.node(LEGEND_ID, **legend_node(legend_table))
    return dot


@dataclass(frozen=True)
class Box:
    """A rectangle in points, y pointing down: the rows are stacked downwards."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


def _size(document: dict) -> tuple[float, float]:
    x0, y0, x1, y1 = (float(v) for v in document["bb"].split(","))
    return x1 - x0, y1 - y0


def stack(sizes: list[tuple[float, float]], from_the_right: bool) -> list[Box]:
    """The rows' boxes one below the other, ROW_GAP apart, each starting at the same edge."""
    widest = max(width for width, _ in sizes)
    boxes, y = [], 0.0
    for width, height in sizes:
        boxes.append(Box(widest - width if from_the_right else 0.0, y, width, height))
        y += height + ROW_GAP
    return boxes


def slide_scale(boxes: list[Box]) -> float:
    """How much a slide shows of the drawing that `boxes` make (larger reads better)."""
    width = max(b.right for b in boxes) - min(b.x for b in boxes)
    height = max(b.bottom for b in boxes) - min(b.y for b in boxes)
    return min(SLIDE[0] / width, SLIDE[1] / height)


def legend_place(rows: list[Box], size: tuple[float, float], from_the_right: bool) -> Box:
    """Where the legend goes: beside the rows, on the side where they end, or tucked into the
    room the shorter rows leave on that side (below the rows that reach it); of the two, the
    one that leaves the drawing larger on a slide."""
    width, height = size
    left, right = min(b.x for b in rows), max(b.right for b in rows)
    beside = Box(left - ROW_GAP - width if from_the_right else right + ROW_GAP, 0.0, width, height)
    x = left if from_the_right else right - width
    below = [b.bottom + ROW_GAP for b in rows if b.x < x + width and x < b.right]
    tucked = Box(x, max(below, default=0.0), width, height)
    return max((beside, tucked), key=lambda box: slide_scale(rows + [box]))  # ties: beside


def composed_dot(graph: nx.DiGraph, run, *, title: str, legend_table: str | None = None,
                 dpi: int = 150, notation: Profile | str | None = None) -> graphviz.Digraph:
    """The positioned Digraph of the rows layout (see the module docstring); `run(source,
    formats)` is the Graphviz run (bpdiag.export.render.run_dot, its cancel bound)."""
    profile = load_profile(notation)
    rows = rows_of(graph)
    sources = [row_dot(graph, row, index == 0, title=title, dpi=dpi, profile=profile)
               for index, row in enumerate(rows)]
    if legend_table is not None:
        sources.append(legend_dot(legend_table, title, dpi))
    documents = [json.loads(run(source.source, ("json0",))["json0"]) for source in sources]
    from_the_right = _backward(graph)
    boxes = stack([_size(d) for d in documents[:len(rows)]], from_the_right)
    if legend_table is not None:
        boxes.append(legend_place(boxes, _size(documents[-1]), from_the_right))
    return _positioned(graph, rows, documents, boxes, legend_table, title=title, dpi=dpi,
                       profile=profile)


def _positioned(graph: nx.DiGraph, rows: list[Row], documents: list[dict], boxes: list[Box],
                legend_table: str | None, *, title: str, dpi: int,
                profile: Profile) -> graphviz.Digraph:
    """Every row's layout moved into its box, written for Graphviz's nop2 engine."""
    names = dot_names(graph)
    left, top = min(b.x for b in boxes), min(b.y for b in boxes)
    width, height = max(b.right for b in boxes) - left, max(b.bottom for b in boxes) - top

    def mover(box: Box, document: dict):
        """Moves a point of `document` (Graphviz's y up, origin at its bottom-left) into `box`
        in the whole drawing's Graphviz coordinates."""
        _, own_height = _size(document)
        dx, dy = box.x - left, height - (box.y - top) - own_height
        return lambda x, y: (x + dx, y + dy)

    attrs = {**graph_attrs(title, LAYOUT, _backward(graph), dpi), "layout": "nop2",
             "bb": _numbers((0, 0, width, height))}
    dot = new_digraph(title, attrs)
    routes: dict[tuple[str, str], str] = {}
    for row, document, box in zip(rows, documents, boxes):
        move = mover(box, document)
        objects = document.get("objects", [])
        places = {obj["name"]: _moved_points(obj["pos"], move) for obj in objects if "pos" in obj}
        by_gvid = {obj["_gvid"]: obj["name"] for obj in objects}
        for edge in document.get("edges", []):
            if edge.get("style") != "invis":
                routes[by_gvid[edge["tail"]], by_gvid[edge["head"]]] = _moved_route(edge["pos"], move)
        for node in row.loose:
            dot.node(names[node], pos=places[names[node]],
                     **node_attrs(graph, node, profile, LAYOUT))
        if row.group is None:
            continue
        cluster_obj = next(obj for obj in objects if obj["name"] == f"cluster_{row.group}")
        x0, y0, x1, y1 = (float(v) for v in cluster_obj["bb"].split(","))
        with dot.subgraph(name=f"cluster_{row.group}") as cluster:
            cluster.attr(**cluster_attrs(graph, row.group),
                         bb=_numbers((*move(x0, y0), *move(x1, y1))),
                         lp=_moved_points(cluster_obj["lp"], move),
                         lwidth=cluster_obj["lwidth"], lheight=cluster_obj["lheight"])
            for node in row.members:
                cluster.node(names[node], pos=places[names[node]],
                             **node_attrs(graph, node, profile, LAYOUT))
    if legend_table is not None:
        move = mover(boxes[-1], documents[-1])
        legend = next(obj for obj in documents[-1]["objects"] if obj["name"] == LEGEND_ID)
        dot.node(LEGEND_ID, pos=_moved_points(legend["pos"], move),
                 **legend_node(legend_table))
    for source, target in graph.edges:
        route = routes.get((names[source], names[target]))
        extra = {"pos": route} if route is not None else {}  # nop2 routes the rest
        dot.edge(names[source], names[target], **edge_attrs(graph, source, target), **extra)
    return dot


def _numbers(values) -> str:
    return ",".join(f"{value:.2f}" for value in values)


def _moved_points(text: str, move) -> str:
    x, y = (float(v) for v in text.split(","))
    return _numbers(move(x, y))


def _moved_route(pos: str, move) -> str:
    """An edge's `pos` ("e,x,y s,x,y x,y ...") with every point moved."""
    items = []
    for item in pos.split():
        prefix = item[:2] if item[:2] in ("e,", "s,") else ""
        items.append(prefix + _moved_points(item[len(prefix):], move))
    return " ".join(items)
