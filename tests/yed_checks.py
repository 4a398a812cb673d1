"""Checks for yEd GraphML that do not depend on how a file was made: the schema and semantics.

The schema is yWorks' ygraphml.xsd from the reference folder beside the project (never copied
into it). It predates yEd 3.24, so a copy of the file is checked after dropping the three
things yEd 3.24 writes that it does not know; libxml2's keyref false positive on edges into
nested graphs is ignored (the semantic checks resolve edge ends instead).
"""

from __future__ import annotations

import copy
import math
import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

G = "{http://graphml.graphdrawing.org/xmlns}"
Y = "{http://www.yworks.com/xml/graphml}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
COLOUR = re.compile(r"^#[0-9A-F]{6}([0-9A-F]{2})?$")
KEYREF_FALSE_POSITIVE = re.compile(
    r"More than one match found for key-sequence .* keyref "
    r"'\{http://graphml.graphdrawing.org/xmlns\}edge_(source|target)_ref'")
GRAPHICS = ("ShapeNode", "GenericNode", "ProxyAutoBoundsNode", "SVGNode", "ImageNode")
NUMERIC = ("x", "y", "width", "height", "sx", "sy", "tx", "ty")


def schema_path(shared: Path) -> Path:
    return shared / "reference" / "yed" / "schema" / "ygraphml.xsd"


@lru_cache(maxsize=None)
def load_schema(path: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(path), parser))


def parse(data: bytes) -> etree._ElementTree:
    return etree.ElementTree(etree.fromstring(data, etree.XMLParser(no_network=True)))


def strip_yed_324(tree: etree._ElementTree) -> etree._ElementTree:
    """A copy without what yEd 3.24 writes and the older schema lacks (README §1, classes 1-3)."""
    tree = copy.deepcopy(tree)
    for element in tree.iter():
        element.attrib.pop(XML_SPACE, None)
        if element.tag == f"{Y}State":
            element.attrib.pop("closedWidth", None)
            element.attrib.pop("closedHeight", None)
    for element in list(tree.iter(f"{Y}PreferredPlacementDescriptor")):
        element.getparent().remove(element)
    return tree


def schema_errors(tree: etree._ElementTree, shared: Path) -> list[str]:
    schema = load_schema(schema_path(shared))
    schema.validate(strip_yed_324(tree))
    return [f"line {error.line}: {error.message}" for error in schema.error_log
            if not KEYREF_FALSE_POSITIVE.search(error.message)]


# -- semantic checks (README §5.3) ------------------------------------------------------------

def _box(graphics: etree._Element) -> tuple[float, float, float, float]:
    geometry = graphics.find(f"{Y}Geometry")
    return tuple(float(geometry.get(k)) for k in ("x", "y", "width", "height"))


def _active_realizer(node: etree._Element) -> etree._Element | None:
    data = node.find(f"{G}data/{Y}ProxyAutoBoundsNode/{Y}Realizers")
    if data is None:
        return None
    return list(data)[int(data.get("active", "0"))]


def _leaf_graphics(node: etree._Element) -> etree._Element | None:
    for data in node.findall(f"{G}data"):
        for child in data:
            if child.tag in (f"{Y}ShapeNode", f"{Y}GenericNode"):
                return child
    return None


def _contains(outer, inner, slack=0.11) -> bool:
    ox, oy, ow, oh = outer
    ix, iy, iw, ih = inner
    return (ox - slack <= ix and oy - slack <= iy
            and ix + iw <= ox + ow + slack and iy + ih <= oy + oh + slack)


def semantic_problems(tree: etree._ElementTree, check_overlaps: bool = True) -> list[str]:
    problems: list[str] = []
    root = tree.getroot()
    graphics_keys = {k.get("id") for k in root.findall(f"{G}key")
                     if k.get("yfiles.type") == "nodegraphics"}

    ids = [n.get("id") for n in root.iter(f"{G}node")] + [e.get("id") for e in root.iter(f"{G}edge")]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        problems.append(f"duplicate ids {sorted(duplicates)}")
    nodes = {n.get("id"): n for n in root.iter(f"{G}node")}
    for edge in root.iter(f"{G}edge"):
        for end in ("source", "target"):
            if edge.get(end) not in nodes:
                problems.append(f"edge {edge.get('id')} {end} {edge.get(end)!r} does not resolve")

    for data in root.iter(f"{G}data"):
        if data.get("key") in graphics_keys and len(data) != 1:
            problems.append(f"{len(data)} graphics elements in one nodegraphics <data>")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name in ("color", "color2", "textColor", "backgroundColor", "lineColor"):
                if not COLOUR.match(value):
                    problems.append(f"colour {value!r} on {element.tag}")
            if element.tag.startswith(Y) and name in NUMERIC:
                if not math.isfinite(float(value)):
                    problems.append(f"non-finite {name}={value!r} on {element.tag}")

    # groups contain their children, the title band included in the top inset
    leaves: dict[str, tuple] = {}
    for node_id, node in nodes.items():
        realizer = _active_realizer(node)
        if realizer is None:
            graphics = _leaf_graphics(node)
            if graphics is None:
                problems.append(f"node {node_id} has no graphics")
            else:
                leaves[node_id] = _box(graphics)
            continue
        outer = _box(realizer)
        label = realizer.find(f"{Y}NodeLabel")
        label_height = float(label.get("height", "0")) if label is not None else 0.0
        inner_top = (outer[0], outer[1] + label_height, outer[2], outer[3] - label_height)
        for child in node.findall(f"{G}graph/{G}node"):
            child_graphics = _active_realizer(child)
            if child_graphics is None:
                child_graphics = _leaf_graphics(child)
            if child_graphics is not None and not _contains(inner_top, _box(child_graphics)):
                problems.append(f"group {node_id} (below its title) does not contain {child.get('id')}")

    # ports inside their nodes
    for edge in root.iter(f"{G}edge"):
        path = edge.find(f".//{Y}Path")
        if path is None:
            continue
        for end, px, py in (("source", "sx", "sy"), ("target", "tx", "ty")):
            box = leaves.get(edge.get(end))
            if box is None:
                continue
            if abs(float(path.get(px))) > box[2] / 2 + 1e-9 or abs(float(path.get(py))) > box[3] / 2 + 1e-9:
                problems.append(f"edge {edge.get('id')} {end} port outside the node")

    if check_overlaps:
        items = sorted(leaves.items())
        for i, (a_id, a) in enumerate(items):
            for b_id, b in items[i + 1:]:
                if a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]:
                    problems.append(f"nodes {a_id} and {b_id} overlap")
    return problems
