"""Batch normalisation (--batch-norm): its operations and rules (ops/batch_norm.py), checked
against finite differences and an independent numpy model, on every head, hidden activation and
the batch and example views; its place in the CLI, spec files, --data, training and drawings."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpdiag.cli import cli
from bpdiag.diagrams import RenderOptions, render_view
from bpdiag.execute import forward_values
from bpdiag.explanation.steps import explain_view
from bpdiag.graph import attrs as a
from bpdiag.graph import build_graph
from bpdiag.graph.ids import forward_id
from bpdiag.legend import build_legend
from bpdiag.model import BN_EPSILON, HIDDEN_ACTIVATIONS, OUTPUTS, Network, SpecError
from bpdiag.spec import parse_spec
from bpdiag.verify import check, random_problem
from bpdiag.views import View, all_views, file_stem
from conftest import needs_dot
from slide_fit import page_text_sizes, text_sizes

HEADS = {"sigmoid": (2, 3, 2, 1), "softmax": (2, 3, 2, 3), "linear": (2, 3, 2, 2)}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@st.composite
def networks(draw, regularised: bool = False) -> Network:
    """Batch-normed networks; `regularised`: with L2, dropout or both as well."""
    output = draw(st.sampled_from(OUTPUTS))
    depth = draw(st.integers(2, 4))  # at least one hidden layer to normalise
    hidden = [draw(st.integers(1, 3)) for _ in range(depth)]
    last = {"sigmoid": 1, "softmax": draw(st.integers(2, 3)), "linear": draw(st.integers(1, 3))}
    l2, keep = (draw(st.sampled_from([(0.1, 1.0), (0.0, 0.7), (0.7, 0.8), (3.0, 0.5)]))
                if regularised else (0.0, 1.0))
    return Network(tuple(hidden) + (last[output],), draw(st.sampled_from(HIDDEN_ACTIVATIONS)),
                   draw(st.floats(0.01, 0.5)), output, batch_norm=True, l2=l2, keep_prob=keep)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.sampled_from(("batch", "example")), st.integers(2, 5), st.integers(0, 5))
def test_batch_norm_gradients_equal_finite_differences(network, granularity, m, seed):
    checked_with_batch_norm(network, m, seed, granularity)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(regularised=True), st.sampled_from(("batch", "example")), st.integers(3, 5),
       st.integers(0, 3))
def test_batch_norm_with_l2_and_dropout_gradients_equal_finite_differences(network, granularity,
                                                                           m, seed):
    report = checked_with_batch_norm(network, m, seed, granularity)
    hidden = range(1, network.depth)
    assert set(report.problem.masks) == ({f"D{l}" for l in hidden} if network.dropout else set())


def checked_with_batch_norm(network: Network, m: int, seed: int, granularity: str):
    """check's report, asserted to pass with γ, β checked on the hidden layers."""
    report = check(network, m=m, seed=seed, view=granularity)
    assert report.views_agree
    assert all(report.verdict(key) != "fail" for key in report.errors), report.errors
    assert report.ok
    hidden = range(1, network.depth)
    # γ, β are checked on every hidden layer, which has no b; the output layer keeps its b
    assert {f"dgamma{l}" for l in hidden} | {f"dbeta{l}" for l in hidden} <= set(report.errors)
    assert not any(f"db{l}" in report.grads for l in hidden)
    assert f"db{network.depth}" in report.errors
    return report


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_every_head_and_activation_passes_with_batch_norm(output, activation):
    for granularity in ("batch", "example"):
        report = check(Network(HEADS[output], activation, output=output, batch_norm=True),
                       m=4, seed=1, view=granularity)
        assert report.ok, (output, activation, granularity, report.errors)
        assert max(report.errors.values()) < 1e-6


