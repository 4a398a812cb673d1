"""The record every operation kind fills in, and the registry of kinds by their `op` attribute."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .lazy_numpy import np

from ..errors import BpdiagError
from ..graph.attrs import ADDED


class EvaluationError(BpdiagError):
    """The graph computed something inconsistent (a shape or an equivalent route disagrees)."""


# rule(pass, op_node, gradient): add the backward steps of forward operation `op_node`, given the
# gradient of its output (a node id of the derived view, or the seed for J), to `pass`.
Rule = Callable[[Any, str, Any], None]


@dataclass(frozen=True)
class Op:
    """One operation kind: its numpy meaning and, for kinds J is differentiated through, its rule.

    `over_examples`: the operation receives every example's value of its operands at once (one
    `PerExample` each) and returns the one shared result, e.g. the mean over the m examples.
    """

    kind: str
    evaluate: Callable[[dict, list], np.ndarray]
    rule: Rule | None = None
    over_examples: bool = False


OPS: dict[str, Op] = {}


def register(op: Op) -> Op:
    if op.kind in OPS:
        raise ValueError(f"operation {op.kind!r} is declared twice")
    OPS[op.kind] = op
    return op


def evaluate(attrs: dict, args: list) -> np.ndarray:
    """The numpy meaning of one operation node (its attributes and operand values)."""
    op = OPS.get(attrs["op"])
    if op is None:
        raise EvaluationError(f"operation {attrs['op']!r} has no numeric meaning")
    added = attrs.get(ADDED, 0)  # terms added to the result: dW[l]'s (λ/m) W[l]
    if added:
        result = op.evaluate(attrs, args[:-added])
        for term in args[-added:]:
            result = result + term
        return result
    return op.evaluate(attrs, args)
