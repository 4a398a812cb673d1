"""The cost head every view shares: the loss and J after the last layer, and where the chain
rule starts. The views differ only in shapes and wording, which they pass in."""

from __future__ import annotations

from . import attrs as a
from .builder import GraphBuilder
from .ids import forward_id

FWD = a.FORWARD_PHASE
BWD = a.BACKWARD_PHASE
COST_ID = forward_id("J")
LOSS_ID = forward_id("loss")


def add_cost(b: GraphBuilder, group: str | None, *, formula: str, note: str) -> str:
    """J, the number every gradient is a derivative of."""
    return b.quantity(COST_ID, symbol="J", name="J", kind=a.COST, phase=FWD, layer=None,
                      group=group, shape=[], dims=[], formula=formula, note=note)


def add_loss(b: GraphBuilder, prediction: str, label: str, *, shape: list[str],
             dims: list[int | None], formula: str, note: str) -> str:
    """ℒ, the binary cross-entropy of the prediction and the label."""
    loss = b.quantity(LOSS_ID, symbol="ℒ", name="ℒ", kind=a.FORWARD, phase=FWD, layer=None,
                      group=a.COST_GROUP, shape=shape, dims=dims, formula=formula, note=note)
    b.operation(loss, a.LOSS, [prediction, label], phase=FWD, layer=None, group=a.COST_GROUP,
                label="cross-entropy")
    return loss


def average_loss(b: GraphBuilder, loss: str, cost: str, *, op: str, label: str) -> None:
    """J = the mean of the loss over the m examples (`op`: mean, or mean_over_examples)."""
    b.operation(cost, op, [loss], phase=FWD, layer=None, group=a.COST_GROUP, label=label,
                **{a.AXIS: None})


def seed_gradient(b: GraphBuilder, cost: str, d_a: str, prediction: str, label: str, *,
                  layer: int, group: str, text: str) -> None:
    """dA[L] = ∂ℒ/∂A[L]: the first backward step, linked to J where the chain rule starts."""
    op = b.operation(d_a, a.LOSS_DERIVATIVE, [prediction, label], phase=BWD, layer=layer,
                     group=group, label=text)
    b.link(cost, op, a.SEED)


def add_shortcut(b: GraphBuilder, d_z: str, prediction: str, label: str, *, layer: int,
                 group: str, difference: str) -> None:
    """dZ[L] = A[L] − Y, the σ-with-cross-entropy shortcut: a second route the check compares."""
    b.operation(d_z, a.SUBTRACT, [prediction, label], phase=BWD, layer=layer, group=group,
                equivalent=True, suffix="shortcut", label=f"{difference} (σ with cross-entropy)")


def add_stop(b: GraphBuilder, text: str, *, to_layer: int, near: str) -> None:
    """The note where back-propagation to layer `to_layer` ends."""
    b.annotation("bwd:stop", text=text, layer=to_layer - 1, group=None, near=near)
