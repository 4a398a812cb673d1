"""The vectorised views, batch and example: each layer's quantities are matrices, one column per
example (m columns in the batch view, one in the example view).

Forward:  X -> [W[l]·A[l-1] + b[l] -> Z[l] -> g[l] -> A[l]] for l = 1..L -> loss -> J
Backward: J -> dA[L] -> dZ[L] -> (dW[L], db[L], dA[L-1]) -> dZ[L-1] -> ... -> dW[K], db[K]

Both views draw this same dataflow, node for node. A subclass sets the names (upper-case X, Z[l]
or one example's lower-case x, z[l]), the width of the columns and the wording, and forms dW[l]
and db[l] in its own way (`add_parameter_gradients`).
"""

from __future__ import annotations

import networkx as nx

from ..model import Network
from . import attrs as a
from . import head
from .builder import GraphBuilder
from .cache import Cache
from .ids import backward_id, forward_id
from .notation import ACTIVATION_NAMES, derivative_reads, local_derivative_formula, symbol

FWD = a.FORWARD_PHASE
BWD = a.BACKWARD_PHASE

Shape = tuple[list[str], list[int | None]]


class ColumnViews:
    """Builds the forward and backward views of one network at one vectorised granularity."""

    # names of the per-example quantities and the columns' count in shapes, set by a subclass
    X = Y = Z = A = DA = DZ = WIDTH = ""
    # wording, set by a subclass; the templates are formatted with l (layer), L, out, z
    X_FORMULA = X_NOTE = Y_FORMULA = Y_NOTE = OUTPUT_NOTE = ""
    W_FORMULA = B_FORMULA = COST_FORMULA = COST_NOTE = LOSS_FORMULA = LOSS_NOTE = ""
    COST_OP = COST_LABEL = DA_NOTE = DA_LABEL = DZ_NOTE = WEIGHT_READER = ""

    def __init__(self, network: Network, width: int | None, inference: bool) -> None:
        self.net = network
        self.width = width
        self.cache = Cache() if inference else self.cached_readers()

    # -- names and shapes ---------------------------------------------------------------------
    def sym(self, name: str, layer: int) -> str:
        """'Z', 2 -> 'Z[2]'; A[0] is the input X."""
        return self.X if (name, layer) == (self.A, 0) else symbol(name, layer)

    def id(self, name: str, layer: int) -> str:
        return forward_id(self.X) if (name, layer) == (self.A, 0) else forward_id(name, layer)

    def columns(self, layer: int) -> Shape:
        return [f"n[{layer}]", self.WIDTH], [self.net.units(layer), self.width]

    def weights(self, layer: int) -> Shape:
        return [f"n[{layer}]", f"n[{layer - 1}]"], [self.net.units(layer), self.net.units(layer - 1)]

    def bias(self, layer: int) -> Shape:
        return [f"n[{layer}]", "1"], [self.net.units(layer), 1]

    def cached_readers(self) -> Cache:
        """What the forward pass keeps for back-propagation: A[L], the Z[l] or A[l] each g' reads,
        and the A[l-1] each dW[l] reads."""
        L = self.net.depth
        cache = Cache()
        cache.read(self.id(self.A, L), self.sym(self.DA, L))
        for layer in range(L, 0, -1):
            source = self.Z if derivative_reads(self.net.activation(layer)) == "Z" else self.A
            cache.read(self.id(source, layer), self.sym(self.DZ, layer))
            if layer > 1:
                cache.read(self.id(self.A, layer - 1), self.WEIGHT_READER.format(l=layer))
        return cache

    # -- forward quantities (shared by the forward and the backward views) ----------------------
    def add_x(self, b: GraphBuilder, group: str | None = None) -> str:
        shape, dims = self.columns(0)
        return b.quantity(self.id(self.A, 0), symbol=self.X, name=self.X, kind=a.DATA, phase=FWD,
                          layer=0, group=group, shape=shape, dims=dims, formula=self.X_FORMULA,
                          note=self.X_NOTE)

    def add_y(self, b: GraphBuilder, group: str | None = None) -> str:
        return b.quantity(forward_id(self.Y), symbol=self.Y, name=self.Y, kind=a.DATA, phase=FWD,
                          layer=None, group=group, shape=["1", self.WIDTH], dims=[1, self.width],
                          formula=self.Y_FORMULA, note=self.Y_NOTE)

    def add_activation(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        """A[l] (l >= 1), with its cache mark."""
        node_id = self.id(self.A, layer)
        marks = self.cache.marks(node_id)
        if layer == self.net.depth:
            marks["note"] = (self.OUTPUT_NOTE + marks["note"]).strip()
        shape, dims = self.columns(layer)
        g = ACTIVATION_NAMES[self.net.activation(layer)]
        return b.quantity(node_id, symbol=self.sym(self.A, layer), name=self.A, kind=a.FORWARD,
                          phase=FWD, layer=layer, group=group, shape=shape, dims=dims,
                          formula=f"{self.sym(self.A, layer)} = {g}({self.sym(self.Z, layer)})",
                          **marks)

    def add_preactivation(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        node_id = self.id(self.Z, layer)
        shape, dims = self.columns(layer)
        return b.quantity(node_id, symbol=self.sym(self.Z, layer), name=self.Z, kind=a.FORWARD,
                          phase=FWD, layer=layer, group=group, shape=shape, dims=dims,
                          formula=f"{self.sym(self.Z, layer)} = {self.linear_text(layer)}",
                          **self.cache.marks(node_id))

    def linear_text(self, layer: int) -> str:
        return f"W[{layer}] {self.sym(self.A, layer - 1)} + b[{layer}]"

    def add_parameter(self, b: GraphBuilder, name: str, layer: int, group: str | None,
                      shape: Shape, formula: str) -> str:
        """W[l] or b[l]: the same for every example."""
        return b.quantity(forward_id(name, layer), symbol=symbol(name, layer), name=name,
                          kind=a.PARAMETER, phase=FWD, layer=layer, group=group, shape=shape[0],
                          dims=shape[1], formula=formula.format(l=layer),
                          note="a parameter: one of the variables J is a function of")

    def add_weights(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        return self.add_parameter(b, "W", layer, group, self.weights(layer), self.W_FORMULA)

    def add_cost(self, b: GraphBuilder, group: str | None) -> str:
        return head.add_cost(b, group, formula=self.COST_FORMULA.format(L=self.net.depth),
                             note=self.COST_NOTE)

    def add_gradient(self, b: GraphBuilder, name: str, layer: int, group: str | None,
                     shape: Shape, *, formula: str, note: str) -> str:
        """dA[l], dZ[l], dW[l] or db[l]."""
        return b.quantity(backward_id(name, layer), symbol=symbol(name, layer), name=name,
                          kind=a.GRADIENT, phase=BWD, layer=layer, group=group, shape=shape[0],
                          dims=shape[1], formula=formula, note=note)

    # -- the forward view -----------------------------------------------------------------------
    def forward(self) -> nx.DiGraph:
        L = self.net.depth
        b = GraphBuilder()
        prev = self.add_x(b)
        for layer in range(1, L + 1):
            group = a.layer_group(layer)
            w = self.add_weights(b, layer, group)
            bias = self.add_parameter(b, "b", layer, group, self.bias(layer), self.B_FORMULA)
            z = self.add_preactivation(b, layer, group)
            b.operation(z, a.LINEAR, [w, prev, bias], phase=FWD, layer=layer, group=group,
                        label=self.linear_text(layer))
            act = self.add_activation(b, layer, group)
            fn = self.net.activation(layer)
            b.operation(act, a.ACTIVATION, [z], phase=FWD, layer=layer, group=group,
                        label=ACTIVATION_NAMES[fn], **{a.FUNCTION: fn, "slope": self.net.leaky_slope})
            prev = act
        y = self.add_y(b)
        shape, dims = ["1", self.WIDTH], [1, self.width]  # one loss per example, like Y
        loss = head.add_loss(b, prev, y, shape=shape, dims=dims, note=self.LOSS_NOTE,
                             formula=self.LOSS_FORMULA.format(out=self.sym(self.A, L)))
        head.average_loss(b, loss, self.add_cost(b, a.COST_GROUP), op=self.COST_OP,
                          label=self.COST_LABEL)
        return b.graph

    # -- the backward view ----------------------------------------------------------------------
    def backward(self, to_layer: int) -> nx.DiGraph:
        L = self.net.depth
        b = GraphBuilder()
        cost = self.add_cost(b, None)
        y = self.add_y(b)
        top = a.layer_group(L)
        a_out = self.add_activation(b, L, top)
        out, label = self.sym(self.A, L), self.Y
        d_a = self.add_gradient(b, self.DA, L, top, self.columns(L), note=self.DA_NOTE,
                                formula=f"{self.sym(self.DA, L)} = −{label} / {out} "
                                        f"+ (1 − {label}) / (1 − {out})")
        head.seed_gradient(b, cost, d_a, a_out, y, layer=L, group=top, text=self.DA_LABEL)
        d_z = self._dz(b, L, d_a)
        head.add_shortcut(b, d_z, a_out, y, layer=L, group=top, difference=f"{out} − {label}")
        for layer in range(L, to_layer - 1, -1):
            d_z = self._layer_gradients(b, layer, d_z, to_layer)
        if to_layer == 1:
            text = (f"stop: {self.sym(self.DA, 0)} = W[1]ᵀ {self.sym(self.DZ, 1)} is never needed,\n"
                    f"{self.X} is data, not a variable of J")
        else:
            text = (f"stop: back-propagation to layer {to_layer} ends here;\n"
                    f"{self.sym(self.DA, to_layer - 1)} = W[{to_layer}]ᵀ {self.sym(self.DZ, to_layer)}"
                    f" would continue to layer {to_layer - 1}")
        head.add_stop(b, text, to_layer=to_layer, near=backward_id(self.DZ, to_layer))
        return b.graph

    def _dz(self, b: GraphBuilder, layer: int, d_a: str) -> str:
        """dZ[l] = dA[l] ⊙ g[l]'(Z[l]), with g' computed from the cached Z[l] or A[l]."""
        group = a.layer_group(layer)
        fn = self.net.activation(layer)
        reads = self.Z if derivative_reads(fn) == "Z" else self.A
        cached_input = (self.add_preactivation(b, layer, group) if reads == self.Z
                        else self.add_activation(b, layer, group))
        shape, dims = self.columns(layer)
        z, act = self.sym(self.Z, layer), self.sym(self.A, layer)
        lhs = f"g[{layer}]'({z})"
        derivative = b.quantity(
            backward_id("dg", layer), symbol=lhs, name="g'", kind=a.DERIVATIVE, phase=BWD,
            layer=layer, group=group, shape=shape, dims=dims,
            formula=local_derivative_formula(fn, lhs, z, act, self.net.leaky_slope, elementwise=True),
            note=f"local derivative of {ACTIVATION_NAMES[fn]}, evaluated on the cached "
                 f"{self.sym(reads, layer)}",
        )
        b.operation(derivative, a.ACTIVATION_DERIVATIVE, [cached_input], phase=BWD, layer=layer,
                    group=group, label=f"{ACTIVATION_NAMES[fn]}′",
                    **{a.FUNCTION: fn, "slope": self.net.leaky_slope})
        formula = f"{self.sym(self.DZ, layer)} = {self.sym(self.DA, layer)} ⊙ {lhs}"
        if layer == self.net.depth:
            formula += f" = {act} − {self.Y}"
        d_z = self.add_gradient(b, self.DZ, layer, group, (shape, dims), formula=formula,
                                note=self.DZ_NOTE.format(z=z, l=layer))
        b.operation(d_z, a.HADAMARD, [d_a, derivative], phase=BWD, layer=layer, group=group,
                    label="⊙")
        return d_z

    def _layer_gradients(self, b: GraphBuilder, layer: int, d_z: str, to_layer: int) -> str:
        """dW[l], db[l] from dZ[l]; then dZ[l-1] when back-propagation goes on past layer l."""
        group = a.layer_group(layer)
        prev = self.add_x(b, group) if layer == 1 else self.add_activation(b, layer - 1, group)
        self.add_parameter_gradients(b, layer, group, d_z, prev)
        if layer - 1 < to_layer:
            return d_z
        w = self.add_weights(b, layer, group)
        flow = f"W[{layer}]ᵀ {self.sym(self.DZ, layer)}"
        d_a = self.add_gradient(b, self.DA, layer - 1, a.layer_group(layer - 1),
                                self.columns(layer - 1),
                                formula=f"{self.sym(self.DA, layer - 1)} = {flow}",
                                note=f"the gradient flows back through the weights W[{layer}]")
        b.operation(d_a, a.MATMUL, [w, d_z], phase=BWD, layer=layer, group=group, label=flow,
                    **{a.TRANSPOSE: "left"})
        return self._dz(b, layer - 1, d_a)

    def add_parameter_gradients(self, b: GraphBuilder, layer: int, group: str, d_z: str,
                                prev: str) -> None:
        """dW[l] and db[l] from dZ[l] and the layer's input `prev`: each view's own steps."""
        raise NotImplementedError
