"""The example and unit graphs, executed per example, give the batch graph's cost and gradients."""

import numpy as np
import pytest

from bpdiag.graph import build_graph
from bpdiag.model import Network, SpecError
from bpdiag.execute import EvaluationError, PerExample, evaluate, forward_values, view_inputs
from bpdiag.verify import analytic_gradients, check, random_problem
from bpdiag.views import View

SIZES = [(2, 1), (2, 3, 2, 1), (3, 4, 1), (2, 3, 2, 3, 1)]


@pytest.mark.parametrize("view", ["example", "unit"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
@pytest.mark.parametrize("sizes", SIZES)
def test_every_view_checks_out_and_agrees_with_the_batch_view(sizes, activation, view):
    net = Network(sizes, activation, 0.05)
    report = check(net, m=6, seed=1, view=view)
    assert report.ok, report.errors
    assert report.view == view and report.views_agree
    batch = check(net, m=6, seed=1)
    assert report.cost == pytest.approx(batch.cost, rel=1e-12)
    for key, value in batch.grads.items():
        np.testing.assert_allclose(report.grads[key], value, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("view", ["example", "unit"])
def test_gradients_are_read_off_the_views_own_graph(view):
    """The gradients differ from the batch view's when the view's own graph is broken."""
    net = Network((2, 3, 2, 1))
    problem = random_problem(net, 5, seed=0)
    forward = forward_values(net, problem, view)
    graph = build_graph(net, View(1, view), m=5)
    dg = "bwd:L2:dg:op" if view == "example" else "bwd:L2:dg_1:op"
    graph.nodes[dg]["fn"] = "tanh"  # the wrong derivative for a ReLU layer
    wrong = evaluate(graph, forward)
    right = analytic_gradients(net, problem, view=view)
    if view == "example":
        assert not np.allclose(wrong["bwd:L2:dW"], right["dW2"])
    else:
        assert not np.allclose(wrong["bwd:L2:dw_1_1"], right["dW2"][0, 0])


def test_the_example_view_runs_once_per_example_and_averages_the_m_results():
    net = Network((2, 3, 1), "tanh")
    m = 4
    problem = random_problem(net, m, seed=2)
    forward = forward_values(net, problem, "example")
    assert isinstance(forward["fwd:x"], PerExample) and len(forward["fwd:x"]) == m
    np.testing.assert_array_equal(forward["fwd:x"][2], problem.x[:, 2:3])
    assert not isinstance(forward["fwd:L1:W"], PerExample)
    values = evaluate(build_graph(net, View(1, "example"), m=m), forward)
    per_example = values["bwd:L1:dW(i)"]
    assert len(per_example) == m and per_example[0].shape == (3, 2)
    np.testing.assert_allclose(values["bwd:L1:dW"], sum(per_example) / m, rtol=1e-15)
    # example i's own gradient is its column of the batch matrices
    batch_forward = forward_values(net, problem)
    batch = evaluate(build_graph(net, View(1), m=m), batch_forward)
    dz = batch["bwd:L1:dZ"]
    np.testing.assert_allclose(per_example[1], dz[:, 1:2] @ problem.x[:, 1:2].T, rtol=1e-12)


def test_the_unit_view_holds_one_number_per_scalar_and_example():
    net = Network((2, 3, 2, 1))
    problem = random_problem(net, 3, seed=4)
    inputs = view_inputs(problem, "unit")
    assert inputs["fwd:L2:w_1_3"] == problem.params["W2"][0, 2]
    assert inputs["fwd:L1:b_3"] == problem.params["b1"][2, 0]
    assert [float(v) for v in inputs["fwd:x_2"]] == list(problem.x[1])
    values = forward_values(net, problem, "unit")
    batch = forward_values(net, problem)
    for j in (1, 2):
        assert np.shape(values[f"fwd:L2:z_{j}"][0]) == ()
        np.testing.assert_allclose([values[f"fwd:L2:a_{j}"][i] for i in range(3)],
                                   batch["fwd:L2:A"][j - 1], rtol=1e-12)


def test_declared_shapes_are_checked_per_example():
    net = Network((2, 3, 1))
    problem = random_problem(net, 3, seed=0)
    graph = build_graph(net, View(None, "example"))
    graph.nodes["fwd:L1:z"]["dims"] = [3, 3]  # as if the view drew the whole batch
    with pytest.raises(EvaluationError, match=r"z\[1\] has shape \(3, 1\)"):
        evaluate(graph, view_inputs(problem, "example"))


def test_averaging_a_shared_value_over_examples_is_refused():
    """J = (1/m) Σᵢ of something that is not one value per example is a wiring error."""
    net = Network((2, 1))
    problem = random_problem(net, 3, seed=0)
    graph = build_graph(net, View(None, "example"))
    graph.remove_nodes_from(["fwd:loss:op", "fwd:loss"])
    graph.add_edge("fwd:L1:b", "fwd:J:op", arg=0)  # b[1] is shared by every example
    with pytest.raises(EvaluationError, match="not a per-example value"):
        evaluate(graph, view_inputs(problem, "example"))


def test_unknown_view_in_check_is_a_spec_error():
    with pytest.raises(SpecError, match="batch, example, unit"):
        check(Network((2, 1)), view="pixel")
