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
from . import column, loose
from .groups import crosses_groups, group_members, local_ranks

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
    ranks = {group: local_ranks(graph, nodes) for group, nodes in group_members(graph).items()}
    spacing = {}
    for source, target in graph.edges:
        if not crosses_groups(graph, source, target):
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


def node_attrs(graph: nx.DiGraph, node: str, profile: Profile, layout: str,
               on_chain: bool | None = None) -> dict[str, str]:
    """A node's DOT attributes; `on_chain` (default: whether it is on the layer-to-layer chain)
    puts it on the straight line dot keeps for the chain."""
    if on_chain is None:
        on_chain = _on_spine(graph, node)
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


def graph_attrs(layout: str, backward: bool, dpi: int) -> dict[str, str]:
    """The graph's own attributes: direction, spacing, fonts, resolution."""
    font = styles.font()
    return {"rankdir": layouts.direction(layout, backward), "newrank": "true",
            "splines": "polyline", "nodesep": "0.2", "ranksep": "0.45", "pad": "0.25",
            "fontname": font.family, "fontsize": f"{font.size:g}", "dpi": str(dpi),
            "bgcolor": "white", "id": "bpdiag"}


def new_digraph(title: str, attrs: dict[str, str]) -> graphviz.Digraph:
    """An empty Digraph with the graph's attributes and the nodes' and edges' font."""
    font = styles.font()
    dot = graphviz.Digraph(name=dot_name(title), engine="dot")
    dot.attr("graph", **attrs)
    dot.attr("node", fontname=font.family, fontsize=f"{font.size:g}")
    dot.attr("edge", fontname=font.family)
    return dot


def cluster_attrs(graph: nx.DiGraph, group: str) -> dict[str, str]:
    """A layer's group as a Graphviz cluster: its title, fill and border."""
    font = styles.font()
    look = styles.group_style()
    fill = look["cost_fill"] if group == a.COST_GROUP else look["fill"]
    return {"label": labels.group_label(graph, group), "labeljust": "l",
            "style": "rounded,filled," + _LINES[look["border_style"]], "fillcolor": fill,
            "color": look["border"], "fontsize": f"{font.group:g}", "id": f"group:{group}",
            "margin": "12"}


def legend_node(legend_table: str) -> dict[str, str]:
    """The legend, one node drawing the Graphviz HTML TABLE `legend_table`."""
    return {"label": f"<{legend_table}>", "shape": "plain", "id": LEGEND_ID}


def edge_attrs(graph: nx.DiGraph, source: str, target: str) -> dict[str, str]:
    """An edge's look, and the weight that keeps the chain from layer to layer straight."""
    attrs = _edge_attrs(graph.edges[source, target].get(a.ROLE))
    if _on_spine(graph, source) and _on_spine(graph, target):
        attrs["weight"] = "20"  # keep the chain straight
    return attrs


def to_dot(graph: nx.DiGraph, *, title: str, legend_table: str | None = None,
           dpi: int = 150, notation: Profile | str | None = None,
           layout: str = "column") -> graphviz.Digraph:
    """The Digraph of one view laid out by one dot run: the `column` or the `strip` layout
    (bpdiag.layouts; `rows` is composed of its rows' own layouts by bpdiag.export.rows);
    `legend_table` is a Graphviz HTML TABLE drawn as one node. Labels are drawn in the
    `notation` profile (default: the course's)."""
    if layouts.stacked(layout):
        raise ValueError("the rows layout is composed by bpdiag.export.rows.composed_dot")
    profile = load_profile(notation)
    names = dot_names(graph)
    if layout == "column":
        chain = column.chain(graph, lambda node: _on_spine(graph, node))
        on_chain = chain.__contains__
    else:
        def on_chain(node: str) -> bool:
            return _on_spine(graph, node)
    backward = a.is_backward(graph)
    dot = new_digraph(title, graph_attrs(layout, backward, dpi))

    members: dict[str | None, list[str]] = {}
    for node, data in graph.nodes(data=True):
        members.setdefault(data.get(a.GROUP), []).append(node)
    for node in members.get(None, []):
        dot.node(names[node], **node_attrs(graph, node, profile, layout, on_chain(node)))
    for group in labels.groups_in_order(graph):
        with dot.subgraph(name=f"cluster_{group}") as cluster:
            cluster.attr(**cluster_attrs(graph, group))
            for node in members[group]:
                cluster.node(names[node],
                             **node_attrs(graph, node, profile, layout, on_chain(node)))
    if legend_table is not None:
        dot.node(LEGEND_ID, **legend_node(legend_table))
        if layout == "column":  # (in the strip, where dot puts a loose node)
            # a rank of its own below the column, ranked after every group's end, so that it
            # shares its rank with no node of the pass
            for node in loose.ends(graph):
                dot.body.append(f"\t{names[node]} -> {LEGEND_ID} [style=invis weight=0]\n")
            anchor = column.legend_anchor(graph, chain, LEGEND_ID, names)
            dot.body += [f"\t{statement}\n" for statement in anchor]
    spacing = layer_spacing(graph)
    page = column.edge_attrs(graph, chain) if layout == "column" else {}
    for source, target, data in graph.edges(data=True):
        if layout == "column":  # its own rule for which edges keep the chain straight
            attrs = {**_edge_attrs(data.get(a.ROLE)), **page.get((source, target), {})}
        else:
            attrs = edge_attrs(graph, source, target)
        if (source, target) in spacing:
            attrs["minlen"] = str(spacing[source, target])
        dot.edge(names[source], names[target], **attrs)
    if layout == "column":
        placement = (loose.sources_before(graph, names) + loose.notes_after(graph, names)
                     + column.stacks(graph, names))
        for statement in placement:
            dot.body.append(f"\t{statement}\n")
    return dot
