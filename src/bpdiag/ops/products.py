"""Element-wise products and differences: the glue of the chain rule's backward steps."""

from __future__ import annotations

from ..graph import attrs as a
from .base import Op, register

# dZ = dA ⊙ g'(Z) on columns; dz = da · g'(z) on scalars (the unit view)
register(Op(a.HADAMARD, lambda attrs, args: args[0] * args[1]))
register(Op(a.PRODUCT, lambda attrs, args: args[0] * args[1]))
# A[L] − Y, the shortcut to dZ[L]
register(Op(a.SUBTRACT, lambda attrs, args: args[0] - args[1]))
# dZ[L] = dA[L] · 1: the linear output's g' = 1
register(Op(a.IDENTITY, lambda attrs, args: args[0]))
