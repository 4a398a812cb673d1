"""The example views: one training example (x, y), its columns x, z[l], a[l] of shape (n[l], 1).

Forward:  x -> [W[l] a[l-1] + b[l] -> z[l] -> g[l] -> a[l]] for l = 1..L -> ℒ -> J = (1/m) Σᵢ ℒ(i)
Backward: J -> da[L] -> dz[L] -> (dW[L](i), da[L-1]) -> dz[L-1] -> ... and, as steps of their own,
          dW[l] = (1/m) Σᵢ dW[l](i) and db[l] = (1/m) Σᵢ dz[l](i).

Everything but W[l], b[l] and the averaged results belongs to one example i. The numeric check
runs those nodes once per example (x = X[:, i], y = Y[:, i]); a `mean_over_examples` operation
receives the m per-example values and averages them, so J, dW[l] and db[l] are the graph's own.
"""

from __future__ import annotations

import networkx as nx

from ..model import Network
from . import attrs as a
from .batch import backward_id, forward_id
from .builder import GraphBuilder
from .notation import ACTIVATION_NAMES, derivative_reads, local_derivative_formula, symbol

FWD = "forward"
BWD = "backward"


def example_gradient_id(name: str, layer: int) -> str:
    """Id of example i's own gradient, e.g. bwd:L2:dW(i); the averaged dW[2] is bwd:L2:dW."""
    return f"{backward_id(name, layer)}(i)"


def _sym(name: str, layer: int) -> str:
    """'z', 2 -> 'z[2]'; 'a', 0 -> 'x' (a[0] is the input)."""
    return "x" if (name, layer) == ("a", 0) else symbol(name, layer)


def _id(name: str, layer: int) -> str:
    return forward_id("x") if (name, layer) == ("a", 0) else forward_id(name, layer)


def cached_readers(network: Network) -> dict[str, list[str]]:
    """Forward quantities of one example that its backward pass reads, mapped to their readers."""
    L = network.depth
    readers: dict[str, list[str]] = {}

    def read(node: str, by: str) -> None:
        readers.setdefault(node, [])
        if by not in readers[node]:
            readers[node].append(by)

    read(_id("a", L), _sym("da", L))
    for layer in range(L, 0, -1):
        source = derivative_reads(network.activation(layer)).lower()
        read(_id(source, layer), _sym("dz", layer))
        if layer > 1:
            read(_id("a", layer - 1), _sym("dW", layer) + "(i)")
    return readers


