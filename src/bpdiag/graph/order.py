"""The one order in which a view's nodes are visited: dataflow first, then insertion order.

The numeric check evaluates in this order and `bpdiag explain` prints in it, so a step is
explained exactly where it is computed.
"""

from __future__ import annotations

import networkx as nx


def dataflow_order(graph: nx.DiGraph) -> list[str]:
    """Every node after its inputs; ties broken by the order the builder added the nodes."""
    position = {node: index for index, node in enumerate(graph.nodes)}
    return list(nx.lexicographical_topological_sort(graph, key=position.__getitem__))
