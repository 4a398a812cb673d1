"""check and render --values on the learner's own X, Y and parameters (--data FILE.npz)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import bpdiag
from bpdiag.cli import cli
from bpdiag.model import Network
from bpdiag.verify import random_problem


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def save(path, problem, **extra):
    np.savez(path, X=problem.x, Y=problem.y, **problem.params, **extra)
    return str(path)


def course_model(x, y, params, hidden="relu"):
    """The course's L_model_forward / L_model_backward in plain numpy, apart from bpdiag."""
    depth = len(params) // 2
    g = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}[hidden]
    dg = {"relu": lambda z, a: (z > 0).astype(float), "tanh": lambda z, a: 1 - a ** 2}[hidden]
    values, a = {}, x
    for l in range(1, depth + 1):
        z = params[f"W{l}"] @ a + params[f"b{l}"]
        a = 1 / (1 + np.exp(-z)) if l == depth else g(z)
        values[f"Z{l}"], values[f"A{l}"] = z, a
    m = x.shape[1]
    values["cost"] = -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)) / m
    da = -(np.divide(y, a) - np.divide(1 - y, 1 - a))
    for l in range(depth, 0, -1):
        values[f"dA{l}"] = da
        a_l, z_l = values[f"A{l}"], values[f"Z{l}"]
        dz = da * a_l * (1 - a_l) if l == depth else da * dg(z_l, a_l)
        prev = x if l == 1 else values[f"A{l - 1}"]
        values[f"dZ{l}"] = dz
        values[f"dW{l}"] = dz @ prev.T / m
        values[f"db{l}"] = np.sum(dz, axis=1, keepdims=True) / m
        da = params[f"W{l}"].T @ dz
    values["dA0"] = da
    return values


@pytest.mark.parametrize("sizes, hidden, m, seed, view", [
    ((2, 3, 2, 1), "relu", 4, 0, "batch"),
    ((3, 4, 1), "tanh", 5, 3, "batch"),
    ((2, 3, 2, 1), "relu", 3, 2, "example"),
    ((2, 1), "relu", 6, 1, "batch"),
])
def test_data_gives_the_same_json_as_the_seeded_path(tmp_path, sizes, hidden, m, seed, view):
    problem = random_problem(Network(sizes, hidden), m, seed)
    path = save(tmp_path / "mine.npz", problem)
    layers = ",".join(map(str, sizes))
    seeded = run("check", "--json", "--layers", layers, "--hidden-activation", hidden, "--m",
                 str(m), "--seed", str(seed), "--view", view)
    given = run("check", "--json", "--data", path, "--hidden-activation", hidden, "--view", view)
    assert seeded.exit_code == 0 and given.exit_code == 0, given.output
    seeded, given = json.loads(seeded.output), json.loads(given.output)
    assert given.pop("seed") is None and seeded.pop("seed") == seed
    assert given.pop("data") == path and seeded.pop("data") is None
    assert given == seeded


