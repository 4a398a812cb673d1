"""The batch views: m examples side by side as the columns of X, Z[l], A[l] (see columns.py)."""

from __future__ import annotations

import networkx as nx

from ..model import Network
from . import attrs as a
from .builder import GraphBuilder
from .columns import ColumnViews
from .notation import symbol


class BatchViews(ColumnViews):
    """Upper-case matrices with m columns; dW[l] and db[l] come straight from the matrices."""

    X, Y, Z, A, DA, DZ, WIDTH = "X", "Y", "Z", "A", "dA", "dZ", "m"
    X_FORMULA = "X = A[0]"
    X_NOTE = "input features, one example per column: fixed data, not differentiated"
    Y_FORMULA = "Y ∈ {0, 1}^(1×m)"
    Y_NOTE = "labels, one per example: fixed data, not differentiated"
    OUTPUT_NOTE = "Ŷ, the predicted probability of class 1. "
    W_FORMULA = "W[{l}]: row j holds the weights into unit j of layer {l}"
    B_FORMULA = "b[{l}]: broadcast over the m columns"
    COST_FORMULA = "J(W, b; X, Y) = (1/m) Σᵢ ℒ(i)"
    COST_NOTE = "the cost: a function of the parameters W[1..L], b[1..L], with the data X, Y fixed"
    LOSS_FORMULA = "ℒ = −(Y log {out} + (1 − Y) log(1 − {out}))"
    LOSS_NOTE = "binary cross-entropy, one value per example"
    COST_OP, COST_LABEL = a.MEAN, "mean over the m examples"
    DA_NOTE = "derivative of each example's loss by its output activation (m · ∂J/∂A)"
    DA_LABEL = "∂ℒ/∂A, element-wise"
    DZ_NOTE = "m · ∂J/∂Z: each column is one example's derivative of its loss"
    WEIGHT_READER = "dW[{l}]"

    def add_parameter_gradients(self, b: GraphBuilder, layer: int, group: str, d_z: str,
                                prev: str) -> None:
        """dW[l] = (1/m) dZ[l] A[l-1]ᵀ and db[l], the mean of dZ[l]'s columns."""
        prev_symbol, dz = self.sym(self.A, layer - 1), symbol("dZ", layer)
        d_w = self.add_gradient(
            b, "dW", layer, group, self.weights(layer),
            formula=f"dW[{layer}] = (1/m) {dz} {prev_symbol}ᵀ",
            note=f"∂J/∂W[{layer}], the sought gradient; shaped like W[{layer}]")
        b.operation(d_w, a.MATMUL, [d_z, prev], phase=a.BACKWARD_PHASE, layer=layer, group=group,
                    label=f"(1/m) {dz} {prev_symbol}ᵀ", **{a.TRANSPOSE: "right", a.SCALE: "1/m"})
        d_b = self.add_gradient(
            b, "db", layer, group, self.bias(layer), formula=f"db[{layer}] = (1/m) Σᵢ {dz}(i)",
            note=f"∂J/∂b[{layer}], the sought gradient: the mean of dZ's columns")
        b.operation(d_b, a.MEAN, [d_z], phase=a.BACKWARD_PHASE, layer=layer, group=group,
                    label="mean over the m examples", **{a.AXIS: 1})


def build_batch(network: Network, to_layer: int | None, *, m: int | None = None,
                inference: bool = False) -> nx.DiGraph:
    """The forward view (to_layer None) or back-propagation to layer `to_layer`, vectorised."""
    views = BatchViews(network, m, inference)
    return views.forward() if to_layer is None else views.backward(to_layer)
