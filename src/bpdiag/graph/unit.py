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
from .cache import Cache
from .notation import ACTIVATION_NAMES, derivative_reads, local_derivative_formula

FWD = a.FORWARD_PHASE
BWD = a.BACKWARD_PHASE

# The most nodes (quantities, operations and the stop note) a unit view may have. The default
# 2,3,2,1 network's largest unit view (back-propagation to layer 1) has 101; past about twice that
# the scalar diagram no longer reads on one page. Set from benchmarks/bench.py (e): Graphviz's
# layout stays quick (about 0.1 s at 1,000 nodes) but drawing the PNG grows with the picture's
# area, about nodes^1.5: 0.7 s at 81 nodes, 1.6-2 s at 180-190, 6-7 s at 370-520, 24 s at 980.
# 250 keeps one unit diagram near 3 s. Tunable; `unit_node_count` predicts a view's size
# without building it.
MAX_UNIT_NODES = 250



def _sub(*indices: int | str) -> str:
    """Subscripts '12' for (1, 2) or '1k'; '1,12' once a number has two digits, to stay readable."""
    if any(isinstance(index, int) and index >= 10 for index in indices):
        return ",".join(str(index) for index in indices)
    return "".join(str(index) for index in indices)


def _sym(name: str, layer: int, *indices: int | str) -> str:
    """'w', 2, 1, 2 -> 'w[2]_12'; 'a', 0, 'k' -> 'x_k' (a[0] is the input)."""
    if (name, layer) == ("a", 0):
        return f"x_{_sub(*indices)}"
    return f"{name}[{layer}]_{_sub(*indices)}"


def unit_id(name: str, layer: int, *indices: int) -> str:
    """Stable id of a scalar, e.g. fwd:L2:w_1_2, fwd:x_1, bwd:L2:dz_1."""
    tail = "_".join(str(index) for index in indices)
    if (name, layer) == ("a", 0):
        return f"fwd:x_{tail}"
    phase = "bwd" if name.startswith("d") else "fwd"
    return f"{phase}:L{layer}:{name}_{tail}"


LABEL_ID = "fwd:y"


def unit_node_count(network: Network, view: View) -> int:
    """How many nodes the unit graph of `view` has, counted from the sizes without building it."""
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


def cached_readers(network: Network) -> Cache:
    """Forward scalars the backward pass reads, mapped to the gradients that read them."""
    L, n = network.depth, network.sizes
    cache = Cache()
    cache.read(unit_id("a", L, 1), _sym("da", L, 1))
    for layer in range(L, 0, -1):
        source = derivative_reads(network.activation(layer)).lower()
        for j in range(1, n[layer] + 1):
            cache.read(unit_id(source, layer, j), _sym("dz", layer, j))
        if layer > 1:
            for k in range(1, n[layer - 1] + 1):
                for j in range(1, n[layer] + 1):
                    cache.read(unit_id("a", layer - 1, k), _sym("dw", layer, j, k))
    return cache


