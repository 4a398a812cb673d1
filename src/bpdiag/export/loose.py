"""Where the loose nodes go: those in no layer's group (J and Y in back-propagation, the note
where it stops).

dot ranks a loose node on the rank of its neighbours, beside or between the groups that hold
them: J and Y beside A[L], widening a column or pushing a row's nodes apart. Invisible edges
rank them where they cost the least.
"""

from __future__ import annotations

import networkx as nx

from .. import labels
from ..graph import attrs as a
from .groups import group_members


def _loose(graph: nx.DiGraph) -> list[str]:
    return [node for node, data in graph.nodes(data=True) if not data.get(a.GROUP)]


def sources_before(graph: nx.DiGraph, names: dict[str, str]) -> list[str]:
    """Each loose source that feeds the first group, one rank before the nodes it is read with
    (J and Y before A[L]): beside the first row's start, above a column's top."""
    groups = labels.groups_in_order(graph)
    if not groups:
        return []
    first = set(group_members(graph)[groups[0]])
    statements = []
    for node in _loose(graph):
        if graph.in_degree(node) == 0 and any(s in first for s in graph.successors(node)):
            read_with = sorted({p for s in graph.successors(node) for p in graph.predecessors(s)
                                if p in first}, key=list(graph).index)
            statements += [f"{names[node]} -> {names[p]} [style=invis]" for p in read_with]
    return statements


def ends(graph: nx.DiGraph) -> list[str]:
    """The nodes that end a group (no successor inside their group) and the loose sinks: in
    the column, whose groups follow one another, a node ranked after these is after every node
    of the pass."""
    def end(node: str) -> bool:
        group = graph.nodes[node].get(a.GROUP)
        return not any(graph.nodes[s].get(a.GROUP) == group for s in graph.successors(node)) \
            if group else graph.out_degree(node) == 0
    return [node for node in graph if end(node)]


def notes_after(graph: nx.DiGraph, names: dict[str, str]) -> list[str]:
    """Each loose note ranked after the last group's ends: below a column."""
    groups = labels.groups_in_order(graph)
    if not groups:
        return []
    last = group_members(graph)[groups[-1]]
    ends = [node for node in last if not any(s in last for s in graph.successors(node))]
    return [f"{names[end]} -> {names[note]} [style=invis]"
            for note in _loose(graph) if graph.nodes[note][a.KIND] == a.ANNOTATION for end in ends]
