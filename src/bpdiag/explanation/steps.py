"""A view's computation as a list of steps, read off its graph in the order the check runs it.

Everything shown comes from the graph's node attributes (formula, shape, cache marks, notes),
so the explanation says what the diagram draws and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import networkx as nx

from ..graph import attrs as a
from ..graph import build_graph
from ..graph.order import dataflow_order
from ..model import Network
from ..views import DEFAULT_GRANULARITY, View


@dataclass(frozen=True)
class Operand:
    """An input of a step; `cached` when a backward step reads it from the forward pass's cache."""

    symbol: str
    cached: bool = False


@dataclass(frozen=True)
class Given:
    """A quantity the view starts from: data, a parameter, the cost, or a cached forward value."""

    symbol: str
    kind: str
    shape: tuple[str, ...]
    dims: tuple[int | None, ...]
    note: str
    cached: bool
    cached_for: tuple[str, ...]


@dataclass(frozen=True)
class Shortcut:
    """A second route to a step's value (dZ[L] = A[L] − Y); the check confirms both agree."""

    formula: str
    reason: str
    operands: tuple[Operand, ...]


@dataclass(frozen=True)
class Step:
    """One computed quantity: its formula, its shape and what it reads."""

    number: int
    symbol: str
    phase: str
    formula: str
    shape: tuple[str, ...]
    dims: tuple[int | None, ...]
    operands: tuple[Operand, ...]
    cached_for: tuple[str, ...]  # in training the forward pass keeps it for these backward steps
    note: str
    shortcut: Shortcut | None = None


@dataclass(frozen=True)
class Explanation:
    """A view's computation in order: what is given, each step, and why it stops there."""

    title: str
    network: str
    given: tuple[Given, ...]
    steps: tuple[Step, ...]
    stop: str


def shape_text(shape: tuple[str, ...], dims: tuple[int | None, ...]) -> str:
    """('n[2]', 'm'), (2, None) -> '(n[2], m) = (2, m)'; a scalar is 'scalar'."""
    if not shape:
        return "scalar"
    symbolic = "(" + ", ".join(shape) + ")"
    sizes = "(" + ", ".join(name if size is None else str(size)
                            for name, size in zip(shape, dims)) + ")"
    return symbolic if sizes == symbolic else f"{symbolic} = {sizes}"


def explain_view(network: Network, view: View, *, inference: bool = False) -> Explanation:
    """The explanation of one view of `network` (symbolic m, as the diagram is drawn)."""
    graph = build_graph(network, view, inference=inference)
    if view.is_forward:
        title = "Forward pass" + (" at inference" if inference else "")
    else:
        title = f"Back-propagation to layer {view.to_layer}"
    if view.granularity != DEFAULT_GRANULARITY:
        title += f" ({view.granularity} view)"
    return explain_graph(graph, title, network.describe(), _forward_stop(network, inference))


def explain_graph(graph: nx.DiGraph, title: str, network: str, forward_stop: str) -> Explanation:
    """Walk `graph` in dataflow order; `forward_stop` ends a view without a stop annotation."""
    given: list[Given] = []
    steps: list[Step] = []
    stop = forward_stop
    for node in dataflow_order(graph):
        data = graph.nodes[node]
        kind = data[a.KIND]
        if kind == a.ANNOTATION:
            if data[a.LABEL].startswith("stop:"):  # other notes on the diagram are not steps
                stop = " ".join(data[a.LABEL].split())
        elif kind == a.OPERATION:
            continue
        elif _producer(graph, node, a.OUTPUT) is None:
            given.append(_given(graph, node))
        else:
            steps.append(_step(graph, node, len(steps) + 1))
    return Explanation(title, network, tuple(given), tuple(steps), stop)


def _forward_stop(network: Network, inference: bool) -> str:
    if inference:
        predicted = {"sigmoid": "the predicted probability", "softmax": "the predicted "
                     "probabilities of the classes", "linear": "the predicted value"}[network.output]
        return (f"stop: at inference the forward pass ends at A[{network.depth}] = Ŷ, {predicted}: "
                "there are no labels, so no loss and no cost, and nothing is cached "
                "because nothing will be differentiated")
    return ("stop: J(W, b; X, Y) is the cost, a function of W and b with X, Y fixed: "
            "the forward pass ends at J; back-propagation starts from it")


def _producer(graph: nx.DiGraph, node: str, role: str) -> str | None:
    for source, _, edge in graph.in_edges(node, data=True):
        if edge.get(a.ROLE) == role:
            return source
    return None


def _operands(graph: nx.DiGraph, op: str, phase: str) -> tuple[Operand, ...]:
    edges = sorted((edge[a.ARG], source) for source, _, edge in graph.in_edges(op, data=True)
                   if a.ARG in edge)
    operands = []
    for _, source in edges:
        data = graph.nodes[source]
        read_from_cache = phase == "backward" and data[a.PHASE] == "forward" and data[a.CACHED]
        operands.append(Operand(data[a.SYMBOL], read_from_cache))
    return tuple(operands)


def _given(graph: nx.DiGraph, node: str) -> Given:
    data = graph.nodes[node]
    note = data[a.NOTE]
    if any(edge.get(a.ROLE) == a.SEED for _, _, edge in graph.out_edges(node, data=True)):
        note += "; back-propagation starts from it"
    return Given(data[a.SYMBOL], data[a.KIND], tuple(data[a.SHAPE]), tuple(data[a.DIMS]), note,
                 data[a.CACHED], tuple(data[a.CACHED_FOR]))


def _step(graph: nx.DiGraph, node: str, number: int) -> Step:
    data = graph.nodes[node]
    phase = data[a.PHASE]
    formula = data[a.FORMULA]
    shortcut = None
    route = _producer(graph, node, a.EQUIVALENT)
    if route is not None:
        # the op label reads 'A[3] − Y (σ with cross-entropy)': the formula, then why it holds
        rhs, _, reason = graph.nodes[route][a.LABEL].partition(" (")
        shortcut = Shortcut(f"{data[a.SYMBOL]} = {rhs}", reason.removesuffix(")"),
                            _operands(graph, route, phase))
        formula = formula.removesuffix(f" = {rhs}")  # the step shows the chain-rule route
    op = _producer(graph, node, a.OUTPUT)
    return Step(number, data[a.SYMBOL], phase, formula, tuple(data[a.SHAPE]), tuple(data[a.DIMS]),
                _operands(graph, op, phase), tuple(data[a.CACHED_FOR]), data[a.NOTE], shortcut)


def in_notation(value, rewrite: Callable[[str], str]):
    """A copy of an Explanation (or any of its parts) with every symbol, formula and note
    passed through `rewrite` (a notation profile's); titles and kinds stay as they are."""
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, tuple):
        return tuple(in_notation(item, rewrite) for item in value)
    if isinstance(value, (Explanation, Given, Step, Shortcut, Operand)):
        keep = {"title", "network", "kind", "phase", "number"}
        return replace(value, **{item.name: in_notation(getattr(value, item.name), rewrite)
                                 for item in fields(value) if item.name not in keep})
    return value
