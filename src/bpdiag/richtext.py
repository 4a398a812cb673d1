"""Labels with real superscripts and subscripts, written once and emitted for each renderer.

The graph stores plain course notation ("dW[2] = (1/m) dZ[2] A[1]ᵀ"). Here that text becomes
runs of normal, superscript and subscript text, which Graphviz (HTML-like labels) and yEd
(Swing HTML labels) each draw in their own markup.
"""

from __future__ import annotations

import functools
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
class Glyph:
    """A small grid drawn above a matrix's label: its rows and columns, as the reference
    diagrams draw them. `open_columns` marks a symbolic number of columns (the m examples)."""

    rows: int
    columns: int
    more_rows: bool = False
    open_columns: bool = False

    CELL = 10.0  # points


@dataclass(frozen=True)
class RichText:
    lines: tuple[Line, ...]
    glyph: Glyph | None = None

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


def literal(text: str, *, scale: float = 1.0, color: str | None = None) -> Line:
    """`text` as one plain run: numbers such as "[0]" are values, not layer indices."""
    return (Run(text, NORMAL, False, False, scale, color),)


def rich(*lines: Line) -> RichText:
    return RichText(tuple(line for line in lines if line))


SCRIPT_SCALE = 0.75  # superscripts and subscripts, relative to their line's font


def run_size(run: Run, font_size: float) -> int:
    """A run's font size in whole points: Graphviz's SVG writes font sizes cut to whole points,
    so the PNG (drawn at the exact size) and the SVG only agree on whole numbers."""
    return round(font_size * run.scale * (SCRIPT_SCALE if run.script != NORMAL else 1.0))


GLYPH_LINE, GLYPH_FILL = "#555555", "#FFFFFF"
GLYPH_DOTS = 0.9  # the size of a grid's … and ⋮, by its cell's


def _graphviz_glyph(glyph: Glyph) -> str:
    cell = f'<TD WIDTH="{glyph.CELL:g}" HEIGHT="{glyph.CELL:g}" FIXEDSIZE="TRUE" BGCOLOR="{GLYPH_FILL}"></TD>'
    more = (f'<TD WIDTH="{glyph.CELL:g}" HEIGHT="{glyph.CELL:g}" FIXEDSIZE="TRUE" BORDER="0">'
            f'<FONT POINT-SIZE="{glyph.CELL * GLYPH_DOTS:g}">…</FONT></TD>')
    row = cell * glyph.columns + (more if glyph.open_columns else "")
    rows = [f"<TR>{row}</TR>"] * glyph.rows
    if glyph.more_rows:
        rows.append(f'<TR><TD COLSPAN="{glyph.columns}" HEIGHT="{glyph.CELL:g}" FIXEDSIZE="TRUE" '
                    f'WIDTH="{glyph.CELL * glyph.columns:g}" BORDER="0">'
                    f'<FONT POINT-SIZE="{glyph.CELL * GLYPH_DOTS:g}">⋮</FONT></TD></TR>')
    columns = glyph.columns + (1 if glyph.open_columns else 0)
    height = glyph.rows + (1 if glyph.more_rows else 0)
    # a fixed-size table: otherwise Graphviz spreads the cells over the label's width
    return (f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="0" COLOR="{GLYPH_LINE}" '
            f'FIXEDSIZE="TRUE" WIDTH="{glyph.CELL * columns:g}" HEIGHT="{glyph.CELL * height:g}">'
            + "".join(rows) + "</TABLE>")


def graphviz_html_text(text: str) -> str:
    """`text` as the content of a Graphviz HTML-like label, drawn literally.

    Graphviz decodes the entities of an HTML-like label, then expands escapes such as \\N (the
    node's name) in its text, so each backslash is doubled; and text that starts with `]` is a
    syntax error to Graphviz 2.43, so `]` is written as an entity.
    """
    return html.escape(text, quote=False).replace("\\", "\\\\").replace("]", "&#93;")


def to_graphviz(text: RichText, font_size: float, align: str = "CENTER") -> str:
    """Graphviz HTML-like label content (without the outer < >), sizes given explicitly.

    Explicit POINT-SIZE on every run keeps browsers from drawing superscripts larger than the
    box Graphviz measured for them.
    """
    body = _graphviz_lines(text, font_size, align)
    if text.glyph is None:
        return body
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="0">'
            f"<TR><TD>{_graphviz_glyph(text.glyph)}</TD></TR><TR><TD>{body}</TD></TR></TABLE>")


# The tags each dialect of HTML marks a run's style with (Graphviz's labels, Swing's in yEd,
# a browser's in draw.io), innermost first: bold, italic, then the run's font, then its script.
_GRAPHVIZ_TAGS = {"bold": "B", "italic": "I", SUP: "SUP", SUB: "SUB"}
_SWING_TAGS = {"bold": "b", "italic": "i", SUP: "sup", SUB: "sub"}
# a raised or lowered run does not grow its line
_BROWSER_TAGS = {"bold": "b", "italic": "i", SUP: 'sup style="line-height:0"',
                 SUB: 'sub style="line-height:0"'}


def _element(tag: str, body: str) -> str:
    """<tag ...>body</tag>: `tag` is the element's name and any attributes."""
    return f"<{tag}>{body}</{tag.split()[0]}>"


def _marked(line, escape, tags: dict[str, str], font) -> str:
    """One line's runs in one dialect: each run's text escaped, then wrapped in its style's
    elements; `font(run)` gives the font element's tag, or None for none."""
    parts = []
    for run in line:
        body = escape(run.text)
        for on, style in ((run.bold, "bold"), (run.italic, "italic")):
            if on:
                body = _element(tags[style], body)
        tag = font(run)
        if tag is not None:
            body = _element(tag, body)
        if run.script in tags:
            body = _element(tags[run.script], body)
        parts.append(body)
    return "".join(parts)


