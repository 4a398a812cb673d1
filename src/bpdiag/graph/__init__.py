"""Dataflow graphs (networkx DiGraphs) of a network, one per view.

A view's graph is bipartite: quantity nodes (X, W[l], Z[l], dW[l], ...) and operation nodes,
with edges from operands to operations and from operations to their results. Node attribute
names are in `attrs`.
"""

from __future__ import annotations

import networkx as nx

from ..model import Network
from ..views import View
from .batch import build_batch
from .example import build_example
from .unit import build_unit

# One builder per granularity (views.GRANULARITIES): m examples at once, one example, one scalar.
BUILDERS = {"batch": build_batch, "example": build_example, "unit": build_unit}


def build_graph(network: Network, view: View, *, m: int | None = None,
                inference: bool = False) -> nx.DiGraph:
    """The dataflow graph of `view`; `m` fixes the number of examples in the numeric dims."""
    view.check_fits(network)
    if inference and not view.is_forward:
        from ..model import SpecError
        raise SpecError("--inference draws the forward pass only (nothing is differentiated "
                        "at inference); drop --to-layer or drop --inference")
    graph = BUILDERS[view.granularity](network, view.to_layer, m=m, inference=inference)
    graph.graph.update(
        view=view.name,
        granularity=view.granularity,
        layers=list(network.sizes),
        hidden_activation=network.hidden_activation,
        inference=inference,
    )
    return graph