class _ExampleViews:
    def __init__(self, network: Network, inference: bool) -> None:
        self.net = network
        self.readers = {} if inference else cached_readers(network)

    def column(self, layer: int) -> tuple[list[str], list[int | None]]:
        return [f"n[{layer}]", "1"], [self.net.units(layer), 1]

    def weights(self, layer: int) -> tuple[list[str], list[int | None]]:
        return [f"n[{layer}]", f"n[{layer - 1}]"], [self.net.units(layer), self.net.units(layer - 1)]

    def bias(self, layer: int) -> tuple[list[str], list[int | None]]:
        return [f"n[{layer}]", "1"], [self.net.units(layer), 1]

    def cache(self, node_id: str) -> dict:
        readers = self.readers.get(node_id, [])
        if not readers:
            return {"cached": False, "cached_for": [], "note": ""}
        return {"cached": True, "cached_for": readers,
                "note": "cached by the forward pass in training: read by " + ", ".join(readers)}

    # -- quantities shared by the forward and backward views --------------------------------
    def add_x(self, b: GraphBuilder, group: str | None = None) -> str:
        shape, dims = self.column(0)
        return b.quantity(
            _id("a", 0), symbol="x", name="x", kind=a.DATA, phase=FWD, layer=0, group=group,
            shape=shape, dims=dims, formula="x = a[0] = x(i), column i of X",
            note="one example's input features (column i of X): fixed data, not differentiated",
        )

    def add_y(self, b: GraphBuilder, group: str | None = None) -> str:
        return b.quantity(
            forward_id("y"), symbol="y", name="y", kind=a.DATA, phase=FWD, layer=None, group=group,
            shape=["1", "1"], dims=[1, 1], formula="y = y(i) ∈ {0, 1}, entry i of Y",
            note="the example's label: fixed data, not differentiated",
        )

    def add_preactivation(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        node_id = _id("z", layer)
        shape, dims = self.column(layer)
        return b.quantity(
            node_id, symbol=_sym("z", layer), name="z", kind=a.FORWARD, phase=FWD, layer=layer,
            group=group, shape=shape, dims=dims,
            formula=f"{_sym('z', layer)} = W[{layer}] {_sym('a', layer - 1)} + b[{layer}]",
            **self.cache(node_id),
        )

    def add_activation(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        node_id = _id("a", layer)
        cache = self.cache(node_id)
        if layer == self.net.depth:
            cache["note"] = ("ŷ, the predicted probability that y = 1. " + cache["note"]).strip()
        shape, dims = self.column(layer)
        g = ACTIVATION_NAMES[self.net.activation(layer)]
        return b.quantity(
            node_id, symbol=_sym("a", layer), name="a", kind=a.FORWARD, phase=FWD, layer=layer,
            group=group, shape=shape, dims=dims,
            formula=f"{_sym('a', layer)} = {g}({_sym('z', layer)})", **cache,
        )

    def add_weights(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        shape, dims = self.weights(layer)
        return b.quantity(
            forward_id("W", layer), symbol=symbol("W", layer), name="W", kind=a.PARAMETER,
            phase=FWD, layer=layer, group=group, shape=shape, dims=dims,
            formula=f"W[{layer}]: the same for every example",
            note="a parameter: one of the variables J is a function of",
        )

    def add_bias(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        shape, dims = self.bias(layer)
        return b.quantity(
            forward_id("b", layer), symbol=symbol("b", layer), name="b", kind=a.PARAMETER,
            phase=FWD, layer=layer, group=group, shape=shape, dims=dims,
            formula=f"b[{layer}]: the same for every example",
            note="a parameter: one of the variables J is a function of",
        )

    def add_cost(self, b: GraphBuilder, group: str | None) -> str:
        return b.quantity(
            forward_id("J"), symbol="J", name="J", kind=a.COST, phase=FWD, layer=None, group=group,
            shape=[], dims=[],
            formula=f"J(W, b; X, Y) = (1/m) Σᵢ ℒ(a[{self.net.depth}](i), y(i))",
            note="the cost: the mean of the m examples' losses, a function of W[1..L], b[1..L]",
        )

    # -- the forward view -------------------------------------------------------------------
    def forward(self) -> nx.DiGraph:
        L = self.net.depth
        b = GraphBuilder()
        prev = self.add_x(b)
        for layer in range(1, L + 1):
            group = a.layer_group(layer)
            w = self.add_weights(b, layer, group)
            bias = self.add_bias(b, layer, group)
            z = self.add_preactivation(b, layer, group)
            b.operation(z, a.LINEAR, [w, prev, bias], phase=FWD, layer=layer, group=group,
                        label=f"W[{layer}] {_sym('a', layer - 1)} + b[{layer}]")
            act = self.add_activation(b, layer, group)
            fn = self.net.activation(layer)
            b.operation(act, a.ACTIVATION, [z], phase=FWD, layer=layer, group=group,
                        label=ACTIVATION_NAMES[fn], **{a.FUNCTION: fn, "slope": self.net.leaky_slope})
            prev = act
        y = self.add_y(b)
        out = _sym("a", L)
        loss = b.quantity(
            forward_id("loss"), symbol="ℒ", name="ℒ", kind=a.FORWARD, phase=FWD, layer=None,
            group=a.COST_GROUP, shape=["1", "1"], dims=[1, 1],
            formula=f"ℒ({out}, y) = −(y log {out} + (1 − y) log(1 − {out}))",
            note="binary cross-entropy of this example",
        )
        b.operation(loss, a.LOSS, [prev, y], phase=FWD, layer=None, group=a.COST_GROUP,
                    label="cross-entropy")
        cost = self.add_cost(b, a.COST_GROUP)
        b.operation(cost, a.MEAN_OVER_EXAMPLES, [loss], phase=FWD, layer=None, group=a.COST_GROUP,
                    label="(1/m) Σᵢ over the m examples", **{a.AXIS: None})
        return b.graph

    # -- the backward view ------------------------------------------------------------------
    def backward(self, to_layer: int) -> nx.DiGraph:
        L = self.net.depth
        b = GraphBuilder()
        cost = self.add_cost(b, None)
        y = self.add_y(b)
        top = a.layer_group(L)
        a_out = self.add_activation(b, L, top)
        out = _sym("a", L)
        shape, dims = self.column(L)
        d_a = b.quantity(
            backward_id("da", L), symbol=_sym("da", L), name="da", kind=a.GRADIENT, phase=BWD,
            layer=L, group=top, shape=shape, dims=dims,
            formula=f"{_sym('da', L)} = −y / {out} + (1 − y) / (1 − {out})",
            note="derivative of this example's loss by its output activation, ∂ℒ/∂a",
        )
        op = b.operation(d_a, a.LOSS_DERIVATIVE, [a_out, y], phase=BWD, layer=L, group=top,
                         label="∂ℒ/∂a")
        b.link(cost, op, a.SEED)
        d_z = self._dz(b, L, d_a)
        b.operation(d_z, a.SUBTRACT, [a_out, y], phase=BWD, layer=L, group=top, equivalent=True,
                    suffix="shortcut", label=f"{out} − y (σ with cross-entropy)")
        for layer in range(L, to_layer - 1, -1):
            d_z = self._layer_gradients(b, layer, d_z, to_layer)
        if to_layer == 1:
            text = "stop: da[0] = W[1]ᵀ dz[1] is never needed,\nx is data, not a variable of J"
        else:
            text = (f"stop: back-propagation to layer {to_layer} ends here;\n"
                    f"da[{to_layer - 1}] = W[{to_layer}]ᵀ dz[{to_layer}] would continue to layer {to_layer - 1}")
        b.annotation("bwd:stop", text=text, layer=to_layer - 1, group=None,
                     near=backward_id("dz", to_layer))
        return b.graph

    def _dz(self, b: GraphBuilder, layer: int, d_a: str) -> str:
        """dz[l] = da[l] ⊙ g[l]'(z[l]), g' computed from the cached z[l] or a[l]."""
        group = a.layer_group(layer)
        fn = self.net.activation(layer)
        reads = derivative_reads(fn).lower()
        cached_input = (self.add_preactivation(b, layer, group) if reads == "z"
                        else self.add_activation(b, layer, group))
        shape, dims = self.column(layer)
        z, act = _sym("z", layer), _sym("a", layer)
        lhs = f"g[{layer}]'({z})"
        derivative = b.quantity(
            backward_id("dg", layer), symbol=lhs, name="g'", kind=a.DERIVATIVE, phase=BWD,
            layer=layer, group=group, shape=shape, dims=dims,
            formula=local_derivative_formula(fn, lhs, z, act, self.net.leaky_slope, elementwise=True),
            note=f"local derivative of {ACTIVATION_NAMES[fn]}, evaluated on the cached {reads}[{layer}]",
        )
        b.operation(derivative, a.ACTIVATION_DERIVATIVE, [cached_input], phase=BWD, layer=layer,
                    group=group, label=f"{ACTIVATION_NAMES[fn]}′",
                    **{a.FUNCTION: fn, "slope": self.net.leaky_slope})
        formula = f"{_sym('dz', layer)} = {_sym('da', layer)} ⊙ {lhs}"
        if layer == self.net.depth:
            formula += f" = {act} − y"
        d_z = b.quantity(
            backward_id("dz", layer), symbol=_sym("dz", layer), name="dz", kind=a.GRADIENT,
            phase=BWD, layer=layer, group=group, shape=shape, dims=dims, formula=formula,
            note=f"∂ℒ/∂{z} for this example: column i of dZ[{layer}]",
        )
        b.operation(d_z, a.HADAMARD, [d_a, derivative], phase=BWD, layer=layer, group=group,
                    label="⊙")
        return d_z

    def _layer_gradients(self, b: GraphBuilder, layer: int, d_z: str, to_layer: int) -> str:
        """dW[l](i), then the averages dW[l], db[l]; then dz[l-1] when back-propagation goes on."""
        group = a.layer_group(layer)
        prev = self.add_x(b, group) if layer == 1 else self.add_activation(b, layer - 1, group)
        prev_sym, dz_sym = _sym("a", layer - 1), _sym("dz", layer)
        shape, dims = self.weights(layer)
        per_example = b.quantity(
            example_gradient_id("dW", layer), symbol=f"dW[{layer}](i)", name="dW(i)",
            kind=a.GRADIENT, phase=BWD, layer=layer, group=group, shape=shape, dims=dims,
            formula=f"dW[{layer}](i) = {dz_sym} {prev_sym}ᵀ",
            note=f"∂ℒ(i)/∂W[{layer}], this example's share of the gradient",
        )
        b.operation(per_example, a.MATMUL, [d_z, prev], phase=BWD, layer=layer, group=group,
                    label=f"{dz_sym} {prev_sym}ᵀ", **{a.TRANSPOSE: "right"})
        d_w = b.quantity(
            backward_id("dW", layer), symbol=symbol("dW", layer), name="dW", kind=a.GRADIENT,
            phase=BWD, layer=layer, group=group, shape=shape, dims=dims,
            formula=f"dW[{layer}] = (1/m) Σᵢ dW[{layer}](i)",
            note=f"∂J/∂W[{layer}], the sought gradient: the mean of the m examples' dW[{layer}](i)",
        )
        b.operation(d_w, a.MEAN_OVER_EXAMPLES, [per_example], phase=BWD, layer=layer, group=group,
                    label="(1/m) Σᵢ over the m examples")
        shape, dims = self.bias(layer)
        d_b = b.quantity(
            backward_id("db", layer), symbol=symbol("db", layer), name="db", kind=a.GRADIENT,
            phase=BWD, layer=layer, group=group, shape=shape, dims=dims,
            formula=f"db[{layer}] = (1/m) Σᵢ {dz_sym}(i)",
            note=f"∂J/∂b[{layer}], the sought gradient: each example's db[{layer}](i) is its {dz_sym}",
        )
        b.operation(d_b, a.MEAN_OVER_EXAMPLES, [d_z], phase=BWD, layer=layer, group=group,
                    label="(1/m) Σᵢ over the m examples")
        if layer - 1 < to_layer:
            return d_z
        w = self.add_weights(b, layer, group)
        shape, dims = self.column(layer - 1)
        d_a = b.quantity(
            backward_id("da", layer - 1), symbol=_sym("da", layer - 1), name="da",
            kind=a.GRADIENT, phase=BWD, layer=layer - 1, group=a.layer_group(layer - 1),
            shape=shape, dims=dims, formula=f"{_sym('da', layer - 1)} = W[{layer}]ᵀ {dz_sym}",
            note=f"the gradient flows back through the weights W[{layer}]",
        )
        b.operation(d_a, a.MATMUL, [w, d_z], phase=BWD, layer=layer, group=group,
                    label=f"W[{layer}]ᵀ {dz_sym}", **{a.TRANSPOSE: "left"})
        return self._dz(b, layer - 1, d_a)


def build_example(network: Network, to_layer: int | None, *, m: int | None = None,
                  inference: bool = False) -> nx.DiGraph:
    """The forward view (to_layer None) or back-propagation to `to_layer`, for one example.

    `m` does not appear in any shape here: every per-example quantity is a column.
    """
    views = _ExampleViews(network, inference)
    return views.forward() if to_layer is None else views.backward(to_layer)
