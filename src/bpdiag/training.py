"""Batch gradient descent on a learner's problem, step by step as the course's L_layer_model:
forward pass, cost, back-propagation, then W[l] := W[l] − α dW[l], b[l] := b[l] − α db[l].

The forward values, the cost and the gradients come from evaluating the diagrams' own graphs
(built once for the problem's m), as `bpdiag check` does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import BpdiagError, InputError
from .execute import evaluate, view_inputs
from .graph import build_graph
from .graph.ids import backward_id, forward_id
from .model import Network, SpecError
from .verify import Problem, draw_masks, finite_forward
from .views import View

MAX_STEPS = 1_000_000  # the course trains for 2500 to 3000 iterations


class DivergedError(BpdiagError):
    """The cost stopped being finite during training (exit code 1): the learning rate is too
    large for this problem, which no check before the run can tell."""


@dataclass(frozen=True)
class Training:
    """costs[i]: the cost of step i's forward pass, before its update; params: after every step."""

    costs: list[float]
    params: dict[str, np.ndarray]
    learning_rate: float


def check_settings(steps: int, learning_rate: float) -> None:
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise InputError(f"steps = {steps!r} must be a whole number from 1 to {MAX_STEPS}, e.g. "
                         "--steps 2500")
    if (isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float))
            or not math.isfinite(learning_rate) or learning_rate <= 0):
        raise InputError(f"learning rate {learning_rate!r} must be a number above 0, e.g. "
                         "--learning-rate 0.0075")


def train(network: Network, problem: Problem, steps: int, learning_rate: float,
          on_step: Callable[[int, float], None] | None = None, seed: int = 0) -> Training:
    """`steps` updates of every W[l], b[l] from `problem`'s parameters (which stay unchanged);
    `on_step(i, cost)` is told each step's cost as it is computed."""
    check_settings(steps, learning_rate)
    m = problem.x.shape[1]
    forward_graph = build_graph(network, View(None), m=m)
    backward_graph = build_graph(network, View(1), m=m)
    params = {key: value.copy() for key, value in problem.params.items()}
    # dropout: step 0 uses the problem's masks (so its cost is check's J), and every later step
    # draws new ones, as the course's training loop does, from a generator of seed `seed`: the
    # same run gives the same costs
    masks = np.random.default_rng(seed)
    costs: list[float] = []
    for step in range(steps):
        with np.errstate(all="ignore"):  # overflow is reported below, with its step
            step_masks = problem.masks if step == 0 else draw_masks(network, m, masks)
            forward = evaluate(forward_graph, view_inputs(Problem(problem.x, problem.y, params,
                                                                  step_masks)))
        try:
            finite_forward(network, forward, f"step {step}",
                           "scale X or the weights down" if step == 0 else
                           f"the learning rate {learning_rate:g} is too large: lower it")
        except SpecError as exc:
            if step == 0:
                raise
            raise DivergedError(str(exc)) from None
        cost = float(forward[forward_id("J")])
        grads = evaluate(backward_graph, forward)
        for layer in range(1, network.depth + 1):
            for name in network.parameter_names(layer):  # W, b; or W, γ, β with batch norm
                key = f"{name}{layer}"
                params[key] = params[key] - learning_rate * grads[backward_id(f"d{name}", layer)]
        costs.append(cost)
        if on_step is not None:
            on_step(step, cost)
    return Training(costs, params, float(learning_rate))
