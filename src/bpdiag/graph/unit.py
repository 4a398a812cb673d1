"""The unit views: every scalar is a node (z[l]_j, a[l]_j, w[l]_jk, b[l]_j and their gradients).

Forward:  z[l]_j = Σ_k w[l]_jk a[l-1]_k + b[l]_j,  a[l]_j = g[l](z[l]_j),  J = (1/m) Σᵢ ℒ(i)
Backward (derived by reverse.py from ops/weighted_sum.py, activation.py, softmax.py, loss.py):
          da[l-1]_k = Σ_j w[l]_jk dz[l]_j,  dz[l]_j = da[l]_j · g[l]'(z[l]_j),
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
from .ids import dropped_unit_id, label_id, label_symbol, mask_unit_id, unit_id, unit_symbol
from .notation import ACTIVATION_NAMES

FWD = a.FORWARD_PHASE

# The most nodes (quantities, operations and the stop note) a unit view may have. The default
# 2,3,2,1 network's largest unit view (back-propagation to layer 1) has 101; past about twice that
# the scalar diagram no longer reads on one page. Set from benchmarks/bench.py (e): laying out
# the rows and routing between them stays quick (0.2 s at 190 nodes, 0.6 s at 980) but drawing
# the PNG grows with the picture's area: 0.8 s at 81 nodes, 2.1 s at 189, 3.5 s at 369, 7.3 s
# at 525. 250 keeps one unit diagram near 3 s. Tunable; `unit_node_count` predicts a view's
# size without building it.
MAX_UNIT_NODES = 250

_sym = unit_symbol
# the L2 cost's sum of squares over every weight of the unit view
UNIT_SQUARES = "Σ w[l]_jk²"



def unit_node_count(network: Network, view: View) -> int:
    """How many nodes the unit graph of `view` has, counted from the sizes without building it."""
    from ..ops.activation import derivative_reads  # ops import the graph's vocabulary
    n, L = network.sizes, network.depth
    outputs = n[L]  # one label y_k per output unit (one y for the sigmoid's single unit)
    hidden = range(1, L) if network.dropout else range(0)  # the layers dropout acts on
    if view.is_forward:
        # x_k; per unit w[l]_jk, b, z, its sum, a and g; y_k, ℒ, its loss, J and its mean;
        # dropout: d[l]_j, its ã[l]_j and their operation per hidden unit; L2: the data cost, the
        # L2 cost, its operation and their sum
        return (n[0] + sum(n[l] * (n[l - 1] + 5) for l in range(1, L + 1)) + outputs + 4
                + sum(3 * n[l] for l in hidden) + (4 if network.l2 > 0 else 0))
    # J; per output unit y_k, a[L]_k, da[L]_k and its operation, dz[L]_k, its operation and
    # shortcut; and g[L]' with its operation where the output has one (σ: yes; softmax, linear: no)
    count = 1 + outputs * (7 + (2 if network.output == "sigmoid" else 0))
    for layer in range(L, view.to_layer - 1, -1):
        # a[l-1]_k (or x_k) read by dw; dw and db with their operations
        count += n[layer - 1] + 2 * n[layer] * n[layer - 1] + 2 * n[layer]
        if layer - 1 >= view.to_layer:
            reads_z = derivative_reads(network.activation(layer - 1)) == "Z"
            # w[l]_jk; da, g' and dz of layer l-1 with their operations; z[l-1]_k when g' reads z
            count += n[layer] * n[layer - 1] + 6 * n[layer - 1] + (n[layer - 1] if reads_z else 0)
            if layer - 1 in hidden:
                # d[l-1]_k, its operation and da[l-1]_k (the sum is dã[l-1]_k); g' reading a
                # reads a[l-1]_k, no longer the ã[l-1]_k that dw reads
                count += 3 * n[layer - 1] + (0 if reads_z else n[layer - 1])
        if network.l2 > 0:
            # per weight: L2's term and its operation; layer K's weights are read for it
            count += 2 * n[layer] * n[layer - 1] + (n[layer] * n[layer - 1]
                                                    if layer == view.to_layer else 0)
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
    def __init__(self, network: Network, m: int | None = None) -> None:
        self.net = network
        self.m = m  # the number of examples (None: symbolic), which the L2 cost divides by
        self.text = head.TEXT[network.output, "unit"]

    def dropped(self, layer: int) -> bool:
        """Whether layer `layer`'s activations go through dropout (hidden layers only)."""
        return self.net.dropout and 1 <= layer < self.net.depth

    def input_symbol(self, layer: int, k) -> str:
        """What layer `layer` reads from unit k below: a[l-1]_k, or ã[l-1]_k after dropout."""
        if self.dropped(layer - 1):
            return f"ã[{layer - 1}]_{k}"
        return _sym("a", layer - 1, k)

    # -- dropout (ops/dropout.py) -----------------------------------------------------------
    def add_dropped(self, b: GraphBuilder, layer: int, j: int, group: str | None) -> str:
        """ã[l]_j = a[l]_j · d[l]_j / keep_prob."""
        a_j, d_j = _sym("a", layer, j), _sym("d", layer, j)
        return b.quantity(
            dropped_unit_id(layer, j), symbol=f"ã[{layer}]_{j}", name="ã", kind=a.FORWARD,
            phase=FWD, layer=layer, group=group, shape=[], dims=[],
            formula=f"ã[{layer}]_{j} = {a_j} · {d_j} / keep_prob",
            note=f"{a_j} after inverted dropout (the course overwrites A[{layer}] with it)")

    def drop_out(self, b: GraphBuilder, layer: int, j: int, act: str, group: str) -> str:
        d_j = _sym("d", layer, j)
        mask = b.quantity(
            mask_unit_id(layer, j), symbol=d_j, name="d", kind=a.FORWARD, phase=FWD, layer=layer,
            group=group, shape=[], dims=[], formula=f"{d_j} = (rand() < keep_prob): entry "
                                                    f"({j}, i) of D[{layer}]",
            note=f"dropout's mask: 1 with probability keep_prob = {self.net.keep_prob:g}, else 0 "
                 "(the unit is shut down for this example)")
        dropped = self.add_dropped(b, layer, j, group)
        b.operation(dropped, a.DROPOUT, [act, mask], phase=FWD, layer=layer, group=group,
                    label=f"· {d_j} / keep_prob", **{a.KEEP_PROB: self.net.keep_prob})
        return dropped

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
        """a[layer]_k (ã[layer]_k after dropout), or the input x_k when layer is 0."""
        if layer == 0:
            return self.add_input(b, k, group)
        if self.dropped(layer):
            return self.add_dropped(b, layer, k, group)
        return self.add_activation(b, layer, k, group)

    def add_y(self, b: GraphBuilder, k: int) -> str:
        """The label y, or entry y_k of the one-hot label or the targets."""
        count = self.net.units(self.net.depth)
        y = label_symbol(k, count)
        return b.quantity(
            label_id(k, count), symbol=y, name="y", kind=a.DATA, phase=FWD, layer=None,
            group=None, shape=[], dims=[], formula=self.text.y_formula.replace("{y}", y),
            note=self.text.y_note,
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
        note = ""
        if layer == self.net.depth:
            note = self.text.output_note
            if self.net.output != "sigmoid":
                note = f"ŷ_{j}, " + note.replace("{k}", str(j))
        g = ACTIVATION_NAMES[self.net.activation(layer)]
        return b.quantity(
            node_id, symbol=_sym("a", layer, j), name="a", kind=a.FORWARD, phase=FWD, layer=layer,
            group=group, shape=[], dims=[], formula=f"{_sym('a', layer, j)} = {g}({_sym('z', layer, j)})",
            note=note,
        )

    def add_cost(self, b: GraphBuilder, group: str | None) -> str:
        l2 = f" + (λ/2m) {UNIT_SQUARES}" if self.net.l2 > 0 else ""
        return head.add_cost(
            b, group, formula=f"J(W, b; X, Y) = (1/m) Σᵢ ℒ(i){l2}", regularized=bool(l2),
            note="the cost: the mean of the m examples' losses, a function of every w and b")

    def sum_formula(self, layer: int, j: int) -> str:
        """z[l]_j = w[l]_j1 a[l-1]_1 + ... + b[l]_j, written out term by term."""
        terms = [f"{_sym('w', layer, j, k)} {self.input_symbol(layer, k)}"
                 for k in self.units(layer - 1)]
        return f"{_sym('z', layer, j)} = " + " + ".join(terms + [_sym("b", layer, j)])

    def loss_formula(self, pairs: list[str]) -> str:
        """ℒ of one example written out over its output units."""
        outs = [_sym("a", self.net.depth, k) for k in range(1, len(pairs) // 2 + 1)]
        count = len(outs)
        ys = [label_symbol(k, count) for k in range(1, count + 1)]
        if self.net.output == "sigmoid":
            return f"ℒ = −(y log {outs[0]} + (1 − y) log(1 − {outs[0]}))"
        if self.net.output == "softmax":
            return "ℒ = −(" + " + ".join(f"{y} log {out}" for out, y in zip(outs, ys)) + ")"
        return "ℒ = ½ (" + " + ".join(f"({out} − {y})²" for out, y in zip(outs, ys)) + ")"

    def _activate(self, b: GraphBuilder, layer: int, j: int, inputs: list[str],
                  group: str) -> str:
        """a[l]_j = g(z[l]_j); the softmax's a[L]_j reads all of z[L] (`index` says which)."""
        fn = self.net.activation(layer)
        act = self.add_activation(b, layer, j, group)
        extra = {a.FUNCTION: fn, "slope": self.net.leaky_slope}
        if fn == "softmax":
            extra["index"] = j
        b.operation(act, a.SOFTMAX if fn == "softmax" else a.ACTIVATION, inputs, phase=FWD,
                    layer=layer, group=group, label=ACTIVATION_NAMES[fn], **extra)
        return act

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
                            label=f"Σ_k {_sym('w', layer, j, 'k')} {self.input_symbol(layer, 'k')} "
                                  f"+ {_sym('b', layer, j)}", **{a.BIAS: True})
                current.append(z)
                if fn != "softmax":  # g is element-wise: a[l]_j right after z[l]_j
                    current[-1] = self._activate(b, layer, j, [z], group)
                    if self.dropped(layer):
                        current[-1] = self.drop_out(b, layer, j, current[-1], group)
            if fn == "softmax":  # every a[L]_j reads every z[L]_k
                current = [self._activate(b, layer, j, current, group) for j in self.units(layer)]
            prev = current
        pairs = []
        for k, out in enumerate(prev, start=1):
            pairs += [out, self.add_y(b, k)]
        loss = head.add_loss(b, self.net.output, pairs, shape=[], dims=[],
                             formula=self.loss_formula(pairs), note=self.text.loss_note)
        cost = self.add_cost(b, a.COST_GROUP)
        label = "(1/m) Σᵢ over the m examples"
        if self.net.l2 > 0:
            weights = [node for node, data in b.graph.nodes(data=True)
                       if data[a.KIND] == a.PARAMETER and data[a.NAME] == "w"]
            head.average_regularized_loss(b, loss, cost, weights, output=self.net.output,
                                          op=a.MEAN_OVER_EXAMPLES, label=label, lambd=self.net.l2,
                                          m=self.m, squares=UNIT_SQUARES)
        else:
            head.average_loss(b, loss, cost, op=a.MEAN_OVER_EXAMPLES, label=label)
        return b.graph


def build_unit(network: Network, *, m: int | None = None, first_layer: int = 1,
               inference: bool = False) -> nx.DiGraph:
    """The forward graph, one node per scalar, from `first_layer` on. `m` appears in no shape."""
    return _UnitViews(network, m).forward(first_layer)
