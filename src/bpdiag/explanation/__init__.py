"""`bpdiag explain`: a view's computation step by step, as text, Markdown or LaTeX."""

from __future__ import annotations

from ..choices import canonical
from ..errors import InputError
from ..model import Network
from ..views import View
from .steps import Explanation, Given, Operand, Shortcut, Step, explain_view, in_notation

FORMATS = ("text", "markdown", "latex")


def _check_format(fmt: str) -> str:
    """`fmt` in its canonical (lower) case; an InputError naming the formats otherwise."""
    fmt = canonical(fmt, FORMATS)
    if fmt not in FORMATS:
        raise InputError(f"unknown explain format {fmt!r}; choose from {', '.join(FORMATS)}")
    return fmt


def format_explanation(explanation: Explanation, fmt: str = "text") -> str:
    """The explanation in one of FORMATS."""
    fmt = _check_format(fmt)
    if fmt == "text":
        from .text import to_text
        return to_text(explanation)
    if fmt == "markdown":
        from .markdown import to_markdown
        return to_markdown(explanation)
    from .latex import to_latex
    return to_latex(explanation)


def explain_text(network: Network, view: View, fmt: str = "text", *,
                 inference: bool = False, notation=None) -> str:
    """Explain `view` of `network` in `fmt` (checked before the graph is built), its symbols
    in the `notation` profile (text and markdown; latex stays in the course's notation)."""
    from ..profiles import load_profile

    fmt = _check_format(fmt)
    profile = load_profile(notation)
    if fmt == "latex" and not profile.is_course:
        raise InputError(f"explain --format latex writes the course's notation only; drop "
                         f"--notation {profile.name} or use --format text or markdown")
    explanation = explain_view(network, view, inference=inference)
    if not profile.is_course:
        explanation = in_notation(explanation, profile.plain)
    return format_explanation(explanation, fmt)


__all__ = ["FORMATS", "Explanation", "Given", "Operand", "Shortcut", "Step", "explain_text",
           "explain_view", "format_explanation"]
