"""Every forward value and gradient of a problem under the course's names (Z1, A1, …, AL;
dAL, dZL, dWL, dbL, …, dA0), read off the batch view's evaluated graphs.

The values are those of the diagrams' nodes. dA0 = W[1]ᵀ dZ[1] is the one value no diagram
draws (back-propagation stops at the parameters of layer 1); the course's L_model_backward
returns it, so it is added here from the graph's dZ[1].
"""

from __future__ import annotations

import numpy as np

from .execute import Data, evaluate, forward_values
from .graph import build_graph
from .graph.batch import BatchViews
from .graph.ids import backward_id, forward_id
from .model import Network
from .views import View


# A batch-normed layer's values by these names (and node ids fwd:L1:mu, ...): Z1, mu1, var1 (σ²),
# Znorm1, Ztilde1 (Z̃), A1; dA1, dZtilde1, dgamma1, dbeta1, dZnorm1, dvar1, dmu1, dZ1, dW1.
_BN_FORWARD = ("Z", "mu", "var", "Znorm", "Ztilde", "A")
_BN_GRADIENTS = ("dA", "dZtilde", "dgamma", "dbeta", "dZnorm", "dvar", "dmu", "dZ", "dW")
_NODE_NAMES = {"var": "sigma2", "dvar": "dsigma2"}


def _forward_of(network: Network, layer: int) -> tuple[str, ...]:
    return _BN_FORWARD if network.batch_normed(layer) else ("Z", "A")


def _gradients_of(network: Network, layer: int) -> tuple[str, ...]:
    return _BN_GRADIENTS if network.batch_normed(layer) else ("dA", "dZ", "dW", "db")


def forward_names(network: Network) -> list[str]:
    return [f"{name}{layer}" for layer in range(1, network.depth + 1)
            for name in _forward_of(network, layer)]


def gradient_names(network: Network) -> list[str]:
    """In the order back-propagation computes them: dAL, dZL, dWL, dbL, …, dW1, db1, dA0."""
    names = [f"{name}{layer}" for layer in range(network.depth, 0, -1)
             for name in _gradients_of(network, layer)]
    return names + ["dA0"]


def aliases(network: Network) -> dict[str, str]:
    """The course's other names for the output layer's values: AL, dAL, ZL, dZL."""
    depth = network.depth
    return {"AL": f"A{depth}", "ZL": f"Z{depth}", "dAL": f"dA{depth}", "dZL": f"dZ{depth}"}


def forward_quantities(network: Network, problem: Data,
                       forward: dict | None = None) -> dict[str, np.ndarray]:
    """Z1, A1, …, ZL, AL (and the cost J under 'cost') from the batch forward graph. With dropout,
    A1, …, A(L-1) are the course's: after dropout (Ã[l] = A[l] ⊙ D[l] / keep_prob, which its
    forward pass keeps under the name A[l] and the next layer reads)."""
    forward = forward if forward is not None else forward_values(network, problem)
    values = {}
    for layer in range(1, network.depth + 1):
        for name in _forward_of(network, layer):
            node = forward_id(_NODE_NAMES.get(name, name), layer)
            if name == "A" and network.dropout and layer < network.depth:
                node = forward_id(BatchViews.DROPPED_ID, layer)
            values[f"{name}{layer}"] = forward[node]
    values["cost"] = np.asarray(forward[forward_id("J")])
    return values


def gradient_quantities(network: Network, problem: Data,
                        forward: dict | None = None) -> dict[str, np.ndarray]:
    """dA[l], dZ[l], dW[l], db[l] for l = L..1 from back-propagation to layer 1, then dA0."""
    forward = forward if forward is not None else forward_values(network, problem)
    graph = build_graph(network, View(1), m=problem.x.shape[1])
    values = evaluate(graph, forward)
    grads = {}
    for layer in range(network.depth, 0, -1):
        for name in _gradients_of(network, layer):
            grads[f"{name}{layer}"] = values[backward_id(_NODE_NAMES.get(name, name), layer)]
    grads["dA0"] = problem.params["W1"].T @ grads["dZ1"]
    return grads
