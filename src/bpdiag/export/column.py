"""The page layout: the layers' groups one below the other, the pass reading downwards.

dot ranks every loose node (one in no layer's group) beside the groups, on the rank of its
neighbours, which widens a column by the node's width: J and Y beside A[L] at the top of a
back-propagation view, the note where it stops beside the last layer's dZ. Invisible edges rank
them where they cost no width instead: a loose source that feeds the first group above the nodes
it is read with (J and Y above A[L]), the notes after the last group below it.
"""

from __future__ import annotations

import networkx as nx

from .. import labels
from ..graph import attrs as a


def _members(graph: nx.DiGraph, group: str) -> list[str]:
    return [node for node, data in graph.nodes(data=True) if data.get(a.GROUP) == group]


def column_constraints(graph: nx.DiGraph, names: dict[str, str]) -> list[str]:
    """DOT statements (invisible edges) that rank the loose nodes above and below the column."""
    groups = labels.groups_in_order(graph)
    if not groups:
        return []
    loose = [node for node, data in graph.nodes(data=True) if not data.get(a.GROUP)]
    first, last = _members(graph, groups[0]), _members(graph, groups[-1])
    bottoms = [node for node in last if not any(s in last for s in graph.successors(node))]
    statements = []
    for node in loose:
        if graph.in_degree(node) == 0 and any(s in first for s in graph.successors(node)):
            read_with = sorted({p for s in graph.successors(node) for p in graph.predecessors(s)
                                if p in first}, key=list(graph).index)
            statements += [f"{names[node]} -> {names[p]} [style=invis]" for p in read_with]
        elif graph.nodes[node][a.KIND] == a.ANNOTATION:
            statements += [f"{names[bottom]} -> {names[node]} [style=invis]" for bottom in bottoms]
    return statements
