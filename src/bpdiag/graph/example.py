"""The example views: one training example (x, y), its columns x, z[l], a[l] of shape (n[l], 1).

The dataflow is the batch view's (columns.py) with one column; back-propagation forms each
example's dW[l](i) and dW[l] = (1/m) Σᵢ dW[l](i), db[l] = (1/m) Σᵢ dz[l](i) (ops/linear.py).

Everything but W[l], b[l] and the averaged results belongs to one example i. The numeric check
runs those nodes once per example (x = X[:, i], y = Y[:, i]); a `mean_over_examples` operation
receives the m per-example values and averages them, so J, dW[l] and db[l] are the graph's own.
"""

from __future__ import annotations

import networkx as nx

from ..model import Network
from . import attrs as a
from .columns import ColumnViews

MEAN_LABEL = "(1/m) Σᵢ over the m examples"


class ExampleViews(ColumnViews):
    """Lower-case columns of one example; the parameter gradients are averages over examples."""

    GRANULARITY = "example"
    X, Y, Z, A, WIDTH = "x", "y", "z", "a", "1"
    D, DROPPED, DROPPED_ID = "d", "ã", "adrop"
    X_FORMULA = "x = a[0] = x(i), column i of X"
    X_NOTE = "one example's input features (column i of X): fixed data, not differentiated"
    W_FORMULA = "W[{l}]: the same for every example"
    B_FORMULA = "b[{l}]: the same for every example"
    COST_FORMULA = "J(W, b; X, Y) = (1/m) Σᵢ ℒ(a[{L}](i), y(i))"
    COST_NOTE = "the cost: the mean of the m examples' losses, a function of W[1..L], b[1..L]"
    COST_OP, COST_LABEL = a.MEAN_OVER_EXAMPLES, MEAN_LABEL
    # batch norm: μ[l], σ²[l] are shared by the m examples, like W[l]; z_norm, z̃ are this one's
    ZNORM, ZTILDE, ZNORM_ID, ZTILDE_ID = "z_norm", "z̃", "znorm", "ztilde"
    MU_FORMULA = "μ[{l}] = (1/m) Σᵢ z[{l}](i)"
    VAR_FORMULA = "σ²[{l}] = (1/m) Σᵢ (z[{l}](i) − μ[{l}])²"


def build_example(network: Network, *, m: int | None = None, first_layer: int = 1,
                  inference: bool = False) -> nx.DiGraph:
    """The forward graph from `first_layer` on (its input A[first_layer - 1] given)."""
    return ExampleViews(network, 1, m, inference).forward(first_layer)
