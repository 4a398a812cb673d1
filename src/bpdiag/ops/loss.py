"""The loss ℒ of one example: binary cross-entropy of the prediction A[L] and the label Y.

Rule: the chain rule starts here, from J (the seed): dA[L] = ∂ℒ/∂A[L] = −Y/A + (1 − Y)/(1 − A).
"""

from __future__ import annotations

import numpy as np

from ..graph import attrs as a
from .base import Op, register


def _loss(attrs: dict, args: list) -> np.ndarray:
    out, y = args
    return -(y * np.log(out) + (1.0 - y) * np.log(1.0 - out))


def _loss_derivative(attrs: dict, args: list) -> np.ndarray:
    out, y = args
    return -y / out + (1.0 - y) / (1.0 - out)


# dA[L]'s note and its operation's label, per granularity
DA_NOTE = {
    "batch": "derivative of each example's loss by its output activation (m · ∂J/∂A)",
    "example": "derivative of this example's loss by its output activation, ∂ℒ/∂a",
    "unit": "derivative of one example's loss by the output activation, ∂ℒ/∂a",
}
DA_LABEL = {"batch": "∂ℒ/∂A, element-wise", "example": "∂ℒ/∂a", "unit": "∂ℒ/∂a"}


def loss_rule(step, op: str, seed) -> None:
    """dA[L] from the cached A[L] and the label, linked to J where the chain rule starts."""
    prediction, label = step.operands(op)
    layer = step.attr(prediction, a.LAYER)
    group = a.layer_group(layer)
    y = step.read(label, group)
    out = step.read(prediction, group)
    y_sym, out_sym = step.symbol(y), step.symbol(out)
    d_a = step.gradient(
        prediction, note=DA_NOTE[step.granularity],
        formula=f"{step.gradient_symbol(prediction)} = −{y_sym} / {out_sym} "
                f"+ (1 − {y_sym}) / (1 − {out_sym})")
    first = step.operation(d_a, a.LOSS_DERIVATIVE, [out, y], label=DA_LABEL[step.granularity],
                           layer=layer, group=group)
    step.seed(seed, first)
    step.emit(prediction, d_a)


register(Op(a.LOSS, _loss, loss_rule))
register(Op(a.LOSS_DERIVATIVE, _loss_derivative))
