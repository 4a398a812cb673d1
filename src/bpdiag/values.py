"""Numbers on the diagram: every quantity's value on the seeded example `bpdiag check` uses.

The values are those of `bpdiag check --json --seed N --m M` (same data, same parameters, same
graph evaluation), and each dW[l], db[l] carries the gradient check's verdict.
"""

from __future__ import annotations

import networkx as nx

from .graph import attrs as a
from .graph.batch import backward_id
from .model import Network
from .views import View

VALUE = "value"    # node attribute: nested lists (or a float for J), JSON-ready
VERDICT = "check"  # node attribute on dW[l], db[l]: relative error, max |diff|, passed

MAX_ROWS, MAX_COLUMNS = 4, 5  # larger matrices are summarised by their range
DEFAULT_M = 4                 # examples drawn when values are shown: small enough to print


def annotate(graph: nx.DiGraph, network: Network, view: View, *, m: int, seed: int) -> None:
    """Evaluate `graph` (built with this m) on check's data and store each quantity's value."""
    from .verify import check, evaluate, forward_values

    report = check(network, m=m, seed=seed)
    forward = forward_values(network, report.problem)
    values = forward if view.is_forward else evaluate(graph, forward)
    for node, data in graph.nodes(data=True):
        if data[a.KIND] in a.QUANTITY_KINDS and node in values:
            value = values[node]
            data[VALUE] = float(value) if value.ndim == 0 else value.tolist()
    for layer in range(network.depth, 0, -1):
        for name in ("W", "b"):
            node = backward_id(f"d{name}", layer)
            if node in graph:
                key = f"d{name}{layer}"
                graph.nodes[node][VERDICT] = {
                    "relative_error": report.errors[key],
                    "max_abs_error": report.abs_errors[key],
                    "passed": report.passed(key),
                }
    graph.graph.update(values_seed=seed, values_m=m)


def _number(x: float) -> str:
    text = f"{x:.3g}"
    return "0" if text in ("-0", "0") else text.replace("-", "−")


def value_lines(value) -> list[str]:
    """A small matrix row by row, '[0.12  −0.5]'; a larger one as its range."""
    if isinstance(value, float):
        return [_number(value)]
    rows = len(value)
    columns = len(value[0]) if rows else 0
    if rows <= MAX_ROWS and columns <= MAX_COLUMNS:
        return ["[" + "  ".join(_number(x) for x in row) + "]" for row in value]
    flat = [x for row in value for x in row]
    return [f"values in [{_number(min(flat))}, {_number(max(flat))}]"]


def verdict_line(verdict: dict) -> tuple[str, bool]:
    mark = "✓ check passes" if verdict["passed"] else "✗ check FAILS"
    return f"{mark}: rel. error {verdict['relative_error']:.1e}", verdict["passed"]
