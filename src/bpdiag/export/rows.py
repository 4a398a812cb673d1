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
ROW_GAP = 24.0      # points between one row's box and the next
SLIDE = (1920, 1080)
WORTH_A_CUT = 1.05  # a row is cut in two only if the drawing then shows 5 % larger on a slide


@dataclass(frozen=True)
class Row:
    """One row: a layer's group (None when the view has no groups) and the loose nodes drawn
    in it (J and Y beside A[L], X before layer 1, the note where back-propagation stops)."""

    group: str | None
    members: tuple[str, ...]
    loose: tuple[str, ...]
    continued: bool = False  # the second half of a group too long for one row (no title)

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
    backward = _backward(graph) != row.continued  # a cut row's second half runs back
    dot = new_digraph(title, {**graph_attrs(title, LAYOUT, backward, dpi), "pad": "0"})
    for node in row.loose:
        dot.node(names[node], **node_attrs(graph, node, profile, LAYOUT))
    if row.group is not None:
        with dot.subgraph(name=f"cluster_{row.group}") as cluster:
            look = cluster_attrs(graph, row.group)
            cluster.attr(**{**look, "label": ""} if row.continued else look)
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


def _extent(document: dict) -> tuple[float, float, float, float]:
    """What a row's own layout draws: its cluster and its nodes (x0, y0, x1, y1, y up). Not
    Graphviz's `bb`, whose margin around a cluster differs from row to row."""
    extents = []
    for obj in document.get("objects", []):
        if "bb" in obj:
            extents.append(tuple(float(v) for v in obj["bb"].split(",")))
        elif "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            half_w, half_h = float(obj["width"]) * 36, float(obj["height"]) * 36
            extents.append((x - half_w, y - half_h, x + half_w, y + half_h))
    return (min(e[0] for e in extents), min(e[1] for e in extents),
            max(e[2] for e in extents), max(e[3] for e in extents))


def _size(document: dict) -> tuple[float, float]:
    x0, y0, x1, y1 = _extent(document)
    return x1 - x0, y1 - y0


def stack(sizes: list[tuple[float, float]], continued: list[bool],
          from_the_right: bool) -> list[Box]:
    """The rows' boxes one below the other, ROW_GAP apart, each starting at the same edge; the
    second half of a cut row starts below the end of its first half and runs back (a snake),
    so the edges from one half to the other stay short."""
    widest = max(width for (width, _), more in zip(sizes, continued) if not more)
    boxes: list[Box] = []
    y = 0.0
    for (width, height), more in zip(sizes, continued):
        if more:
            above = boxes[-1]  # (within the rows' start edge)
            x = min(above.x, widest - width) if from_the_right else max(above.right - width, 0.0)
        else:
            x = widest - width if from_the_right else 0.0
        boxes.append(Box(x, y, width, height))
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


def split(graph: nx.DiGraph, row: Row, document: dict, names: dict[str, str],
          from_the_right: bool) -> tuple[Row, Row] | None:
    """The row cut in two between the two ranks nearest the middle of its first dot run, the
    half where it starts first; a node that only feeds the row (a cached value, a parameter)
    goes with the first node it feeds, since dot draws it beside that node. None if the row
    has a single rank."""
    drawn = {obj["name"]: obj for obj in document.get("objects", []) if "pos" in obj}
    along = {node: float(drawn[names[node]]["pos"].split(",")[0]) for node in row.members}
    inside = set(row.members)
    fed = {node: [s for s in graph.successors(node) if s in inside] for node in row.members}
    feeders = {node for node in row.members
               if fed[node] and not any(p in inside for p in graph.predecessors(node))}
    ranks = sorted({along[node] for node in row.members if node not in feeders},
                   reverse=from_the_right)
    if len(ranks) < 2:
        return None
    x0, _, x1, _ = _extent(document)
    middle = (x0 + x1) / 2
    cut = min(range(1, len(ranks)), key=lambda i: abs((ranks[i - 1] + ranks[i]) / 2 - middle))
    first_half = set(ranks[:cut])

    def in_first(node: str) -> bool:
        return in_first(fed[node][0]) if node in feeders else along[node] in first_half

    head = tuple(node for node in row.members if in_first(node))
    tail = tuple(node for node in row.members if not in_first(node))
    return (Row(row.group, head, row.loose, row.continued), Row(row.group, tail, (), True))


