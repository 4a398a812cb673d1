"""Whether a file Graphviz wrote is whole: a `dot` that exits 0 may still have written a part.

One check per format Graphviz writes (`CHECKS`); each returns None for a whole file, else why
not. A format the run writes must have a check here, so a new one cannot go unchecked.
"""

from __future__ import annotations

import json

from lxml import etree

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the last chunk: no data, then its CRC


def _svg(data: bytes) -> str | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return f"not well-formed XML: {exc}"
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        return f"its root is <{etree.QName(root).localname}>, not <svg>"
    return None


def _png(data: bytes) -> str | None:
    if not data.startswith(PNG_SIGNATURE):
        return "no PNG signature"
    if not data.endswith(PNG_END):
        return "no IEND chunk at its end"
    return None


def _layout(data: bytes) -> str | None:
    try:
        layout = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        return f"not JSON: {exc}"
    if not isinstance(layout, dict) or "bb" not in layout:
        return "no bounding box 'bb'"
    if not isinstance(layout.get("objects", []), list) or not isinstance(layout.get("edges", []), list):
        return "'objects' or 'edges' is not a list"
    return None


def _pdf(data: bytes) -> str | None:
    if not data.startswith(b"%PDF-"):
        return "no %PDF- header"
    if not data.rstrip().endswith(b"%%EOF"):
        return "no %%EOF at its end"
    return None


CHECKS = {"svg": _svg, "png": _png, "json0": _layout, "json": _layout, "pdf": _pdf}  # by -T format


def problem(fmt: str, data: bytes) -> str | None:
    """Why `data` is not a whole `fmt` file (a Graphviz -T name), or None when it is."""
    return CHECKS[fmt](data)
