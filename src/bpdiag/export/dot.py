"""A view's graph as Graphviz DOT source (pure: builds text, runs nothing).

Forward views run left to right (X on the left, J on the right); back-propagation views run right
to left from J, so that going one layer further back grows the diagram to the left, as in the
hand-made reference diagrams. Clusters are the layers' groups.
"""

from __future__ import annotations

import html

import graphviz
import networkx as nx

from .. import labels, styles
from ..graph import attrs as a
from ..profiles import Profile, load_profile
from ..richtext import to_graphviz
from .. import layouts
from . import column, loose, rows

LEGEND_ID = "legend"

_SHAPES = {"rectangle": ("box", ""), "roundrectangle": ("box", "rounded"), "ellipse": ("ellipse", ""),
           "hexagon": ("hexagon", ""), "octagon": ("octagon", ""),
           "parallelogram": ("parallelogram", "")}
_LINES = {"line": "", "dashed": "dashed", "dotted": "dotted"}


def dot_names(graph: nx.DiGraph) -> dict[str, str]:
    """bpdiag node id -> DOT node name (n0, n1, ... in insertion order; ids carry colons,
    which DOT would read as ports)."""
    return {node: f"n{index}" for index, node in enumerate(graph.nodes)}


def layer_spacing(graph: nx.DiGraph) -> dict[tuple[str, str], int]:
    """`minlen` of each edge from one layer's group into another's.

    Graphviz stacks two clusters that share a rank one below the other, which turns the layers
    into a staircase whose area grows with the square of the depth. An edge u -> v between groups
    is made long enough that u's group has ended (its nodes ranked after u) before v's group
    begins (the nodes that must precede v inside its own group, such as g'(Z) beside dA): the
    layers then sit side by side and the diagram grows in one direction only.
    """
    ranks = {group: rows.local_ranks(graph, nodes)
             for group, nodes in rows.group_members(graph).items()}
    spacing = {}
    for source, target in graph.edges:
        if not rows.crosses_groups(graph, source, target):
            continue
        group_u, group_v = graph.nodes[source][a.GROUP], graph.nodes[target][a.GROUP]
        ahead = ranks[group_v]
        after = [ahead[t] for t in graph.successors(target) if t in ahead]
        before_v = (min(after) - 1) if after else ahead[target]
        beyond_u = max(ranks[group_u].values()) - ranks[group_u][source]
        spacing[source, target] = 1 + beyond_u + before_v
    return spacing


_SPINE = ("Z", "A", "dA", "dZ", "z", "a", "da", "dz",  # the chain each layer passes on
          "Z_norm", "Z̃", "dZ_norm", "dZ̃", "z_norm", "z̃", "dz_norm", "dz̃")  # (batch norm)


def _on_spine(graph: nx.DiGraph, node: str) -> bool:
    """Whether `node` is on the chain from layer to layer (the matrix views only: in the unit
    view each unit has its own chain)."""
    if graph.graph.get("granularity", "batch") == "unit":
        return False
    data = graph.nodes[node]
    if data[a.KIND] == a.OPERATION:
        return any(graph.edges[node, out].get(a.ROLE) == a.OUTPUT and _on_spine(graph, out)
                   for out in graph.successors(node))
    return data.get(a.NAME) in _SPINE and data[a.KIND] in (a.FORWARD, a.GRADIENT)


def _node_attrs(graph: nx.DiGraph, node: str, profile: Profile, layout: str,
                on_chain: bool) -> dict[str, str]:
    data = graph.nodes[node]
    style = styles.node_style(data)
    font = styles.font()
    shape, extra = _SHAPES[style.shape]
    look = ["filled"] + [s for s in (extra, _LINES[style.border_style]) if s]
    is_operation = data[a.KIND] == a.OPERATION
    # dot keeps the nodes of one `group` on a straight line: the chain, through every layer of
    # a strip, or through one layer in each row
    line = f"spine_{data.get(a.GROUP)}" if layouts.stacked(layout) else "spine"
    spine = {"group": line} if on_chain else {}
    return {
        **spine,
        "id": node,
        "label": "<" + to_graphviz(labels.node_label(graph, node, profile), font.size) + ">",
        "tooltip": tooltip_text(labels.node_description(graph, node, profile)),
        "shape": shape,
        "style": ",".join(look),
        "fillcolor": style.fill,
        "color": style.border,
        "fontcolor": style.text,
        "penwidth": f"{style.border_width:g}",
        "margin": "0.06,0.03" if is_operation else "0.12,0.06",
    }


def _edge_attrs(role: str | None) -> dict[str, str]:
    style = styles.edge_style(role)
    attrs = {"color": style.color, "penwidth": f"{style.width:g}", "arrowsize": "0.7"}
    if _LINES[style.style]:
        attrs["style"] = _LINES[style.style]
    if role == a.ANNOTATION:
        attrs["arrowhead"] = "none"
    return attrs


