"""The legend block: title, version and network, licence, the colour key and the notation used.

So that a diagram can still be read weeks later without this tool at hand. The title and the facts
(the licence, the profile's name) are plain text, drawn as written; the key and the notation rows
are notation, drawn with superscripts and subscripts (richtext).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import networkx as nx

from . import styles
from .graph import attrs as a
from .labels import matrix_glyph
from .model import DEFAULT_OUTPUT, TASKS
from .profiles import DEFAULT, Profile, builtin, load_profile, plain_superscripts
from .richtext import RichText, Run, parse, rich, to_graphviz, to_html_inline, to_swing_inline
from .styles import EdgeStyle, NodeStyle


@dataclass(frozen=True)
class Legend:
    title: str                                        # plain text, as are the facts
    facts: tuple[str, ...]                            # version, network, licence
    key: tuple[tuple[str, NodeStyle], ...]            # colour/shape key
    notation: tuple[tuple[str, str, str], ...]        # (symbol, meaning, shape)
    operators: tuple[tuple[str, str], ...]
    note: str = ""                                    # the notation profile's note (tooltip)
    edges: tuple[tuple[str, EdgeStyle], ...] = ()     # the kinds of arrow besides data flow
    user_texts: frozenset[str] = frozenset()          # title and facts as the user wrote them


def default_title(graph: nx.DiGraph) -> str:
    depth = len(graph.graph["layers"]) - 1
    task = TASKS[graph.graph.get("output", DEFAULT_OUTPUT)]
    net = f"a {depth}-layer network doing {task}"
    view = graph.graph["view"]
    if view == "forward":
        when = "at inference" if graph.graph.get("inference") else "in training"
        return f"Forward propagation {when} in {net}"
    to_layer = int(view.rsplit("_", 1)[1])
    return f"Back-propagation to the weights and biases of layer {to_layer} in {net}"


def build_legend(graph: nx.DiGraph, *, version: str, network_text: str, title: str | None,
                 license: str | None, notation: Profile | str | None = None) -> Legend:
    profile = load_profile(notation)
    facts = [f"bpdiag {version}", f"network: {network_text}",
             f"notation: {profile.name}" + (f" ({profile.title})" if profile.title else "")]
    if license:
        facts.append(f"licence: {license}")
    if graph.graph.get("batch_norm"):
        facts.append(profile.plain(BATCH_NORM_FACTS[bool(graph.graph.get("inference"))]))
    if any(matrix_glyph(d) for _, d in graph.nodes(data=True) if d[a.KIND] in a.QUANTITY_KINDS):
        facts.append("grid above a symbol: the matrix's rows × columns (… stands for the m examples)")
    kinds_used = {d[a.KIND] for _, d in graph.nodes(data=True)}
    any_cached = any(d.get(a.CACHED) for _, d in graph.nodes(data=True))
    key = []
    for entry, text, style in styles.legend_entries(graph.graph.get("granularity", "batch")):
        if (entry == styles.CACHED_ENTRY and any_cached) or entry in kinds_used:
            key.append((profile.key_text(entry, text), style))
    drawn_text = _drawn_text(graph)
    granularity = graph.graph.get("granularity", "batch")
    output = graph.graph.get("output", DEFAULT_OUTPUT)
    notation = [profile.legend_row(name, granularity, output) for name in row_names(graph)]
    operators = profile.operator_rows()
    # only the operators this diagram uses (the unit view has · but no ⊙ or ᵀ), and the shapes
    always = {profile.rewrite(op) for op in ALWAYS_EXPLAINED} | set(ALWAYS_EXPLAINED)
    drawn = drawn_text + " " + profile.rewrite(drawn_text)
    operators = tuple((op, meaning) for op, meaning in operators if op in always or op in drawn)
    roles = {data.get(a.ROLE) for _, _, data in graph.edges(data=True)}
    edges = tuple((profile.rewrite(styles.edge_legend(role)), styles.edge_style(role))
                  for role in (a.SEED, a.EQUIVALENT) if role in roles)
    return Legend(title or default_title(graph), tuple(facts), tuple(key),
                  tuple(row for row in notation if row is not None), operators,
                  plain_superscripts(profile.note), edges,
                  frozenset(text for text in (title, license and f"licence: {license}") if text))


def _drawn_text(graph: nx.DiGraph) -> str:
    return " ".join(str(d.get(field, "")) for _, d in graph.nodes(data=True)
                    for field in (a.SYMBOL, a.FORMULA, a.LABEL))


def row_names(graph: nx.DiGraph) -> list[str]:
    """The node names whose notation rows the legend of `graph` lists, in the course's order
    (whatever order a profile file lists them in)."""
    names_used = {d[a.NAME] for _, d in graph.nodes(data=True) if d[a.KIND] in a.QUANTITY_KINDS}
    if "ℒ" in _drawn_text(graph):
        names_used.add("ℒ")  # an operation's label may name the loss without its node
    return [name for name in builtin(DEFAULT).symbols if name in names_used]


BATCH_NORM_FACTS = {
    False: "batch norm on the hidden layers: μ[l], σ²[l] over the m examples of the batch, so "
           "dZ[l] takes every example's route; β[l] takes b[l]'s place",
    True: "batch norm at inference: μ[l], σ²[l] are the running averages kept in training "
          "(given, fixed), not the statistics of a batch",
}
ALWAYS_EXPLAINED = ("n[l]", "m")  # shapes are drawn on every quantity
_ARROWS = {"dashed": "- - →", "dotted": "· · · →", "line": "——→"}


# The legend is one column beside the rows (its width is what a slide has to spare): long
# texts wrap at about these many characters.
TITLE_WRAP, TEXT_WRAP = 44, 58


def _wrapped(text: str, width: int) -> list[str]:
    """Lines of at most about `width` characters, broken at spaces (notation such as A[l] or
    Σᵢ never holds a space, so no symbol is split)."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def _gv(text: str, size: float, bold: bool = False, wrap: int | None = None) -> str:
    lines = _wrapped(text, wrap) if wrap else [text]
    return to_graphviz(rich(*(parse(line, bold=bold) for line in lines)), size, align="LEFT")


