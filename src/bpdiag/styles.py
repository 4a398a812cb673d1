"""How each kind of node and edge looks, read from templates/styles.toml."""

from __future__ import annotations

from dataclasses import dataclass

from .graph import attrs as a
from .resources import load_toml


@dataclass(frozen=True)
class NodeStyle:
    fill: str
    border: str
    shape: str               # yEd shape name
    text: str = "#000000"
    border_style: str = "line"   # line, dashed, dotted (yEd names)
    border_width: float = 1.0


@dataclass(frozen=True)
class EdgeStyle:
    color: str
    style: str
    width: float


@dataclass(frozen=True)
class Font:
    family: str
    yed_family: str
    size: float          # a quantity's symbol; the rest of a node scales from it (labels.SMALL)
    group: float         # a layer's group title
    legend: float        # the legend's text
    legend_title: float


def _table() -> dict:
    return load_toml("styles.toml")


def font() -> Font:
    f = _table()["font"]
    return Font(f["family"], f["yed_family"], float(f["size"]), float(f["group"]),
                float(f["legend"]), float(f["legend_title"]))


def node_style(data: dict) -> NodeStyle:
    """The style of a node from its attributes: its kind, and the cache mark when cached."""
    kind = _table()["kind"][data[a.KIND]]
    style = NodeStyle(kind["fill"], kind["border"], kind["shape"], kind.get("text", "#000000"))
    if data.get(a.CACHED):
        cached = _table()["cached"]
        style = NodeStyle(style.fill, cached["border"], style.shape, style.text,
                          cached["border_style"], float(cached["border_width"]))
    return style


def edge_style(role: str | None) -> EdgeStyle:
    """Operand and result edges are data flow; seed, equivalent and annotation edges differ."""
    name = role if role in (a.SEED, a.EQUIVALENT, a.ANNOTATION) else "dataflow"
    edge = _table()["edge"][name]
    return EdgeStyle(edge["color"], edge["style"], float(edge["width"]))


def edge_legend(role: str) -> str:
    """What an arrow of this role means, for the legend."""
    return _table()["edge"][role]["legend"]


def group_style() -> dict:
    return dict(_table()["group"])


def legend_style() -> dict:
    return dict(_table()["legend"])


CACHED_ENTRY = "cached"  # the key's entry for the cache mark, beside one entry per node kind


def legend_entries(granularity: str = "batch") -> list[tuple[str, str, NodeStyle]]:
    """(entry, text, style) for the colour/shape key, in a fixed order: one per node kind, then
    the cache mark; worded for the view's `granularity` where styles.toml says how."""
    kinds = _table()["kind"]
    worded = f"legend_{granularity}"
    entries = [(kind, kinds[kind].get(worded, kinds[kind]["legend"]), node_style({a.KIND: kind}))
               for kind in (*a.QUANTITY_KINDS, a.OPERATION, a.ANNOTATION)]
    cached = {a.KIND: a.FORWARD, a.CACHED: True}
    entries.append((CACHED_ENTRY, _table()["cached"]["legend"], node_style(cached)))
    return entries
