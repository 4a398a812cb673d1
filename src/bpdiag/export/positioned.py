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
from ..layout import Box
from ..profiles import Profile, load_profile
from .dot import (LEGEND_ID, cluster_attrs, dot_names, edge_attrs, graph_attrs, legend_node,
                  new_digraph, node_attrs)

if TYPE_CHECKING:
    from .rows import Laid, Sizes

LAYOUT = "rows"  # (bpdiag.layouts): the layout these modules draw


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
        self.routes: dict[tuple[str, str], str] = {}
        self.group_boxes: dict[str, list[tuple[float, float, float, float]]] = {}
        self.titles: dict[str, dict[str, str]] = {}
        self.row_of: dict[str, int] = {}
        for index, (run, box) in enumerate(zip(laid, boxes)):
            x0, _, _, y1 = run.extent
            dx, dy = box.x - left - x0, self.height - (box.y - top) - y1
            self._place(index, run, lambda x, y, dx=dx, dy=dy: (x + dx, y + dy))
        for index, ((note, _, _), box) in enumerate(zip(sizes.notes, boxes[len(laid):])):
            self.places[self.names[note]] = _numbers((box.x - left + box.width / 2,
                                                      self.height - (box.y - top) - box.height / 2))
            self.row_of[note] = len(laid)  # below the last row
        self.legend = boxes[-1] if sizes.legend is not None else None
        if self.legend is not None:
            self.places[LEGEND_ID] = _numbers((self.legend.x - left + self.legend.width / 2,
                                               self.height - (self.legend.y - top)
                                               - self.legend.height / 2))

    def _place(self, index: int, run: Laid, move) -> None:
        by_gvid = {obj["_gvid"]: obj["name"] for obj in run.objects.values()}
        self.places.update({name: _moved_points(obj["pos"], move)
                            for name, obj in run.objects.items() if "pos" in obj})
        self.row_of.update({node: index for node in run.row.nodes})
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

    def route_between_rows(self, lay_out, dpi: int) -> None:
        """Route each edge from one row into another with Graphviz (nop2, polyline, around
        the nodes), given only the nodes of the rows it spans: the time routing takes grows
        with the square of the nodes it must avoid, and an edge between two rows has only
        theirs in its way."""
        graph, names = self.graph, self.names
        spans: dict[tuple[int, int], list[tuple[str, str]]] = {}
        for source, target in graph.edges:
            if (names[source], names[target]) not in self.routes:
                ends = sorted((self.row_of[source], self.row_of[target]))
                spans.setdefault((ends[0], ends[1]), []).append((source, target))
        if not spans:
            return
        sources = []
        for (first, last), edges in spans.items():
            dot = new_digraph("route", {"layout": "nop2", "splines": "polyline", "dpi": str(dpi),
                                        "notranslate": "true"})  # the drawing's coordinates
            for node, index in self.row_of.items():
                if first <= index <= last:
                    dot.node(names[node], pos=self.places[names[node]],
                             **node_attrs(graph, node, load_profile(None), LAYOUT))
            for source, target in edges:
                dot.edge(names[source], names[target], **edge_attrs(graph, source, target))
            sources.append(dot.source)
        for edges, data in zip(spans.values(), lay_out(sources)):
            document = json.loads(data)
            by_gvid = {obj["_gvid"]: obj["name"] for obj in document.get("objects", [])}
            for edge in document.get("edges", []):
                self.routes[by_gvid[edge["tail"]], by_gvid[edge["head"]]] = edge["pos"]

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
