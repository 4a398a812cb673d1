"""The cost head every forward view shares: the loss and J after the last layer. The views differ
only in shapes and wording, which they pass in."""

from __future__ import annotations

from . import attrs as a
from .builder import GraphBuilder
from .ids import forward_id

FWD = a.FORWARD_PHASE
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