class _UnitViews:
    def __init__(self, network: Network, inference: bool) -> None:
        self.net = network
        self.cache = Cache() if inference else cached_readers(network)

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
            group=group, shape=[], dims=[], formula=self.sum_formula(layer, j), **self.cache.marks(node_id),
        )

    def add_activation(self, b: GraphBuilder, layer: int, j: int, group: str | None) -> str:
        node_id = unit_id("a", layer, j)
        marks = self.cache.marks(node_id)
        if layer == self.net.depth:
            marks["note"] = ("ŷ, the predicted probability that y = 1. " + marks["note"]).strip()
        g = ACTIVATION_NAMES[self.net.activation(layer)]
        return b.quantity(
            node_id, symbol=_sym("a", layer, j), name="a", kind=a.FORWARD, phase=FWD, layer=layer,
            group=group, shape=[], dims=[], formula=f"{_sym('a', layer, j)} = {g}({_sym('z', layer, j)})",
            **marks,
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
    def forward(self) -> nx.DiGraph:
        L = self.net.depth
        b = GraphBuilder()
        prev = [self.add_input(b, k) for k in self.units(0)]
        for layer in range(1, L + 1):
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

    # -- the backward view ------------------------------------------------------------------
    def backward(self, to_layer: int) -> nx.DiGraph:
        L = self.net.depth
        b = GraphBuilder()
        cost = self.add_cost(b, None)
        y = self.add_y(b)
        top = a.layer_group(L)
        a_out = self.add_activation(b, L, 1, top)
        out = _sym("a", L, 1)
        d_a = b.quantity(
            unit_id("da", L, 1), symbol=_sym("da", L, 1), name="da", kind=a.GRADIENT, phase=BWD,
            layer=L, group=top, shape=[], dims=[],
            formula=f"{_sym('da', L, 1)} = −y / {out} + (1 − y) / (1 − {out})",
            note="derivative of one example's loss by the output activation, ∂ℒ/∂a",
        )
        head.seed_gradient(b, cost, d_a, a_out, y, layer=L, group=top, text="∂ℒ/∂a")
        d_z = self._dz(b, L, 1, d_a)
        head.add_shortcut(b, d_z, a_out, y, layer=L, group=top, difference=f"{out} − y")
        d_zs = [d_z]
        for layer in range(L, to_layer - 1, -1):
            d_zs = self._layer_gradients(b, layer, d_zs, to_layer)
        if to_layer == 1:
            text = "stop: da[0]_k = Σ_j w[1]_jk dz[1]_j is never needed,\nx is data, not a variable of J"
        else:
            text = (f"stop: back-propagation to layer {to_layer} ends here;\n"
                    f"da[{to_layer - 1}]_k = Σ_j w[{to_layer}]_jk dz[{to_layer}]_j would continue "
                    f"to layer {to_layer - 1}")
        head.add_stop(b, text, to_layer=to_layer, near=unit_id("dz", to_layer, 1))
        return b.graph

    def _dz(self, b: GraphBuilder, layer: int, j: int, d_a: str) -> str:
        """dz[l]_j = da[l]_j · g[l]'(z[l]_j), g' computed from the cached z[l]_j or a[l]_j."""
        group = a.layer_group(layer)
        fn = self.net.activation(layer)
        reads = derivative_reads(fn).lower()
        cached_input = (self.add_preactivation(b, layer, j, group) if reads == "z"
                        else self.add_activation(b, layer, j, group))
        z, act = _sym("z", layer, j), _sym("a", layer, j)
        lhs = f"g[{layer}]'({z})"
        derivative = b.quantity(
            unit_id("dg", layer, j), symbol=lhs, name="g'", kind=a.DERIVATIVE, phase=BWD,
            layer=layer, group=group, shape=[], dims=[],
            formula=local_derivative_formula(fn, lhs, z, act, self.net.leaky_slope, elementwise=False),
            note=f"local derivative of {ACTIVATION_NAMES[fn]}, evaluated on the cached {reads}[{layer}]_{j}",
        )
        b.operation(derivative, a.ACTIVATION_DERIVATIVE, [cached_input], phase=BWD, layer=layer,
                    group=group, label=f"{ACTIVATION_NAMES[fn]}′",
                    **{a.FUNCTION: fn, "slope": self.net.leaky_slope})
        formula = f"{_sym('dz', layer, j)} = {_sym('da', layer, j)} · {lhs}"
        if layer == self.net.depth:
            formula += f" = {act} − y"
        d_z = b.quantity(
            unit_id("dz", layer, j), symbol=_sym("dz", layer, j), name="dz", kind=a.GRADIENT,
            phase=BWD, layer=layer, group=group, shape=[], dims=[], formula=formula,
            note=f"∂ℒ/∂{z} for one example (entry ({j}, i) of dZ[{layer}])",
        )
        b.operation(d_z, a.PRODUCT, [d_a, derivative], phase=BWD, layer=layer, group=group,
                    label="·")
        return d_z

    def _layer_gradients(self, b: GraphBuilder, layer: int, d_zs: list[str],
                         to_layer: int) -> list[str]:
        """dw[l]_jk and db[l]_j (averaged over the examples), then dz[l-1]_k when going on."""
        group = a.layer_group(layer)
        prev = [self.add_prev(b, layer - 1, k, group) for k in self.units(layer - 1)]
        for j, d_z in zip(self.units(layer), d_zs):
            dz_sym = _sym("dz", layer, j)
            for k, source in zip(self.units(layer - 1), prev):
                prev_sym, dw_sym = _sym("a", layer - 1, k), _sym("dw", layer, j, k)
                d_w = b.quantity(
                    unit_id("dw", layer, j, k), symbol=dw_sym, name="dw", kind=a.GRADIENT,
                    phase=BWD, layer=layer, group=group, shape=[], dims=[],
                    formula=f"{dw_sym} = (1/m) Σᵢ {dz_sym}(i) {prev_sym}(i)",
                    note=f"∂J/∂{_sym('w', layer, j, k)}, the sought gradient",
                )
                b.operation(d_w, a.MEAN_OVER_EXAMPLES, [d_z, source], phase=BWD, layer=layer,
                            group=group, label=f"(1/m) Σᵢ {dz_sym} {prev_sym}")
            db_sym = _sym("db", layer, j)
            d_b = b.quantity(
                unit_id("db", layer, j), symbol=db_sym, name="db", kind=a.GRADIENT, phase=BWD,
                layer=layer, group=group, shape=[], dims=[],
                formula=f"{db_sym} = (1/m) Σᵢ {dz_sym}(i)",
                note=f"∂J/∂{_sym('b', layer, j)}, the sought gradient",
            )
            b.operation(d_b, a.MEAN_OVER_EXAMPLES, [d_z], phase=BWD, layer=layer, group=group,
                        label=f"(1/m) Σᵢ {dz_sym}")
        if layer - 1 < to_layer:
            return d_zs
        below = []
        for k in self.units(layer - 1):
            operands = []
            for j, d_z in zip(self.units(layer), d_zs):
                operands += [self.add_weight(b, layer, j, k, group), d_z]
            da_sym = _sym("da", layer - 1, k)
            d_a = b.quantity(
                unit_id("da", layer - 1, k), symbol=da_sym, name="da", kind=a.GRADIENT,
                phase=BWD, layer=layer - 1, group=a.layer_group(layer - 1), shape=[], dims=[],
                formula=f"{da_sym} = " + " + ".join(
                    f"{_sym('w', layer, j, k)} {_sym('dz', layer, j)}" for j in self.units(layer)),
                note=f"the gradient flows back through the weights out of unit {k} of layer {layer - 1}",
            )
            b.operation(d_a, a.WEIGHTED_SUM, operands, phase=BWD, layer=layer, group=group,
                        label=f"Σ_j {_sym('w', layer, 'j', k)} {_sym('dz', layer, 'j')}")
            below.append(self._dz(b, layer - 1, k, d_a))
        return below


def build_unit(network: Network, to_layer: int | None, *, m: int | None = None,
               inference: bool = False) -> nx.DiGraph:
    """The forward view (to_layer None) or back-propagation to `to_layer`, one node per scalar.

    Raises SpecError when the view would exceed MAX_UNIT_NODES. `m` appears in no shape.
    """
    check_unit_size(network, View(to_layer, "unit"))
    views = _UnitViews(network, inference)
    return views.forward() if to_layer is None else views.backward(to_layer)
