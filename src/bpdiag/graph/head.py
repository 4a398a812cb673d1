"""The cost head every forward view shares: the label Y, the loss and J after the last layer.

The output head (model.OUTPUTS) picks the loss operation and the wording below; the views differ
only in shapes and names, which they pass in. In the templates, {out} is the prediction's
symbol and {y} the label's.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import attrs as a
from .builder import GraphBuilder
from .ids import forward_id

FWD = a.FORWARD_PHASE
COST_ID = forward_id("J")
LOSS_ID = forward_id("loss")
# with L2, J is the sum of two costs (the course's cross_entropy_cost + L2_regularization_cost)
DATA_COST_ID = forward_id("data_cost")
L2_COST_ID = forward_id("l2_cost")
DATA_COST_SYMBOL = {"sigmoid": "cross-entropy cost", "softmax": "cross-entropy cost",
                    "linear": "squared-error cost"}
L2_COST_SYMBOL = "L2 regularization cost"


@dataclass(frozen=True)
class HeadText:
    y_formula: str
    y_note: str
    output_note: str
    loss_formula: str  # the unit view writes its loss out term by term instead (unit.py)
    loss_note: str


# the loss operation of each output head and the label of its node
LOSSES = {"sigmoid": (a.LOSS, "cross-entropy"), "softmax": (a.CROSS_ENTROPY, "cross-entropy"),
          "linear": (a.SQUARED_ERROR, "squared error")}

TEXT = {
    ("sigmoid", "batch"): HeadText(
        "Y ∈ {0, 1}^(1×m)", "labels, one per example: fixed data, not differentiated",
        "Ŷ, the predicted probability of class 1.",
        "ℒ = −(Y log {out} + (1 − Y) log(1 − {out}))", "binary cross-entropy, one value per example"),
    ("sigmoid", "example"): HeadText(
        "y = y(i) ∈ {0, 1}, entry i of Y", "the example's label: fixed data, not differentiated",
        "ŷ, the predicted probability that y = 1.",
        "ℒ({out}, y) = −(y log {out} + (1 − y) log(1 − {out}))", "binary cross-entropy of this example"),
    ("sigmoid", "unit"): HeadText(
        "y = y(i) ∈ {0, 1}, entry i of Y", "the example's label: fixed data, not differentiated",
        "ŷ, the predicted probability that y = 1.", "", "binary cross-entropy of one example"),
    ("softmax", "batch"): HeadText(
        "Y ∈ {0, 1}^(C×m), one-hot: column i marks example i's class",
        "labels, one one-hot column per example: fixed data, not differentiated",
        "Ŷ, the predicted probabilities of the C = n[L] classes, one column per example.",
        "ℒ = −Σₖ Y log {out}, summed over the C classes",
        "cross-entropy over the C classes, one value per example"),
    ("softmax", "example"): HeadText(
        "y = y(i) ∈ {0, 1}^C, one-hot: column i of Y",
        "the example's one-hot label: fixed data, not differentiated",
        "ŷ, the predicted probabilities of the C classes.",
        "ℒ({out}, y) = −Σₖ y log {out}, summed over the C classes",
        "cross-entropy of this example over the C classes"),
    ("softmax", "unit"): HeadText(
        "{y} = entry (k, i) of Y: 1 for the example's class k, else 0",
        "the example's one-hot label: fixed data, not differentiated",
        "the predicted probability of class {k}.", "",
        "cross-entropy of one example over the C classes"),
    ("linear", "batch"): HeadText(
        "Y ∈ ℝ^(n[L]×m)", "targets, one column per example: fixed data, not differentiated",
        "Ŷ, the predicted values, one column per example.",
        "ℒ = ½ ‖{out} − Y‖², per column", "half the squared error, one value per example"),
    ("linear", "example"): HeadText(
        "y = y(i), column i of Y", "the example's target: fixed data, not differentiated",
        "ŷ, the predicted value.", "ℒ({out}, y) = ½ ‖{out} − y‖²",
        "half the squared error of this example"),
    ("linear", "unit"): HeadText(
        "{y} = entry (k, i) of Y", "the example's target: fixed data, not differentiated",
        "the predicted value {k}.", "", "half the squared error of one example"),
}


def add_cost(b: GraphBuilder, group: str | None, *, formula: str, note: str,
             regularized: bool = False) -> str:
    """J, the number every gradient is a derivative of; `regularized`: with the L2 cost (its
    legend row says so)."""
    return b.quantity(COST_ID, symbol="J", name="J with L2" if regularized else "J", kind=a.COST,
                      phase=FWD, layer=None, group=group, shape=[], dims=[], formula=formula,
                      note=note)


def add_loss(b: GraphBuilder, output: str, operands: list[str], *, shape: list[str],
             dims: list[int | None], formula: str, note: str) -> str:
    """ℒ of the prediction and the label (`operands`: prediction, label; the unit view: one
    pair per output unit), with the loss of the `output` head."""
    loss = b.quantity(LOSS_ID, symbol="ℒ", name="ℒ", kind=a.FORWARD, phase=FWD, layer=None,
                      group=a.COST_GROUP, shape=shape, dims=dims, formula=formula, note=note)
    op, label = LOSSES[output]
    b.operation(loss, op, operands, phase=FWD, layer=None, group=a.COST_GROUP, label=label)
    return loss


def average_loss(b: GraphBuilder, loss: str, cost: str, *, op: str, label: str) -> None:
    """J = the mean of the loss over the m examples (`op`: mean, or mean_over_examples)."""
    b.operation(cost, op, [loss], phase=FWD, layer=None, group=a.COST_GROUP, label=label,
                **{a.AXIS: None})


def average_regularized_loss(b: GraphBuilder, loss: str, cost: str, weights: list[str], *,
                             output: str, op: str, label: str, lambd: float, m: int | None,
                             squares: str) -> None:
    """J = (1/m) Σᵢ ℒ(i) + (λ/2m) Σ_l ‖W[l]‖²: the data cost (the mean loss), the L2 cost of
    `weights` (`squares`: how the formula writes their sum of squares), and their sum."""
    data = b.quantity(DATA_COST_ID, symbol=DATA_COST_SYMBOL[output], name="data cost",
                      kind=a.FORWARD, phase=FWD, layer=None, group=a.COST_GROUP, shape=[], dims=[],
                      formula=f"{DATA_COST_SYMBOL[output]} = (1/m) Σᵢ ℒ(i)",
                      note="the cost without regularisation: the mean loss over the m examples")
    average_loss(b, loss, data, op=op, label=label)
    penalty = b.quantity(L2_COST_ID, symbol=L2_COST_SYMBOL, name="L2 cost", kind=a.FORWARD,
                         phase=FWD, layer=None, group=a.COST_GROUP, shape=[], dims=[],
                         formula=f"{L2_COST_SYMBOL} = (λ/2m) {squares}",
                         note=f"L2 regularisation with λ = {lambd:g}: large weights cost more; "
                              "the biases are not regularised")
    b.operation(penalty, a.L2_COST, weights, phase=FWD, layer=None, group=a.COST_GROUP,
                label=f"(λ/2m) {squares}, λ = {lambd:g}", **{a.LAMBD: lambd, a.EXAMPLES: m})
    b.operation(cost, a.ADD, [data, penalty], phase=FWD, layer=None, group=a.COST_GROUP,
                label="+")
