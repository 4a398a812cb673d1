"""Text size on a 1920×1080 slide or a page, from an SVG's size and its font sizes (no browser
needed).

On a slide the whole drawing is scaled to fit, as a presenter's "fit" or a browser does: text of
font size f (in the SVG's user units, points here) is then f · min(1920 / W, 1080 / H) pixels
high, W × H being the drawing's size in the same units. On a page (GitHub's README column is
about 890 px wide) an image is shown at its own size, W points = 4/3 W px, or narrowed to the
column: f · min(4/3, 890 / W) pixels.
"""

from __future__ import annotations

import statistics

from lxml import etree

SLIDE = (1920, 1080)
PAGE_WIDTH = 890
PX_PER_PT = 4 / 3
SVG = "{http://www.w3.org/2000/svg}"


def _font_size(element) -> float | None:
    for node in (element, *element.iterancestors()):
        size = node.get("font-size")
        if size is not None:
            return float(size.removesuffix("px").removesuffix("pt"))
    return None


def text_sizes(svg: bytes) -> tuple[float, float]:
    """(smallest, median) text height in pixels on the slide, over every run of text."""
    width, height = _size(svg)
    return _sizes(svg, min(SLIDE[0] / width, SLIDE[1] / height))


def page_text_sizes(svg: bytes) -> tuple[float, float]:
    """(smallest, median) text height in pixels on a page PAGE_WIDTH px wide."""
    width, _ = _size(svg)
    return _sizes(svg, min(PX_PER_PT, PAGE_WIDTH / width))


def _size(svg: bytes) -> tuple[float, float]:
    view = [float(v) for v in etree.fromstring(svg).get("viewBox").split()]
    return view[2], view[3]


def _sizes(svg: bytes, scale: float) -> tuple[float, float]:
    root = etree.fromstring(svg)
    sizes = []
    for element in root.iter(f"{SVG}text", f"{SVG}tspan"):
        if (element.text or "").strip():
            size = _font_size(element)
            if size is not None:
                sizes.append(size * scale)
    return min(sizes), statistics.median(sizes)