def _graphviz_lines(text: RichText, font_size: float, align: str = "CENTER") -> str:
    def font(run: Run) -> str:
        color = f' COLOR="{run.color}"' if run.color else ""
        return f'FONT POINT-SIZE="{run_size(run, font_size)}"{color}'

    lines = [_marked(line, graphviz_html_text, _GRAPHVIZ_TAGS, font) for line in text.lines]
    if any(run.script == SUB for line in text.lines for run in line):
        # Graphviz does not make room for subscripts between <BR/> lines: a row per line does
        cell = "<TD>" if align == "CENTER" else f'<TD ALIGN="{align}">'
        rows = "".join(f"<TR>{cell}{line}</TD></TR>" for line in lines)
        return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{rows}</TABLE>'
    if align == "CENTER":
        return "<BR/>".join(lines)
    # a <BR ALIGN=...> aligns the line before it, so the last line needs one as well
    return "".join(f'{line}<BR ALIGN="{align}"/>' for line in lines)


def to_swing_inline(text: RichText) -> str:
    """Swing HTML for the runs, lines joined by <br> (no <html> wrapper)."""
    def font(run: Run) -> str | None:
        if run.scale >= 1.0 and not run.color:
            return None
        size = ' size="-1"' if run.scale < 1.0 else ""
        color = f' color="{run.color}"' if run.color else ""
        return f"font{size}{color}"

    escape = functools.partial(html.escape, quote=False)
    lines = [_marked(line, escape, _SWING_TAGS, font) for line in text.lines]
    # <br>, not <br/>: older Java runtimes in yEd do not read the XHTML form
    return "<br>".join(lines)


def _swing_glyph(glyph: Glyph) -> str:
    # Swing draws the table's background through the cell spacing: grid lines
    cell = f'<td width="{glyph.CELL:g}" height="{glyph.CELL:g}" bgcolor="{GLYPH_FILL}"></td>'
    more = f'<td bgcolor="{GLYPH_FILL}"><font size="-2">…</font></td>' if glyph.open_columns else ""
    rows = [f"<tr>{cell * glyph.columns}{more}</tr>"] * glyph.rows
    if glyph.more_rows:
        rows.append(f'<tr><td colspan="{glyph.columns}"><font size="-2">⋮</font></td></tr>')
    return (f'<table border="0" cellspacing="1" cellpadding="0" bgcolor="{GLYPH_LINE}">'
            + "".join(rows) + "</table>")


def to_swing_html(text: RichText) -> str:
    """yEd's label markup: text starting with <html> is drawn by Java Swing's HTML renderer."""
    glyph = _swing_glyph(text.glyph) if text.glyph else ""
    return "<html><center>" + glyph + to_swing_inline(text) + "</center></html>"


# -- browser HTML (draw.io's html=1 labels) -----------------------------------------------------

_SPACE_AFTER_SPACE = re.compile(r"(?<= ) ")
HTML_LINE_HEIGHT = 1.08  # Graphviz sets DejaVu Sans lines of 13 pt 14 pt apart


def html_text(text: str) -> str:
    """`text` escaped for HTML, runs of spaces kept (a browser would fold them into one)."""
    return _SPACE_AFTER_SPACE.sub("\u00a0", html.escape(text, quote=False))


def to_html_inline(text: RichText, font_size: float) -> str:
    """Browser HTML for the lines, one <div> each: every run's size explicit (px, which draw.io
    draws one to one with the layout's points), superscripts as <sup>, subscripts as <sub>.

    A line is about as high as Graphviz makes it (HTML_LINE_HEIGHT times its largest run): its
    own font size sets the line's strut (the label's font would make small lines tall), and a
    raised or lowered run does not grow the line (line-height 0)."""
    def font(run: Run) -> str:
        color = f"color:{run.color};" if run.color else ""
        return f'span style="{color}font-size:{run_size(run, font_size)}px"'

    lines = []
    for line in text.lines:
        size = max((run_size(run, font_size) for run in line if run.script == NORMAL),
                   default=round(font_size))
        lines.append(f'<div style="font-size:{size}px;line-height:{HTML_LINE_HEIGHT:g}">'
                     f'{_marked(line, html_text, _BROWSER_TAGS, font)}</div>')
    return "".join(lines)


def _html_glyph(glyph: Glyph) -> str:
    size = f"width:{glyph.CELL:g}px;height:{glyph.CELL:g}px;padding:0"
    cell = f'<td style="{size};border:1px solid {GLYPH_LINE};background-color:{GLYPH_FILL}"></td>'
    dots = f"font-size:{glyph.CELL * GLYPH_DOTS:g}px;line-height:{glyph.CELL:g}px"
    more = f'<td style="{size};{dots}">…</td>' if glyph.open_columns else ""
    rows = [f"<tr>{cell * glyph.columns}{more}</tr>"] * glyph.rows
    if glyph.more_rows:
        rows.append(f'<tr><td colspan="{glyph.columns}" style="padding:0;{dots}">⋮</td></tr>')
    return ('<table style="border-collapse:collapse;margin:0 auto 2px auto">'
            + "".join(rows) + "</table>")


def to_html(text: RichText, font_size: float) -> str:
    """A label as browser HTML: the matrix grid (a table) centred above the lines."""
    glyph = _html_glyph(text.glyph) if text.glyph else ""
    return glyph + to_html_inline(text, font_size)
