"""Element-wise products, sums and differences: the glue of the chain rule's backward steps."""

from __future__ import annotations

import functools
import operator

from ..graph import attrs as a
from .base import Op, register


def sum_rule(step, op: str, gradient) -> None:
    """J = data cost + L2 cost: J's seed reaches every term (∂J/∂term = 1)."""
    out = step.output(op)
    if step.attr(out, a.KIND) == a.COST:
        step.read(out, None)
    for term in step.operands(op):
        step.emit(term, gradient)


# dZ = dA ⊙ g'(Z) on columns; dz = da · g'(z) on scalars (the unit view)
register(Op(a.HADAMARD, lambda attrs, args: args[0] * args[1]))
register(Op(a.PRODUCT, lambda attrs, args: args[0] * args[1]))
# A[L] − Y, the shortcut to dZ[L]
register(Op(a.SUBTRACT, lambda attrs, args: args[0] - args[1]))
# dZ[L] = dA[L] · 1: the linear output's g' = 1
register(Op(a.IDENTITY, lambda attrs, args: args[0]))
# the sum of its operands: J = data cost + L2 cost
register(Op(a.ADD, lambda attrs, args: functools.reduce(operator.add, args), sum_rule))
