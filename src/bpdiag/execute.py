"""Execute a view's graph with numpy: the numeric meaning of every operation node.

The graph is the program: each operation is evaluated from its `op` and operands, in dataflow
order, so the numbers are those of the diagram itself, not of a separate hand-written model.

The example and unit views draw one example; their per-example nodes hold a `PerExample` value
(one array per example i = 1..m, each of the declared shape), every operation on them runs once
per example, and `mean_over_examples` turns the m values into the one shared average.
"""

from __future__ import annotations

from typing import Protocol

import networkx as nx
import numpy as np

from . import ops
from .graph import attrs as a
from .graph import build_graph
from .graph.ids import forward_id, label_id, mask_unit_id, unit_id
from .graph.order import dataflow_order
from .model import Network, split_parameter_key
from .ops import OPS
from .ops.base import EvaluationError
from .views import DEFAULT_GRANULARITY, GRANULARITIES, View


class PerExample(tuple):
    """The m values of a node that belongs to one example (example and unit views), in order i."""


def _run(op: dict, args: list):
    """One operation: once per example when an operand is per-example, else once."""
    kind = OPS.get(op[a.OP])
    if kind is not None and kind.over_examples:
        return ops.evaluate(op, args)
    counts = {len(arg) for arg in args if isinstance(arg, PerExample)}
    if not counts:
        return ops.evaluate(op, args)
    if len(counts) > 1:
        raise EvaluationError(f"'{op[a.LABEL]}' mixes operands with different numbers of examples")
    return PerExample(
        ops.evaluate(op, [arg[i] if isinstance(arg, PerExample) else arg for arg in args])
        for i in range(counts.pop())
    )


def _agree(first, second) -> bool:
    if isinstance(first, PerExample) != isinstance(second, PerExample):
        return False
    if isinstance(first, PerExample):
        return len(first) == len(second) and all(map(_agree, first, second))
    return np.allclose(first, second, rtol=1e-9, atol=1e-12)


def _operands(graph: nx.DiGraph, op_id: str) -> list[str]:
    edges = [(data[a.ARG], source) for source, _, data in graph.in_edges(op_id, data=True)
             if a.ARG in data]
    return [source for _, source in sorted(edges)]


def _check_shape(graph: nx.DiGraph, node: str, value) -> None:
    if isinstance(value, PerExample):
        for one in value:
            _check_shape(graph, node, one)
        return
    dims = graph.nodes[node][a.DIMS]
    actual = np.shape(value)
    if len(actual) != len(dims) or any(d is not None and d != s for d, s in zip(dims, actual)):
        raise EvaluationError(
            f"{graph.nodes[node][a.SYMBOL]} has shape {actual} but the diagram declares {tuple(dims)}"
        )


def evaluate(graph: nx.DiGraph, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Run every operation of `graph` in dataflow order, starting from `inputs` (values by node id).

    Every quantity's numeric shape is checked against its declared dims, and an operation marked
    `equivalent` (such as dZ[L] = A[L] − Y) must agree with the main route to the same value.
    """
    values: dict[str, np.ndarray] = {}
    for node, value in inputs.items():
        if node in graph:
            values[node] = value
    for node in dataflow_order(graph):
        data = graph.nodes[node]
        if data[a.KIND] != a.OPERATION:
            if data[a.KIND] != a.ANNOTATION and node not in values:
                raise EvaluationError(f"no value for input {data[a.SYMBOL]} ({node})")
            if node in values:
                _check_shape(graph, node, values[node])
            continue
        result = _run(data, [values[source] for source in _operands(graph, node)])
        for _, target, edge in graph.out_edges(node, data=True):
            if edge.get(a.ROLE) == a.EQUIVALENT:
                if not _agree(values[target], result):
                    raise EvaluationError(
                        f"{graph.nodes[target][a.SYMBOL]}: the route '{data[a.LABEL]}' disagrees "
                        "with the chain rule"
                    )
            else:
                values[target] = result
    return values


class Data(Protocol):
    """Data and parameters as float64 arrays: X, Y and W[l], b[l] keyed "W1", "b1", ...; with
    dropout also `masks`, D[l] keyed "D1", ... (an object without it has none)."""

    x: np.ndarray
    y: np.ndarray
    params: dict[str, np.ndarray]


def _matrices(problem: Data) -> dict[str, np.ndarray]:
    """W[l], b[l] (and γ[l], β[l]) by node id, as the batch and example views both hold them."""
    return {forward_id(*split_parameter_key(key)): value for key, value in problem.params.items()}


def view_inputs(problem: Data, granularity: str = DEFAULT_GRANULARITY) -> dict:
    """The input values of a forward graph of `granularity`, by node id.

    batch: X, Y, W[l], b[l] as they are; example: the columns x = X[:, i], y = Y[:, i] per example
    and the shared W[l], b[l]; unit: the scalars x_k, y (or y_k) per example and every w[l]_jk,
    b[l]_j.
    """
    masks = getattr(problem, "masks", None) or {}
    if granularity == "batch":
        return {forward_id("X"): problem.x, forward_id("Y"): problem.y, **_matrices(problem),
                **{forward_id("D", int(key[1:])): mask for key, mask in masks.items()}}
    m = problem.x.shape[1]
    if granularity == "example":
        return {forward_id("x"): PerExample(problem.x[:, i:i + 1] for i in range(m)),
                forward_id("y"): PerExample(problem.y[:, i:i + 1] for i in range(m)),
                **_matrices(problem),
                **{forward_id("d", int(key[1:])): PerExample(mask[:, i:i + 1] for i in range(m))
                   for key, mask in masks.items()}}
    if granularity == "unit":
        values = {unit_id("a", 0, k + 1): PerExample(problem.x[k, i] for i in range(m))
                  for k in range(problem.x.shape[0])}
        for k in range(problem.y.shape[0]):
            values[label_id(k + 1, problem.y.shape[0])] = PerExample(problem.y[k, i]
                                                                     for i in range(m))
        for key, value in problem.params.items():
            layer = int(key[1:])
            for (j, k) in np.ndindex(value.shape):
                node = (unit_id("w", layer, j + 1, k + 1) if key[0] == "W"
                        else unit_id("b", layer, j + 1))
                values[node] = value[j, k]
        for key, mask in masks.items():
            for j in range(mask.shape[0]):
                values[mask_unit_id(int(key[1:]), j + 1)] = PerExample(mask[j, i] for i in range(m))
        return values
    raise EvaluationError(f"unknown view {granularity!r}; choose one of " + ", ".join(GRANULARITIES))


def forward_values(network: Network, problem: Data,
                   view: str = DEFAULT_GRANULARITY) -> dict[str, np.ndarray]:
    """All values of the forward graph of granularity `view`."""
    m = problem.x.shape[1]
    return evaluate(build_graph(network, View(None, view), m=m), view_inputs(problem, view))

