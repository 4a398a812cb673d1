"""The page layout (column): what keeps a column narrow.

A page is narrow and as long as it needs, so the column spends height to save width. Batch
normalisation is where it shows: its back-propagation reads the cached Z[l], μ[l] and σ²[l] in
three steps (dσ², dμ, dZ), which dot would rank beside dZ_norm[l], dγ[l] and dβ[l], six wide
nodes side by side, and it pulls the chain sideways towards them in every batch-normed layer.

* A cached value that several steps read (batch norm's statistics; A[L], read by dA[L], g'
  and the shortcut) is read from the side: the values a step is the first reader of are
  stacked one above the other, in the order it reads them, on ranks of their own between it
  and the gradient it also reads, not beside that gradient. Their arrows to the later readers
  follow them and ask nothing of the layout (weight 0); they are not on the chain.
* The chain runs straight down, through the gradients a group computes from it and hands back
  to it (dσ²[l] and dμ[l], between dZ_norm[l] and dZ[l]; dÃ[l] with dropout). Only the chain's
  arrows that no path along the chain repeats are held straight (its transitive reduction):
  dZ_norm -> dσ²'s step, not dZ_norm -> dZ's step past it.
* In back-propagation the legend hangs below the chain's end, in line with the column, instead
  of wherever dot puts a node that is ranked after every end.
"""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx

from ..graph import attrs as a
from .groups import group_members, local_ranks

STRAIGHT = "20"  # the weight that keeps a chain straight, as dot.py gives the other layouts


def first_readers(graph: nx.DiGraph) -> dict[str, list[str]]:
    """Each step that is the first (by rank in its group) of several steps reading one cached
    value, and the values it is the first reader of, in the order of its operands. None in the
    unit view, where each unit has its own chain and a value is read by the steps of several."""
    shared: dict[str, list[str]] = {}
    if graph.graph.get("granularity", "batch") == "unit":
        return shared
    for members in group_members(graph).values():
        ranks = local_ranks(graph, members)
        for node in members:
            readers = [step for step in graph.successors(node) if step in ranks]
            if graph.nodes[node].get(a.CACHED) and len(readers) >= 2:
                first = min(readers, key=lambda step: ranks[step])  # stable: insertion order
                shared.setdefault(first, []).append(node)
    return {step: sorted(values, key=lambda value: graph.edges[value, step].get(a.ARG, 0))
            for step, values in shared.items()}


def chain(graph: nx.DiGraph, on_spine: Callable[[str], bool]) -> set[str]:
    """The nodes the column keeps on one straight line: the spine's, but for the cached values
    read from the side, and each gradient (with its step) whose step reads a spine node and
    which a spine node's step reads."""
    beside = {value for values in first_readers(graph).values() for value in values}
    spine = {node for node in graph if on_spine(node)} - beside
    between = set()
    for node, data in graph.nodes(data=True):
        if node in spine or data[a.KIND] != a.GRADIENT:
            continue
        steps = [step for step in graph.predecessors(node)
                 if graph.edges[step, node].get(a.ROLE) == a.OUTPUT]
        from_spine = any(read in spine for step in steps for read in graph.predecessors(step))
        to_spine = any(graph.edges[step, out].get(a.ROLE) == a.OUTPUT and out in spine
                       for step in graph.successors(node) for out in graph.successors(step))
        if from_spine and to_spine:
            between.update([node, *steps])
    return spine | between


def edge_attrs(graph: nx.DiGraph, on_chain: set[str]) -> dict[tuple[str, str], dict[str, str]]:
    """The DOT attributes the column adds to the view's edges (see the module docstring)."""
    attrs: dict[tuple[str, str], dict[str, str]] = {
        edge: {"weight": STRAIGHT}
        for edge in nx.transitive_reduction(graph.subgraph(on_chain)).edges}
    for first, values in first_readers(graph).items():
        for value in values:
            for step in graph.successors(value):
                if step != first:
                    attrs[value, step] = {"weight": "0"}
        for source in graph.predecessors(first):
            if graph.nodes[source][a.KIND] == a.GRADIENT and \
                    graph.nodes[source].get(a.GROUP) == graph.nodes[first].get(a.GROUP):
                attrs.setdefault((source, first), {})["minlen"] = str(len(values) + 1)
    return attrs


def stacks(graph: nx.DiGraph, names: dict[str, str]) -> list[str]:
    """Invisible edges that stack each first reader's shared cached values one above the other."""
    return [f"{names[upper]} -> {names[lower]} [style=invis]"
            for values in first_readers(graph).values()
            for upper, lower in zip(values, values[1:])]


def legend_anchor(graph: nx.DiGraph, on_chain: set[str], legend: str,
                  names: dict[str, str]) -> list[str]:
    """In back-propagation, an invisible edge from the chain's last node to the legend, which
    sets the legend below it."""
    if not a.is_backward(graph) or not on_chain:
        return []
    order = {node: index for index, node in enumerate(nx.topological_sort(graph))}
    end = max(on_chain, key=order.__getitem__)
    return [f"{names[end]} -> {legend} [style=invis]"]
