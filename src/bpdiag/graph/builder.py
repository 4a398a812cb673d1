"""A small helper that adds quantity and operation nodes to a DiGraph in a fixed order."""

from __future__ import annotations

import networkx as nx

from . import attrs as a


class GraphBuilder:
    """Adds nodes once, in call order, so ids and insertion order are stable from run to run."""

    def __init__(self, **graph_attrs: object) -> None:
        self.graph = nx.DiGraph(**graph_attrs)

    def quantity(
        self,
        node_id: str,
        *,
        symbol: str,
        name: str,
        kind: str,
        phase: str,
        layer: int | None,
        group: str | None,
        shape: list[str],
        dims: list[int | None],
        formula: str = "",
        note: str = "",
        cached: bool = False,
        cached_for: list[str] | None = None,
    ) -> str:
        if node_id in self.graph:
            return node_id
        self.graph.add_node(
            node_id,
            **{
                a.KIND: kind,
                a.SYMBOL: symbol,
                a.NAME: name,
                a.PHASE: phase,
                a.LAYER: layer,
                a.GROUP: group,
                a.SHAPE: list(shape),
                a.DIMS: list(dims),
                a.FORMULA: formula,
                a.NOTE: note,
                a.CACHED: cached,
                a.CACHED_FOR: list(cached_for or []),
            },
        )
        return node_id

    def operation(
        self,
        output: str,
        op: str,
        inputs: list[str],
        *,
        label: str,
        phase: str,
        layer: int | None,
        group: str | None,
        equivalent: bool = False,
        suffix: str = "op",
        **extra: object,
    ) -> str:
        """Add the operation computing `output` from `inputs` (in operand order); returns its id.

        With `equivalent`, the operation is a second route to an `output` that another
        operation already produces (the check evaluates both and compares them).
        """
        op_id = f"{output}:{suffix}"
        self.graph.add_node(
            op_id,
            **{a.KIND: a.OPERATION, a.OP: op, a.LABEL: label, a.PHASE: phase,
               a.LAYER: layer, a.GROUP: group},
            **extra,
        )
        for position, source in enumerate(inputs):
            self.graph.add_edge(source, op_id, **{a.ARG: position})
        self.graph.add_edge(op_id, output, **{a.ROLE: a.EQUIVALENT if equivalent else a.OUTPUT})
        return op_id

    def link(self, source: str, target: str, role: str) -> None:
        """An edge that shows a relation but carries no operand (the check ignores it)."""
        self.graph.add_edge(source, target, **{a.ROLE: role})

    def annotation(self, node_id: str, *, text: str, layer: int | None, group: str | None,
                   near: str) -> str:
        """A note drawn after node `near` (the edge only places it; it carries no data)."""
        self.graph.add_node(node_id, **{a.KIND: a.ANNOTATION, a.LABEL: text, a.LAYER: layer,
                                        a.GROUP: group, a.PHASE: a.BACKWARD_PHASE})
        self.link(near, node_id, a.ANNOTATION)
        return node_id