def plain_batch_norm(x, y, params, depth):
    """The forward pass and back-propagation of a batch-normed sigmoid network in plain numpy
    (Ioffe & Szegedy's equations), apart from bpdiag's graphs."""
    m = x.shape[1]
    relu = lambda z: np.maximum(z, 0)  # noqa: E731
    cache, a_prev = [], x
    for l in range(1, depth + 1):
        z = params[f"W{l}"] @ a_prev
        if l < depth:
            mu = z.mean(axis=1, keepdims=True)
            var = ((z - mu) ** 2).mean(axis=1, keepdims=True)
            norm = (z - mu) / np.sqrt(var + BN_EPSILON)
            tilde = params[f"gamma{l}"] * norm + params[f"beta{l}"]
            a_l = relu(tilde)
            cache.append((a_prev, z, mu, var, norm, tilde))
        else:
            z = z + params[f"b{l}"]
            a_l = 1 / (1 + np.exp(-z))
            cache.append((a_prev, z))
        a_prev = a_l
    cost = -np.mean(y * np.log(a_l) + (1 - y) * np.log(1 - a_l))
    grads = {}
    dz = a_l - y
    for l in range(depth, 0, -1):
        a_in = cache[l - 1][0]
        if l < depth:
            _, z, mu, var, norm, tilde = cache[l - 1]
            dtilde = da * (tilde > 0)
            grads[f"dgamma{l}"] = np.sum(dtilde * norm, axis=1, keepdims=True) / m
            grads[f"dbeta{l}"] = np.sum(dtilde, axis=1, keepdims=True) / m
            # the compact form of the paper's chain: (1/√(σ²+ε)) (dẑ − mean dẑ − ẑ mean(dẑ ẑ))
            dnorm = dtilde * params[f"gamma{l}"]
            dz = (dnorm - dnorm.mean(axis=1, keepdims=True)
                  - norm * (dnorm * norm).mean(axis=1, keepdims=True)) / np.sqrt(var + BN_EPSILON)
        else:
            grads[f"db{l}"] = np.sum(dz, axis=1, keepdims=True) / m
        grads[f"dW{l}"] = dz @ a_in.T / m
        da = params[f"W{l}"].T @ dz
    return cost, grads


@pytest.mark.parametrize("granularity", ["batch", "example"])
def test_the_graphs_equal_an_independent_numpy_model(granularity):
    network = Network((3, 4, 3, 1), "relu", batch_norm=True)
    problem = random_problem(network, 6, 2)
    cost, grads = plain_batch_norm(problem.x, problem.y, problem.params, network.depth)
    report = check(network, m=6, seed=2, view=granularity)
    assert report.cost == pytest.approx(cost, rel=1e-12)
    assert set(report.grads) == set(grads)
    for key, value in grads.items():
        np.testing.assert_allclose(report.grads[key], value, rtol=1e-9, atol=1e-12, err_msg=key)


def test_the_backward_pass_is_the_papers_chain_step_by_step():
    network = Network(batch_norm=True)
    graph = build_graph(network, View(2))
    steps = [step.symbol for step in explain_view(network, View(2)).steps]
    layer2 = steps[steps.index("dA[2]"):]
    assert layer2 == ["dA[2]", "g[2]'(Z̃[2])", "dZ̃[2]", "dγ[2]", "dβ[2]", "dZ_norm[2]", "dσ²[2]",
                      "dμ[2]", "dZ[2]", "dW[2]"]
    # each a node with its formula and shape
    for node, shape in [("bwd:L2:dZtilde", ["n[2]", "m"]), ("bwd:L2:dgamma", ["n[2]", "1"]),
                        ("bwd:L2:dbeta", ["n[2]", "1"]), ("bwd:L2:dZnorm", ["n[2]", "m"]),
                        ("bwd:L2:dsigma2", ["n[2]", "1"]), ("bwd:L2:dmu", ["n[2]", "1"]),
                        ("bwd:L2:dZ", ["n[2]", "m"])]:
        assert graph.nodes[node][a.SHAPE] == shape
        assert graph.nodes[node][a.FORMULA].startswith(graph.nodes[node][a.SYMBOL] + " = ")
    assert "bwd:L2:db" not in graph and "fwd:L2:b" not in graph
    assert graph.nodes["bwd:L2:dZ"][a.FORMULA] == (
        "dZ[2] = dZ_norm[2] / √(σ²[2] + ε) + 2 dσ²[2] ⊙ (Z[2] − μ[2]) + dμ[2]")


def test_the_forward_pass_caches_what_the_statistics_rules_read():
    network = Network(batch_norm=True)
    forward = build_graph(network, View(None))
    cached = {node: data[a.CACHED_FOR] for node, data in forward.nodes(data=True)
              if data.get(a.CACHED)}
    for layer in (1, 2):
        for name in ("Z", "mu", "sigma2"):
            assert cached[forward_id(name, layer)] == [f"dσ²[{layer}]", f"dμ[{layer}]",
                                                       f"dZ[{layer}]"]
        assert cached[forward_id("Znorm", layer)] == [f"dγ[{layer}]"]
        assert cached[forward_id("Ztilde", layer)] == [f"dZ̃[{layer}]"]
    assert forward.nodes["fwd:L1:Z"][a.FORMULA] == "Z[1] = W[1] X"  # no b[1]
    assert forward.nodes["fwd:L1:A"][a.FORMULA] == "A[1] = ReLU(Z̃[1])"


