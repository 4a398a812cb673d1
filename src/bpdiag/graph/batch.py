"""The vectorised (batch) views: m examples side by side as the columns of X, Z[l], A[l].

Forward:  X -> [W[l]·A[l-1] + b[l] -> Z[l] -> g[l] -> A[l]] for l = 1..L -> loss -> J
Backward: J -> dA[L] -> dZ[L] -> (dW[L], db[L], dA[L-1]) -> dZ[L-1] -> ... -> dW[K], db[K]
"""

from __future__ import annotations

import networkx as nx

from ..model import Network
from . import attrs as a
from .builder import GraphBuilder
from .notation import (ACTIVATION_NAMES, activation_derivative_formula, derivative_reads,
                       symbol)

FWD = "forward"
BWD = "backward"


def forward_id(name: str, layer: int | None = None) -> str:
    """Stable id of a forward quantity, e.g. fwd:L2:Z; shared by every view that shows it."""
    return f"fwd:{name}" if layer is None else f"fwd:L{layer}:{name}"


def backward_id(name: str, layer: int) -> str:
    """Stable id of a backward quantity, e.g. bwd:L2:dW."""
    return f"bwd:L{layer}:{name}"


def cached_readers(network: Network) -> dict[str, list[str]]:
    """Forward quantities the backward pass reads, mapped to the gradients that read them.

    This is the training-time cache: what the forward pass must keep for back-propagation.
    """
    L = network.depth
    readers: dict[str, list[str]] = {}

    def read(node: str, by: str) -> None:
        readers.setdefault(node, [])
        if by not in readers[node]:
            readers[node].append(by)

    read(forward_id("A", L), symbol("dA", L))
    for layer in range(L, 0, -1):
        source = derivative_reads(network.activation(layer))
        read(forward_id(source, layer), symbol("dZ", layer))
        if layer > 1:
            read(forward_id("A", layer - 1), symbol("dW", layer))
    read(forward_id("A", L), symbol("dZ", L))
    return readers


