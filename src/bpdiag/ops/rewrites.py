"""Declared simplifications of the chain rule: a shorter second route to a gradient.

An output activation followed by its matching loss gives dZ[L] = A[L] − Y directly. The derived
view draws both the chain through g' and this route; the numeric check evaluates both and fails
when they disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..graph import attrs as a


@dataclass(frozen=True)
class Shortcut:
    activation: str   # the output activation's `fn`
    loss: str         # the loss operation's `op`
    reason: str       # why the route holds, drawn after it


SHORTCUTS = (
    Shortcut("sigmoid", a.LOSS, "σ with cross-entropy"),
    Shortcut("softmax", a.CROSS_ENTROPY, "softmax with cross-entropy"),
    Shortcut("identity", a.SQUARED_ERROR, "linear output with squared error"),
)


def find_shortcut(step, activation_op: str) -> tuple[Shortcut, list[str]] | None:
    """The shortcut to the gradient of `activation_op`'s input, with its operands [A, Y] (the
    loss's pair that holds this prediction)."""
    fn = step.attr(activation_op, a.FUNCTION)
    prediction = step.output(activation_op)
    for consumer in step.consumers(prediction):
        for shortcut in SHORTCUTS:
            if (shortcut.activation, shortcut.loss) == (fn, step.attr(consumer, a.OP)):
                operands = step.operands(consumer)
                at = operands.index(prediction)
                return shortcut, operands[at:at + 2]
    return None