def test_forward_and_gradients_are_the_courses_at_full_precision(tmp_path):
    rng = np.random.default_rng(7)
    sizes, m = (5, 4, 3, 1), 6
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.standard_normal((sizes[l], sizes[l - 1])) * 0.8
        params[f"b{l}"] = rng.standard_normal((sizes[l], 1)) * 0.1
    x, y = rng.standard_normal((sizes[0], m)), (rng.random((1, m)) > 0.5).astype(int)
    np.savez(tmp_path / "mine.npz", X=x, Y=y, **params)
    result = run("check", "--json", "--data", str(tmp_path / "mine.npz"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data["forward"]) == ["Z1", "A1", "Z2", "A2", "Z3", "A3"]
    assert list(data["grads"]) == ["dA3", "dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2",
                                   "dA1", "dZ1", "dW1", "db1", "dA0"]
    expected = course_model(x, y, params)
    for key, value in {**data["forward"], **data["grads"]}.items():
        np.testing.assert_allclose(np.array(value), expected[key], rtol=1e-12, atol=1e-15)
    assert data["cost"] == pytest.approx(expected["cost"], rel=1e-14)
    # every digit of float64 survives the JSON: the numbers read back are bpdiag's own
    report = bpdiag.check(data=str(tmp_path / "mine.npz"))
    assert data["forward"]["A3"] == report.forward["A3"].tolist()
    assert data["grads"]["dA0"] == report.backward["dA0"].tolist()
    assert data["X"] == x.tolist() and data["Y"] == y.astype(float).tolist()


def test_every_mismatch_is_one_line_naming_key_and_shapes(tmp_path):
    problem = random_problem(Network((2, 3, 2, 1)), 4, 0)
    p = problem.params
    np.savez(tmp_path / "bad.npz", X=problem.x, Y=problem.y[:, :3], W1=p["W1"],
             b1=p["b1"].ravel(), W2=p["W2"], b2=p["b2"], W3=np.where(True, np.nan, p["W3"]),
             cost=np.array(1.0))
    result = CliRunner().invoke(cli, ["check", "--data", str(tmp_path / "bad.npz")])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    source = str(tmp_path / "bad.npz")
    assert lines == [
        f"bpdiag: error: {source}: unexpected key cost (shape ()); the file holds X, Y, W1, b1, "
        "…, W3, b3 only",
        f"bpdiag: error: {source}: Y has shape (1, 3); needed (n[L], m) = (1, 4)",
        f"bpdiag: error: {source}: b1 has shape (3,); needed (n[1], 1) = (3, 1)",
        f"bpdiag: error: {source}: W3 (shape (1, 2), as needed) holds NaN in 2 entries, the first "
        "at (0, 0); needed finite numbers",
        f"bpdiag: error: {source}: no key b3; needed b3 of shape (n[3], 1) = (1, 1)",
    ]


def test_w_shapes_that_do_not_chain_name_both_shapes(tmp_path):
    problem = random_problem(Network((2, 3, 1)), 4, 0)
    params = dict(problem.params, W2=np.ones((1, 4)))
    np.savez(tmp_path / "m.npz", X=problem.x, Y=problem.y, **params)
    result = run("check", "--data", str(tmp_path / "m.npz"))
    assert result.exit_code == 2
    assert "W2 has shape (1, 4); needed (n[2], n[1]) = (1, 3)" in result.output


@pytest.mark.parametrize("contents, fragment", [
    (b"not a zip file at all", "is not an .npz file"),
    (None, "holds one array (.npy), not named arrays"),
])
def test_a_file_that_is_not_an_npz_is_one_line(tmp_path, contents, fragment):
    path = tmp_path / "mine.npz"
    if contents is None:
        with open(path, "wb") as handle:
            np.save(handle, np.zeros(3))
    else:
        path.write_bytes(contents)
    result = run("check", "--data", str(path))
    assert result.exit_code == 2
    assert fragment in result.output and len(result.output.splitlines()) == 1


def test_pickled_objects_are_never_loaded(tmp_path):
    problem = random_problem(Network((2, 1)), 3, 0)
    path = save(tmp_path / "mine.npz", problem, note=np.array([{"a": 1}], dtype=object))
    result = run("check", "--data", path)
    assert result.exit_code == 2
    assert "key note cannot be read" in result.output and len(result.output.splitlines()) == 1


def test_labels_other_than_0_and_1_are_computed_as_written_with_a_warning(tmp_path):
    problem = random_problem(Network((2, 3, 1)), 4, 1)
    problem.y[0, :] = [0.2, 1.0, 0.0, 0.7]
    path = save(tmp_path / "mine.npz", problem)
    result = CliRunner().invoke(cli, ["check", "--json", "--data", path])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"bpdiag: warning: {path}: Y holds 2 value(s) other than 0 and 1 (e.g. 0.2); computed "
        "as written"]
    data = json.loads(result.stdout)
    expected = course_model(problem.x, problem.y, problem.params)
    assert data["cost"] == pytest.approx(expected["cost"], rel=1e-14)
    assert data["ok"] is True


def test_layers_given_must_agree_with_the_w_shapes(tmp_path):
    path = save(tmp_path / "mine.npz", random_problem(Network((2, 3, 1)), 4, 0))
    assert run("check", "--data", path, "--layers", "2,3,1").exit_code == 0
    result = run("check", "--data", path, "--layers", "2,4,1")
    assert result.exit_code == 2
    assert "the W shapes give layers 2,3,1 but the layers given are 2,4,1" in result.output


def test_an_output_layer_of_two_units_is_refused(tmp_path):
    problem = random_problem(Network((2, 3, 1)), 4, 0)
    params = dict(problem.params, W2=np.ones((2, 3)), b2=np.zeros((2, 1)))
    np.savez(tmp_path / "m.npz", X=problem.x, Y=problem.y, **params)
    result = run("check", "--data", str(tmp_path / "m.npz"))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"bpdiag: error: {tmp_path / 'm.npz'}: the W shapes give layers 2,3,2: its output layer "
        "has n[2] = 2 units, and the sigmoid output takes 1; add --output softmax (2 classes) "
        "or --output linear"]


def test_seed_and_m_cannot_go_with_data(tmp_path):
    path = save(tmp_path / "mine.npz", random_problem(Network((2, 1)), 3, 0))
    result = run("check", "--data", path, "--m", "3")
    assert result.exit_code == 2 and "drop --m" in result.output


