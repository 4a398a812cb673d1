"""A Graphviz-free stand-in layout for exporter tests: groups as columns, nodes on a grid.

Groups are the bounding box of their members plus 15 pt margins and the title band (as yEd
sizes them); routes run straight between the node borders with one bend in the middle.
"""

from __future__ import annotations

import math

import networkx as nx

from bpdiag import labels
from bpdiag.graph import attrs as a
from bpdiag.layout import Box, GroupBox, Layout, Route

MARGIN = 15.0
LABEL_HEIGHT = 21.0
CELL_W, CELL_H = 170.0, 110.0   # grid pitch
PER_COLUMN = 4                   # nodes stacked in one grid column
GAP = 60.0                       # between groups


def node_size(data: dict) -> tuple[float, float]:
    if data[a.KIND] == a.OPERATION:
        return 90.0, 44.0
    return 140.0, 80.0


def _clip(box: Box, toward: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre toward `toward` leaves the box."""
    cx, cy = box.center
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(box.width / 2 / abs(dx) if dx else math.inf,
                box.height / 2 / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


def route(source: str, target: str, boxes: dict[str, Box]) -> Route:
    start = _clip(boxes[source], boxes[target].center)
    end = _clip(boxes[target], boxes[source].center)
    # one bend, pushed off the straight line so it is a real bend
    bend = ((start[0] + end[0]) / 2 + 7.0, (start[1] + end[1]) / 2 - 9.0)
    return Route(source, target, (start, bend, end))


def grid_layout(graph: nx.DiGraph, legend_size: tuple[float, float] | None = None) -> Layout:
    members: dict[str | None, list[str]] = {}
    for node, data in graph.nodes(data=True):
        members.setdefault(data.get(a.GROUP), []).append(node)
    order = [*labels.groups_in_order(graph), None]

    boxes: dict[str, Box] = {}
    groups: list[GroupBox] = []
    left = 0.0
    for group in order:
        nodes = members.get(group, [])
        if not nodes:
            continue
        top = MARGIN + LABEL_HEIGHT if group else 0.0
        x0 = left + (MARGIN if group else 0.0)
        for index, node in enumerate(nodes):
            width, height = node_size(graph.nodes[node])
            column, row = divmod(index, PER_COLUMN)
            cell_x, cell_y = x0 + column * CELL_W, top + row * CELL_H
            boxes[node] = Box(cell_x + (CELL_W - 20 - width) / 2, cell_y + (CELL_H - 20 - height) / 2,
                              width, height)
        mine = [boxes[node] for node in nodes]
        x1 = max(b.x + b.width for b in mine)
        y1 = max(b.y + b.height for b in mine)
        if group:
            bx, by = min(b.x for b in mine) - MARGIN, min(b.y for b in mine) - MARGIN - LABEL_HEIGHT
            box = Box(bx, by, x1 + MARGIN - bx, y1 + MARGIN - by)
            groups.append(GroupBox(group, labels.group_label(graph, group), box, LABEL_HEIGHT,
                                   tuple(nodes)))
            left = box.x + box.width + GAP
        else:
            left = x1 + GAP
    width = left - GAP
    height = max(b.y + b.height for b in boxes.values()) + MARGIN
    if legend_size:
        boxes["legend"] = Box(0.0, height + GAP, *legend_size)
        height = height + GAP + legend_size[1]
    routes = tuple(route(u, v, boxes) for u, v in graph.edges)
    return Layout(width, height, boxes, tuple(groups), routes)
