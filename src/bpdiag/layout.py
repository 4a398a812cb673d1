"""One Graphviz layout per diagram, in one coordinate system that every format uses.

Coordinates are in points (1/72 inch), origin at the top-left of the drawing, y pointing down:
yEd's convention. Graphviz's own (origin bottom-left, y up) is converted once, here.
"""

from __future__ import annotations

from dataclasses import dataclass


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
