"""The steps of a view as the step-through page needs them: `bpdiag explain`'s steps, in its
order, each tied to the diagram's nodes (the quantity it computes, the operation, what it reads).

The order and the texts are explain's (explanation.steps); this module only finds each step's
quantity and operands on the drawn graph, by symbol (a view's symbols are unique), and adds the
numbers `--values` put on the graph.
"""

from __future__ import annotations

import networkx as nx

from ..explanation.steps import Explanation, Operand, shape_text
from ..explanation.text import reads_text
from ..graph import attrs as a
from ..values import PER_EXAMPLE, VALUE, VERDICT, value_lines, verdict_line


def step_data(graph: nx.DiGraph, explanation: Explanation, shown: Explanation) -> dict:
    """JSON-ready steps: `explanation` (the course's notation) finds the nodes of `graph`,
    `shown` (the same explanation in the drawn notation) gives the texts."""
    by_symbol = _quantities(graph)
    steps = []
    jump: dict[str, int] = {}  # a clicked node -> the index of its step
    for index, (step, text) in enumerate(zip(explanation.steps, shown.steps)):
        node = _node(by_symbol, step.symbol)
        op = _producer(graph, node, a.OUTPUT)
        reads = _reads(graph, by_symbol, step.operands, text.operands)
        item = {
            "number": step.number,
            "node": node,
            "op": op,
            "phase": step.phase,
            "symbol": text.symbol,
            "formula": text.formula,
            "shape": shape_text(text.shape, text.dims),
            "reads": reads,
            "readsText": reads_text(text.operands),
            "cachedFor": list(text.cached_for),
            "note": text.note,
            "values": _values(graph, node),
            "verdict": _verdict(graph, node),
            "shortcut": None,
        }
        if step.shortcut is not None:
            cut, cut_text = step.shortcut, text.shortcut
            item["shortcut"] = {
                "formula": cut_text.formula,
                "reason": cut_text.reason,
                "op": _producer(graph, node, a.EQUIVALENT),
                "reads": _reads(graph, by_symbol, cut.operands, cut_text.operands),
                "readsText": reads_text(cut_text.operands),
            }
        steps.append(item)
        jump[node] = index
        if op is not None:
            jump[op] = index
    for index, item in enumerate(steps):  # a given quantity: the first step that reads it
        for read in item["reads"]:
            jump.setdefault(read["node"], index)
    return {"title": shown.title, "network": shown.network, "stop": shown.stop,
            "values": any(item["values"] is not None for item in steps),
            "steps": steps, "jump": dict(sorted(jump.items()))}


def _quantities(graph: nx.DiGraph) -> dict[str, list[str]]:
    by_symbol: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        if data[a.KIND] in a.QUANTITY_KINDS:
            by_symbol.setdefault(data[a.SYMBOL], []).append(node)
    return by_symbol


def _node(by_symbol: dict[str, list[str]], symbol: str) -> str:
    nodes = by_symbol.get(symbol, [])
    if len(nodes) != 1:  # explain and the diagram read the same graph: a bug if they disagree
        raise AssertionError(f"the step {symbol!r} matches {len(nodes)} nodes of the diagram")
    return nodes[0]


def _producer(graph: nx.DiGraph, node: str, role: str) -> str | None:
    for source, _, edge in graph.in_edges(node, data=True):
        if edge.get(a.ROLE) == role:
            return source
    return None


def _reads(graph, by_symbol, operands: tuple[Operand, ...], shown: tuple[Operand, ...]) -> list:
    reads = []
    for operand, text in zip(operands, shown):
        node = _node(by_symbol, operand.symbol)
        reads.append({"node": node, "symbol": text.symbol, "cached": operand.cached,
                      "values": _values(graph, node)})
    return reads


def _values(graph: nx.DiGraph, node: str) -> list[str] | None:
    data = graph.nodes[node]
    if VALUE not in data:
        return None
    return value_lines(data[VALUE], data.get(PER_EXAMPLE, False))


def _verdict(graph: nx.DiGraph, node: str) -> dict | None:
    verdict = graph.nodes[node].get(VERDICT)
    if verdict is None:
        return None
    text, good = verdict_line(verdict)
    return {"text": text, "good": good}