def arrange(sizes: list[tuple[float, float]], continued: list[bool],
            legend: tuple[float, float] | None, from_the_right: bool) -> list[Box]:
    """The rows' boxes stacked, then the legend's (if any), placed where it reads best."""
    boxes = stack(sizes, continued, from_the_right)
    if legend is not None:
        boxes.append(legend_place(boxes, legend, from_the_right))
    return boxes


def estimated_sizes(halves: tuple[Row, Row], document: dict,
                    names: dict[str, str]) -> list[tuple[float, float]]:
    """The sizes the halves of a cut row will have, from where the whole row's dot run drew
    their nodes, with the whole row's margins: whether cutting is worth two dot runs."""
    drawn = {obj["name"]: obj for obj in document.get("objects", []) if "pos" in obj}

    def span(nodes) -> tuple[float, float, float, float]:
        boxes = []
        for node in nodes:
            obj = drawn[names[node]]
            x, y = (float(v) for v in obj["pos"].split(","))
            w, h = float(obj["width"]) * 36, float(obj["height"]) * 36
            boxes.append((x - w, y - h, x + w, y + h))
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))

    whole = span([*halves[0].nodes, *halves[1].nodes])
    width, height = _size(document)
    margin_x, margin_y = width - (whole[2] - whole[0]), height - (whole[3] - whole[1])
    return [(x1 - x0 + margin_x, y1 - y0 + margin_y)
            for x0, y0, x1, y1 in (span(half.nodes) for half in halves)]


def composed_dot(graph: nx.DiGraph, run, *, title: str, legend_table: str | None = None,
                 dpi: int = 150, notation: Profile | str | None = None) -> graphviz.Digraph:
    """The positioned Digraph of the rows layout (see the module docstring); `run(source,
    formats)` is the Graphviz run (bpdiag.export.render.run_dot, its cancel bound)."""
    profile = load_profile(notation)
    from_the_right = _backward(graph)

    def laid_out(row: Row, first: bool) -> dict:
        source = row_dot(graph, row, first, title=title, dpi=dpi, profile=profile).source
        return json.loads(run(source, ("json0",))["json0"])

    rows = rows_of(graph)
    documents = [laid_out(row, index == 0) for index, row in enumerate(rows)]
    legend = None
    if legend_table is not None:
        legend = _size(json.loads(run(legend_dot(legend_table, title, dpi).source,
                                      ("json0",))["json0"]))
    names = dot_names(graph)
    # a row much longer than the others makes the whole drawing small on a slide: cut the
    # longest row in two while that makes the drawing larger (a row is cut once at most; its
    # halves are laid out only if the sizes its whole layout predicts for them promise that)
    sizes = [_size(d) for d in documents]

    def scale_of(rows: list[Row], sizes: list[tuple[float, float]]) -> float:
        return slide_scale(arrange(sizes, [row.continued for row in rows], legend, from_the_right))

    tried: set[str] = set()
    while True:
        scale = scale_of(rows, sizes)
        candidates = [i for i, row in enumerate(rows)
                      if row.group is not None and row.group not in tried and not row.continued]
        if not candidates:
            break
        longest = max(candidates, key=lambda i: sizes[i][0])
        tried.add(rows[longest].group)
        halves = split(graph, rows[longest], documents[longest], names, from_the_right)
        if halves is None:
            continue
        trial_rows = rows[:longest] + list(halves) + rows[longest + 1:]
        guess = sizes[:longest] + estimated_sizes(halves, documents[longest], names) + sizes[longest + 1:]
        if scale_of(trial_rows, guess) <= scale * WORTH_A_CUT:
            break
        laid = [laid_out(half, longest == 0 and n == 0) for n, half in enumerate(halves)]
        trial_sizes = sizes[:longest] + [_size(d) for d in laid] + sizes[longest + 1:]
        if scale_of(trial_rows, trial_sizes) <= scale * WORTH_A_CUT:
            break
        rows, sizes = trial_rows, trial_sizes
        documents = documents[:longest] + laid + documents[longest + 1:]
    boxes = arrange(sizes, [row.continued for row in rows], legend, from_the_right)
    return _positioned(graph, rows, documents, boxes, legend_table, title=title, dpi=dpi,
                       profile=profile)


