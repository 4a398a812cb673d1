"""The unit views: every scalar is a node (z[l]_j, a[l]_j, w[l]_jk, b[l]_j and their gradients).

Forward:  z[l]_j = Σ_k w[l]_jk a[l-1]_k + b[l]_j,  a[l]_j = g[l](z[l]_j),  J = (1/m) Σᵢ ℒ(i)
Backward: da[l-1]_k = Σ_j w[l]_jk dz[l]_j,  dz[l]_j = da[l]_j · g[l]'(z[l]_j),
          dw[l]_jk = (1/m) Σᵢ dz[l]_j(i) a[l-1]_k(i),  db[l]_j = (1/m) Σᵢ dz[l]_j(i)

As in the example views, the numeric check evaluates the per-example scalars once per example i
(shape (), as declared) and each `mean_over_examples` operation averages its m values. The sums
over k (or j) are `weighted_sum` operations whose operands are the scalars they add up.

A unit view grows with the number of weights; past MAX_UNIT_NODES it is refused (see there).
"""

from __future__ import annotations

import networkx as nx

from ..model import Network, SpecError
from ..views import View
from . import attrs as a
from . import head
from .builder import GraphBuilder
from .ids import unit_id, unit_symbol
from .notation import ACTIVATION_NAMES

FWD = a.FORWARD_PHASE

# The most nodes (quantities, operations and the stop note) a unit view may have. The default
# 2,3,2,1 network's largest unit view (back-propagation to layer 1) has 101; past about twice that
# the scalar diagram no longer reads on one page. Set from benchmarks/bench.py (e): Graphviz's
# layout stays quick (about 0.1 s at 1,000 nodes) but drawing the PNG grows with the picture's
# area, about nodes^1.5: 0.7 s at 81 nodes, 1.6-2 s at 180-190, 6-7 s at 370-520, 24 s at 980.
# 250 keeps one unit diagram near 3 s. Tunable; `unit_node_count` predicts a view's size
# without building it.
MAX_UNIT_NODES = 250

_sym = unit_symbol

LABEL_ID = "fwd:y"


def unit_node_count(network: Network, view: View) -> int:
    """How many nodes the unit graph of `view` has, counted from the sizes without building it."""
    from ..ops.activation import derivative_reads  # ops import the graph's vocabulary
    n, L = network.sizes, network.depth
    if view.is_forward:
        return n[0] + sum(n[l] * (n[l - 1] + 5) for l in range(1, L + 1)) + 5
    # J, y, a[L]_1; da[L]_1 and g[L]' with their operations; dz[L]_1, its operation and shortcut
    count = 10
    for layer in range(L, view.to_layer - 1, -1):
        # a[l-1]_k (or x_k) read by dw; dw and db with their operations
        count += n[layer - 1] + 2 * n[layer] * n[layer - 1] + 2 * n[layer]
        if layer - 1 >= view.to_layer:
            reads_z = derivative_reads(network.activation(layer - 1)) == "Z"
            # w[l]_jk; da, g' and dz of layer l-1 with their operations; z[l-1]_k when g' reads z
            count += n[layer] * n[layer - 1] + 6 * n[layer - 1] + (n[layer - 1] if reads_z else 0)
    return count + 1  # the stop note


def check_unit_size(network: Network, view: View) -> None:
    """Refuse a unit view too large to read or lay out, pointing to the batch view."""
    count = unit_node_count(network, view)
    if count > MAX_UNIT_NODES:
        sizes = ",".join(str(size) for size in network.sizes)
        raise SpecError(
            f"the unit view {view.name} of layers {sizes} would have {count} nodes, more than the "
            f"{MAX_UNIT_NODES} a readable unit diagram allows; use --view batch (or example), "
            "or fewer units per layer"
        )


