"""The graph, executed with numpy, gives gradients that agree with finite differences."""

import numpy as np
import pytest

from bpdiag.graph import build_graph
from bpdiag.model import Network
from bpdiag.execute import EvaluationError, evaluate, forward_values
from bpdiag.verify import analytic_gradients, check, random_problem
from bpdiag.views import View


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
@pytest.mark.parametrize("sizes", [(2, 1), (2, 3, 2, 1), (3, 4, 1), (4, 5, 3, 5, 2, 1)])
def test_every_gradient_agrees_with_central_differences(activation, sizes):
    report = check(Network(sizes, activation), m=6, seed=1)
    assert report.ok, report.errors
    assert set(report.grads) == {f"d{p}{l}" for l in range(1, len(sizes)) for p in "Wb"}


def independent_backprop(net, problem):
    """A plain numpy implementation of the course's formulas, written apart from the graph."""
    x, y, params = problem.x, problem.y, problem.params
    m = x.shape[1]
    L = net.depth
    acts, zs = {0: x}, {}
    for l in range(1, L + 1):
        zs[l] = params[f"W{l}"] @ acts[l - 1] + params[f"b{l}"]
        acts[l] = 1 / (1 + np.exp(-zs[l])) if l == L else np.maximum(zs[l], 0)
    grads = {}
    dz = acts[L] - y
    for l in range(L, 0, -1):
        grads[f"dW{l}"] = dz @ acts[l - 1].T / m
        grads[f"db{l}"] = dz.sum(axis=1, keepdims=True) / m
        if l > 1:
            dz = (params[f"W{l}"].T @ dz) * (zs[l - 1] > 0)
    return grads


def test_graph_gradients_match_an_independent_implementation():
    net = Network((3, 4, 3, 1))
    problem = random_problem(net, 8, seed=3)
    graph_grads = analytic_gradients(net, problem)
    for key, value in independent_backprop(net, problem).items():
        np.testing.assert_allclose(graph_grads[key], value, rtol=1e-12, atol=1e-15)


def test_a_wrong_formula_is_caught():
    """Break the derivative of ReLU in the graph: the check must notice."""
    net = Network((2, 3, 2, 1))
    problem = random_problem(net, 5, seed=0)
    forward = forward_values(net, problem)
    graph = build_graph(net, View(1), m=5)
    graph.nodes["bwd:L2:dg:op"]["fn"] = "tanh"  # wrong derivative for a ReLU layer
    wrong = evaluate(graph, forward)["bwd:L2:dW"]
    right = analytic_gradients(net, problem)["dW2"]
    assert not np.allclose(wrong, right)


def test_shape_mismatch_is_reported():
    net = Network((2, 3, 1))
    problem = random_problem(net, 4, seed=0)
    graph = build_graph(net, View(None), m=5)  # declares m = 5, data has m = 4
    with pytest.raises(EvaluationError, match="shape"):
        evaluate(graph, problem.inputs())


def test_shortcut_disagreement_is_reported():
    net = Network((2, 3, 1))
    problem = random_problem(net, 4, seed=0)
    forward = forward_values(net, problem)
    graph = build_graph(net, View(1), m=4)
    graph.nodes["bwd:L2:dZ:shortcut"]["op"] = "hadamard"  # A ⊙ Y is not A − Y
    with pytest.raises(EvaluationError, match="disagrees"):
        evaluate(graph, forward)


def test_check_is_deterministic_per_seed():
    net = Network()
    first, second = check(net, m=4, seed=7), check(net, m=4, seed=7)
    assert first.cost == second.cost
    assert all(np.array_equal(first.grads[k], second.grads[k]) for k in first.grads)
    assert check(net, m=4, seed=8).cost != first.cost


def test_verdicts_separate_pass_fail_and_too_small():
    from bpdiag.verify import classify

    noise = 1e-9
    assert classify(1e-9, 1e-12, 1.0, noise) == "pass"               # relative agreement
    assert classify(1e-5, 5e-10, 1e-4, noise) == "pass"             # within round-off of a resolved gradient
    assert classify(1e-2, 5e-10, 1e-7, noise) == "too small"        # round-off hides the gradient itself
    assert classify(1.0, 1e-7, 1e-7, noise) == "fail"               # a real disagreement, even if tiny
    assert classify(0.5, 1e-3, 1e-3, noise) == "fail"


def test_a_gradient_too_small_to_resolve_is_reported_not_passed():
    report = check(Network((2,) + (3,) * 11 + (1,), "sigmoid"), m=5, seed=0)
    assert report.ok                          # nothing disagrees ...
    assert "dW1" in report.unresolved         # ... but the vanished gradients were not checked
    assert not report.passed("dW1")
    assert report.passed("dW12")


def test_a_wrong_tiny_gradient_is_not_called_a_pass():
    """A zeroed gradient whose true value is resolvable fails instead of hiding under a floor."""
    report = check(Network((2, 3, 3, 3, 3, 3, 1), "sigmoid"), m=5, seed=1)
    assert report.passed("dW1")
    report.grads["dW1"] = np.zeros_like(report.grads["dW1"])
    report.errors["dW1"] = 1.0
    report.abs_errors["dW1"] = float(np.max(np.abs(report.numeric["dW1"])))
    assert report.verdict("dW1") == "fail" and not report.ok
