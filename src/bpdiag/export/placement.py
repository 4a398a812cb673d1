"""Where the rows layout puts its rows, its notes and its legend: plain geometry in points,
y pointing down, on a slide of 1920 × 1080 pixels (bpdiag.export.rows runs Graphviz).

A drawing W × H points wide and high, fitted to the slide, shows text of f points at
f · min(1920 / W, 1080 / H) pixels: `slide_scale`. Every choice here keeps that scale large.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..layout import Box

ROW_GAP = 24.0      # points between one row's box and the next (and around notes, the legend)
SLIDE = (1920, 1080)


@dataclass(frozen=True)
class Frame:
    """A row's own layout as placement sees it: its size and the span of its layer's box
    across it (from its left edge); a row's loose nodes (J, Y, X) lie outside that span."""

    width: float
    height: float
    group_left: float
    group_right: float
    continued: bool = False  # the second half of a cut row, which runs back below the first


def stack(frames: list[Frame], from_the_right: bool) -> list[Box]:
    """The rows' boxes one below the other, ROW_GAP apart, each row starting at the same edge
    (the right one for back-propagation, which reads from the right). A second half starts
    below the end of its first half, inside the first half's layer box, so that the layer's
    box, drawn around both halves, holds no loose node of either."""
    widest = max(frame.width for frame in frames if not frame.continued)
    boxes: list[Box] = []
    y = 0.0
    for index, frame in enumerate(frames):
        if frame.continued:
            above, over = boxes[-1], frames[index - 1]
            left, right = above.x + over.group_left, above.x + over.group_right
            at_left, at_right = left - frame.group_left, right - frame.group_right
            x = min(at_left, at_right) if from_the_right else max(at_left, at_right)
        else:
            x = widest - frame.width if from_the_right else 0.0
        boxes.append(Box(x, y, frame.width, frame.height))
        y += frame.height + ROW_GAP
    return boxes


def slide_scale(boxes: list[Box]) -> float:
    """Pixels on the slide per point of the drawing that `boxes` make."""
    width = max(b.right for b in boxes) - min(b.x for b in boxes)
    height = max(b.bottom for b in boxes) - min(b.y for b in boxes)
    return min(SLIDE[0] / width, SLIDE[1] / height)


def notes_below(rows: list[Box], notes: list[tuple[float, float, float]]) -> list[Box]:
    """Each note (width, height, x of the node it annotates) below the rows, centred under
    that node, side by side where two would overlap."""
    top = max(b.bottom for b in rows) + ROW_GAP
    placed: list[Box] = []
    for width, height, under in notes:
        x = under - width / 2
        for other in placed:
            if x < other.right + ROW_GAP and other.x < x + width + ROW_GAP:
                x = other.right + ROW_GAP
        placed.append(Box(x, top, width, height))
    return placed


def legend_place(drawn: list[Box], size: tuple[float, float], from_the_right: bool) -> Box:
    """Where the legend goes: beside the drawing on the side where the rows end (the left for
    back-propagation), or tucked into the room that shorter rows leave on that side, below
    every box it would meet; of the two, the one that shows the drawing larger on a slide."""
    width, height = size
    left, right = min(b.x for b in drawn), max(b.right for b in drawn)
    top = min(b.y for b in drawn)
    beside = Box(left - ROW_GAP - width if from_the_right else right + ROW_GAP, top, width, height)
    x = left if from_the_right else right - width
    below = [b.bottom + ROW_GAP for b in drawn if b.x < x + width and x < b.right]
    tucked = Box(x, max(below, default=top), width, height)
    return max((beside, tucked), key=lambda box: slide_scale(drawn + [box]))  # ties: beside


def segment_meets(box: tuple[float, float, float, float], ends, margin: float) -> bool:
    """Whether the segment between `ends` passes through `box` grown by `margin` (clipping
    the segment to the box's slab in x, then in y: Liang and Barsky's test)."""
    (x0, y0), (x1, y1) = ends
    low, high = 0.0, 1.0
    for start, delta, lower, upper in ((x0, x1 - x0, box[0] - margin, box[2] + margin),
                                       (y0, y1 - y0, box[1] - margin, box[3] + margin)):
        if delta == 0:
            if not lower < start < upper:
                return False
            continue
        t0, t1 = sorted(((lower - start) / delta, (upper - start) / delta))
        low, high = max(low, t0), min(high, t1)
        if low >= high:
            return False
    return True