class _UnitViews:
    def __init__(self, network: Network) -> None:
        self.net = network

    def units(self, layer: int) -> range:
        return range(1, self.net.units(layer) + 1)

    # -- forward scalars --------------------------------------------------------------------
    def add_input(self, b: GraphBuilder, k: int, group: str | None = None) -> str:
        return b.quantity(
            unit_id("a", 0, k), symbol=_sym("a", 0, k), name="x", kind=a.DATA, phase=FWD,
            layer=0, group=group, shape=[], dims=[], formula=f"x_{k} = a[0]_{k}: entry ({k}, i) of X",
            note=f"input feature {k} of one example: fixed data, not differentiated",
        )

    def add_prev(self, b: GraphBuilder, layer: int, k: int, group: str | None) -> str:
        """a[layer]_k, or the input x_k when layer is 0."""
        return self.add_input(b, k, group) if layer == 0 else self.add_activation(b, layer, k, group)

    def add_y(self, b: GraphBuilder, group: str | None = None) -> str:
        return b.quantity(
            LABEL_ID, symbol="y", name="y", kind=a.DATA, phase=FWD, layer=None, group=group,
            shape=[], dims=[], formula="y = y(i) ∈ {0, 1}, entry i of Y",
            note="the example's label: fixed data, not differentiated",
        )

    def add_weight(self, b: GraphBuilder, layer: int, j: int, k: int, group: str | None) -> str:
        return b.quantity(
            unit_id("w", layer, j, k), symbol=_sym("w", layer, j, k), name="w", kind=a.PARAMETER,
            phase=FWD, layer=layer, group=group, shape=[], dims=[],
            formula=f"{_sym('w', layer, j, k)}: entry ({j}, {k}) of W[{layer}], from unit {k} of "
                    f"layer {layer - 1} into unit {j} of layer {layer}",
            note="a parameter: one of the variables J is a function of",
        )

    def add_bias(self, b: GraphBuilder, layer: int, j: int, group: str | None) -> str:
        return b.quantity(
            unit_id("b", layer, j), symbol=_sym("b", layer, j), name="b", kind=a.PARAMETER,
            phase=FWD, layer=layer, group=group, shape=[], dims=[],
            formula=f"{_sym('b', layer, j)}: entry {j} of b[{layer}]",
            note="a parameter: one of the variables J is a function of",
        )

    def add_preactivation(self, b: GraphBuilder, layer: int, j: int, group: str | None) -> str:
        node_id = unit_id("z", layer, j)
        return b.quantity(
            node_id, symbol=_sym("z", layer, j), name="z", kind=a.FORWARD, phase=FWD, layer=layer,
            group=group, shape=[], dims=[], formula=self.sum_formula(layer, j),
        )

    def add_activation(self, b: GraphBuilder, layer: int, j: int, group: str | None) -> str:
        node_id = unit_id("a", layer, j)
        note = "ŷ, the predicted probability that y = 1." if layer == self.net.depth else ""
        g = ACTIVATION_NAMES[self.net.activation(layer)]
        return b.quantity(
            node_id, symbol=_sym("a", layer, j), name="a", kind=a.FORWARD, phase=FWD, layer=layer,
            group=group, shape=[], dims=[], formula=f"{_sym('a', layer, j)} = {g}({_sym('z', layer, j)})",
            note=note,
        )

    def add_cost(self, b: GraphBuilder, group: str | None) -> str:
        return head.add_cost(
            b, group, formula="J(W, b; X, Y) = (1/m) Σᵢ ℒ(i)",
            note="the cost: the mean of the m examples' losses, a function of every w and b")

    def sum_formula(self, layer: int, j: int) -> str:
        """z[l]_j = w[l]_j1 a[l-1]_1 + ... + b[l]_j, written out term by term."""
        terms = [f"{_sym('w', layer, j, k)} {_sym('a', layer - 1, k)}" for k in self.units(layer - 1)]
        return f"{_sym('z', layer, j)} = " + " + ".join(terms + [_sym("b", layer, j)])

    # -- the forward view -------------------------------------------------------------------
    def forward(self, first_layer: int = 1) -> nx.DiGraph:
        """The forward graph; from `first_layer` on (its inputs a[first_layer - 1]_k given)."""
        L = self.net.depth
        b = GraphBuilder()
        below = first_layer - 1
        prev = [self.add_prev(b, below, k, a.layer_group(below) if below else None)
                for k in self.units(below)]
        for layer in range(first_layer, L + 1):
            group = a.layer_group(layer)
            fn = self.net.activation(layer)
            current = []
            for j in self.units(layer):
                operands = []
                for k, source in zip(self.units(layer - 1), prev):
                    operands += [self.add_weight(b, layer, j, k, group), source]
                operands.append(self.add_bias(b, layer, j, group))
                z = self.add_preactivation(b, layer, j, group)
                b.operation(z, a.WEIGHTED_SUM, operands, phase=FWD, layer=layer, group=group,
                            label=f"Σ_k {_sym('w', layer, j, 'k')} {_sym('a', layer - 1, 'k')} "
                                  f"+ {_sym('b', layer, j)}", **{a.BIAS: True})
                act = self.add_activation(b, layer, j, group)
                b.operation(act, a.ACTIVATION, [z], phase=FWD, layer=layer, group=group,
                            label=ACTIVATION_NAMES[fn],
                            **{a.FUNCTION: fn, "slope": self.net.leaky_slope})
                current.append(act)
            prev = current
        y = self.add_y(b)
        out = _sym("a", L, 1)
        loss = head.add_loss(b, prev[0], y, shape=[], dims=[],
                             formula=f"ℒ = −(y log {out} + (1 − y) log(1 − {out}))",
                             note="binary cross-entropy of one example")
        head.average_loss(b, loss, self.add_cost(b, a.COST_GROUP), op=a.MEAN_OVER_EXAMPLES,
                          label="(1/m) Σᵢ over the m examples")
        return b.graph


def build_unit(network: Network, *, m: int | None = None, first_layer: int = 1) -> nx.DiGraph:
    """The forward graph, one node per scalar, from `first_layer` on. `m` appears in no shape."""
    return _UnitViews(network).forward(first_layer)
