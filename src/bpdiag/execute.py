"""Execute a view's graph with numpy: the numeric meaning of every operation node.

The graph is the program: each operation is evaluated from its `op` and operands, in dataflow
order, so the numbers are those of the diagram itself, not of a separate hand-written model.

The example and unit views draw one example; their per-example nodes hold a `PerExample` value
(one array per example i = 1..m, each of the declared shape), every operation on them runs once
per example, and `mean_over_examples` turns the m values into the one shared average.
"""

from __future__ import annotations

import functools
import operator
from typing import Protocol

import networkx as nx
import numpy as np

from .errors import BpdiagError
from .graph import attrs as a
from .graph import build_graph
from .graph.ids import forward_id
from .graph.order import dataflow_order
from .graph.unit import unit_id
from .model import Network
from .views import DEFAULT_GRANULARITY, GRANULARITIES, View


class EvaluationError(BpdiagError):
    """The graph computed something inconsistent (a shape or an equivalent route disagrees)."""


class PerExample(tuple):
    """The m values of a node that belongs to one example (example and unit views), in order i."""


def _activation(fn: str, z: np.ndarray, slope: float) -> np.ndarray:
    if fn == "relu":
        return np.maximum(z, 0.0)
    if fn == "leaky_relu":
        return np.where(z > 0, z, slope * z)
    if fn == "tanh":
        return np.tanh(z)
    if fn == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    raise EvaluationError(f"unknown activation {fn!r}")


def _activation_derivative(fn: str, value: np.ndarray, slope: float) -> np.ndarray:
    """g'(Z), from Z for the ReLU family and from the cached A = g(Z) for σ and tanh."""
    if fn == "relu":
        return (value > 0).astype(float)
    if fn == "leaky_relu":
        return np.where(value > 0, 1.0, slope)
    if fn == "tanh":
        return 1.0 - value * value
    if fn == "sigmoid":
        return value * (1.0 - value)
    raise EvaluationError(f"unknown activation {fn!r}")


def _apply(op: dict, args: list[np.ndarray]) -> np.ndarray:
    """The numpy meaning of one operation node."""
    kind = op[a.OP]
    if kind == a.LINEAR:
        w, prev, b = args
        return w @ prev + b
    if kind == a.ACTIVATION:
        return _activation(op[a.FUNCTION], args[0], op.get("slope", 0.0))
    if kind == a.ACTIVATION_DERIVATIVE:
        return _activation_derivative(op[a.FUNCTION], args[0], op.get("slope", 0.0))
    if kind == a.LOSS:
        out, y = args
        return -(y * np.log(out) + (1.0 - y) * np.log(1.0 - out))
    if kind == a.MEAN:
        axis = op.get(a.AXIS)
        if axis is None:
            return np.mean(args[0])
        return np.mean(args[0], axis=axis, keepdims=True)
    if kind == a.LOSS_DERIVATIVE:
        out, y = args
        return -y / out + (1.0 - y) / (1.0 - out)
    if kind == a.HADAMARD:
        return args[0] * args[1]
    if kind == a.SUBTRACT:
        return args[0] - args[1]
    if kind == a.PRODUCT:
        return args[0] * args[1]
    if kind == a.WEIGHTED_SUM:
        terms = args[:-1] if op.get(a.BIAS) else args
        total = functools.reduce(operator.add, (w * v for w, v in zip(terms[0::2], terms[1::2])))
        return total + args[-1] if op.get(a.BIAS) else total
    if kind == a.MATMUL:
        left, right = args
        if op.get(a.TRANSPOSE) == "left":
            left = left.T
        elif op.get(a.TRANSPOSE) == "right":
            right = right.T
        product = left @ right
        if op.get(a.SCALE) == "1/m":
            product = product / args[0].shape[1]
        return product
    raise EvaluationError(f"operation {kind!r} has no numeric meaning")


def _mean_over_examples(op: dict, args: list) -> np.ndarray:
    """(1/m) Σᵢ of the product of the operands' values for example i; one shared result."""
    if not args or not all(isinstance(arg, PerExample) for arg in args):
        raise EvaluationError(f"'{op[a.LABEL]}' averages over the examples but an operand is "
                              "not a per-example value")
    stack = np.stack([functools.reduce(operator.mul, values) for values in zip(*args)])
    if a.AXIS in op and op[a.AXIS] is None:
        return np.mean(stack)
    return np.mean(stack, axis=0)


def _run(op: dict, args: list):
    """One operation: once per example when an operand is per-example, else once."""
    if op[a.OP] == a.MEAN_OVER_EXAMPLES:
        return _mean_over_examples(op, args)
    counts = {len(arg) for arg in args if isinstance(arg, PerExample)}
    if not counts:
        return _apply(op, args)
    if len(counts) > 1:
        raise EvaluationError(f"'{op[a.LABEL]}' mixes operands with different numbers of examples")
    return PerExample(
        _apply(op, [arg[i] if isinstance(arg, PerExample) else arg for arg in args])
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
    """Data and parameters as float64 arrays: X, Y and W[l], b[l] keyed "W1", "b1", ..."""

    x: np.ndarray
    y: np.ndarray
    params: dict[str, np.ndarray]


def _matrices(problem: Data) -> dict[str, np.ndarray]:
    """W[l], b[l] by node id, as the batch and example views both hold them."""
    return {forward_id(key[0], int(key[1:])): value for key, value in problem.params.items()}


def view_inputs(problem: Data, granularity: str = DEFAULT_GRANULARITY) -> dict:
    """The input values of a forward graph of `granularity`, by node id.

    batch: X, Y, W[l], b[l] as they are; example: the columns x = X[:, i], y = Y[:, i] per example
    and the shared W[l], b[l]; unit: the scalars x_k, y per example and every w[l]_jk, b[l]_j.
    """
    if granularity == "batch":
        return {forward_id("X"): problem.x, forward_id("Y"): problem.y, **_matrices(problem)}
    m = problem.x.shape[1]
    if granularity == "example":
        return {forward_id("x"): PerExample(problem.x[:, i:i + 1] for i in range(m)),
                forward_id("y"): PerExample(problem.y[:, i:i + 1] for i in range(m)),
                **_matrices(problem)}
    if granularity == "unit":
        values = {unit_id("a", 0, k + 1): PerExample(problem.x[k, i] for i in range(m))
                  for k in range(problem.x.shape[0])}
        values[forward_id("y")] = PerExample(problem.y[0, i] for i in range(m))
        for key, value in problem.params.items():
            layer = int(key[1:])
            for (j, k) in np.ndindex(value.shape):
                node = (unit_id("w", layer, j + 1, k + 1) if key[0] == "W"
                        else unit_id("b", layer, j + 1))
                values[node] = value[j, k]
        return values
    raise EvaluationError(f"unknown view {granularity!r}; choose one of " + ", ".join(GRANULARITIES))


def forward_values(network: Network, problem: Data,
                   view: str = DEFAULT_GRANULARITY) -> dict[str, np.ndarray]:
    """All values of the forward graph of granularity `view`."""
    m = problem.x.shape[1]
    return evaluate(build_graph(network, View(None, view), m=m), view_inputs(problem, view))

