"""The slide layout: each layer's group as a row, rows stacked in the order the pass visits them.

One Graphviz `dot` run still lays the whole diagram out. Inside a row the flow keeps its
direction (forward left to right, back-propagation right to left from J); the edge that carries
the chain from one layer to the next (A[l] into layer l+1, or W[l+1]ᵀ dZ[l+1] into dA[l]) runs
from the end of one row to the start of the row below, like a line of text wrapping. Compared
with the strip of layers side by side, the diagram is about as wide as one layer and as tall as
the layers stacked, close to a slide's 16:9 instead of 5:1.

How Graphviz is made to do this, without a second run:
* an edge between two layers' groups is written head to tail and drawn backwards (`dir=back`)
  with no length (`minlen=0`, `weight=0`): it then asks nothing of the ranks, so every group
  ranks its nodes from its own sources and the groups overlap in rank, which dot resolves by
  stacking them; and dot routes it as an ordinary edge, straight from one row's end to the next
  row's start (a `constraint=false` edge is routed around the whole drawing). The layout reader
  turns such edges round again (bpdiag.layout);
* each row's head, the node its longest path starts from (A[L], or Z[l] before g'(Z[l]) and
  dA[l]), shares one rank with the other rows' heads, so that the rows start at the same edge;
* invisible, rank-neutral edges from each row's chain to the next row's chain, one rank apart,
  would cross a row placed between the two, so dot's crossing minimisation keeps the rows in
  the pass's order.
"""

from __future__ import annotations

import networkx as nx

from .. import labels
from ..graph import attrs as a

# the attributes of an edge from one row into the next, written from its head to its tail
WRAP_EDGE = {"dir": "back", "minlen": "0", "weight": "0"}


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


def row_chains(graph: nx.DiGraph, on_chain) -> list[list[str]]:
    """Per group, in the pass's order (the rows from top to bottom), the nodes of its chain
    sorted by their rank inside the group; a group without chain nodes uses all of its nodes."""
    members = group_members(graph)
    chains = []
    for group in labels.groups_in_order(graph):
        nodes = members[group]
        ranks = local_ranks(graph, nodes)
        chain = [node for node in nodes if on_chain(node)] or nodes
        chains.append(sorted(chain, key=lambda node: ranks[node]))  # stable: insertion order
    return chains


def group_members(graph: nx.DiGraph) -> dict[str, list[str]]:
    """Each layer's (or the cost's) group and its nodes, in insertion order."""
    members: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        if data.get(a.GROUP):
            members.setdefault(data[a.GROUP], []).append(node)
    return members


def row_heads(graph: nx.DiGraph) -> list[str]:
    """Per group, in the pass's order, the node the group's longest path starts from (the
    first such in insertion order): the node farthest from the row's end."""
    members = group_members(graph)
    heads = []
    for group in labels.groups_in_order(graph):
        inside = graph.subgraph(members[group])
        to_end: dict[str, int] = {}
        for node in reversed(list(nx.topological_sort(inside))):
            to_end[node] = max((to_end[s] + 1 for s in inside.successors(node)), default=0)
        longest = max(to_end.values())
        heads.append(next(node for node in members[group] if to_end[node] == longest))
    return heads


def row_constraints(graph: nx.DiGraph, chains: list[list[str]], names: dict[str, str]) -> list[str]:
    """DOT statements that align the rows' starts and keep the rows in order (see the module
    docstring); invisible, so no format draws them."""
    statements = []
    starts = [names[head] for head in row_heads(graph)]
    if len(starts) > 1:
        statements.append("{rank=same; " + "; ".join(starts) + "}")
    for upper, lower in zip(chains, chains[1:]):
        for here, there in zip(upper, lower[1:]):
            statements.append(f"{names[here]} -> {names[there]} "
                              "[style=invis constraint=false]")
    return statements