def _wrap(legend: Legend, text: str, width: int) -> int | None:
    """Where bpdiag's own legend text wraps; a user's title or licence stays as written."""
    return None if text in legend.user_texts else width


def _gv_plain(text: str, size: float, bold: bool = False, wrap: int | None = None) -> str:
    """User text and facts: plain runs, never read as notation."""
    lines = _wrapped(text, wrap) if wrap else [text]
    return to_graphviz(rich(*((Run(line, bold=bold),) for line in lines)), size, align="LEFT")


def _gv_table(rows: list[str]) -> str:
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>")


def to_graphviz_table(legend: Legend) -> str:
    """A Graphviz HTML-like TABLE (the label's content, without the outer < >), one column: a
    header, the facts, the colour key, then the notation."""
    font = styles.font()
    look = styles.legend_style()
    size = font.legend
    facts = _gv_table([f'<TR><TD ALIGN="LEFT">{_gv_plain(fact, size, wrap=_wrap(legend, fact, TEXT_WRAP))}</TD></TR>'
                       for fact in legend.facts])
    key = _gv_table([
        f'<TR><TD BGCOLOR="{style.fill}" COLOR="{style.border}" BORDER="1" WIDTH="24" '
        f'HEIGHT="14" FIXEDSIZE="TRUE"></TD>'
        f'<TD ALIGN="LEFT">{_gv(text, size, wrap=TEXT_WRAP - 6)}</TD></TR>'
        for text, style in legend.key]
        + [f'<TR><TD WIDTH="24"><FONT COLOR="{style.color}" POINT-SIZE="{size:g}">'
           f'{_ARROWS[style.style]}</FONT></TD>'
           f'<TD ALIGN="LEFT">{_gv(text, size, wrap=TEXT_WRAP - 6)}</TD></TR>'
           for text, style in legend.edges])
    notation_rows = [
        f'<TR><TD ALIGN="LEFT" VALIGN="TOP">{_gv(symbol, size, bold=True)}</TD>'
        f'<TD ALIGN="LEFT" VALIGN="TOP">{_gv(shape, size)}</TD>'
        f'<TD ALIGN="LEFT" VALIGN="TOP">{_gv(meaning, size, wrap=TEXT_WRAP - 24)}</TD></TR>'
        for symbol, meaning, shape in legend.notation]
    notation_rows += [f'<TR><TD ALIGN="LEFT" VALIGN="TOP">{_gv(op, size, bold=True)}</TD>'
                      f'<TD ALIGN="LEFT" COLSPAN="2">{_gv(meaning, size, wrap=TEXT_WRAP - 8)}</TD></TR>'
                      for op, meaning in legend.operators]
    notation = _gv_table(notation_rows)
    return (f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="6" '
            f'BGCOLOR="{look["fill"]}" COLOR="{look["border"]}">'
            f'<TR><TD BGCOLOR="{look["header_fill"]}" ALIGN="LEFT">'
            f'{_gv_plain(legend.title, font.legend_title, bold=True, wrap=_wrap(legend, legend.title, TITLE_WRAP))}</TD></TR>'
            f'<TR><TD ALIGN="LEFT">{facts}</TD></TR>'
            f'<TR><TD ALIGN="LEFT">{key}</TD></TR>'
            f'<TR><TD ALIGN="LEFT">{notation}</TD></TR></TABLE>')


def _swing(text: str, bold: bool = False) -> str:
    return to_swing_inline(RichText((parse(text, bold=bold),)))


def _swing_plain(text: str) -> str:
    return to_swing_inline(RichText(((Run(text),),)))