class _Views:
    """Builds the batch views of one network; `m` (None = symbolic) sets the numeric dims."""

    def __init__(self, network: Network, m: int | None, inference: bool) -> None:
        self.net = network
        self.m = m
        self.inference = inference
        self.readers = {} if inference else cached_readers(network)

    # -- shapes -------------------------------------------------------------------------
    def columns(self, layer: int) -> tuple[list[str], list[int | None]]:
        return [f"n[{layer}]", "m"], [self.net.units(layer), self.m]

    def weights(self, layer: int) -> tuple[list[str], list[int | None]]:
        return [f"n[{layer}]", f"n[{layer - 1}]"], [self.net.units(layer), self.net.units(layer - 1)]

    def bias(self, layer: int) -> tuple[list[str], list[int | None]]:
        return [f"n[{layer}]", "1"], [self.net.units(layer), 1]

    # -- forward quantities (shared by the forward and the backward views) ----------------
    def cache_note(self, node_id: str) -> tuple[bool, list[str], str]:
        readers = self.readers.get(node_id, [])
        if not readers:
            return False, [], ""
        note = "cached by the forward pass in training: read by " + ", ".join(readers)
        return True, readers, note

    def add_x(self, b: GraphBuilder, group: str | None = None) -> str:
        shape, dims = self.columns(0)
        return b.quantity(
            forward_id("X"), symbol="X", name="X", kind=a.DATA, phase=FWD, layer=0, group=group,
            shape=shape, dims=dims, formula="X = A[0]",
            note="input features, one example per column: fixed data, not differentiated",
        )

    def add_y(self, b: GraphBuilder, group: str | None = None) -> str:
        return b.quantity(
            forward_id("Y"), symbol="Y", name="Y", kind=a.DATA, phase=FWD, layer=None, group=group,
            shape=["1", "m"], dims=[1, self.m], formula="Y ∈ {0, 1}^(1×m)",
            note="labels, one per example: fixed data, not differentiated",
        )

    def add_activation(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        """A[l] (l >= 1), with its cache mark."""
        node_id = forward_id("A", layer)
        cached, readers, note = self.cache_note(node_id)
        shape, dims = self.columns(layer)
        g = ACTIVATION_NAMES[self.net.activation(layer)]
        if layer == self.net.depth:
            note = "Ŷ, the predicted probability of class 1. " + note
        return b.quantity(
            node_id, symbol=symbol("A", layer), name="A", kind=a.FORWARD, phase=FWD, layer=layer,
            group=group, shape=shape, dims=dims, formula=f"{symbol('A', layer)} = {g}({symbol('Z', layer)})",
            note=note.strip(), cached=cached, cached_for=readers,
        )

    def add_preactivation(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        node_id = forward_id("Z", layer)
        cached, readers, note = self.cache_note(node_id)
        shape, dims = self.columns(layer)
        prev = "X" if layer == 1 else symbol("A", layer - 1)
        return b.quantity(
            node_id, symbol=symbol("Z", layer), name="Z", kind=a.FORWARD, phase=FWD, layer=layer,
            group=group, shape=shape, dims=dims,
            formula=f"{symbol('Z', layer)} = {symbol('W', layer)} {prev} + {symbol('b', layer)}",
            note=note, cached=cached, cached_for=readers,
        )

    def add_weights(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        shape, dims = self.weights(layer)
        return b.quantity(
            forward_id("W", layer), symbol=symbol("W", layer), name="W", kind=a.PARAMETER, phase=FWD,
            layer=layer, group=group, shape=shape, dims=dims,
            formula=f"{symbol('W', layer)}: row j holds the weights into unit j of layer {layer}",
            note="a parameter: one of the variables J is a function of",
        )

    def add_bias(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        shape, dims = self.bias(layer)
        return b.quantity(
            forward_id("b", layer), symbol=symbol("b", layer), name="b", kind=a.PARAMETER, phase=FWD,
            layer=layer, group=group, shape=shape, dims=dims,
            formula=f"{symbol('b', layer)}: broadcast over the m columns",
            note="a parameter: one of the variables J is a function of",
        )

    def add_cost(self, b: GraphBuilder, group: str | None) -> str:
        return b.quantity(
            forward_id("J"), symbol="J", name="J", kind=a.COST, phase=FWD, layer=None, group=group,
            shape=[], dims=[], formula="J(W, b; X, Y) = (1/m) Σᵢ ℒ(i)",
            note="the cost: a function of the parameters W[1..L], b[1..L], with the data X, Y fixed",
        )

    # -- the forward view -----------------------------------------------------------------
    def forward(self) -> nx.DiGraph:
        L = self.net.depth
        b = GraphBuilder()
        prev = self.add_x(b)
        for layer in range(1, L + 1):
            group = a.layer_group(layer)
            w = self.add_weights(b, layer, group)
            bias = self.add_bias(b, layer, group)
            z = self.add_preactivation(b, layer, group)
            prev_symbol = "X" if layer == 1 else symbol("A", layer - 1)
            b.operation(z, a.LINEAR, [w, prev, bias], phase=FWD, layer=layer, group=group,
                        label=f"{symbol('W', layer)} {prev_symbol} + {symbol('b', layer)}")
            act = self.add_activation(b, layer, group)
            fn = self.net.activation(layer)
            b.operation(act, a.ACTIVATION, [z], phase=FWD, layer=layer, group=group,
                        label=ACTIVATION_NAMES[fn], **{a.FUNCTION: fn, "slope": self.net.leaky_slope})
            prev = act
        y = self.add_y(b)
        loss = b.quantity(
            forward_id("loss"), symbol="ℒ", name="ℒ", kind=a.FORWARD, phase=FWD, layer=None,
            group=a.COST_GROUP, shape=["1", "m"], dims=[1, self.m],
            formula=f"ℒ = −(Y log {symbol('A', L)} + (1 − Y) log(1 − {symbol('A', L)}))",
            note="binary cross-entropy, one value per example",
        )
        b.operation(loss, a.LOSS, [prev, y], phase=FWD, layer=None, group=a.COST_GROUP,
                    label="cross-entropy")
        cost = self.add_cost(b, a.COST_GROUP)
        b.operation(cost, a.MEAN, [loss], phase=FWD, layer=None, group=a.COST_GROUP,
                    label="mean over the m examples", **{a.AXIS: None})
        return b.graph

    # -- the backward view ----------------------------------------------------------------
    def backward(self, to_layer: int) -> nx.DiGraph:
        L = self.net.depth
        b = GraphBuilder()
        cost = self.add_cost(b, None)
        y = self.add_y(b)
        top = a.layer_group(L)
        a_out = self.add_activation(b, L, top)
        d_a = b.quantity(
            backward_id("dA", L), symbol=symbol("dA", L), name="dA", kind=a.GRADIENT, phase=BWD,
            layer=L, group=top, shape=self.columns(L)[0], dims=self.columns(L)[1],
            formula=f"{symbol('dA', L)} = −Y / {symbol('A', L)} + (1 − Y) / (1 − {symbol('A', L)})",
            note="derivative of each example's loss by its output activation (m · ∂J/∂A)",
        )
        op = b.operation(d_a, a.LOSS_DERIVATIVE, [a_out, y], phase=BWD, layer=L, group=top,
                         label="∂ℒ/∂A, element-wise")
        b.link(cost, op, a.SEED)
        d_z = self._dz(b, L, d_a)
        b.operation(d_z, a.SUBTRACT, [a_out, y], phase=BWD, layer=L, group=top,
                    equivalent=True, suffix="shortcut",
                    label=f"{symbol('A', L)} − Y (σ with cross-entropy)")
        for layer in range(L, to_layer - 1, -1):
            d_z = self._layer_gradients(b, layer, d_z, to_layer)
        if to_layer == 1:
            text = ("stop: dA[0] = W[1]ᵀ dZ[1] is never needed,\n"
                    "X is data, not a variable of J")
        else:
            text = (f"stop: back-propagation to layer {to_layer} ends here;\n"
                    f"dA[{to_layer - 1}] = W[{to_layer}]ᵀ dZ[{to_layer}] would continue to layer {to_layer - 1}")
        b.annotation("bwd:stop", text=text, layer=to_layer - 1, group=None,
                     near=backward_id("dZ", to_layer))
        return b.graph

    def _dz(self, b: GraphBuilder, layer: int, d_a: str) -> str:
        """dZ[l] = dA[l] ⊙ g[l]'(Z[l]), with g' computed from the cached Z[l] or A[l]."""
        group = a.layer_group(layer)
        fn = self.net.activation(layer)
        reads = derivative_reads(fn)
        cached_input = (self.add_preactivation(b, layer, group) if reads == "Z"
                        else self.add_activation(b, layer, group))
        shape, dims = self.columns(layer)
        derivative = b.quantity(
            backward_id("dg", layer), symbol=f"g[{layer}]'(Z[{layer}])", name="g'",
            kind=a.DERIVATIVE, phase=BWD, layer=layer, group=group, shape=shape, dims=dims,
            formula=activation_derivative_formula(fn, layer, self.net.leaky_slope),
            note=f"local derivative of {ACTIVATION_NAMES[fn]}, evaluated on the cached {reads}[{layer}]",
        )
        b.operation(derivative, a.ACTIVATION_DERIVATIVE, [cached_input], phase=BWD, layer=layer,
                    group=group, label=f"{ACTIVATION_NAMES[fn]}′", **{a.FUNCTION: fn,
                                                                     "slope": self.net.leaky_slope})
        formula = f"{symbol('dZ', layer)} = {symbol('dA', layer)} ⊙ g[{layer}]'(Z[{layer}])"
        if layer == self.net.depth:
            formula += f" = {symbol('A', layer)} − Y"
        d_z = b.quantity(
            backward_id("dZ", layer), symbol=symbol("dZ", layer), name="dZ", kind=a.GRADIENT,
            phase=BWD, layer=layer, group=group, shape=shape, dims=dims, formula=formula,
            note="m · ∂J/∂Z: each column is one example's derivative of its loss",
        )
        b.operation(d_z, a.HADAMARD, [d_a, derivative], phase=BWD, layer=layer, group=group,
                    label="⊙")
        return d_z

    def _layer_gradients(self, b: GraphBuilder, layer: int, d_z: str, to_layer: int) -> str:
        """dW[l], db[l] from dZ[l]; then dZ[l-1] when back-propagation goes on past layer l."""
        group = a.layer_group(layer)
        prev = self.add_x(b, group) if layer == 1 else self.add_activation(b, layer - 1, group)
        prev_symbol = "X" if layer == 1 else symbol("A", layer - 1)
        shape, dims = self.weights(layer)
        d_w = b.quantity(
            backward_id("dW", layer), symbol=symbol("dW", layer), name="dW", kind=a.GRADIENT,
            phase=BWD, layer=layer, group=group, shape=shape, dims=dims,
            formula=f"{symbol('dW', layer)} = (1/m) {symbol('dZ', layer)} {prev_symbol}ᵀ",
            note=f"∂J/∂{symbol('W', layer)}, the sought gradient; shaped like {symbol('W', layer)}",
        )
        b.operation(d_w, a.MATMUL, [d_z, prev], phase=BWD, layer=layer, group=group,
                    label=f"(1/m) {symbol('dZ', layer)} {prev_symbol}ᵀ",
                    **{a.TRANSPOSE: "right", a.SCALE: "1/m"})
        shape, dims = self.bias(layer)
        d_b = b.quantity(
            backward_id("db", layer), symbol=symbol("db", layer), name="db", kind=a.GRADIENT,
            phase=BWD, layer=layer, group=group, shape=shape, dims=dims,
            formula=f"{symbol('db', layer)} = (1/m) Σᵢ {symbol('dZ', layer)}(i)",
            note=f"∂J/∂{symbol('b', layer)}, the sought gradient: the mean of dZ's columns",
        )
        b.operation(d_b, a.MEAN, [d_z], phase=BWD, layer=layer, group=group,
                    label="mean over the m examples", **{a.AXIS: 1})
        if layer - 1 < to_layer:
            return d_z
        w = self.add_weights(b, layer, group)
        shape, dims = self.columns(layer - 1)
        d_a = b.quantity(
            backward_id("dA", layer - 1), symbol=symbol("dA", layer - 1), name="dA",
            kind=a.GRADIENT, phase=BWD, layer=layer - 1, group=a.layer_group(layer - 1),
            shape=shape, dims=dims,
            formula=f"{symbol('dA', layer - 1)} = {symbol('W', layer)}ᵀ {symbol('dZ', layer)}",
            note=f"the gradient flows back through the weights {symbol('W', layer)}",
        )
        b.operation(d_a, a.MATMUL, [w, d_z], phase=BWD, layer=layer, group=group,
                    label=f"{symbol('W', layer)}ᵀ {symbol('dZ', layer)}", **{a.TRANSPOSE: "left"})
        return self._dz(b, layer - 1, d_a)


def build_batch(network: Network, to_layer: int | None, *, m: int | None = None,
                inference: bool = False) -> nx.DiGraph:
    """The forward view (to_layer None) or back-propagation to layer `to_layer`, vectorised."""
    views = _Views(network, m, inference)
    return views.forward() if to_layer is None else views.backward(to_layer)
