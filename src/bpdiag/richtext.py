"""Labels with real superscripts and subscripts, written once and emitted for each renderer.

The graph stores plain course notation ("dW[2] = (1/m) dZ[2] A[1]ᵀ"). Here that text becomes
runs of normal, superscript and subscript text, which Graphviz (HTML-like labels) and yEd
(Swing HTML labels) each draw in their own markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

NORMAL, SUP, SUB = "normal", "sup", "sub"

# "W[2]" -> W with superscript [2]; "z[2]_13" -> z, sup [2], sub 13; "x(i)" after a bracket -> sup.
# "w^{2}" -> w with superscript 2 (notation profiles that write layers without brackets).
_TOKEN = re.compile(
    r"(?:(?P<layer>\[(?:\d+|l|L|l-1|0)\])|\^\{(?P<sup>[^{}]+)\})"  # a layer index or ^{...},
    r"(?P<example>\(i\))?"                                         # maybe an example index
    r"|_(?P<sub>[0-9a-z]+)"                                          # a unit index
)


@dataclass(frozen=True)
class Run:
    text: str
    script: str = NORMAL
    bold: bool = False
    italic: bool = False
    scale: float = 1.0  # font size relative to the line's size
    color: str | None = None  # "#RRGGBB", or the node's text colour


Line = tuple[Run, ...]


@dataclass(frozen=True)
class RichText:
    lines: tuple[Line, ...]

    @property
    def plain(self) -> str:
        return "\n".join("".join(run.text for run in line) for line in self.lines)


def parse(text: str, *, bold: bool = False, scale: float = 1.0, color: str | None = None) -> Line:
    """Split course notation into runs: indices in brackets go up, unit indices go down."""
    runs: list[Run] = []
    position = 0

    def add(part: str, script: str) -> None:
        runs.append(Run(part, script, bold, False, scale, color))

    for match in _TOKEN.finditer(text):
        if match.start() > position:
            add(text[position:match.start()], NORMAL)
        if match.group("layer") or match.group("sup"):
            add(match.group("layer") or match.group("sup"), SUP)
            if match.group("example"):
                add(match.group("example"), SUP)
        else:
            add(match.group("sub"), SUB)
        position = match.end()
    if position < len(text):
        add(text[position:], NORMAL)
    return tuple(runs)


def rich(*lines: Line) -> RichText:
    return RichText(tuple(line for line in lines if line))


SCRIPT_SCALE = 0.7  # superscripts and subscripts, relative to their line's font


def to_graphviz(text: RichText, font_size: float) -> str:
    """Graphviz HTML-like label content (without the outer < >), sizes given explicitly.

    Explicit POINT-SIZE on every run keeps browsers from drawing superscripts larger than the
    box Graphviz measured for them.
    """
    lines = []
    for line in text.lines:
        parts = []
        for run in line:
            size = font_size * run.scale * (SCRIPT_SCALE if run.script != NORMAL else 1.0)
            body = html.escape(run.text, quote=False)
            if run.bold:
                body = f"<B>{body}</B>"
            if run.italic:
                body = f"<I>{body}</I>"
            color = f' COLOR="{run.color}"' if run.color else ""
            body = f'<FONT POINT-SIZE="{size:.1f}"{color}>{body}</FONT>'
            if run.script == SUP:
                body = f"<SUP>{body}</SUP>"
            elif run.script == SUB:
                body = f"<SUB>{body}</SUB>"
            parts.append(body)
        lines.append("".join(parts))
    return "<BR/>".join(lines)


def to_swing_inline(text: RichText) -> str:
    """Swing HTML for the runs, lines joined by <br> (no <html> wrapper)."""
    lines = []
    for line in text.lines:
        parts = []
        for run in line:
            body = html.escape(run.text, quote=False)
            if run.bold:
                body = f"<b>{body}</b>"
            if run.italic:
                body = f"<i>{body}</i>"
            if run.scale < 1.0 or run.color:
                size = ' size="-1"' if run.scale < 1.0 else ""
                color = f' color="{run.color}"' if run.color else ""
                body = f"<font{size}{color}>{body}</font>"
            if run.script == SUP:
                body = f"<sup>{body}</sup>"
            elif run.script == SUB:
                body = f"<sub>{body}</sub>"
            parts.append(body)
        lines.append("".join(parts))
    # <br>, not <br/>: older Java runtimes in yEd do not read the XHTML form
    return "<br>".join(lines)


def to_swing_html(text: RichText) -> str:
    """yEd's label markup: text starting with <html> is drawn by Java Swing's HTML renderer."""
    return "<html><center>" + to_swing_inline(text) + "</center></html>"
