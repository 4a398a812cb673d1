"""L2 regularisation (--l2) and inverted dropout (--keep-prob): operations with their own rules
(ops/l2.py, ops/dropout.py), checked against finite differences alone and combined, on every
head, activation and view; the masks held fixed and seeded; nothing of either at inference."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpdiag.cli import cli
from bpdiag.diagrams import RenderOptions
from bpdiag.execute import forward_values
from bpdiag.explanation.steps import explain_view
from bpdiag.graph import attrs as a
from bpdiag.graph import build_graph
from bpdiag.legend import build_legend
from bpdiag.model import HIDDEN_ACTIVATIONS, OUTPUTS, Network, SpecError
from bpdiag.npzdata import DataError, from_arrays
from bpdiag.profiles import NODE_NAMES, builtin
from bpdiag.spec import parse_spec
from bpdiag.training import train
from bpdiag.verify import check, random_problem
from bpdiag.views import GRANULARITIES, View, all_views, file_stem
from conftest import assert_check_passes, needs_dot

HEADS = {"sigmoid": (2, 3, 2, 1), "softmax": (2, 3, 2, 3), "linear": (3, 2, 2, 2)}


def _operands(graph, op):
    return [source for _, source in sorted((d[a.ARG], s) for s, _, d in graph.in_edges(op, data=True)
                                           if a.ARG in d)]


def _producer(graph, node):
    return next(s for s, _, d in graph.in_edges(node, data=True) if d.get(a.ROLE) == a.OUTPUT)


@st.composite
def regularised_networks(draw) -> Network:
    output = draw(st.sampled_from(OUTPUTS))
    depth = draw(st.integers(1, 3))
    hidden = [draw(st.integers(1, 3)) for _ in range(depth)]
    last = {"sigmoid": 1, "softmax": draw(st.integers(2, 3)), "linear": draw(st.integers(1, 2))}
    l2 = draw(st.sampled_from((0.0, 0.05, 0.7, 3.0)))
    keep = draw(st.sampled_from((1.0, 0.9, 0.5))) if depth > 1 else 1.0
    return Network(tuple(hidden) + (last[output],), draw(st.sampled_from(HIDDEN_ACTIVATIONS)),
                   draw(st.floats(0.01, 0.5)), output, l2=l2, keep_prob=keep)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(regularised_networks(), st.sampled_from(GRANULARITIES), st.integers(0, 3))
def test_regularised_gradients_equal_finite_differences(network, granularity, seed):
    assert_check_passes(network, granularity, seed)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_softmax_l2_dropout_combined_every_view(output, granularity):
    network = Network(HEADS[output], "tanh", output=output, l2=0.4, keep_prob=0.6)
    report = check(network, m=4, seed=1, view=granularity)
    assert report.ok and all(report.verdict(key) == "pass" for key in report.errors), report.errors
    assert max(report.errors.values()) < 1e-7


def test_the_cost_and_gradients_are_the_course_formulas():
    """J = cross-entropy + (λ/2m) Σ‖W‖² with A[l] ⊙ D[l] / keep_prob, dW[l] = ... + (λ/m) W[l],
    computed here by a plain numpy forward and backward pass as the course's assignment does."""
    lambd, keep, m = 0.7, 0.8, 5
    network = Network((3, 4, 3, 1), "relu", l2=lambd, keep_prob=keep)
    report = check(network, m=m, seed=4)
    p, x, y, masks = report.problem.params, report.problem.x, report.problem.y, report.problem.masks
    z1 = p["W1"] @ x + p["b1"]
    a1 = np.maximum(z1, 0) * masks["D1"] / keep
    z2 = p["W2"] @ a1 + p["b2"]
    a2 = np.maximum(z2, 0) * masks["D2"] / keep
    a3 = 1 / (1 + np.exp(-(p["W3"] @ a2 + p["b3"])))
    cross_entropy = -np.mean(y * np.log(a3) + (1 - y) * np.log(1 - a3))
    l2_cost = lambd / (2 * m) * sum(np.sum(p[f"W{l}"] ** 2) for l in (1, 2, 3))
    assert report.cost == pytest.approx(cross_entropy + l2_cost, rel=1e-12)
    dz3 = a3 - y
    dw3 = dz3 @ a2.T / m + lambd / m * p["W3"]
    da2 = p["W3"].T @ dz3 * masks["D2"] / keep
    dz2 = da2 * (z2 > 0)
    dw2 = dz2 @ a1.T / m + lambd / m * p["W2"]
    da1 = p["W2"].T @ dz2 * masks["D1"] / keep
    dw1 = (da1 * (z1 > 0)) @ x.T / m + lambd / m * p["W1"]
    for key, expected in (("dW3", dw3), ("dW2", dw2), ("dW1", dw1)):
        assert np.allclose(report.grads[key], expected, rtol=1e-12, atol=1e-15), key
    assert np.allclose(report.backward["dA2"], da2) and np.allclose(report.forward["A1"], a1)


