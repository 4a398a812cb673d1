"""Numeric check: execute a view's graph with numpy and compare its gradients with finite differences.

The graph is the program: every operation node is evaluated from its `op` and operands, so the
gradients checked here are the gradients the diagrams draw, not a separate hand-written backprop.

The example and unit views draw one example; their per-example nodes hold a `PerExample` value
(one array per example i = 1..m, each of the declared shape), every operation on them runs once
per example, and `mean_over_examples` turns the m values into the one shared average.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from .graph import attrs as a
from .graph import build_graph
from .graph.batch import backward_id, forward_id
from .graph.order import dataflow_order
from .graph.unit import unit_id
from .errors import BpdiagError
from .model import Network, SpecError
from .views import DEFAULT_GRANULARITY, GRANULARITIES, View

EPSILON = 1e-6        # central-difference step in float64
TOLERANCE = 1e-7      # relative error below which a gradient passes (DLS uses 2e-7)
# Central differences at EPSILON carry ~1e-10 of float64 round-off whatever the gradient's size;
# a tiny gradient (deep sigmoid stacks) passes when it agrees to well within that floor.
ABSOLUTE_TOLERANCE = 1e-8
KINK_MARGIN = 1e-4    # ReLU-type kinks closer than this to a Z make finite differences unreliable
# The example and unit views add up the same terms in another order than the batch matrices do,
# so their gradients equal the batch view's up to float64 round-off, not bit for bit.
VIEWS_RTOL = 1e-12
VIEWS_ATOL = 1e-15


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


@dataclass
class Problem:
    """Seeded random data and parameters: X, Y and W[l], b[l] as float64 arrays."""

    x: np.ndarray
    y: np.ndarray
    params: dict[str, np.ndarray]  # "W1", "b1", ...

    def inputs(self) -> dict[str, np.ndarray]:
        """Node ids of the forward graph mapped to values."""
        values = {forward_id("X"): self.x, forward_id("Y"): self.y}
        for key, value in self.params.items():
            values[forward_id(key[0], int(key[1:]))] = value
        return values


def view_inputs(problem: Problem, granularity: str = DEFAULT_GRANULARITY) -> dict:
    """The input values of a forward graph of `granularity`, by node id.

    batch: X, Y, W[l], b[l] as they are; example: the columns x = X[:, i], y = Y[:, i] per example
    and the shared W[l], b[l]; unit: the scalars x_k, y per example and every w[l]_jk, b[l]_j.
    """
    if granularity == "batch":
        return problem.inputs()
    m = problem.x.shape[1]
    if granularity == "example":
        values = {forward_id("x"): PerExample(problem.x[:, i:i + 1] for i in range(m)),
                  forward_id("y"): PerExample(problem.y[:, i:i + 1] for i in range(m))}
        for key, value in problem.params.items():
            values[forward_id(key[0], int(key[1:]))] = value
        return values
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


def _gradient(values: dict, network: Network, name: str, layer: int,
              granularity: str) -> np.ndarray:
    """dW[l] or db[l] read off an evaluated backward graph (assembled from scalars in the unit view)."""
    if granularity != "unit":
        return values[backward_id(f"d{name}", layer)]
    rows, cols = network.units(layer), (network.units(layer - 1) if name == "W" else 1)
    grad = np.empty((rows, cols))
    for j, k in np.ndindex(rows, cols):
        node = (unit_id("dw", layer, j + 1, k + 1) if name == "W" else unit_id("db", layer, j + 1))
        grad[j, k] = values[node]
    return grad


def random_problem(network: Network, m: int, seed: int) -> Problem:
    """Data and parameters drawn from a seeded generator (He-scaled weights, small biases)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((network.units(0), m))
    y = rng.integers(0, 2, size=(1, m)).astype(float)
    params = {}
    for layer in range(1, network.depth + 1):
        fan_in = network.units(layer - 1)
        params[f"W{layer}"] = rng.standard_normal((network.units(layer), fan_in)) * np.sqrt(2.0 / fan_in)
        params[f"b{layer}"] = rng.standard_normal((network.units(layer), 1)) * 0.1
    return Problem(x, y, params)


def forward_values(network: Network, problem: Problem,
                   view: str = DEFAULT_GRANULARITY) -> dict[str, np.ndarray]:
    """All values of the forward graph of granularity `view`."""
    m = problem.x.shape[1]
    return evaluate(build_graph(network, View(None, view), m=m), view_inputs(problem, view))


def analytic_gradients(network: Network, problem: Problem, to_layer: int = 1,
                       forward: dict[str, np.ndarray] | None = None,
                       view: str = DEFAULT_GRANULARITY) -> dict[str, np.ndarray]:
    """dW[l], db[l] for l = L..to_layer, read off the back-propagation graph of granularity `view`.

    `forward` must hold the values of the same granularity's forward graph.
    """
    m = problem.x.shape[1]
    forward = forward if forward is not None else forward_values(network, problem, view)
    graph = build_graph(network, View(to_layer, view), m=m)
    values = evaluate(graph, forward)
    grads = {}
    for layer in range(network.depth, to_layer - 1, -1):
        for name in ("W", "b"):
            grads[f"d{name}{layer}"] = _gradient(values, network, name, layer, view)
    return grads