def to_swing_html(legend: Legend) -> str:
    """The same table in Swing HTML, for yEd's label renderer."""
    look = styles.legend_style()
    rows = [f'<tr><td colspan="3" bgcolor="{look["header_fill"]}"><b>'
            f'{_swing_plain(legend.title)}</b></td></tr>']
    rows += [f'<tr><td colspan="3">{_swing_plain(fact)}</td></tr>' for fact in legend.facts]
    rows += [f'<tr><td bgcolor="{style.fill}">&nbsp;&nbsp;&nbsp;</td>'
             f'<td colspan="2">{_swing(text)}</td></tr>' for text, style in legend.key]
    rows += [f'<tr><td><font color="{style.color}">{_ARROWS[style.style]}</font></td>'
             f'<td colspan="2">{_swing(text)}</td></tr>' for text, style in legend.edges]
    rows += [f'<tr><td>{_swing(symbol, bold=True)}</td><td>{_swing(meaning)}</td>'
             f'<td>{_swing(shape)}</td></tr>' for symbol, meaning, shape in legend.notation]
    operators = "; ".join(f"{op}: {meaning}" for op, meaning in legend.operators)
    rows.append(f'<tr><td colspan="3">{_swing(operators)}</td></tr>')
    return '<html><table border="1" cellspacing="0" cellpadding="3">' + "".join(rows) + "</table></html>"


def _html(text: str, size: float, bold: bool = False, wrap: int | None = None) -> str:
    lines = _wrapped(text, wrap) if wrap else [text]
    return to_html_inline(rich(*(parse(line, bold=bold) for line in lines)), size)


def _html_plain(text: str, size: float, bold: bool = False, wrap: int | None = None) -> str:
    lines = _wrapped(text, wrap) if wrap else [text]
    return to_html_inline(rich(*((Run(line, bold=bold),) for line in lines)), size)


def _html_table(rows: list[str]) -> str:
    """Graphviz's inner tables: cell spacing 2, padding 1."""
    return ('<table style="border-collapse:separate;border-spacing:2px">' + "".join(rows)
            + "</table>")


def to_html(legend: Legend) -> str:
    """The table of to_graphviz_table in browser HTML (draw.io's labels), in the same sections,
    spacing and line breaks; the box's fill and border are the cell's own."""
    font = styles.font()
    look = styles.legend_style()
    size = font.legend
    cell = 'style="padding:1px;vertical-align:top;text-align:left"'
    section = 'style="padding:6px;text-align:left"'
    swatch = ("display:block;box-sizing:border-box;width:24px;height:14px;"
              "border:1px solid {border};background-color:{fill}")
    facts = _html_table([f'<tr><td {cell}>{_html_plain(fact, size, wrap=_wrap(legend, fact, TEXT_WRAP))}'
                         '</td></tr>' for fact in legend.facts])
    key = _html_table(
        [f'<tr><td {cell}><span style="{swatch.format(border=style.border, fill=style.fill)}"></span>'
         f'</td><td {cell}>{_html(text, size, wrap=TEXT_WRAP - 6)}</td></tr>'
         for text, style in legend.key]
        + [f'<tr><td {cell}><span style="color:{style.color};font-size:{size:g}px">'
           f'{_ARROWS[style.style]}</span></td><td {cell}>{_html(text, size, wrap=TEXT_WRAP - 6)}</td></tr>'
           for text, style in legend.edges])
    notation = _html_table(
        [f'<tr><td {cell}>{_html(symbol, size, bold=True)}</td><td {cell}>{_html(shape, size)}</td>'
         f'<td {cell}>{_html(meaning, size, wrap=TEXT_WRAP - 24)}</td></tr>'
         for symbol, meaning, shape in legend.notation]
        + [f'<tr><td {cell}>{_html(op, size, bold=True)}</td>'
           f'<td colspan="2" {cell}>{_html(meaning, size, wrap=TEXT_WRAP - 8)}</td></tr>'
           for op, meaning in legend.operators])
    title = _html_plain(legend.title, font.legend_title, bold=True,
                        wrap=_wrap(legend, legend.title, TITLE_WRAP))
    return ('<table style="border-collapse:collapse;width:100%;white-space:nowrap">'
            f'<tr><td style="padding:6px;text-align:left;background-color:{look["header_fill"]}">'
            f'{title}</td></tr>'
            f'<tr><td {section}>{facts}</td></tr><tr><td {section}>{key}</td></tr>'
            f'<tr><td {section}>{notation}</td></tr></table>')


def to_plain(legend: Legend) -> str:
    """Plain text, for descriptions and tooltips."""
    rows = [plain_superscripts(f"{symbol}: {meaning} {shape}")
            for symbol, meaning, shape in legend.notation]
    return "\n".join([legend.title, *legend.facts, *rows] + ([legend.note] if legend.note else []))