def _positioned(graph: nx.DiGraph, rows: list[Row], documents: list[dict], boxes: list[Box],
                legend_table: str | None, *, title: str, dpi: int,
                profile: Profile) -> graphviz.Digraph:
    """Every row's layout moved into its box, written for Graphviz's nop2 engine; a group cut
    in two is one cluster around both of its rows."""
    names = dot_names(graph)
    left, top = min(b.x for b in boxes), min(b.y for b in boxes)
    width, height = max(b.right for b in boxes) - left, max(b.bottom for b in boxes) - top

    def mover(box: Box, document: dict):
        """Moves a point of a row's own layout (Graphviz's coordinates, y up) into `box`, in
        the whole drawing's Graphviz coordinates."""
        x0, _, _, y1 = _extent(document)
        dx, dy = box.x - left - x0, height - (box.y - top) - y1
        return lambda x, y: (x + dx, y + dy)

    attrs = {**graph_attrs(title, LAYOUT, _backward(graph), dpi), "layout": "nop2",
             "bb": _numbers((0, 0, width, height))}
    dot = new_digraph(title, attrs)
    routes: dict[tuple[str, str], str] = {}
    places: dict[str, str] = {}
    clusters: dict[str, list[tuple[float, float, float, float]]] = {}
    titles: dict[str, tuple[float, dict]] = {}
    for row, document, box in zip(rows, documents, boxes):
        move = mover(box, document)
        objects = document.get("objects", [])
        by_gvid = {obj["_gvid"]: obj["name"] for obj in objects}
        places.update({obj["name"]: _moved_points(obj["pos"], move)
                       for obj in objects if "pos" in obj})
        for edge in document.get("edges", []):
            if edge.get("style") != "invis":
                routes[by_gvid[edge["tail"]], by_gvid[edge["head"]]] = _moved_route(edge["pos"], move)
        if row.group is None:
            continue
        cluster = next(obj for obj in objects if obj["name"] == f"cluster_{row.group}")
        x0, y0, x1, y1 = (float(v) for v in cluster["bb"].split(","))
        clusters.setdefault(row.group, []).append((*move(x0, y0), *move(x1, y1)))
        if not row.continued:  # the title's place: its offset from the box's left edge
            title_x, title_y = move(*(float(v) for v in cluster["lp"].split(",")))
            titles[row.group] = (title_x - move(x0, y0)[0], {
                "lp_y": title_y, "lwidth": cluster["lwidth"], "lheight": cluster["lheight"]})
    for row in rows:
        for node in row.loose:
            dot.node(names[node], pos=places[names[node]], **node_attrs(graph, node, profile, LAYOUT))
    for group in labels.groups_in_order(graph):
        parts = clusters[group]
        x0, y0 = min(p[0] for p in parts), min(p[1] for p in parts)
        x1, y1 = max(p[2] for p in parts), max(p[3] for p in parts)
        offset, title = titles[group]
        with dot.subgraph(name=f"cluster_{group}") as cluster:
            cluster.attr(**cluster_attrs(graph, group), bb=_numbers((x0, y0, x1, y1)),
                         lp=_numbers((x0 + offset, title["lp_y"])), lwidth=title["lwidth"],
                         lheight=title["lheight"])
            for row in rows:
                if row.group == group:
                    for node in row.members:
                        cluster.node(names[node], pos=places[names[node]],
                                     **node_attrs(graph, node, profile, LAYOUT))
    if legend_table is not None:
        box = boxes[-1]
        center = (box.x - left + box.width / 2, height - (box.y - top) - box.height / 2)
        dot.node(LEGEND_ID, pos=_numbers(center), **legend_node(legend_table))
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