def test_masks_are_seeded_fixed_and_leave_the_seeds_data_as_it_was():
    network = Network((2, 3, 2, 1), keep_prob=0.5)
    first, again = random_problem(network, 6, 3), random_problem(network, 6, 3)
    other = random_problem(network, 6, 4)
    assert set(first.masks) == {"D1", "D2"} and first.masks["D1"].shape == (3, 6)
    assert all(np.array_equal(first.masks[k], again.masks[k]) for k in first.masks)
    assert not all(np.array_equal(first.masks[k], other.masks[k]) for k in first.masks)
    assert set(np.unique(first.masks["D1"])) <= {0.0, 1.0}
    plain = random_problem(Network((2, 3, 2, 1)), 6, 3)
    assert np.array_equal(plain.x, first.x) and plain.masks == {}
    assert all(np.array_equal(plain.params[k], first.params[k]) for k in plain.params)


def test_dropout_draws_the_mask_as_cached_and_reads_it_backwards():
    network = Network((2, 3, 2, 1), keep_prob=0.8)
    forward = build_graph(network, View(None))
    for layer in (1, 2):
        mask = forward.nodes[f"fwd:L{layer}:D"]
        assert mask[a.CACHED] and mask[a.CACHED_FOR] == [f"dA[{layer}]"]
        assert mask[a.SHAPE] == [f"n[{layer}]", "m"]
        dropped = f"fwd:L{layer}:Adrop"
        assert _operands(forward, _producer(forward, dropped)) == [f"fwd:L{layer}:A",
                                                                   f"fwd:L{layer}:D"]
        assert forward.nodes[dropped][a.CACHED_FOR] == [f"dW[{layer + 1}]"]
    assert "fwd:L3:D" not in forward  # the output layer keeps every unit
    backward = build_graph(network, View(1))
    op = _producer(backward, "bwd:L1:dA")
    assert backward.nodes[op][a.OP] == a.DROPOUT
    assert _operands(backward, op) == ["bwd:L1:dAdrop", "fwd:L1:D"]
    assert backward.nodes["bwd:L1:dA"][a.FORMULA] == "dA[1] = dÃ[1] ⊙ D[1] / keep_prob"


def test_l2_term_is_its_own_node_added_where_dW_is_formed():
    network = Network((2, 3, 2, 1), l2=0.1)
    graph = build_graph(network, View(1))
    for layer in (1, 2, 3):
        term = f"bwd:L{layer}:dW:l2"
        assert graph.nodes[term][a.SYMBOL] == f"(λ/m) W[{layer}]"
        assert _operands(graph, _producer(graph, term)) == [f"fwd:L{layer}:W"]
        op = _producer(graph, f"bwd:L{layer}:dW")
        assert _operands(graph, op)[-1] == term and graph.nodes[op][a.ADDED] == 1
        assert graph.nodes[f"bwd:L{layer}:dW"][a.FORMULA].endswith(f" + (λ/m) W[{layer}]")
    forward = build_graph(network, View(None))
    assert forward.nodes["fwd:J"][a.FORMULA].endswith("+ (λ/2m) Σ_l ‖W[l]‖²")
    assert _operands(forward, _producer(forward, "fwd:l2_cost")) == ["fwd:L1:W", "fwd:L2:W",
                                                                     "fwd:L3:W"]


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_at_inference_there_is_neither(granularity):
    network = Network((2, 3, 2, 1), l2=0.5, keep_prob=0.5)
    graph = build_graph(network, View(None, granularity), inference=True)
    plain = build_graph(Network((2, 3, 2, 1)), View(None, granularity), inference=True)
    assert list(graph.nodes) == list(plain.nodes)
    assert not any(d.get(a.OP) in (a.DROPOUT, a.L2_COST) for _, d in graph.nodes(data=True))