def test_inference_draws_the_running_averages_as_given_inputs():
    network = Network(batch_norm=True)
    graph = build_graph(network, View(None), inference=True)
    for layer in (1, 2):
        for name in ("mu", "sigma2"):
            node = forward_id(name, layer)
            assert graph.nodes[node][a.KIND] == a.DATA
            assert not any(True for _ in graph.predecessors(node))  # given, not computed
    legend = build_legend(graph, version="0", network_text=network.describe(), title=None,
                          license=None)
    assert any("running averages" in fact for fact in legend.facts)
    training = build_legend(build_graph(network, View(1)), version="0",
                            network_text=network.describe(), title=None, license=None)
    forward = build_legend(build_graph(network, View(None)), version="0",
                           network_text=network.describe(), title=None, license=None)
    symbols = {row[0] for row in training.notation + forward.notation}
    assert {"μ[l]", "σ²[l]", "Z_norm[l]", "Z̃[l]", "γ[l]", "β[l]", "dZ̃[l]", "dγ[l]", "dβ[l]",
            "dZ_norm[l]", "dσ²[l]", "dμ[l]"} <= symbols
    assert any(op == "ε" for op, _ in training.operators)


def test_the_example_view_shares_the_statistics_over_the_examples():
    network = Network(batch_norm=True)
    graph = build_graph(network, View(1, "example"))
    assert graph.nodes["fwd:L1:mu"][a.SHAPE] == ["n[1]", "1"]
    assert graph.nodes["fwd:L1:znorm"][a.SYMBOL] == "z_norm[1]"
    assert graph.nodes["bwd:L1:dgamma"][a.FORMULA] == "dγ[1] = (1/m) Σᵢ dz̃[1](i) ⊙ z_norm[1](i)"
    values = forward_values(network, random_problem(network, 4, 0), "example")
    assert not isinstance(values["fwd:L1:mu"], tuple)       # one value for all m examples
    assert isinstance(values["fwd:L1:znorm"], tuple) and len(values["fwd:L1:znorm"]) == 4


def test_the_unit_view_refuses_batch_norm_in_one_line():
    with pytest.raises(SpecError, match="--view example"):
        build_graph(Network(batch_norm=True), View(None, "unit"))
    result = run("render", "--batch-norm", "--view", "unit", "--format", "json")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "couple the m examples" in result.output


def test_networks_without_hidden_layers_or_with_one_example_are_refused():
    with pytest.raises(SpecError, match="add a hidden layer"):
        Network((2, 1), batch_norm=True)
    with pytest.raises(SpecError, match="at least 2 examples"):
        check(Network(batch_norm=True), m=1)


def test_the_same_seed_draws_the_same_weights_with_and_without_batch_norm():
    plain = random_problem(Network(), 4, 3)
    normed = random_problem(Network(batch_norm=True), 4, 3)
    np.testing.assert_array_equal(plain.x, normed.x)
    for key in ("W1", "W2", "W3", "b3"):
        np.testing.assert_array_equal(plain.params[key], normed.params[key])
    assert list(normed.params) == ["W1", "gamma1", "beta1", "W2", "gamma2", "beta2", "W3", "b3"]


def test_check_json_names_the_course_parameters_and_epsilon():
    result = run("check", "--batch-norm", "--json", "--seed", "2")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["batch_norm"] is True and report["bn_epsilon"] == BN_EPSILON
    assert list(report["params"]) == ["W1", "gamma1", "beta1", "W2", "gamma2", "beta2", "W3", "b3"]
    assert {"dgamma1", "dbeta1", "dgamma2", "dbeta2"} <= set(report["numeric_grads"])
    assert all(report["passed"].values())
    assert "db1" not in report["grads"] and "dgamma1" in report["grads"]
    assert {"mu1", "var1", "Znorm1", "Ztilde1"} <= set(report["forward"])
    plain = json.loads(run("check", "--json").output)
    assert "bn_epsilon" not in plain and "batch_norm" not in plain


