"""The vectorised views, batch and example: each layer's quantities are matrices, one column per
example (m columns in the batch view, one in the example view).

Forward:  X -> [W[l]·A[l-1] + b[l] -> Z[l] -> g[l] -> A[l]] for l = 1..L -> loss -> J

Both views draw this same dataflow, node for node. A subclass sets the names (upper-case X, Z[l]
or one example's lower-case x, z[l]), the width of the columns and the wording. Back-propagation
is derived from this graph (reverse.py), and so are the cache marks.
"""

from __future__ import annotations

import networkx as nx

from ..model import Network
from . import attrs as a
from . import head
from .builder import GraphBuilder
from .ids import forward_id
from .notation import ACTIVATION_NAMES, symbol

FWD = a.FORWARD_PHASE

Shape = tuple[list[str], list[int | None]]

# the L2 cost's sum of squares, in the course's words (every entry of every W[l] squared)
L2_SQUARES = "Σ_l ‖W[l]‖²"


class ColumnViews:
    """Builds the forward and backward views of one network at one vectorised granularity."""

    # names of the per-example quantities and the columns' count in shapes, set by a subclass
    GRANULARITY = X = Y = Z = A = WIDTH = ""
    # dropout's mask and the masked activation (the course's D[l] and A[l] after dropout)
    D = DROPPED = DROPPED_ID = ""
    # wording, set by a subclass; the templates are formatted with l (layer) and L; the output
    # head's wording is head.TEXT's
    X_FORMULA = X_NOTE = W_FORMULA = B_FORMULA = COST_FORMULA = COST_NOTE = ""
    COST_OP = COST_LABEL = ""

    def __init__(self, network: Network, width: int | None, m: int | None = None) -> None:
        self.net = network
        self.width = width
        self.m = m  # the number of examples (None: symbolic), which the L2 cost divides by
        self.text = head.TEXT[network.output, self.GRANULARITY]

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

    # -- forward quantities (shared by the forward and the backward views) ----------------------
    def add_x(self, b: GraphBuilder, group: str | None = None) -> str:
        shape, dims = self.columns(0)
        return b.quantity(self.id(self.A, 0), symbol=self.X, name=self.X, kind=a.DATA, phase=FWD,
                          layer=0, group=group, shape=shape, dims=dims, formula=self.X_FORMULA,
                          note=self.X_NOTE)

    def add_y(self, b: GraphBuilder, group: str | None = None) -> str:
        """Y, shaped like A[L]: one row of labels, C one-hot rows (softmax) or n[L] targets."""
        L = self.net.depth
        rows = "1" if self.net.output == "sigmoid" else f"n[{L}]"
        return b.quantity(forward_id(self.Y), symbol=self.Y, name=self.Y, kind=a.DATA, phase=FWD,
                          layer=None, group=group, shape=[rows, self.WIDTH],
                          dims=[self.net.units(L), self.width],
                          formula=self.text.y_formula, note=self.text.y_note)

    def add_activation(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        """A[l] (l >= 1); the output A[L] is the prediction."""
        node_id = self.id(self.A, layer)
        note = self.text.output_note if layer == self.net.depth else ""
        shape, dims = self.columns(layer)
        g = ACTIVATION_NAMES[self.net.activation(layer)]
        return b.quantity(node_id, symbol=self.sym(self.A, layer), name=self.A, kind=a.FORWARD,
                          phase=FWD, layer=layer, group=group, shape=shape, dims=dims,
                          formula=f"{self.sym(self.A, layer)} = {g}({self.sym(self.Z, layer)})",
                          note=note)

    def add_preactivation(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        node_id = self.id(self.Z, layer)
        shape, dims = self.columns(layer)
        return b.quantity(node_id, symbol=self.sym(self.Z, layer), name=self.Z, kind=a.FORWARD,
                          phase=FWD, layer=layer, group=group, shape=shape, dims=dims,
                          formula=f"{self.sym(self.Z, layer)} = {self.linear_text(layer)}")

    def linear_text(self, layer: int) -> str:
        return f"W[{layer}] {self.sym(self.input_name(layer), layer - 1)} + b[{layer}]"

    def input_name(self, layer: int) -> str:
        """The name of what layer `layer` reads: A[l-1], or Ã[l-1] after dropout."""
        return self.DROPPED if self.net.dropout and layer > 1 else self.A

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
        formula = self.COST_FORMULA.format(L=self.net.depth)
        if self.net.l2 > 0:
            formula += f" + (λ/2m) {L2_SQUARES}"
        return head.add_cost(b, group, formula=formula, note=self.COST_NOTE,
                             regularized=self.net.l2 > 0)

    # -- dropout (ops/dropout.py) -----------------------------------------------------------------
    def add_mask(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        """D[l]: 1 keeps a unit of an example, 0 shuts it down; drawn once per problem."""
        shape, dims = self.columns(layer)
        d = self.sym(self.D, layer)
        return b.quantity(forward_id(self.D, layer), symbol=d, name=self.D, kind=a.FORWARD,
                          phase=FWD, layer=layer, group=group, shape=shape, dims=dims,
                          formula=f"{d} = (rand{tuple(shape)} < keep_prob)".replace("'", ""),
                          note=f"dropout's mask: each entry 1 with probability keep_prob = "
                               f"{self.net.keep_prob:g}, else 0 (the unit is shut down)")

    def add_dropped(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        """Ã[l] = A[l] ⊙ D[l] / keep_prob, what layer l + 1 reads in training."""
        shape, dims = self.columns(layer)
        dropped, act = self.sym(self.DROPPED, layer), self.sym(self.A, layer)
        return b.quantity(forward_id(self.DROPPED_ID, layer), symbol=dropped, name=self.DROPPED,
                          kind=a.FORWARD, phase=FWD, layer=layer, group=group, shape=shape,
                          dims=dims, formula=f"{dropped} = {act} ⊙ {self.sym(self.D, layer)} / "
                                             "keep_prob",
                          note=f"{act} after inverted dropout (the course overwrites {act} with it: "
                               f"{act} = {act} * {self.sym(self.D, layer)}; {act} /= keep_prob)")

    def drop_out(self, b: GraphBuilder, layer: int, act: str, group: str) -> str:
        """Inverted dropout on hidden layer `layer`'s activation `act`: the masked Ã[l]."""
        mask = self.add_mask(b, layer, group)
        dropped = self.add_dropped(b, layer, group)
        b.operation(dropped, a.DROPOUT, [act, mask], phase=FWD, layer=layer, group=group,
                    label=f"⊙ {self.sym(self.D, layer)} / keep_prob",
                    **{a.KEEP_PROB: self.net.keep_prob})
        return dropped

    def linear_input(self, b: GraphBuilder, layer: int) -> str:
        """What layer `layer` + 1 reads when the graph starts after it: A[l], or Ã[l] with
        dropout on a hidden layer."""
        group = a.layer_group(layer)
        if self.net.dropout and layer < self.net.depth:
            return self.add_dropped(b, layer, group)
        return self.add_activation(b, layer, group)

    # -- the forward view -----------------------------------------------------------------------
    def forward(self, first_layer: int = 1) -> nx.DiGraph:
        """The forward graph; from `first_layer` on (its input A[first_layer - 1] given)."""
        L = self.net.depth
        b = GraphBuilder()
        prev = self.add_x(b) if first_layer == 1 else self.linear_input(b, first_layer - 1)
        for layer in range(first_layer, L + 1):
            group = a.layer_group(layer)
            w = self.add_weights(b, layer, group)
            bias = self.add_parameter(b, "b", layer, group, self.bias(layer), self.B_FORMULA)
            z = self.add_preactivation(b, layer, group)
            b.operation(z, a.LINEAR, [w, prev, bias], phase=FWD, layer=layer, group=group,
                        label=self.linear_text(layer))
            act = self.add_activation(b, layer, group)
            fn = self.net.activation(layer)
            b.operation(act, a.SOFTMAX if fn == "softmax" else a.ACTIVATION, [z], phase=FWD,
                        layer=layer, group=group, label=ACTIVATION_NAMES[fn],
                        **{a.FUNCTION: fn, "slope": self.net.leaky_slope})
            prev = act
            if self.net.dropout and layer < L:
                prev = self.drop_out(b, layer, act, group)
        y = self.add_y(b)
        shape, dims = ["1", self.WIDTH], [1, self.width]  # one loss per example
        loss = head.add_loss(b, self.net.output, [prev, y], shape=shape, dims=dims,
                             note=self.text.loss_note,
                             formula=self.text.loss_formula.format(out=self.sym(self.A, L)))
        cost = self.add_cost(b, a.COST_GROUP)
        if self.net.l2 > 0:
            weights = [forward_id("W", layer) for layer in range(first_layer, L + 1)]
            head.average_regularized_loss(b, loss, cost, weights, output=self.net.output,
                                          op=self.COST_OP, label=self.COST_LABEL,
                                          lambd=self.net.l2, m=self.m, squares=L2_SQUARES)
        else:
            head.average_loss(b, loss, cost, op=self.COST_OP, label=self.COST_LABEL)
        return b.graph