def test_without_them_every_graph_is_as_before():
    for view in all_views(Network()):
        regular = build_graph(Network((2, 3, 2, 1), l2=0.0, keep_prob=1.0), view)
        plain = build_graph(Network((2, 3, 2, 1)), view)
        assert list(regular.nodes(data=True)) == list(plain.nodes(data=True))
        assert regular.graph == plain.graph


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_every_new_quantity_has_a_legend_row_and_an_explain_step(granularity):
    network = Network((2, 2, 2, 1), l2=0.1, keep_prob=0.8)
    course = builtin("dls")
    for view in all_views(network, granularity):
        graph = build_graph(network, view)
        names = {d[a.NAME] for _, d in graph.nodes(data=True) if d[a.KIND] in a.QUANTITY_KINDS}
        assert names <= set(course.symbols) and names <= set(NODE_NAMES), names - set(course.symbols)
        legend = build_legend(graph, version="0", network_text=network.describe(), title=None,
                              license=None)
        symbols = {row[0] for row in legend.notation}
        for name in names:
            assert course.legend_row(name, granularity)[0] in symbols
    steps = {step.symbol: step for step in explain_view(network, View(1)).steps}
    assert [(o.symbol, o.cached) for o in steps["dA[1]"].operands] == [("dÃ[1]", False),
                                                                      ("D[1]", True)]
    assert [o.symbol for o in steps["dW[2]"].operands] == ["dZ[2]", "Ã[1]", "(λ/m) W[2]"]
    nielsen = builtin("nielsen")
    assert nielsen.rewrite("dÃ[1] = W[2]ᵀ dZ[2]") == "∂C_x/∂ã^{1} = w^{2}ᵀ δ^{2}"


def test_file_names_carry_the_regularisers():
    network = Network((2, 3, 2, 1), l2=0.1, keep_prob=0.8)
    assert network.tags == ("l2", "dropout") and network.at_inference().tags == ()
    assert file_stem(View(2, "example"), network_tags=network.tags,
                     values=True) == "backprop_to_layer_2_l2_dropout_example_values"
    assert Network().tags == ()
    # after the head and batch norm, in the order of model.TAGS
    both = Network((2, 3, 2, 3), output="softmax", batch_norm=True, l2=0.1, keep_prob=0.8)
    assert both.tags == ("softmax", "batchnorm", "l2", "dropout")
    assert both.at_inference().tags == ("softmax", "batchnorm")
    assert (RenderOptions(inference=True).file_stem(View(None), both)
            == "forward_softmax_batchnorm_inference")
    assert RenderOptions().file_stem(View(1, "example"), both) == \
        "backprop_to_layer_1_softmax_batchnorm_l2_dropout_example"


def test_check_json_reports_lambd_keep_prob_and_masks():
    runner = CliRunner()
    args = ["check", "--json", "--l2", "0.3", "--keep-prob", "0.7", "--seed", "5",
            "--output", "softmax"]
    first = json.loads(runner.invoke(cli, args).output)
    again = json.loads(runner.invoke(cli, args).output)
    assert first["lambd"] == 0.3 and first["keep_prob"] == 0.7 and first["ok"] is True
    assert set(first["masks"]) == {"D1", "D2"} and first["masks"] == again["masks"]
    assert np.array(first["masks"]["D1"]).shape == (3, 4)
    plain = json.loads(runner.invoke(cli, ["check", "--json"]).output)
    assert plain["lambd"] == 0.0 and plain["keep_prob"] == 1.0 and plain["masks"] == {}


