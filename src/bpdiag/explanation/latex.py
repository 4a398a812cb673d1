"""An explanation as LaTeX: one `&=`-aligned line per quantity inside an align* environment.

Needs amsmath (align*, \\text, \\operatorname) and amssymb (\\mathbb); the output is ASCII only.
"""

from __future__ import annotations

from .steps import Explanation, Given, Operand, Step
from .tex import math, prose

_KIND_WORDS = {"data": "data", "parameter": "parameter", "cost": "the cost"}


def _space(given: Given) -> str:
    r"""The set a given quantity lives in: \mathbb{R}^{n^{[2]} \times m}."""
    if not given.shape:
        return r"\mathbb{R}"
    return r"\mathbb{R}^{" + r" \times ".join(math(name) for name in given.shape) + "}"


def _reads(operands: tuple[Operand, ...]) -> str:
    parts = [math(op.symbol) + (r"\text{ (cached)}" if op.cached else "") for op in operands]
    return r"\text{reads } " + ", ".join(parts)


def _given_line(given: Given) -> str:
    remark = r"\text{" + _KIND_WORDS.get(given.kind, "given") + "}"
    if given.cached:
        remark = r"\text{cached, read by } " + ", ".join(math(name) for name in given.cached_for)
    return rf"{math(given.symbol)} &\in {_space(given)} && {remark} \\"


def _equation(formula: str) -> tuple[str, str]:
    left, _, right = formula.partition(" = ")
    return math(left), math(right)


def _step_line(step: Step) -> list[str]:
    left, right = _equation(step.formula)
    if not right:  # a term named by its own formula, (λ/m) W[2]: written once
        left, right = "", left
    shape = ("(" + ", ".join(math(name) for name in step.shape) + ")" if step.shape
             else r"\text{scalar}")
    remark = _reads(step.operands)
    if step.cached_for:
        remark += r"\text{; cached for } " + ", ".join(math(name) for name in step.cached_for)
    lines = [rf"{left} &= {right} && {shape} && {remark} \\"]
    if step.shortcut is not None:
        cut = step.shortcut
        left, right = _equation(cut.formula)
        lines.append(rf"{left} &= {right} && \text{{shortcut}} && {prose(cut.reason)} \\")
    return lines


def to_latex(explanation: Explanation) -> str:
    network = explanation.network.replace("λ", "lambda")  # the file stays ASCII
    lines = [f"% {explanation.title}: {network}",
             r"% needs \usepackage{amsmath,amssymb}",
             r"\begin{align*}"]
    lines += [_given_line(given) for given in explanation.given]
    for step in explanation.steps:
        lines += _step_line(step)
    lines.append(rf"&{prose(explanation.stop)} \\")
    lines.append(r"\end{align*}")
    return "\n".join(lines)
