"""One Graphviz layout per diagram, in one coordinate system that every format uses.

Coordinates are in points (1/72 inch), origin at the top-left of the drawing, y pointing down:
yEd's convention. Graphviz's own (origin bottom-left, y up) is converted once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


LEGEND = "legend"  # the legend's box, beside the graph's nodes


@dataclass(frozen=True)
class Box:
    """A rectangle: top-left corner (x, y), width and height."""

    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def contains(self, other: "Box", slack: float = 0.01) -> bool:
        return (self.x - slack <= other.x and self.y - slack <= other.y
                and other.x + other.width <= self.x + self.width + slack
                and other.y + other.height <= self.y + self.height + slack)

    def overlaps(self, other: "Box") -> bool:
        return (self.x < other.x + other.width and other.x < self.x + self.width
                and self.y < other.y + other.height and other.y < self.y + self.height)


@dataclass(frozen=True)
class GroupBox:
    """A layer's group (a Graphviz cluster, a yEd group node): its box, title and members."""

    id: str
    label: str
    box: Box
    label_height: float
    members: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    """An edge's path: first point on the source's border, last on the target's, bends between."""

    source: str
    target: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    nodes: dict[str, Box]          # every drawn node, the legend included, by node id
    groups: tuple[GroupBox, ...]   # in drawing order
    edges: tuple[Route, ...]       # in the graph's edge order

    def check_covers(self, nodes, legend: bool = False) -> None:
        """A ValueError unless every node of `nodes` has a box, every group member is one of
        them and, with `legend`, the legend has its box: what an exporter relies on."""
        nodes = set(nodes)
        for node in sorted(nodes):
            if node not in self.nodes:
                raise ValueError(f"the layout has no box for node {node!r}")
        for group in self.groups:
            for member in group.members:
                if member not in nodes:
                    raise ValueError(f"group {group.id!r} holds {member!r}, which is not in "
                                     "the graph")
        if legend and LEGEND not in self.nodes:
            raise ValueError("a legend was given but the layout has no 'legend' box")

    @cached_property
    def group_of(self) -> dict[str, GroupBox]:
        """Node id -> the group holding it (ungrouped nodes are absent)."""
        return {member: group for group in self.groups for member in group.members}

    def edge_scope(self, source: str, target: str) -> GroupBox | None:
        """The lowest group holding both ends of an edge, or None for the top level. Groups do
        not nest (one per layer), so that is the ends' group when they share one."""
        scope = self.group_of.get(source)
        return scope if scope is not None and self.group_of.get(target) is scope else None

    @cached_property
    def _routes(self) -> dict[tuple[str, str], Route]:
        return {(route.source, route.target): route for route in self.edges}

    def route(self, source: str, target: str) -> tuple[tuple[float, float], ...]:
        """The route from source to target; () if none."""
        route = self._routes.get((source, target))
        return route.points if route is not None else ()

    def top_level(self, nodes) -> list[GroupBox | str]:
        """Groups and ungrouped nodes in the order of `nodes` (a group where its first member
        is), then any group without nodes: the order every editor format writes them in."""
        items: list[GroupBox | str] = []
        for node in nodes:
            item = self.group_of.get(node, node)
            if item not in items:
                items.append(item)
        return items + [group for group in self.groups if group not in items]


def _floats(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(","))


def node_extent(obj: dict) -> tuple[float, float, float, float]:
    """A node of Graphviz's JSON as (x0, y0, x1, y1) in Graphviz's coordinates (y up): its
    centre `pos`, its `width` and `height` in inches."""
    x, y = _floats(obj["pos"])
    half_width, half_height = float(obj["width"]) * 36, float(obj["height"]) * 36
    return (x - half_width, y - half_height, x + half_width, y + half_height)


def _polyline(pos: str, flip) -> tuple[tuple[float, float], ...]:
    """Graphviz's edge `pos` ("e,x,y s,x,y p0 p1 p2 p3 ...", cubic Bézier control points) as the
    polyline it draws with splines=polyline: every third point, plus the arrow tips."""
    start = end = None
    controls = []
    for item in pos.split():
        if item.startswith("e,"):
            end = _floats(item[2:])
        elif item.startswith("s,"):
            start = _floats(item[2:])
        else:
            controls.append(_floats(item))
    points = controls[::3]
    if controls and (len(controls) - 1) % 3:
        points.append(controls[-1])
    if start is not None:
        points.insert(0, start)
    if end is not None:
        points.append(end)
    return tuple(flip(x, y) for x, y in points)


def from_graphviz_json(data: dict, names: dict[str, str], group_labels: dict[str, str]) -> Layout:
    """Read `dot -Tjson0` output into a Layout; `names` maps bpdiag node ids to DOT names and
    `group_labels` maps group ids (cluster_<id> in DOT) to their titles."""
    _, _, right, top = _floats(data["bb"])
    by_name = {node_name: node_id for node_id, node_name in names.items()}

    def flip(x: float, y: float) -> tuple[float, float]:
        return (round(x, 2), round(top - y, 2))

    nodes: dict[str, Box] = {}
    gvid_to_id: dict[int, str] = {}
    groups: list[GroupBox] = []
    for obj in data.get("objects", []):
        if "nodes" in obj or obj["name"].startswith("cluster_"):
            continue
        node_id = by_name.get(obj["name"], obj["name"])
        gvid_to_id[obj["_gvid"]] = node_id
        x0, y0, x1, y1 = node_extent(obj)
        left, upper = flip(x0, y1)
        nodes[node_id] = Box(left, upper, round(x1 - x0, 2), round(y1 - y0, 2))
    for obj in data.get("objects", []):
        if not obj["name"].startswith("cluster_"):
            continue
        group = obj["name"][len("cluster_"):]
        x0, y0, x1, y1 = _floats(obj["bb"])
        left, upper = flip(x0, y1)
        members = tuple(gvid_to_id[index] for index in obj.get("nodes", []))
        groups.append(GroupBox(group, group_labels.get(group, group),
                               Box(left, upper, round(x1 - x0, 2), round(y1 - y0, 2)),
                               round(float(obj.get("lheight", 0)) * 72, 2), members))
    edges = []
    for edge in data.get("edges", []):
        if edge.get("style") == "invis":
            continue  # the column layout's placing edges: not part of the diagram
        source, target = gvid_to_id[edge["tail"]], gvid_to_id[edge["head"]]
        edges.append(Route(source, target, _polyline(edge["pos"], flip)))
    return Layout(round(right, 2), round(top, 2), nodes, tuple(groups), tuple(edges))
