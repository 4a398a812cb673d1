"""The loss ℒ of one example, one kind per output head: binary cross-entropy (sigmoid),
cross-entropy over C classes (softmax) and half the squared error (linear).

Operands: the prediction and the label, A[L] and Y (the unit view: one pair a[L]_k, y_k per
output unit). Rule: the chain rule starts here, from J (the seed), with dA[L] = ∂ℒ/∂A[L] for
each pair: −Y/A + (1 − Y)/(1 − A), −Y/A, or A − Y.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lazy_numpy import np

from ..graph import attrs as a
from .base import Op, register


def _binary(out, y):
    return -(y * np.log(out) + (1.0 - y) * np.log(1.0 - out))


def _categorical(out, y):
    return -y * np.log(out)


def _squared(out, y):
    return 0.5 * (out - y) ** 2


def _summed(per_entry):
    """The loss of each example: the sum over its output units (the rows; in the unit view,
    the pairs of scalars)."""
    def evaluate(attrs: dict, args: list) -> np.ndarray:
        total = sum(per_entry(out, y) for out, y in zip(args[0::2], args[1::2]))
        return np.sum(total, axis=0, keepdims=True) if np.ndim(total) == 2 else total
    return evaluate


@dataclass(frozen=True)
class LossKind:
    derivative: str     # the operation forming dA[L]
    evaluate_derivative: object
    formula: str        # dA[L]'s right-hand side; {y} the label, {out} the prediction


LOSSES = {
    a.LOSS: LossKind(a.LOSS_DERIVATIVE, lambda attrs, args: -args[1] / args[0]
                     + (1.0 - args[1]) / (1.0 - args[0]), "−{y} / {out} + (1 − {y}) / (1 − {out})"),
    a.CROSS_ENTROPY: LossKind(a.CROSS_ENTROPY_DERIVATIVE, lambda attrs, args: -args[1] / args[0],
                              "−{y} / {out}"),
    a.SQUARED_ERROR: LossKind(a.SQUARED_ERROR_DERIVATIVE, lambda attrs, args: args[0] - args[1],
                              "{out} − {y}"),
}


# dA[L]'s note and its operation's label, per granularity
DA_NOTE = {
    "batch": "derivative of each example's loss by its output activation (m · ∂J/∂A)",
    "example": "derivative of this example's loss by its output activation, ∂ℒ/∂a",
    "unit": "derivative of one example's loss by the output activation, ∂ℒ/∂a",
}
DA_LABEL = {"batch": "∂ℒ/∂A, element-wise", "example": "∂ℒ/∂a", "unit": "∂ℒ/∂a"}


def loss_rule(step, op: str, seed) -> None:
    """dA[L] from the cached A[L] and the label, linked to J where the chain rule starts."""
    kind = LOSSES[step.attr(op, a.OP)]
    operands = step.operands(op)
    for prediction, label in zip(operands[0::2], operands[1::2]):
        layer = step.attr(prediction, a.LAYER)
        group = a.layer_group(layer)
        y = step.read(label, group)
        out = step.read(prediction, group)
        rhs = kind.formula.format(y=step.symbol(y), out=step.symbol(out))
        d_a = step.gradient(prediction, note=DA_NOTE[step.granularity],
                            formula=f"{step.gradient_symbol(prediction)} = {rhs}")
        first = step.operation(d_a, kind.derivative, [out, y], label=DA_LABEL[step.granularity],
                               layer=layer, group=group)
        step.seed(seed, first)
        step.emit(prediction, d_a)


for _kind, _per_entry in ((a.LOSS, _binary), (a.CROSS_ENTROPY, _categorical),
                          (a.SQUARED_ERROR, _squared)):
    register(Op(_kind, _summed(_per_entry), loss_rule))
    register(Op(LOSSES[_kind].derivative, LOSSES[_kind].evaluate_derivative))
