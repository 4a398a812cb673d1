"""Text size on a 1920×1080 slide, from an SVG's size and its font sizes (no browser needed).

The whole drawing is scaled to fit the slide, as a presenter's "fit" or a browser does: text of
font size f (in the SVG's user units, points here) is then f · min(1920 / W, 1080 / H) pixels
high, W × H being the drawing's size in the same units.
"""

from __future__ import annotations

import statistics

from lxml import etree

SLIDE = (1920, 1080)
SVG = "{http://www.w3.org/2000/svg}"


def _font_size(element) -> float | None:
    for node in (element, *element.iterancestors()):
        size = node.get("font-size")
        if size is not None:
            return float(size.removesuffix("px").removesuffix("pt"))
    return None


def text_sizes(svg: bytes) -> tuple[float, float]:
    """(smallest, median) text height in pixels on the slide, over every run of text."""
    root = etree.fromstring(svg)
    view = [float(v) for v in root.get("viewBox").split()]
    width, height = view[2], view[3]
    scale = min(SLIDE[0] / width, SLIDE[1] / height)
    sizes = []
    for element in root.iter(f"{SVG}text", f"{SVG}tspan"):
        if (element.text or "").strip():
            size = _font_size(element)
            if size is not None:
                sizes.append(size * scale)
    return min(sizes), statistics.median(sizes)
