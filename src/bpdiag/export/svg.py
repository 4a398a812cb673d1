"""Graphviz's SVG, made to display at its natural size.

Graphviz scales the whole SVG by dpi/72 (the dpi is set for a sharp PNG); the size given to
browsers is set back to points, so the SVG shows at 100 % where the PNG is sharp.
"""

from __future__ import annotations

import re

_VIEWBOX = re.compile(rb'viewBox="0\.00 0\.00 ([0-9.]+) ([0-9.]+)"')
_SIZE = re.compile(rb'<svg width="[0-9.]+pt" height="[0-9.]+pt"')


def natural_size(svg: bytes, dpi: float) -> bytes:
    match = _VIEWBOX.search(svg)
    if match is None:
        return svg
    width, height = (float(value) * 72 / dpi for value in match.groups())
    size = f'<svg width="{width:.2f}pt" height="{height:.2f}pt"'.encode()
    return _SIZE.sub(size, svg, count=1)
