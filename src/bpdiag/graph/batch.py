"""The batch views: m examples side by side as the columns of X, Z[l], A[l] (see columns.py)."""

from __future__ import annotations

import networkx as nx

from ..model import Network
from . import attrs as a
from .columns import ColumnViews


class BatchViews(ColumnViews):
    """Upper-case matrices with m columns; dW[l] and db[l] come straight from the matrices."""

    GRANULARITY = "batch"
    X, Y, Z, A, WIDTH = "X", "Y", "Z", "A", "m"
    D, DROPPED, DROPPED_ID = "D", "Ã", "Adrop"
    X_FORMULA = "X = A[0]"
    X_NOTE = "input features, one example per column: fixed data, not differentiated"
    W_FORMULA = "W[{l}]: row j holds the weights into unit j of layer {l}"
    B_FORMULA = "b[{l}]: broadcast over the m columns"
    COST_FORMULA = "J(W, b; X, Y) = (1/m) Σᵢ ℒ(i)"
    COST_NOTE = "the cost: a function of the parameters W[1..L], b[1..L], with the data X, Y fixed"
    COST_OP, COST_LABEL = a.MEAN, "mean over the m examples"
    ZNORM, ZTILDE, ZNORM_ID, ZTILDE_ID = "Z_norm", "Z̃", "Znorm", "Ztilde"
    MU_FORMULA = "μ[{l}] = (1/m) Σᵢ Z[{l}](i)"
    VAR_FORMULA = "σ²[{l}] = (1/m) Σᵢ (Z[{l}](i) − μ[{l}])²"


def build_batch(network: Network, *, m: int | None = None, first_layer: int = 1,
                inference: bool = False) -> nx.DiGraph:
    """The forward graph from `first_layer` on (its input A[first_layer - 1] given)."""
    return BatchViews(network, m, m, inference).forward(first_layer)
