"""The vectorised views, batch and example: each layer's quantities are matrices, one column per
example (m columns in the batch view, one in the example view).

Forward:  X -> [W[l]·A[l-1] + b[l] -> Z[l] -> g[l] -> A[l]] for l = 1..L -> loss -> J
With batch norm, each hidden layer computes Z[l] = W[l] A[l-1] (no b[l]), its statistics μ[l] and
σ²[l] over the examples, Z_norm[l], Z̃[l] = γ[l] ⊙ Z_norm[l] + β[l], and A[l] = g[l](Z̃[l])
(ops/batch_norm.py); at inference μ[l], σ²[l] are given (the running averages). With dropout,
each hidden layer's A[l] is masked, Ã[l] = A[l] ⊙ D[l] / keep_prob, and layer l + 1 reads Ã[l];
with L2, J adds (λ/2m) Σ_l ‖W[l]‖² (ops/dropout.py, ops/l2.py).

Both views draw this same dataflow, node for node. A subclass sets the names (upper-case X, Z[l]
or one example's lower-case x, z[l]), the width of the columns and the wording. Back-propagation
is derived from this graph (reverse.py), and so are the cache marks.
"""

from __future__ import annotations

import networkx as nx

from ..model import BN_EPSILON, Network
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

    # batch norm: the normalised and the scaled pre-activation's names, and the wording of the
    # batch statistics (formatted with l), set by a subclass
    ZNORM = ZTILDE = ZNORM_ID = ZTILDE_ID = MU_FORMULA = VAR_FORMULA = ""
    STATS_NOTE = ("computed over the m examples of the batch: shared by every example, and "
                  "differentiated through like any quantity")

    def __init__(self, network: Network, width: int | None, m: int | None = None,
                 inference: bool = False) -> None:
        self.net = network
        self.width = width
        self.m = m  # the number of examples (None: symbolic), which the L2 cost divides by
        self.inference = inference
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
        z = self.ZTILDE if self.net.batch_normed(layer) else self.Z
        return b.quantity(node_id, symbol=self.sym(self.A, layer), name=self.A, kind=a.FORWARD,
                          phase=FWD, layer=layer, group=group, shape=shape, dims=dims,
                          formula=f"{self.sym(self.A, layer)} = {g}({self.sym(z, layer)})",
                          note=note)

    def add_preactivation(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        node_id = self.id(self.Z, layer)
        shape, dims = self.columns(layer)
        return b.quantity(node_id, symbol=self.sym(self.Z, layer), name=self.Z, kind=a.FORWARD,
                          phase=FWD, layer=layer, group=group, shape=shape, dims=dims,
                          formula=f"{self.sym(self.Z, layer)} = {self.linear_text(layer)}")

    def linear_text(self, layer: int) -> str:
        if self.net.batch_normed(layer):  # β[l] takes the place of b[l]
            return f"W[{layer}] {self.sym(self.input_name(layer), layer - 1)}"
        return f"W[{layer}] {self.sym(self.input_name(layer), layer - 1)} + b[{layer}]"

    def input_name(self, layer: int) -> str:
        """The name of what layer `layer` reads: A[l-1], or Ã[l-1] after dropout."""
        return self.DROPPED if self.net.dropout and layer > 1 else self.A

    def add_parameter(self, b: GraphBuilder, name: str, layer: int, group: str | None,
                      shape: Shape, formula: str, drawn: str | None = None) -> str:
        """W[l], b[l] (or batch norm's γ[l], β[l]: `name` gamma, `drawn` γ): the same for every
        example."""
        drawn = drawn or name
        return b.quantity(forward_id(name, layer), symbol=symbol(drawn, layer), name=drawn,
                          kind=a.PARAMETER, phase=FWD, layer=layer, group=group, shape=shape[0],
                          dims=shape[1], formula=formula.format(l=layer),
                          note="a parameter: one of the variables J is a function of")

    def add_weights(self, b: GraphBuilder, layer: int, group: str | None) -> str:
        return self.add_parameter(b, "W", layer, group, self.weights(layer), self.W_FORMULA)

    def activation_group(self, layer: int) -> str:
        """The group of A[l]: its layer's, or its batch normalisation's."""
        return (a.batch_norm_group(layer) if self.net.batch_normed(layer)
                else a.layer_group(layer))

    # -- batch normalisation -------------------------------------------------------------------
    def add_batch_norm(self, b: GraphBuilder, layer: int, group: str, z: str) -> str:
        """μ[l], σ²[l] (over the examples; given at inference), Z_norm[l], γ[l], β[l] and Z̃[l],
        the input of g[l]; returns Z̃[l]."""
        stats = self.bias(layer)
        zs = self.sym(self.Z, layer)
        mu_sym, var_sym = f"μ[{layer}]", f"σ²[{layer}]"
        given = dict(kind=a.DATA, note="the running average (an exponentially weighted average "
                     "over the training mini-batches), given at inference: no batch statistics")
        computed = dict(kind=a.FORWARD, note=self.STATS_NOTE)
        kind = given if self.inference else computed
        mu = b.quantity(forward_id("mu", layer), symbol=mu_sym, name="μ", phase=FWD,
                        layer=layer, group=group, shape=stats[0], dims=stats[1],
                        formula=(f"{mu_sym}: the running average of the batch means"
                                 if self.inference else self.MU_FORMULA.format(l=layer)), **kind)
        if not self.inference:
            b.operation(mu, a.BN_MEAN, [z], phase=FWD, layer=layer, group=group,
                        label=f"(1/m) Σᵢ {zs}")
        var = b.quantity(forward_id("sigma2", layer), symbol=var_sym, name="σ²", phase=FWD,
                         layer=layer, group=group, shape=stats[0], dims=stats[1],
                         formula=(f"{var_sym}: the running average of the batch variances"
                                  if self.inference else self.VAR_FORMULA.format(l=layer)), **kind)
        if not self.inference:
            b.operation(var, a.BN_VARIANCE, [z, mu], phase=FWD, layer=layer, group=group,
                        label=f"(1/m) Σᵢ ({zs} − {mu_sym})²")
        shape, dims = self.columns(layer)
        norm_sym, tilde_sym = self.sym(self.ZNORM, layer), self.sym(self.ZTILDE, layer)
        normalized = f"({zs} − {mu_sym}) / √({var_sym} + ε)"
        z_norm = b.quantity(forward_id(self.ZNORM_ID, layer), symbol=norm_sym,
                            name=self.ZNORM, kind=a.FORWARD, phase=FWD, layer=layer, group=group,
                            shape=shape, dims=dims, formula=f"{norm_sym} = {normalized}",
                            note=f"each unit normalised to mean 0 and variance 1 (ε = {BN_EPSILON:g} "
                                 "keeps the division finite)")
        b.operation(z_norm, a.BN_NORMALIZE, [z, mu, var], phase=FWD, layer=layer, group=group,
                    label=normalized, **{a.EPSILON: BN_EPSILON})
        gamma = self.add_parameter(b, "gamma", layer, group, stats,
                                   "γ[{l}]: the scale of each unit, learnt", drawn="γ")
        beta = self.add_parameter(b, "beta", layer, group, stats,
                                  "β[{l}]: the shift of each unit, learnt; it takes b[{l}]'s place",
                                  drawn="β")
        scaled = f"γ[{layer}] ⊙ {norm_sym} + β[{layer}]"
        z_tilde = b.quantity(forward_id(self.ZTILDE_ID, layer), symbol=tilde_sym,
                             name=self.ZTILDE, kind=a.FORWARD, phase=FWD, layer=layer, group=group,
                             shape=shape, dims=dims, formula=f"{tilde_sym} = {scaled}",
                             note="the normalised pre-activation with the mean β and spread γ "
                                  "the network learns")
        b.operation(z_tilde, a.BN_SCALE_SHIFT, [gamma, z_norm, beta], phase=FWD, layer=layer,
                    group=group, label=scaled)
        return z_tilde

    def add_cost(self, b: GraphBuilder, group: str | None) -> str:
        formula = self.COST_FORMULA.format(L=self.net.depth)
        if self.net.l2 > 0:
            formula += f" + (λ/2m) {L2_SQUARES}"
        note = self.COST_NOTE
        if self.net.batch_norm:
            note += "; with batch norm also of γ[l] and β[l], in place of the hidden layers' b[l]"
        return head.add_cost(b, group, formula=formula, note=note, regularized=self.net.l2 > 0)

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
        dropout on a hidden layer (in A[l]'s group)."""
        group = self.activation_group(layer)
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
            normed = self.net.batch_normed(layer)
            bias = [] if normed else [self.add_parameter(b, "b", layer, group, self.bias(layer),
                                                         self.B_FORMULA)]
            z = self.add_preactivation(b, layer, group)
            b.operation(z, a.LINEAR, [w, prev, *bias], phase=FWD, layer=layer, group=group,
                        label=self.linear_text(layer))
            if normed:  # batch norm and g[l] in a group of their own
                group = a.batch_norm_group(layer)
                z = self.add_batch_norm(b, layer, group, z)
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