def test_a_saturated_output_is_one_line(tmp_path):
    problem = random_problem(Network((2, 1)), 3, 0)
    problem.params["W1"][:] = 1e4
    result = run("check", "--data", save(tmp_path / "mine.npz", problem))
    assert result.exit_code == 2
    assert "A[1] reaches exactly 0 or 1" in result.output
    assert len(result.output.splitlines()) == 1


def test_an_assignment_sized_network_is_checked_analytically(tmp_path):
    """The course's 12288, 20, 7, 5, 1 network on 209 cat pictures: too large for finite
    differences, checked without them in seconds."""
    rng = np.random.default_rng(0)
    sizes, m = (12288, 20, 7, 5, 1), 209
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.standard_normal((sizes[l], sizes[l - 1])) / np.sqrt(sizes[l - 1])
        params[f"b{l}"] = np.zeros((sizes[l], 1))
    x, y = rng.random((sizes[0], m)), (rng.random((1, m)) > 0.5).astype(np.int64)
    np.savez(tmp_path / "cat.npz", X=x, Y=y, **params)
    refused = run("check", "--data", str(tmp_path / "cat.npz"))
    assert refused.exit_code == 2 and "add --no-numeric" in refused.output
    result = run("check", "--data", str(tmp_path / "cat.npz"), "--no-numeric")
    assert result.exit_code == 0, result.output
    assert "dW1       (20, 12288)" in result.output
    report = bpdiag.check(data=str(tmp_path / "cat.npz"), numeric=False)
    expected = course_model(x, y, params)
    for key in ("dW1", "db1", "dW4", "dA0"):
        np.testing.assert_allclose(report.backward[key], expected[key], rtol=1e-9, atol=1e-15)
    assert report.ok and not report.numeric_checked and report.numeric == {}


