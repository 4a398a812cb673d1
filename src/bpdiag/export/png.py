"""Graphviz's PNG, labelled with the resolution it was drawn at.

Graphviz's cairo renderer draws a bitmap at most 32767 px a side: a larger one is scaled down to
fit, with only a warning on Graphviz's stderr. bpdiag keeps that PNG (the sharpest that fits),
records its true resolution in a pHYs chunk, and says so (`lowered_note`).
"""

from __future__ import annotations

import struct
import zlib

GRAPHVIZ_MAX_PX = 32767  # a side of a cairo-renderer bitmap (Graphviz's CAIRO_XMAX, CAIRO_YMAX)
INCHES_PER_METRE = 1 / 0.0254
SIGNATURE = b"\x89PNG\r\n\x1a\n"


def pixel_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's header (IHDR, the first chunk)."""
    if png[:8] != SIGNATURE or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", png[16:24])


def canvas_points(layout: dict) -> tuple[float, float]:
    """The drawn canvas in points from Graphviz's JSON: the bounding box plus the pad around it."""
    x0, y0, x1, y1 = (float(v) for v in layout["bb"].split(","))
    pad = [float(v) * 72 for v in str(layout.get("pad", "0.0555")).split(",")]
    pad_x, pad_y = pad[0], pad[-1]
    return x1 - x0 + 2 * pad_x, y1 - y0 + 2 * pad_y


def drawn_dpi(png: bytes, width_pt: float, height_pt: float, dpi: float) -> float:
    """The resolution the PNG was drawn at: `dpi`, or less where Graphviz scaled it to fit."""
    if max(width_pt, height_pt) * dpi / 72 <= GRAPHVIZ_MAX_PX:
        return dpi
    width, height = pixel_size(png)
    # the longer side is the one Graphviz fitted to its limit: the least rounded ratio
    ratio = width / (width_pt * dpi / 72) if width_pt >= height_pt else height / (height_pt * dpi / 72)
    return dpi * min(1.0, ratio)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def with_resolution(png: bytes, dpi: float) -> bytes:
    """`png` with a pHYs chunk saying `dpi` (pixels per metre), right after its header."""
    per_metre = round(dpi * INCHES_PER_METRE)
    end_of_header = 8 + 12 + 13
    return png[:end_of_header] + _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)) \
        + png[end_of_header:]


def resolution(png: bytes) -> float | None:
    """The dpi in the PNG's pHYs chunk, or None without one."""
    offset = 8
    while offset + 8 <= len(png):
        (length,), kind = struct.unpack(">I", png[offset:offset + 4]), png[offset + 4:offset + 8]
        if kind == b"pHYs":
            per_metre, _, unit = struct.unpack(">IIB", png[offset + 8:offset + 17])
            return per_metre / INCHES_PER_METRE if unit == 1 else None
        if kind in (b"IDAT", b"IEND"):
            return None
        offset += 12 + length
    return None


def lowered_note(name: str, png: bytes, dpi: float) -> str | None:
    """One line when `png` (file `name`) holds fewer than `dpi` dots per inch, else None."""
    actual = resolution(png)
    if actual is None or actual >= dpi - 0.5:
        return None
    return (f"{name}: {int(actual)} dpi instead of {dpi:g} to stay within Graphviz's "
            f"{GRAPHVIZ_MAX_PX}-px limit; draw fewer layers per diagram, or use the SVG or PDF")