def test_data_with_gamma_and_beta_gives_the_seeded_json(tmp_path):
    network = Network(batch_norm=True)
    problem = random_problem(network, 4, 1)
    path = tmp_path / "mine.npz"
    np.savez(path, X=problem.x, Y=problem.y, **problem.params)
    given = json.loads(run("check", "--batch-norm", "--data", str(path), "--json").output)
    seeded = json.loads(run("check", "--batch-norm", "--seed", "1", "--json").output)
    for key in ("params", "cost", "grads", "numeric_grads", "forward"):
        assert given[key] == seeded[key], key
    without = run("check", "--data", str(path))
    assert without.exit_code == 2 and "add --batch-norm" in without.output
    with_b = tmp_path / "b.npz"
    np.savez(with_b, X=problem.x, Y=problem.y, b1=np.zeros((3, 1)), **problem.params)
    refused = run("check", "--batch-norm", "--data", str(with_b))
    assert refused.exit_code == 2 and "beta1 takes the place of b1" in refused.output


def test_train_steps_gamma_and_beta_by_the_graphs_gradients(tmp_path):
    network = Network(batch_norm=True)
    problem = random_problem(network, 5, 0)
    path = tmp_path / "mine.npz"
    np.savez(path, X=problem.x, Y=problem.y, **problem.params)
    result = run("train", "--batch-norm", "--data", str(path), "--steps", "1",
                 "--learning-rate", "0.5", "--json")
    assert result.exit_code == 0, result.output
    trained = json.loads(result.output)["params"]
    grads = check(network, m=5, seed=0, numeric=False).grads
    for key, value in problem.params.items():
        np.testing.assert_allclose(trained[key], value - 0.5 * grads[f"d{key}"], rtol=1e-12)


def test_spec_key_batch_norm():
    spec = parse_spec("layers = [2, 3, 1]\nbatch_norm = true\n")
    assert spec.network.batch_norm
    with pytest.raises(SpecError, match="batch_norm = true"):
        parse_spec('layers = [2, 3, 1]\nbatch_norm = "yes"\n')


def test_file_names_carry_the_batchnorm_suffix(tmp_path):
    tags = Network(batch_norm=True).tags
    assert tags == ("batchnorm",)
    assert Network((2, 3, 3), output="softmax", batch_norm=True).tags == ("softmax", "batchnorm")
    assert file_stem(View(2), network_tags=tags) == "backprop_to_layer_2_batchnorm"
    assert (file_stem(View(None, "example"), inference=True, network_tags=tags)
            == "forward_batchnorm_example_inference")
    result = run("render", "--batch-norm", "--format", "json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [f"{view.name}_batchnorm.json" for view in sorted(
        all_views(Network(batch_norm=True)), key=lambda view: f"{view.name}_batchnorm.json")]


def test_values_at_inference_are_refused_for_batch_norm(tmp_path):
    result = run("render", "--batch-norm", "--inference", "--values", "--format", "json",
                 "--out", str(tmp_path))
    assert result.exit_code == 2 and "running averages" in result.output
    assert not any(tmp_path.iterdir())
    drawn = run("render", "--batch-norm", "--to-layer", "1", "--values", "--format", "json",
                "--out", str(tmp_path))
    assert drawn.exit_code == 0, drawn.output
    graph = json.loads((tmp_path / "backprop_to_layer_1_batchnorm_values.json").read_text())
    nodes = {node["id"]: node for node in graph["nodes"]}
    assert nodes["bwd:L1:dgamma"]["check"]["passed"]


@needs_dot
def test_the_gallery_diagrams_keep_their_measured_text_sizes():
    """README's figures for the batch-norm gallery: the forward pass and back-propagation to
    layer 2 read on a slide (rows), and these and back-propagation to layer 1 on the page
    (column), like the default network's diagrams."""
    network = Network(batch_norm=True)
    for view in (View(None), View(2), View(1)):
        svg = render_view(network, view, ("svg",), RenderOptions(layout="column"))["svg"]
        smallest, median = page_text_sizes(svg)
        assert smallest >= 6.0 and median >= 10.0, (view.stem, smallest, median)
    for view in (View(None), View(2)):
        smallest, median = text_sizes(render_view(network, view, ("svg",), RenderOptions())["svg"])
        assert smallest >= 6.0 and median >= 10.0, (view.stem, smallest, median)
