"""The layers' groups of a view's graph, as the layouts read them."""

from __future__ import annotations

import networkx as nx

from ..graph import attrs as a


def group_members(graph: nx.DiGraph) -> dict[str, list[str]]:
    """Each layer's (or the cost's) group and its nodes, in insertion order."""
    members: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        if data.get(a.GROUP):
            members.setdefault(data[a.GROUP], []).append(node)
    return members


def crosses_groups(graph: nx.DiGraph, source: str, target: str) -> bool:
    """Whether the edge runs from one layer's (or the cost's) group into another's."""
    group_u, group_v = graph.nodes[source].get(a.GROUP), graph.nodes[target].get(a.GROUP)
    return group_u is not None and group_v is not None and group_u != group_v


def local_ranks(graph: nx.DiGraph, members: list[str]) -> dict[str, int]:
    """Longest-path ranks inside one group, counted from the group's own sources."""
    inside = graph.subgraph(members)
    ranks: dict[str, int] = {}
    for node in nx.topological_sort(inside):
        ranks[node] = max((ranks[p] + 1 for p in inside.predecessors(node)), default=0)
    return ranks
