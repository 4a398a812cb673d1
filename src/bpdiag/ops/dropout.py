"""Inverted dropout on a hidden layer: A[l] ⊙ D[l] / keep_prob in training (the course writes
A[l] = A[l] * D[l]; A[l] /= keep_prob), with D[l] a 0/1 mask of A[l]'s shape, each entry 1 with
probability keep_prob. Dividing by keep_prob keeps the expected activation, so nothing changes at
inference, where there is no dropout at all (the graph has none).

The graph names the masked activation Ã[l] (the course overwrites A[l] with it) and keeps A[l]
for g[l](Z[l]). Rule, given dÃ[l] = W[l+1]ᵀ dZ[l+1]: dA[l] = dÃ[l] ⊙ D[l] / keep_prob, the same
mask and scale, read from the forward pass's cache (so D[l] is marked cached). The mask is an
input of the graph, drawn once per problem (verify.random_problem, or the learner's D1, D2, …),
so the forward pass and the finite differences of the check see the same mask.
"""

from __future__ import annotations

from .lazy_numpy import np

from ..graph import attrs as a
from .base import Op, register


def _dropout(attrs: dict, args: list) -> np.ndarray:
    values, mask = args
    return values * mask / attrs[a.KEEP_PROB]


# what dA[l] is, per granularity
DA_NOTE = {
    "batch": "the gradient through the dropout: the units shut down in the forward pass get none",
    "example": "this example's gradient through the dropout: shut-down units get none",
    "unit": "the gradient through the dropout: 0 when the unit was shut down, else ÷ keep_prob",
}


def dropout_rule(step, op: str, d_dropped: str) -> None:
    act, mask = step.operands(op)
    layer, group = step.attr(op, a.LAYER), step.attr(op, a.GROUP)
    keep = step.attr(op, a.KEEP_PROB)
    mask = step.read(mask, group)
    times = "·" if step.granularity == "unit" else "⊙"
    flow = f"{step.symbol(d_dropped)} {times} {step.symbol(mask)} / keep_prob"
    d_act = step.gradient(act, formula=f"{step.gradient_symbol(act)} = {flow}",
                          note=f"{DA_NOTE[step.granularity]} (keep_prob = {keep:g})")
    step.operation(d_act, a.DROPOUT, [d_dropped, mask], label=f"{times} {step.symbol(mask)} / "
                   "keep_prob", layer=layer, group=group, **{a.KEEP_PROB: keep})
    step.emit(act, d_act)


register(Op(a.DROPOUT, _dropout, dropout_rule))