def test_options_on_render_explain_and_spec(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["render", "--l2", "0.1", "--keep-prob", "0.8", "--to-layer", "2",
                                 "--format", "json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    graph = json.loads((tmp_path / "backprop_to_layer_2_l2_dropout.json").read_text("utf-8"))
    assert graph["graph"]["lambd"] == 0.1 and graph["graph"]["keep_prob"] == 0.8
    result = runner.invoke(cli, ["explain", "--keep-prob", "0.8", "--to-layer", "1"])
    assert "dA[1] = dÃ[1] ⊙ D[1] / keep_prob" in result.output
    spec = parse_spec("layers = [2, 3, 1]\nl2 = 0.2\nkeep_prob = 0.9\n").network
    assert (spec.l2, spec.keep_prob) == (0.2, 0.9)
    with pytest.raises(SpecError, match="'keep_prob' must be"):
        parse_spec('layers = [2, 3, 1]\nkeep_prob = "high"\n')
    (tmp_path / "net.toml").write_text("layers = [2, 3, 1]\n", encoding="utf-8")
    result = runner.invoke(cli, ["check", "--spec", str(tmp_path / "net.toml"), "--l2", "1"])
    assert result.exit_code == 2 and "drop --l2" in result.output


@pytest.mark.parametrize("args, message", [
    (["--l2", "-0.1"], "λ = -0.1 must be a finite number 0 or larger"),
    (["--l2", "nan"], "must be a finite number 0 or larger"),
    (["--keep-prob", "0"], "keep_prob = 0.0 must be a number above 0 and at most 1"),
    (["--keep-prob", "1.5"], "at most 1"),
    (["--keep-prob", "0.5", "--layers", "2,1"], "a network with L = 1 has none"),
])
def test_bad_values_are_one_line_exit_2(args, message):
    result = CliRunner().invoke(cli, ["check", *args])
    assert result.exit_code == 2 and message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    with pytest.raises(SpecError):
        Network((2, 3, 1), l2=-1.0)


def _arrays(m=5, seed=2):
    rng = np.random.default_rng(seed)
    return {"X": rng.standard_normal((2, m)), "Y": (rng.random((1, m)) > 0.5).astype(float),
            "W1": rng.standard_normal((3, 2)), "b1": np.zeros((3, 1)),
            "W2": rng.standard_normal((1, 3)), "b2": np.zeros((1, 1))}


def test_data_masks_from_the_file_or_drawn():
    arrays = _arrays()
    mask = np.array([[1, 0, 1, 1, 0], [1, 1, 1, 0, 1], [0, 1, 1, 1, 1]], dtype=float)
    given_masks = from_arrays({**arrays, "D1": mask}, keep_prob=0.8)
    assert np.array_equal(given_masks.problem.masks["D1"], mask)
    drawn = from_arrays(arrays, keep_prob=0.8, mask_seed=3)
    assert np.array_equal(drawn.problem.masks["D1"],
                          from_arrays(arrays, keep_prob=0.8, mask_seed=3).problem.masks["D1"])
    report = check(given_masks.network, data=given_masks)
    assert report.ok and np.array_equal(report.problem.masks["D1"], mask)
    for bad, message in ((mask * 0.5, "values other than 0 and 1"), (mask[:, :4], "has shape")):
        with pytest.raises(DataError, match=message):
            from_arrays({**arrays, "D1": bad}, keep_prob=0.8)
    with pytest.raises(DataError, match="there is no dropout"):
        from_arrays({**arrays, "D1": mask})


def test_training_step_0_is_checks_cost_and_each_run_is_the_same():
    data = from_arrays(_arrays(m=8), keep_prob=0.7, l2=0.2)
    report = check(data.network, data=data)
    run = train(data.network, data.problem, 5, 0.1)
    assert run.costs[0] == pytest.approx(report.cost, rel=1e-15)
    assert train(data.network, data.problem, 5, 0.1).costs == run.costs
    values = forward_values(data.network, data.problem)  # J = data cost + L2 cost
    assert values["fwd:J"] > values["fwd:data_cost"]


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_explain_latex_of_the_new_steps_is_ascii(granularity):
    from bpdiag.explanation import explain_text
    network = Network((2, 2, 2, 1), "tanh", l2=0.1, keep_prob=0.8)
    for view in all_views(network, granularity):
        tex = explain_text(network, view, "latex")
        assert tex.isascii(), [ch for ch in tex if not ch.isascii()]
        assert tex.count("{") == tex.count("}")
    tex = explain_text(network, View(1), "latex")
    assert r"dA^{[1]} &= d\tilde{A}^{[1]} \odot D^{[1]} / \mathrm{keep\_prob}" in tex
    assert r"\frac{1}{m} dZ^{[2]} \tilde{A}^{[1]T} + \frac{\lambda}{m} W^{[2]}" in tex
    forward = explain_text(network, View(None), "latex")
    assert r"\frac{\lambda}{2m} \sum_{l} \|W^{[l]}\|^{2}" in forward


@needs_dot
def test_graphml_of_both_is_schema_valid_and_sound(shared_dir):
    from bpdiag.diagrams import RenderOptions, render_view
    from yed_checks import parse, schema_errors, semantic_problems
    for granularity in ("batch", "unit"):
        network = Network((2, 2, 2, 1), l2=0.1, keep_prob=0.8)
        data = render_view(network, View(1, granularity), ("graphml",), RenderOptions())["graphml"]
        tree = parse(data)
        assert schema_errors(tree, shared_dir) == [] and semantic_problems(tree) == []
