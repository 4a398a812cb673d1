"""The small vocabulary of yEd's GraphML dialect: namespaces, keys, numbers, colours, elements.

yEd 3.24 writes a fixed header and key table; bpdiag writes the same, so a file re-saved in yEd
diffs cleanly against the original. Everything here is deterministic: a fixed namespace map,
attributes in sorted order (as yEd writes them) and one number format.
"""

from __future__ import annotations

import math
import re

from lxml import etree

GRAPHML = "http://graphml.graphdrawing.org/xmlns"
Y = "http://www.yworks.com/xml/graphml"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
SCHEMA_LOCATION = f"{GRAPHML} http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd"

NSMAP = {
    None: GRAPHML,
    "java": "http://www.yworks.com/xml/yfiles-common/1.0/java",
    "sys": "http://www.yworks.com/xml/yfiles-common/markup/primitives/2.0",
    "x": "http://www.yworks.com/xml/yfiles-common/markup/2.0",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "y": Y,
    "yed": "http://www.yworks.com/xml/yed/3",
}

# Key ids as yEd 3.24 numbers them (d0-d10), plus bpdiag's own node id as a custom property.
GRAPH_DESCRIPTION = "d0"
NODE_DESCRIPTION = "d5"
NODE_GRAPHICS = "d6"
RESOURCES = "d7"
EDGE_GRAPHICS = "d10"
BPDIAG_ID = "d11"

_KEYS = (
    {"attr.name": "Description", "attr.type": "string", "for": "graph", "id": "d0"},
    {"for": "port", "id": "d1", "yfiles.type": "portgraphics"},
    {"for": "port", "id": "d2", "yfiles.type": "portgeometry"},
    {"for": "port", "id": "d3", "yfiles.type": "portuserdata"},
    {"attr.name": "url", "attr.type": "string", "for": "node", "id": "d4"},
    {"attr.name": "description", "attr.type": "string", "for": "node", "id": "d5"},
    {"for": "node", "id": "d6", "yfiles.type": "nodegraphics"},
    {"for": "graphml", "id": "d7", "yfiles.type": "resources"},
    {"attr.name": "url", "attr.type": "string", "for": "edge", "id": "d8"},
    {"attr.name": "description", "attr.type": "string", "for": "edge", "id": "d9"},
    {"for": "edge", "id": "d10", "yfiles.type": "edgegraphics"},
    # yEd reads a key with attr.name as a custom property (Edit > Manage Custom Properties)
    # and saves it back; networkx reads it as the node attribute "bpdiag_id".
    {"attr.name": "bpdiag_id", "attr.type": "string", "for": "node", "id": "d11"},
)

_COLOUR = re.compile(r"#[0-9A-F]{6}([0-9A-F]{2})?")
# characters XML 1.0 cannot hold at all, even escaped (lxml refuses them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def num(value: float) -> str:
    """The one number format of the editors' files (GraphML, draw.io): one decimal, no '-0.0',
    finite only."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"cannot write the non-finite number {value!r} to GraphML or draw.io")
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def rounded(value: float) -> float:
    """`value` as it reads back from the file, so geometry checks use the written numbers."""
    return float(num(value))


def colour(value: str) -> str:
    """'#rrggbb' or '#rrggbbaa' in upper case, the only form yEd's schema accepts."""
    upper = value.upper()
    if not _COLOUR.fullmatch(upper):
        raise ValueError(f"colour {value!r} is not #RRGGBB or #RRGGBBAA")
    return upper


def xml_text(text: str) -> str:
    """User text made storable: characters XML forbids become U+FFFD; lxml escapes the rest."""
    return _NOT_XML.sub("\ufffd", text)


def y(tag: str) -> str:
    return f"{{{Y}}}{tag}"


def g(tag: str) -> str:
    return f"{{{GRAPHML}}}{tag}"


def element(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None,
            text: str | None = None, preserve: bool = False) -> etree._Element:
    """A child element with attributes in sorted order; `text` is escaped by lxml."""
    child = etree.SubElement(parent, tag)
    for name in sorted(attrs or {}):
        child.set(name, attrs[name])
    if text is not None:
        child.text = xml_text(text)
    if preserve:  # yEd marks label and description text this way; keeps multi-line text intact
        child.set(XML_SPACE, "preserve")
    return child


def document() -> etree._Element:
    """The <graphml> root with yEd's key table."""
    root = etree.Element(g("graphml"), nsmap=NSMAP)
    root.set(f"{{{NSMAP['xsi']}}}schemaLocation", SCHEMA_LOCATION)
    for key in _KEYS:
        element(root, g("key"), key)
    return root


def finish(root: etree._Element) -> bytes:
    """Close with yEd's (empty) resources block and serialise as UTF-8 with yEd's declaration."""
    data = element(root, g("data"), {"key": RESOURCES})
    element(data, y("Resources"))
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + body
