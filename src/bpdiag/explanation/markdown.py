"""An explanation as GitHub-flavoured Markdown: tables with formulas as inline code."""

from __future__ import annotations

from .steps import Explanation, Operand, shape_text


def _code(text: str) -> str:
    return f"`{text}`"


def _cell(text: str) -> str:
    """Table cells must not contain a bare pipe or a line break."""
    return " ".join(text.replace("|", "\\|").split())


def _reads(operands: tuple[Operand, ...]) -> str:
    return ", ".join(_code(op.symbol) + (" (cached)" if op.cached else "") for op in operands)


def to_markdown(explanation: Explanation) -> str:
    lines = [f"### {explanation.title}", "", f"Network: {explanation.network}.", "",
             "**Given**", "", "| quantity | shape | what it is |", "|---|---|---|"]
    for item in explanation.given:
        lines.append(f"| {_code(item.symbol)} | {_code(shape_text(item.shape, item.dims))} | "
                     f"{_cell(item.note)} |")
    lines += ["", "**Steps**, in the order of the diagram", "",
              "| # | step | shape | reads |", "|---:|---|---|---|"]
    for step in explanation.steps:
        reads = _reads(step.operands)
        if step.cached_for:
            reads += "; cached for " + ", ".join(_code(name) for name in step.cached_for)
        lines.append(f"| {step.number} | {_code(step.formula)} | "
                     f"{_code(shape_text(step.shape, step.dims))} | {reads} |")
        if step.shortcut is not None:
            cut = step.shortcut
            lines.append(f"| | shortcut: {_code(cut.formula)} | same value | {_reads(cut.operands)}; "
                         f"{_cell(cut.reason)} |")
    why = explanation.stop.removeprefix("stop: ")
    lines += ["", f"**Why it stops here:** {_cell(why)}"]
    return "\n".join(lines)
