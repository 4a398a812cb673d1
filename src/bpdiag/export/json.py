"""A view's graph as networkx node-link JSON, with every node attribute (needs no Graphviz)."""

from __future__ import annotations

import json

import networkx as nx


def graph_to_json(graph: nx.DiGraph) -> bytes:
    """Node-link data with `nodes` and `edges` in the graph's canonical order; UTF-8, stable bytes."""
    data = nx.node_link_data(graph, edges="edges")
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def graph_from_json(text: str | bytes) -> nx.DiGraph:
    """The inverse of graph_to_json."""
    return nx.node_link_graph(json.loads(text), edges="edges")
