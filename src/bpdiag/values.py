"""Numbers on the diagram: every quantity's value on the seeded example `bpdiag check` uses, or
on the learner's own problem (`data`, an npzdata.Data: `render --values --data FILE.npz`).

The values are those of `bpdiag check --json --seed N --m M --view V` (same data, same
parameters, the same graphs evaluated), and each gradient of a parameter carries the gradient
check's verdict. In the example and unit views a node stands for one example: the diagram shows
example i = 1, the JSON keeps the values of all m examples.
"""

from __future__ import annotations

import networkx as nx

from .graph import attrs as a
from .graph.ids import backward_id
from .graph.ids import unit_id
from .model import Network, split_parameter_key
from .views import View

VALUE = "value"      # node attribute: JSON-ready nested lists (a float for a scalar)
PER_EXAMPLE = "value_per_example"  # True when VALUE lists the m examples' values
VERDICT = "check"    # node attribute on parameter gradients: errors and pass/fail

MAX_ROWS, MAX_COLUMNS = 4, 5  # larger matrices are summarised by their range


def _plain(value):
    return float(value) if getattr(value, "ndim", 0) == 0 else value.tolist()


def annotate(graph: nx.DiGraph, network: Network, view: View, *, m: int, seed: int,
             data=None, numeric: bool = True) -> None:
    """Evaluate `graph` (built with this m) on check's data, or on `data`, and store each
    quantity's value (and, when `numeric`, the gradient check's verdicts)."""
    from .execute import PerExample, evaluate, forward_values
    from .verify import check

    if network.batch_norm and graph.graph.get("inference"):
        from .model import SpecError
        raise SpecError("at inference batch norm uses the running averages of μ[l] and σ²[l] "
                        "from training, which bpdiag does not have; drop --values, or drop "
                        "--inference for the values of the training forward pass")

    report = check(network, m=m, seed=seed, view=view.granularity, data=data, numeric=numeric)
    forward = forward_values(network, report.problem, view.granularity)
    values = forward if view.is_forward else evaluate(graph, forward)
    for node, data in graph.nodes(data=True):
        if data[a.KIND] in a.QUANTITY_KINDS and node in values:
            value = values[node]
            if isinstance(value, PerExample):
                data[VALUE], data[PER_EXAMPLE] = [_plain(v) for v in value], True
            else:
                data[VALUE] = _plain(value)
    for key in report.errors:
        name, layer = split_parameter_key(key[1:])  # dW2 -> W, 2; dgamma1 -> gamma, 1
        _mark_verdicts(graph, report, key, name, layer, view.granularity)
    graph.graph.update(values_seed=report.seed, values_m=report.m)
    if report.source is not None:
        graph.graph.update(values_data=report.source)


def _mark_verdicts(graph, report, key: str, name: str, layer: int, granularity: str) -> None:
    from .verify import classify

    if granularity != "unit":
        node = backward_id(f"d{name}", layer)
        if node in graph:
            graph.nodes[node][VERDICT] = {"relative_error": report.errors[key],
                                          "max_abs_error": report.abs_errors[key],
                                          "verdict": report.verdict(key),
                                          "passed": report.passed(key)}
        return
    # one scalar node per entry: each gets its own entry's difference
    grads, numeric = report.grads[key], report.numeric[key]
    for (j, k), value in zip(_indices(grads.shape), grads.flat):
        node = unit_id("dw", layer, j + 1, k + 1) if name == "W" else unit_id("db", layer, j + 1)
        if node in graph:
            diff = abs(float(value) - float(numeric[j, k]))
            scale = abs(float(value)) + abs(float(numeric[j, k]))
            relative = diff / scale if scale else 0.0
            verdict = classify(relative, diff, abs(float(numeric[j, k])), report.noise,
                               report.tolerance)
            graph.nodes[node][VERDICT] = {"relative_error": relative, "max_abs_error": diff,
                                          "verdict": verdict, "passed": verdict == "pass"}


def _indices(shape):
    rows, cols = shape
    return [(j, k) for j in range(rows) for k in range(cols)]


def _number(x: float) -> str:
    text = f"{x:.3g}"
    return "0" if text in ("-0", "0") else text.replace("-", "−")


def _flat(value):
    for item in value:
        if isinstance(item, list):
            yield from _flat(item)
        else:
            yield item


def value_lines(value, per_example: bool = False) -> list[str]:
    """A small matrix row by row, '[0.12  −0.5]'; a larger one as its range; example 1 only
    when the node holds one value per example."""
    prefix = ""
    if per_example:
        value, prefix = value[0], "i = 1: "
    if isinstance(value, float):
        return [prefix + _number(value)]
    rows = len(value)
    columns = len(value[0]) if rows else 0
    flat = list(_flat(value))
    matrix = all(not isinstance(x, list) for row in value for x in row)
    if rows <= MAX_ROWS and columns <= MAX_COLUMNS and matrix:
        lines = ["[" + "  ".join(_number(x) for x in row) + "]" for row in value]
    else:  # large, or more than two axes (the softmax's Jacobian per example)
        lines = [f"values in [{_number(min(flat))}, {_number(max(flat))}]"]
    return [prefix + lines[0], *lines[1:]]


def verdict_line(verdict: dict) -> tuple[str, bool]:
    """The line drawn under a parameter gradient, and whether it reads as good news."""
    outcome = verdict.get("verdict", "pass" if verdict["passed"] else "fail")
    if outcome == "too small":
        return "? too small for finite differences to check", False
    if outcome == "kink":
        return "? at a ReLU kink: finite differences cannot check it", False
    mark = "✓ check passes" if outcome == "pass" else "✗ check FAILS"
    return f"{mark}: rel. error {verdict['relative_error']:.1e}", outcome == "pass"
