"""bpdiag train: batch gradient descent as the course's L_layer_model, against a plain numpy loop."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import bpdiag
from bpdiag.cli import cli
from bpdiag.model import Network
from bpdiag.verify import random_problem
from test_data import save


def course_loop(x, y, params, steps, alpha, hidden="relu"):
    """L_layer_model's loop in plain numpy: forward, cost, backward, update."""
    params = {key: value.copy() for key, value in params.items()}
    depth, m = len(params) // 2, x.shape[1]
    g = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}[hidden]
    dg = {"relu": lambda z, a: (z > 0).astype(float), "tanh": lambda z, a: 1 - a ** 2}[hidden]
    costs = []
    for _ in range(steps):
        caches, a = [], x
        for l in range(1, depth + 1):
            z = params[f"W{l}"] @ a + params[f"b{l}"]
            caches.append((a, z))
            a = 1 / (1 + np.exp(-z)) if l == depth else g(z)
            caches[-1] += (a,)
        costs.append(float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)) / m))
        dz = a - y
        grads = {}
        for l in range(depth, 0, -1):
            prev, z, out = caches[l - 1]
            if l < depth:
                dz = da * dg(z, out)
            grads[f"dW{l}"] = dz @ prev.T / m
            grads[f"db{l}"] = np.sum(dz, axis=1, keepdims=True) / m
            da = params[f"W{l}"].T @ dz
        for l in range(1, depth + 1):
            params[f"W{l}"] -= alpha * grads[f"dW{l}"]
            params[f"b{l}"] -= alpha * grads[f"db{l}"]
    return costs, params


@pytest.mark.parametrize("sizes, hidden", [((3, 5, 4, 1), "relu"), ((2, 3, 1), "tanh"),
                                           ((4, 1), "relu")])
def test_train_follows_the_courses_loop(tmp_path, sizes, hidden):
    problem = random_problem(Network(sizes, hidden), 12, 5)
    path = save(tmp_path / "mine.npz", problem)
    result = run("train", "--data", path, "--hidden-activation", hidden, "--steps", "40",
                 "--learning-rate", "0.3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    costs, params = course_loop(problem.x, problem.y, problem.params, 40, 0.3, hidden)
    assert len(data["costs"]) == 40
    np.testing.assert_allclose(data["costs"], costs, rtol=1e-12)
    assert data["costs"][-1] < data["costs"][0]
    assert list(data["params"]) == list(params)
    for key, value in params.items():
        np.testing.assert_allclose(np.array(data["params"][key]), value, rtol=1e-10, atol=1e-14)
    # the first cost is that of the data as given, the one check prints
    assert data["costs"][0] == bpdiag.check(Network(sizes, hidden), data=path, numeric=False).cost


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_print_every_and_the_last_step(tmp_path):
    path = save(tmp_path / "mine.npz", random_problem(Network((2, 3, 1)), 6, 0))
    result = run("train", "--data", path, "--steps", "7", "--learning-rate", "0.1",
                 "--print-every", "3")
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.output.splitlines()] == [
        "cost after step 0", "cost after step 3", "cost after step 6"]


def test_save_writes_the_trained_parameters_the_same_bytes_each_time(tmp_path):
    problem = random_problem(Network((2, 3, 1)), 6, 0)
    path = save(tmp_path / "mine.npz", problem)
    runs = []
    for name in ("a.npz", "b.npz"):
        result = run("train", "--data", path, "--steps", "5", "--learning-rate", "0.1",
                     "--save", str(tmp_path / name), "--json")
        assert result.exit_code == 0, result.output
        runs.append((tmp_path / name).read_bytes())
    assert runs[0] == runs[1]
    trained = np.load(tmp_path / "a.npz", allow_pickle=False)
    reported = json.loads(result.output)["params"]
    assert sorted(trained.files) == ["W1", "W2", "b1", "b2"]
    for key in trained.files:
        assert trained[key].tolist() == reported[key]


def test_a_diverging_run_stops_in_one_line_and_saves_nothing(tmp_path):
    path = save(tmp_path / "mine.npz", random_problem(Network((2, 3, 1)), 6, 0))
    result = run("train", "--data", path, "--steps", "50", "--learning-rate", "1e6",
                 "--save", str(tmp_path / "out.npz"))
    assert result.exit_code == 1
    assert "lower it" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out.npz").exists()


@pytest.mark.parametrize("args, fragment", [
    (["--steps", "0", "--learning-rate", "0.1"], "steps = 0 must be"),
    (["--steps", "3", "--learning-rate", "-1"], "learning rate -1.0 must be a number above 0"),
    (["--steps", "3", "--learning-rate", "nan"], "learning rate nan"),
    (["--steps", "3", "--learning-rate", "0.1", "--save", "x.txt"], "does not end in .npz"),
])
def test_bad_settings_are_refused_before_training(tmp_path, args, fragment):
    path = save(tmp_path / "mine.npz", random_problem(Network((2, 1)), 3, 0))
    result = run("train", "--data", path, *args)
    assert result.exit_code == 2 and fragment in result.output


def test_train_in_python_leaves_the_data_unchanged():
    problem = random_problem(Network((3, 2, 1)), 5, 1)
    before = {key: value.copy() for key, value in problem.params.items()}
    arrays = {"X": problem.x, "Y": problem.y, **problem.params}
    result = bpdiag.train(arrays, 10, 0.05)
    costs, params = course_loop(problem.x, problem.y, before, 10, 0.05)
    np.testing.assert_allclose(result.costs, costs, rtol=1e-12)
    assert all(np.array_equal(problem.params[key], before[key]) for key in before)


@pytest.mark.skipif(not hasattr(__import__("os"), "openpty"), reason="needs a pseudo-terminal")
def test_a_progress_bar_on_a_terminal_only(tmp_path):
    import os
    import subprocess
    import sys

    path = save(tmp_path / "mine.npz", random_problem(Network((2, 3, 1)), 6, 0))
    command = [sys.executable, "-m", "bpdiag", "train", "--data", path, "--steps", "200",
               "--learning-rate", "0.1", "--json"]
    primary, secondary = os.openpty()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=secondary, timeout=120)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert done.returncode == 0
    assert b"training" in shown and b"100%" in shown
    assert len(json.loads(done.stdout)["costs"]) == 200       # stdout holds the JSON only
    piped = subprocess.run(command, capture_output=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == b""     # no bar when stderr is no terminal
