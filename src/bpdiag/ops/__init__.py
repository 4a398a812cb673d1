"""The operations a dataflow graph is made of, each declared once, in one module per kind.

An operation kind (`Op`) says how numpy evaluates it and, when J depends on its output, its
derivative rule: a function that adds the backward steps of one forward operation to the view
being derived (see graph/reverse.py), in course notation, at the view's granularity. The quantities
a rule reads from the forward pass are what the forward pass caches. Adding an operation is one
module here and one import below.
"""

from __future__ import annotations

from .base import OPS, Op, evaluate, register
from . import activation, linear, loss, mean, products, softmax, weighted_sum  # noqa: F401
from . import batch_norm, dropout, l2  # noqa: F401
from .rewrites import SHORTCUTS, Shortcut

__all__ = ["OPS", "Op", "evaluate", "register", "SHORTCUTS", "Shortcut"]
