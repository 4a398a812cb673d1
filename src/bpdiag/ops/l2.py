"""L2 regularisation: the cost gains (λ/2m) Σ_l ‖W[l]‖² (the squared Frobenius norms, every
weight squared; the biases are not regularised, as in the course), so each dW[l] gains (λ/m) W[l].

Forward: the L2 cost from every weight matrix (the unit view: every weight w[l]_jk), added to the
data cost (ops/products.py's `add`). Rule, given J's seed: for each W[l] of the view, the term
(λ/m) W[l] of dW[l], drawn as a node of its own; the reverse pass adds it to the back-propagated
term (1/m) dZ[l] A[l-1]ᵀ in dW[l]'s own step (ReversePass.defer). λ is `lambd` on the operation, the
course's variable name; m, the number of examples, is `m` (the graph is built for a given m
whenever it is evaluated).
"""

from __future__ import annotations

from .lazy_numpy import np

from ..graph import attrs as a
from ..graph.ids import gradient_id
from .base import EvaluationError, Op, register


def _examples(attrs: dict) -> int:
    m = attrs.get(a.EXAMPLES)
    if m is None:
        raise EvaluationError("the L2 cost divides by m, the number of examples, and this graph "
                              "was built with a symbolic m; build it for a given m")
    return m


def _cost(attrs: dict, args: list) -> np.ndarray:
    """(λ/2m) Σ of every operand's squared entries."""
    total = sum(float(np.sum(np.square(w))) for w in args)
    return np.asarray(attrs[a.LAMBD] / (2 * _examples(attrs)) * total)


def _gradient(attrs: dict, args: list) -> np.ndarray:
    """(λ/m) W."""
    return attrs[a.LAMBD] / _examples(attrs) * args[0]


def l2_rule(step, op: str, seed) -> None:
    """(λ/m) W[l] for every weight of the view, a term of dW[l] straight from J: drawn as its own
    node and added where dW[l] is formed (ReversePass.defer), dW[l] = (1/m) dZ[l] A[l-1]ᵀ +
    (λ/m) W[l]."""
    for w in step.operands(op):
        if step.continues(w):
            step.defer(w, lambda w=w: _term(step, op, w))


def _term(step, op: str, w: str) -> str:
    lambd, m = step.attr(op, a.LAMBD), step.attr(op, a.EXAMPLES)
    layer = step.attr(w, a.LAYER)
    group = a.layer_group(layer)
    w_sym = step.symbol(w)
    step.read(w, group)
    term = step.quantity(
        f"{gradient_id(w)}:l2", like=w, symbol=f"(λ/m) {w_sym}", name="L2 term",
        kind=a.GRADIENT, formula=f"(λ/m) {w_sym}",
        note=f"L2's term of {step.gradient_symbol(w)}: the derivative of the L2 cost's "
             f"(λ/2m) ‖{w_sym}‖² (λ = {lambd:g})")
    # no seed link from J: on a slide it would cross every layer; the note says where it is from
    step.operation(term, a.L2_GRADIENT, [w], label=f"(λ/m) {w_sym}", layer=layer, group=group,
                   reader=step.gradient_symbol(w), **{a.LAMBD: lambd, a.EXAMPLES: m})
    return term


register(Op(a.L2_COST, _cost, l2_rule))
register(Op(a.L2_GRADIENT, _gradient))