def test_render_values_draws_the_datas_numbers(tmp_path):
    problem = random_problem(Network((2, 3, 2, 1)), 5, 4)
    path = save(tmp_path / "mine.npz", problem)
    result = run("render", "--values", "--data", path, "--to-layer", "1", "--format", "json",
                 "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    graph = json.loads((tmp_path / "o" / "backprop_to_layer_1_values.json").read_text())
    nodes = {node["id"]: node for node in graph["nodes"]}
    report = bpdiag.check(data=path)
    assert nodes["fwd:L2:A"]["value"] == report.forward["A2"].tolist()
    assert nodes["bwd:L1:dW"]["value"] == report.backward["dW1"].tolist()
    assert nodes["bwd:L1:dW"]["check"]["verdict"] == "pass"
    assert graph["graph"]["values_m"] == 5 and graph["graph"]["values_data"] == path
    without = run("render", "--data", path, "--format", "json", "--out", str(tmp_path / "p"))
    assert without.exit_code == 2 and "add --values" in without.output
    assert not (tmp_path / "p").exists()


def test_the_api_takes_a_mapping_and_warns_about_labels():
    problem = random_problem(Network((3, 2, 1)), 4, 0)
    arrays = {"X": problem.x, "Y": np.array([[0, 1, 0.5, 1]]), **problem.params}
    with pytest.warns(UserWarning, match="other than 0 and 1"):
        report = bpdiag.check(data=arrays)
    assert report.source == "data" and report.m == 4 and report.network.sizes == (3, 2, 1)
    with pytest.raises(bpdiag.InputError, match="layers given are 3,4,1"):
        bpdiag.check((3, 4, 1), data={**arrays, "Y": problem.y})


def test_central_differences_across_a_relu_kink_are_left_out(tmp_path):
    """Zero biases (the course's initialisation) and an example that switches every unit of
    layer 1 off put Z[2] of that example exactly at the kink: bumping b[2] crosses it, so db2
    cannot be checked by central differences; the others still are."""
    rng = np.random.default_rng(2)
    params = {"W1": np.abs(rng.standard_normal((3, 2))), "b1": np.zeros((3, 1)),
              "W2": rng.standard_normal((2, 3)), "b2": np.zeros((2, 1)),
              "W3": rng.standard_normal((1, 2)), "b3": np.zeros((1, 1))}
    x = np.abs(rng.standard_normal((2, 5)))
    x[:, 0] = -1.0                                   # example 1: W1 x < 0 for every unit
    y = np.array([[1, 0, 1, 1, 0]])
    np.savez(tmp_path / "mine.npz", X=x, Y=y, **params)
    result = run("check", "--json", "--data", str(tmp_path / "mine.npz"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verdict"]["db2"] == "kink" and data["left_out_at_kinks"] == {"db2": 2}
    assert all(data["verdict"][key] == "pass" for key in ("dW1", "db1", "dW2", "dW3", "db3"))
    table = run("check", "--data", str(tmp_path / "mine.npz")).output
    assert "db2       (2, 1)  " in table and "at a ReLU kink, not checked" in table


def test_loaded_data_takes_the_networks_activation_in_python(tmp_path):
    problem = random_problem(Network((2, 3, 1), "tanh"), 4, 0)
    data = bpdiag.load_data(save(tmp_path / "mine.npz", problem))
    assert data.network.hidden_activation == "relu"
    tanh = bpdiag.check(Network((2, 3, 1), "tanh"), data=data)
    seeded = bpdiag.check(Network((2, 3, 1), "tanh"), m=4, seed=0)
    assert tanh.cost == seeded.cost and tanh.network.hidden_activation == "tanh"
    with pytest.raises(bpdiag.InputError, match="does not have the data's layers 2,3,1"):
        bpdiag.check((2, 4, 1), data=data)


def test_a_file_unpacking_past_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    import bpdiag.npzdata

    path = save(tmp_path / "mine.npz", random_problem(Network((2, 3, 1)), 4, 0))
    monkeypatch.setattr(bpdiag.npzdata, "MAX_DATA_BYTES", 100)
    result = run("check", "--data", path)
    assert result.exit_code == 2 and "more than the" in result.output and "give fewer" in result.output


def test_more_w_than_layers_allowed_is_one_line(tmp_path):
    np.savez(tmp_path / "deep.npz", X=np.zeros((2, 3)), Y=np.zeros((1, 3)), W500=np.ones((1, 1)))
    result = run("check", "--data", str(tmp_path / "deep.npz"))
    assert result.exit_code == 2 and len(result.output.splitlines()) == 1
    assert "more than the 100 layers" in result.output


# --- the output heads on given data ------------------------------------------------------------

def test_data_takes_the_output_head_and_its_sizes_from_the_w_shapes(tmp_path):
    """--output softmax with --data needs no --layers (the default's 2,3,2,1 ends in one unit,
    which a softmax refuses): the sizes are the file's; the JSON is computed on its values."""
    network = Network((2, 4, 3), output="softmax")
    problem = random_problem(network, 5, 1)
    path = save(tmp_path / "soft.npz", problem)
    result = run("check", "--data", path, "--output", "softmax", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["output"] == "softmax" and data["layers"] == [2, 4, 3] and data["ok"] is True
    assert np.array_equal(np.array(data["Y"]), problem.y)
    seeded = json.loads(run("check", "--layers", "2,4,3", "--output", "softmax", "--m", "5",
                            "--seed", "1", "--json").stdout)
    assert data["cost"] == seeded["cost"] and data["grads"]["dW1"] == seeded["grads"]["dW1"]
    assert "warning" not in result.stderr


def test_label_warnings_follow_the_output_head(tmp_path):
    linear = random_problem(Network((2, 3, 1), output="linear"), 5, 0)
    assert np.any((linear.y != 0) & (linear.y != 1))      # real-valued targets
    result = run("check", "--data", save(tmp_path / "lin.npz", linear), "--output", "linear")
    assert result.exit_code == 0 and "warning" not in result.stderr, result.output
    # the same targets under a sigmoid are labels other than 0 and 1: computed, with a warning
    result = run("check", "--data", save(tmp_path / "lin.npz", linear), "--no-numeric")
    assert "Y holds 5 value(s) other than 0 and 1" in result.stderr
    soft = random_problem(Network((2, 3, 3), output="softmax"), 4, 0)
    soft.y[:, 2] = [0.5, 0.5, 0]                            # class probabilities: computed as written
    result = run("check", "--data", save(tmp_path / "s.npz", soft), "--output", "softmax")
    assert result.exit_code == 0, result.output
    assert "Y holds 2 value(s) other than 0 and 1" in result.stderr
    soft.y[:, 0] = [1, 1, 0]                                # two classes for one example: refused
    result = run("check", "--data", save(tmp_path / "s.npz", soft), "--output", "softmax",
                 "--no-numeric")
    assert result.exit_code == 2, result.output
    assert ("Y has 1 column(s) that do not sum to 1 (column 0 sums to 2); a softmax's labels "
            "are one-hot over the 3 classes") in result.stderr


def test_softmax_without_layers_draws_the_default_with_three_classes(tmp_path):
    result = run("render", "--output", "softmax", "--forward", "--format", "json",
                 "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "forward_softmax.json").read_text())["graph"]["layers"] == [2, 3, 2, 3]