def dot_name(title: str) -> str:
    """The title as the DOT graph's name, which Graphviz writes into the SVG's <title>.

    An HTML string (<...>, markup escaped): a quoted DOT string cannot hold a backslash before a
    quote or at its end, and Graphviz's SVG keeps the entities of either, so that a title
    "x &amp; y" would be shown as "x & y".
    """
    return f"<{html.escape(title, quote=False)}>"


def tooltip_text(text: str) -> str:
    """`text` as a tooltip attribute (an escString), shown literally.

    Graphviz 2.43 undoes backslash escapes in a tooltip twice (\\\\N is the node's name) and
    its SVG keeps entities as written: each backslash is written as four, `&` as an entity.
    """
    return graphviz.nohtml(text.replace("\\", "\\\\\\\\").replace("&", "&amp;"))


def to_dot(graph: nx.DiGraph, *, title: str, legend_table: str | None = None,
           dpi: int = 150, notation: Profile | str | None = None,
           layout: str = layouts.DEFAULT_LAYOUT) -> graphviz.Digraph:
    """The Digraph of one view; `legend_table` is a Graphviz HTML TABLE drawn as one node.
    Labels are drawn in the `notation` profile (default: the course's); `layout` is one of
    bpdiag.layouts.LAYOUTS."""
    profile = load_profile(notation)
    font = styles.font()
    group_look = styles.group_style()
    names = dot_names(graph)
    if layout == "column":
        chain = column.chain(graph, lambda node: _on_spine(graph, node))
        on_chain = chain.__contains__
    else:
        def on_chain(node: str) -> bool:
            return _on_spine(graph, node)
    backward = graph.graph.get("view", "forward") != "forward"
    dot = graphviz.Digraph(name=dot_name(title), engine="dot")
    dot.attr("graph", rankdir=layouts.direction(layout, backward), newrank="true", splines="polyline",
             nodesep="0.2", ranksep="0.45", pad="0.25", fontname=font.family,
             fontsize=f"{font.size:g}", dpi=str(dpi), bgcolor="white", id="bpdiag")
    dot.attr("node", fontname=font.family, fontsize=f"{font.size:g}")
    dot.attr("edge", fontname=font.family)

    members: dict[str | None, list[str]] = {}
    for node, data in graph.nodes(data=True):
        members.setdefault(data.get(a.GROUP), []).append(node)
    for node in members.get(None, []):
        dot.node(names[node], **_node_attrs(graph, node, profile, layout, on_chain(node)))
    for group in labels.groups_in_order(graph):
        fill = group_look["cost_fill"] if group == a.COST_GROUP else group_look["fill"]
        with dot.subgraph(name=f"cluster_{group}") as cluster:
            cluster.attr(label=labels.group_label(graph, group), labeljust="l", style="rounded,filled,"
                         + _LINES[group_look["border_style"]], fillcolor=fill,
                         color=group_look["border"], fontsize=f"{font.group:g}", id=f"group:{group}",
                         margin="12")
            for node in members[group]:
                cluster.node(names[node],
                             **_node_attrs(graph, node, profile, layout, on_chain(node)))
    if legend_table is not None:
        dot.node(LEGEND_ID, label=f"<{legend_table}>", shape="plain", id=LEGEND_ID)
        if layouts.legend_after_the_pass(layout):
            # a rank of its own where the pass ends (in rows: left of a back-propagation view,
            # whose lower rows leave room there, right of a forward one; below a column):
            # ranked after every row's end, so that it shares its rank with no node of the pass
            for node in loose.ends(graph):
                dot.body.append(f"\t{names[node]} -> {LEGEND_ID} [style=invis weight=0]\n")
            if layout == "column":
                anchor = column.legend_anchor(graph, chain, LEGEND_ID, names)
                dot.body += [f"\t{statement}\n" for statement in anchor]
    stacked = layouts.stacked(layout)
    spacing = {} if stacked else layer_spacing(graph)
    page = column.edge_attrs(graph, chain) if layout == "column" else {}
    for source, target, data in graph.edges(data=True):
        attrs = _edge_attrs(data.get(a.ROLE))
        if (source, target) in spacing:
            attrs["minlen"] = str(spacing[source, target])
        if stacked and rows.crosses_groups(graph, source, target):
            dot.edge(names[target], names[source], **attrs, **rows.WRAP_EDGE)
            continue
        if layout == "column":
            attrs.update(page.get((source, target), {}))
        elif _on_spine(graph, source) and _on_spine(graph, target):
            attrs["weight"] = "20"  # keep the chain straight
        dot.edge(names[source], names[target], **attrs)
    if stacked:
        chains = rows.row_chains(graph, lambda node: _on_spine(graph, node))
        placement = rows.row_constraints(graph, chains, names) + loose.sources_before(graph, names)
    elif layout == "column":
        placement = (loose.sources_before(graph, names) + loose.notes_after(graph, names)
                     + column.stacks(graph, names))
    else:
        placement = []
    for statement in placement:
        dot.body.append(f"\t{statement}\n")
    return dot
