"""The rows layout's drawing as Graphviz's nop2 engine (neato -n2) takes it: every row's own
layout moved into the box bpdiag.export.placement gave it, each edge between rows routed, and
the whole written with every position, route and layer box, for one run to draw as it is."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import graphviz
import networkx as nx

from .. import labels
from ..graph import attrs as a
from ..layout import Box, node_extent
from ..profiles import Profile, load_profile
from .dot import (LEGEND_ID, cluster_attrs, dot_names, edge_attrs, graph_attrs, legend_node,
                  new_digraph, node_attrs)
from .placement import segment_meets

if TYPE_CHECKING:
    from .rows import Laid, Sizes

LAYOUT = "rows"  # (bpdiag.layouts): the layout these modules draw
ROUTE_MARGIN = 48.0  # points around an edge's ends within which a node is in its way
CLEARANCE = 6.0  # points a straight edge keeps from a node (its ends are on the outlines)
TITLE = "title:"  # the obstacle of a layer's title, by its group ("title:L2")


def _centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


class Placed:
    """Every row's layout moved into its box, the notes and the legend into theirs, in the
    whole drawing's Graphviz coordinates (y up); then each edge from one row into another
    routed, and the whole written for Graphviz's nop2 engine."""

    def __init__(self, graph: nx.DiGraph, laid: list[Laid], boxes: list[Box], sizes: Sizes):
        self.graph, self.laid, self.sizes = graph, laid, sizes
        self.names = dot_names(graph)
        left, top = min(b.x for b in boxes), min(b.y for b in boxes)
        self.width = max(b.right for b in boxes) - left
        self.height = max(b.bottom for b in boxes) - top
        self.places: dict[str, str] = {}
        self.extents: dict[str, tuple[float, float, float, float]] = {}  # every drawn node's box
        self.routes: dict[tuple[str, str], str] = {}
        self.group_boxes: dict[str, list[tuple[float, float, float, float]]] = {}
        self.titles: dict[str, dict[str, str]] = {}
        for run, box in zip(laid, boxes):
            x0, _, _, y1 = run.extent
            dx, dy = box.x - left - x0, self.height - (box.y - top) - y1
            self._place(run, lambda x, y, dx=dx, dy=dy: (x + dx, y + dy))
        loose = [(self.names[note], box) for (note, _, _), box in zip(sizes.notes, boxes[len(laid):])]
        if sizes.legend is not None:
            loose.append((LEGEND_ID, boxes[-1]))
        for name, box in loose:  # Graphviz's coordinates: y up
            x0, y1 = box.x - left, self.height - (box.y - top)
            self.extents[name] = (x0, y1 - box.height, x0 + box.width, y1)
            self.places[name] = _numbers(_centre(self.extents[name]))

    def _place(self, run: Laid, move) -> None:
        by_gvid = {obj["_gvid"]: obj["name"] for obj in run.objects.values()}
        for name, obj in run.objects.items():
            if "pos" in obj:
                self.places[name] = _moved_points(obj["pos"], move)
                x0, y0, x1, y1 = node_extent(obj)
                self.extents[name] = (*move(x0, y0), *move(x1, y1))
        for edge in run.document.get("edges", []):
            if edge.get("style") != "invis":
                self.routes[by_gvid[edge["tail"]], by_gvid[edge["head"]]] = \
                    _moved_route(edge["pos"], move)
        cluster = run.objects.get(f"cluster_{run.row.group}")
        if cluster is None:
            return
        x0, y0, x1, y1 = (float(v) for v in cluster["bb"].split(","))
        self.group_boxes.setdefault(run.row.group, []).append((*move(x0, y0), *move(x1, y1)))
        if not run.row.continued:  # the first half's title: at the top of the layer's box
            self.titles[run.row.group] = {"lp": _moved_points(cluster["lp"], move),
                                          "lwidth": cluster["lwidth"],
                                          "lheight": cluster["lheight"]}
            # the title is in the way of edges between rows, as a node is
            x, y = move(*(float(v) for v in cluster["lp"].split(",")))
            half_w, half_h = float(cluster["lwidth"]) * 36, float(cluster["lheight"]) * 36
            name = f"{TITLE}{run.row.group}"
            self.extents[name] = (x - half_w, y - half_h, x + half_w, y + half_h)
            self.places[name] = _numbers((x, y))

    def route_between_rows(self, lay_out, dpi: int) -> None:
        """Route each edge from one row into another (Graphviz's nop2, one run for all): as a
        straight line where that crosses no node, else as a polyline around the nodes near
        it. Each route is a graph of its own holding only the nodes near the edge, as the
        time Graphviz takes to route grows with the square of the nodes in its graph."""
        graph, names = self.graph, self.names
        missing = [(u, v) for u, v in graph.edges if (names[u], names[v]) not in self.routes]
        if not missing:
            return
        straight, around = [], []
        for source, target in missing:
            ends = (_centre(self.extents[names[source]]), _centre(self.extents[names[target]]))
            # the nodes near the edge, and every layer's title (a few, and a route that bends
            # round a node may meet one farther away)
            near = [name for name, box in self.extents.items()
                    if name not in (names[source], names[target])
                    and (name.startswith(TITLE) or segment_meets(box, ends, ROUTE_MARGIN))]
            if any(segment_meets(self.extents[name], ends, CLEARANCE) for name in near):
                around.append(((source, target), near))
            else:
                straight.append((source, target))
        sources = []
        if straight:
            sources.append(self._route_graph(straight, [], "line", dpi))
        sources += [self._route_graph([edge], near, "polyline", dpi) for edge, near in around]
        for data in lay_out(sources):
            document = json.loads(data)
            by_gvid = {obj["_gvid"]: obj["name"] for obj in document.get("objects", [])}
            for edge in document.get("edges", []):
                self.routes[by_gvid[edge["tail"]], by_gvid[edge["head"]]] = edge["pos"]

    def _route_graph(self, edges: list[tuple[str, str]], obstacles: list[str], splines: str,
                     dpi: int) -> str:
        """A graph for nop2 to route `edges` in: their ends as drawn (an arrow ends on the
        node's outline), the obstacles as plain boxes of their size, all where they are."""
        graph, names = self.graph, self.names
        dot = new_digraph("route", {"layout": "nop2", "splines": splines, "dpi": str(dpi),
                                    "notranslate": "true"})  # keep the drawing's coordinates
        ends = sorted({node for edge in edges for node in edge}, key=list(graph).index)
        for node in ends:
            dot.node(names[node], pos=self.places[names[node]],
                     **node_attrs(graph, node, load_profile(None), LAYOUT))
        for name in obstacles:
            if name not in {names[node] for node in ends}:
                x0, y0, x1, y1 = self.extents[name]
                dot.node(name, shape="box", label="", fixedsize="true", pos=self.places[name],
                         width=f"{(x1 - x0) / 72:.4f}", height=f"{(y1 - y0) / 72:.4f}")
        for source, target in edges:
            dot.edge(names[source], names[target], **edge_attrs(graph, source, target))
        return dot.source

    def digraph(self, legend_table: str | None, *, title: str, dpi: int,
                profile: Profile) -> graphviz.Digraph:
        graph, names = self.graph, self.names
        dot = new_digraph(title, {**graph_attrs(LAYOUT, a.is_backward(graph), dpi),
                                  "layout": "nop2", "bb": _numbers((0, 0, self.width, self.height))})
        for run in self.laid:
            for node in run.row.loose:
                dot.node(names[node], pos=self.places[names[node]],
                         **node_attrs(graph, node, profile, LAYOUT))
        for group in labels.groups_in_order(graph):
            parts = self.group_boxes[group]
            extent = (min(p[0] for p in parts), min(p[1] for p in parts),
                      max(p[2] for p in parts), max(p[3] for p in parts))
            with dot.subgraph(name=f"cluster_{group}") as cluster:
                cluster.attr(**cluster_attrs(graph, group), bb=_numbers(extent),
                             **self.titles[group])
                for run in self.laid:
                    if run.row.group == group:
                        for node in run.row.members:
                            cluster.node(names[node], pos=self.places[names[node]],
                                         **node_attrs(graph, node, profile, LAYOUT))
        for note, _, _ in self.sizes.notes:
            dot.node(names[note], pos=self.places[names[note]],
                     **node_attrs(graph, note, profile, LAYOUT))
        if legend_table is not None:
            dot.node(LEGEND_ID, pos=self.places[LEGEND_ID], **legend_node(legend_table))
        for source, target in graph.edges:
            dot.edge(names[source], names[target], **edge_attrs(graph, source, target),
                     pos=self.routes[names[source], names[target]])
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
