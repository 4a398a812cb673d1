"""Graphviz's SVG, made to display at its natural size.

With a dpi set (for a sharp PNG), Graphviz 2.x scales the SVG's width, height and content by
dpi/72 but not its viewBox, so browsers show it enlarged and cropped. The drawing is in points:
size and scale are set back to match the viewBox.
"""

from __future__ import annotations

import re

_VIEWBOX = re.compile(rb'viewBox="0\.00 0\.00 ([0-9.]+) ([0-9.]+)"')
_SIZE = re.compile(rb'<svg width="[0-9.]+pt" height="[0-9.]+pt"')
_SCALE = re.compile(rb'(<g id="[^"]*" class="graph" transform=")scale\([0-9.]+ [0-9.]+\)')


def natural_size(svg: bytes) -> bytes:
    match = _VIEWBOX.search(svg)
    if match is None:
        return svg
    width, height = match.groups()
    svg = _SIZE.sub(b'<svg width="' + width + b'pt" height="' + height + b'pt"', svg, count=1)
    return _SCALE.sub(rb"\1scale(1 1)", svg, count=1)
