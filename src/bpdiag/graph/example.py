"""The example views: one training example (x, y), its columns x, z[l], a[l] of shape (n[l], 1).

The dataflow is the batch view's (columns.py) with one column; as steps of their own, each
example's dW[l](i) is formed and dW[l] = (1/m) Σᵢ dW[l](i), db[l] = (1/m) Σᵢ dz[l](i).

Everything but W[l], b[l] and the averaged results belongs to one example i. The numeric check
runs those nodes once per example (x = X[:, i], y = Y[:, i]); a `mean_over_examples` operation
receives the m per-example values and averages them, so J, dW[l] and db[l] are the graph's own.
"""

from __future__ import annotations

import networkx as nx

from ..model import Network
from . import attrs as a
from .builder import GraphBuilder
from .columns import ColumnViews
from .ids import backward_id

MEAN_LABEL = "(1/m) Σᵢ over the m examples"


def example_gradient_id(name: str, layer: int) -> str:
    """Id of example i's own gradient, e.g. bwd:L2:dW(i); the averaged dW[2] is bwd:L2:dW."""
    return f"{backward_id(name, layer)}(i)"


class ExampleViews(ColumnViews):
    """Lower-case columns of one example; the parameter gradients are averages over examples."""

    X, Y, Z, A, DA, DZ, WIDTH = "x", "y", "z", "a", "da", "dz", "1"
    X_FORMULA = "x = a[0] = x(i), column i of X"
    X_NOTE = "one example's input features (column i of X): fixed data, not differentiated"
    Y_FORMULA = "y = y(i) ∈ {0, 1}, entry i of Y"
    Y_NOTE = "the example's label: fixed data, not differentiated"
    OUTPUT_NOTE = "ŷ, the predicted probability that y = 1. "
    W_FORMULA = "W[{l}]: the same for every example"
    B_FORMULA = "b[{l}]: the same for every example"
    COST_FORMULA = "J(W, b; X, Y) = (1/m) Σᵢ ℒ(a[{L}](i), y(i))"
    COST_NOTE = "the cost: the mean of the m examples' losses, a function of W[1..L], b[1..L]"
    LOSS_FORMULA = "ℒ({out}, y) = −(y log {out} + (1 − y) log(1 − {out}))"
    LOSS_NOTE = "binary cross-entropy of this example"
    COST_OP, COST_LABEL = a.MEAN_OVER_EXAMPLES, MEAN_LABEL
    DA_NOTE = "derivative of this example's loss by its output activation, ∂ℒ/∂a"
    DA_LABEL = "∂ℒ/∂a"
    DZ_NOTE = "∂ℒ/∂{z} for this example: column i of dZ[{l}]"
    WEIGHT_READER = "dW[{l}](i)"  # the cached a[l-1] is read by the example's own dW[l](i)

    def add_parameter_gradients(self, b: GraphBuilder, layer: int, group: str, d_z: str,
                                prev: str) -> None:
        """dW[l](i) = dz[l] a[l-1]ᵀ for this example, then the averages dW[l] and db[l]."""
        prev_sym, dz_sym = self.sym(self.A, layer - 1), self.sym(self.DZ, layer)
        shape, dims = self.weights(layer)
        per_example = b.quantity(
            example_gradient_id("dW", layer), symbol=f"dW[{layer}](i)", name="dW(i)",
            kind=a.GRADIENT, phase=a.BACKWARD_PHASE, layer=layer, group=group, shape=shape, dims=dims,
            formula=f"dW[{layer}](i) = {dz_sym} {prev_sym}ᵀ",
            note=f"∂ℒ(i)/∂W[{layer}], this example's share of the gradient",
        )
        b.operation(per_example, a.MATMUL, [d_z, prev], phase=a.BACKWARD_PHASE, layer=layer,
                    group=group, label=f"{dz_sym} {prev_sym}ᵀ", **{a.TRANSPOSE: "right"})
        d_w = self.add_gradient(
            b, "dW", layer, group, (shape, dims), formula=f"dW[{layer}] = (1/m) Σᵢ dW[{layer}](i)",
            note=f"∂J/∂W[{layer}], the sought gradient: the mean of the m examples' dW[{layer}](i)")
        b.operation(d_w, a.MEAN_OVER_EXAMPLES, [per_example], phase=a.BACKWARD_PHASE, layer=layer,
                    group=group, label=MEAN_LABEL)
        d_b = self.add_gradient(
            b, "db", layer, group, self.bias(layer), formula=f"db[{layer}] = (1/m) Σᵢ {dz_sym}(i)",
            note=f"∂J/∂b[{layer}], the sought gradient: each example's db[{layer}](i) is its {dz_sym}")
        b.operation(d_b, a.MEAN_OVER_EXAMPLES, [d_z], phase=a.BACKWARD_PHASE, layer=layer, group=group,
                    label=MEAN_LABEL)


def build_example(network: Network, to_layer: int | None, *, m: int | None = None,
                  inference: bool = False) -> nx.DiGraph:
    """The forward view (to_layer None) or back-propagation to `to_layer`, for one example.

    `m` does not appear in any shape here: every per-example quantity is a column.
    """
    views = ExampleViews(network, 1, inference)
    return views.forward() if to_layer is None else views.backward(to_layer)
