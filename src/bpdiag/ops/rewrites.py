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
)


def find_shortcut(step, activation_op: str) -> tuple[Shortcut, list[str]] | None:
    """The shortcut to the gradient of `activation_op`'s input, with its operands [A, Y]."""
    fn = step.attr(activation_op, a.FUNCTION)
    for consumer in step.consumers(step.output(activation_op)):
        for shortcut in SHORTCUTS:
            if (shortcut.activation, shortcut.loss) == (fn, step.attr(consumer, a.OP)):
                return shortcut, step.operands(consumer)
    return None
