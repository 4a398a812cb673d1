"""An explanation as aligned plain text for a terminal, in the course's notation."""

from __future__ import annotations

from .steps import Explanation, Operand, Step, shape_text


def reads_text(operands: tuple[Operand, ...]) -> str:
    """'reads dZ[2], A[1] (cached)'."""
    return "reads " + ", ".join(op.symbol + (" (cached)" if op.cached else "") for op in operands)


def step_remark(step: Step) -> str:
    """What a step reads, and for forward steps the backward steps it is cached for."""
    remark = reads_text(step.operands)
    if step.cached_for:
        remark += "; cached for " + ", ".join(step.cached_for)
    return remark


def to_text(explanation: Explanation) -> str:
    given = explanation.given
    steps = explanation.steps
    symbol_width = max(len(item.symbol) for item in given)
    given_shape_width = max(len(shape_text(item.shape, item.dims)) for item in given)
    formula_width = max(len(step.formula) for step in steps)
    shape_width = max(len(shape_text(step.shape, step.dims)) for step in steps)
    lines = [f"{explanation.title}: {explanation.network}",
             "In the order of the diagram; shapes as (symbols) = (sizes).", "", "given"]
    for item in given:
        shape = shape_text(item.shape, item.dims)
        lines.append(f"  {item.symbol:<{symbol_width}}  {shape:<{given_shape_width}}  {item.note}")
    lines += ["", "steps"]
    for step in steps:
        shape = shape_text(step.shape, step.dims)
        lines.append(f"{step.number:>4}  {step.formula:<{formula_width}}  {shape:<{shape_width}}  "
                     f"{step_remark(step)}")
        if step.shortcut is not None:
            cut = step.shortcut
            lines.append(f"{'=':>4}  {cut.formula:<{formula_width}}  {'shortcut':<{shape_width}}  "
                         f"{reads_text(cut.operands)}; {cut.reason}: the same value (bpdiag check compares both)")
    lines += ["", explanation.stop]
    return "\n".join(line.rstrip() for line in lines)
