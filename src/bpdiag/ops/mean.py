"""Means over the examples: J = (1/m) Σᵢ ℒ(i) in every view, and db[l] in the batch view.

The rule: the course differentiates each example's loss ℒ(i) and folds the 1/m into dW[l] and
db[l], so J's gradient passes to the loss unchanged (the seed) and draws no node of its own.
"""

from __future__ import annotations

import functools
import operator

from .lazy_numpy import np

from ..graph import attrs as a
from .base import EvaluationError, Op, register


def _mean(attrs: dict, args: list) -> np.ndarray:
    axis = attrs.get(a.AXIS)
    if axis is None:
        return np.mean(args[0])
    return np.mean(args[0], axis=axis, keepdims=True)


def _mean_over_examples(attrs: dict, args: list) -> np.ndarray:
    """(1/m) Σᵢ of the product of the operands' values for example i; one shared result."""
    if not args or not all(isinstance(arg, tuple) for arg in args):
        raise EvaluationError(f"'{attrs[a.LABEL]}' averages over the examples but an operand is "
                              "not a per-example value")
    stack = np.stack([functools.reduce(operator.mul, values) for values in zip(*args)])
    if a.AXIS in attrs and attrs[a.AXIS] is None:
        return np.mean(stack)
    return np.mean(stack, axis=0)


def cost_rule(step, op: str, seed) -> None:
    """J = mean of ℒ: the seed reaches the loss. (With L2 the mean is the data cost, one of J's
    two terms: back-propagation draws J itself, not it.)"""
    if step.attr(step.output(op), a.KIND) == a.COST:
        step.read(step.output(op), None)
    (loss,) = step.operands(op)
    step.emit(loss, seed)


register(Op(a.MEAN, _mean, cost_rule))
register(Op(a.MEAN_OVER_EXAMPLES, _mean_over_examples, cost_rule, over_examples=True))