def numeric_gradients(network: Network, problem: Problem, epsilon: float = EPSILON,
                      view: str = DEFAULT_GRANULARITY) -> dict[str, np.ndarray]:
    """Central differences (J(θ+ε) − J(θ−ε)) / 2ε for every parameter entry, J from the forward
    graph of granularity `view`."""
    m = problem.x.shape[1]
    graph = build_graph(network, View(None, view), m=m)
    cost_id = forward_id("J")
    grads = {}
    for key, param in problem.params.items():
        grad = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            shifted = {}
            for sign in (1.0, -1.0):
                bumped = param.copy()
                bumped[index] += sign * epsilon
                moved = Problem(problem.x, problem.y, {**problem.params, key: bumped})
                shifted[sign] = float(evaluate(graph, view_inputs(moved, view))[cost_id])
            grad[index] = (shifted[1.0] - shifted[-1.0]) / (2 * epsilon)
        grads[f"d{key}"] = grad
    return grads


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """‖g − n‖ / (‖g‖ + ‖n‖), the DLS gradient-check measure (0 when both are zero)."""
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def _closest_kink(network: Network, forward: dict[str, np.ndarray]) -> float | None:
    """Smallest |Z| in ReLU-type layers, where finite differences cross a kink."""
    margins = [float(np.min(np.abs(forward[forward_id("Z", layer)])))
               for layer in range(1, network.depth + 1)
               if network.activation(layer) in ("relu", "leaky_relu")]
    return min(margins) if margins else None


@dataclass
class CheckReport:
    network: Network
    m: int
    seed: int
    problem: Problem
    cost: float
    grads: dict[str, np.ndarray]
    numeric: dict[str, np.ndarray]
    errors: dict[str, float]
    abs_errors: dict[str, float]
    views_agree: bool
    kink_margin: float | None
    tolerance: float = TOLERANCE
    view: str = DEFAULT_GRANULARITY
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.views_agree and all(self.passed(key) for key in self.errors)

    def passed(self, key: str) -> bool:
        return self.errors[key] < self.tolerance or self.abs_errors[key] < ABSOLUTE_TOLERANCE


# The largest check: finite differences evaluate the network twice per parameter, so the work grows
# with parameters² × m; at these limits a check takes seconds, and numpy's arrays stay small.
MAX_CHECK_PARAMETERS = 5_000
MAX_CHECK_EXAMPLES = 1_000


def check_size(network: Network, m: int) -> None:
    """Refuse a check (or --values) too large to finish in reasonable time and memory."""
    sizes = network.sizes
    parameters = sum(sizes[l] * (sizes[l - 1] + 1) for l in range(1, len(sizes)))
    if parameters > MAX_CHECK_PARAMETERS:
        raise SpecError(f"the network has {parameters} weights and biases, more than the "
                        f"{MAX_CHECK_PARAMETERS} a numeric gradient check handles in reasonable time; "
                        "check a smaller network with the same depth and activations")
    if m > MAX_CHECK_EXAMPLES:
        raise SpecError(f"--m {m} is more than the {MAX_CHECK_EXAMPLES} examples a numeric gradient "
                        "check uses; a few examples test the gradients as well, e.g. --m 5")


def check(network: Network, m: int = 5, seed: int = 0,
          view: str = DEFAULT_GRANULARITY) -> CheckReport:
    """Evaluate every view of `network` at granularity `view` on seeded data and check each
    gradient numerically.

    The cost, the gradients and the central differences all come from that granularity's graphs.
    `views_agree` says the back-propagation views to layers L..1 give the same gradients and, for
    the example and unit views, that cost and gradients equal the batch graph's (to VIEWS_RTOL).
    """
    View(None, view)  # an unknown granularity is a SpecError naming the choices
    check_size(network, m)
    problem = random_problem(network, m, seed)
    batch_forward = forward_values(network, problem)
    forward = batch_forward if view == "batch" else forward_values(network, problem, view)
    grads = analytic_gradients(network, problem, 1, forward, view)
    views_agree = True
    for to_layer in range(network.depth, 1, -1):
        partial = analytic_gradients(network, problem, to_layer, forward, view)
        views_agree &= all(np.array_equal(value, grads[key]) for key, value in partial.items())
    if view != "batch":
        batch_grads = analytic_gradients(network, problem, 1, batch_forward)
        views_agree &= bool(np.allclose(forward[forward_id("J")], batch_forward[forward_id("J")],
                                        rtol=VIEWS_RTOL, atol=VIEWS_ATOL))
        views_agree &= all(np.allclose(grads[key], batch_grads[key], rtol=VIEWS_RTOL,
                                       atol=VIEWS_ATOL) for key in batch_grads)
    numeric = numeric_gradients(network, problem, view=view)
    errors = {key: relative_error(grads[key], numeric[key]) for key in grads}
    abs_errors = {key: float(np.max(np.abs(grads[key] - numeric[key]))) for key in grads}
    kink = _closest_kink(network, batch_forward)
    notes = []
    if kink is not None and kink < KINK_MARGIN:
        notes.append(f"a ReLU input lies {kink:.1e} from the kink at 0; finite differences may "
                     "disagree there: try another --seed")
    return CheckReport(network, m, seed, problem, float(forward[forward_id("J")]), grads, numeric,
                       errors, abs_errors, views_agree, kink, notes=notes, view=view)
