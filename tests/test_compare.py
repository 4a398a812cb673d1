"""check --compare MINE.npz: the learner's values against bpdiag's, one line per name."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import bpdiag
from bpdiag.cli import cli
from bpdiag.model import Network
from bpdiag.verify import random_problem
from test_data import course_model, save


@pytest.fixture
def learner(tmp_path):
    """A learner's data file and the values their own (correct) notebook code computes."""
    problem = random_problem(Network((3, 4, 2, 1)), 5, 3)
    path = save(tmp_path / "mine.npz", problem)
    return path, course_model(problem.x, problem.y, problem.params), tmp_path


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_a_learners_correct_values_agree(learner):
    path, values, tmp = learner
    np.savez(tmp / "grads.npz", AL=values["A3"], cost=values["cost"], dAL=values["dA3"],
             **{key: values[key] for key in ("dW2", "db1", "dA1", "dZ2", "dA0", "Z1")})
    result = run("check", "--data", path, "--compare", str(tmp / "grads.npz"))
    assert result.exit_code == 0, result.output
    lines = result.output.split(f"compared with {tmp / 'grads.npz'}:\n")[1].splitlines()
    names = [line.split()[0] for line in lines[:-1]]
    assert names == ["Z1", "AL", "cost", "dAL", "dZ2", "dW2", "dA1", "db1", "dA0"]
    assert all(line.endswith("agrees") for line in lines[:-1])
    assert lines[-1] == "ok: all 9 agree with bpdiag's values"


def test_a_planted_error_is_caught_and_named(learner):
    path, values, tmp = learner
    wrong = values["dW2"].copy()
    wrong[1, 2] += 1e-4                       # one entry off
    np.savez(tmp / "grads.npz", AL=values["A3"], dW2=wrong, db1=values["db1"].ravel(),
             dA1=values["dA1"])
    result = run("check", "--data", path, "--compare", str(tmp / "grads.npz"))
    assert result.exit_code == 1
    lines = {line.split()[0]: line for line in result.output.splitlines()
             if line.split() and line.split()[0] in ("AL", "dW2", "db1", "dA1")}
    assert lines["AL"].endswith("agrees") and lines["dA1"].endswith("agrees")
    assert "largest difference 1.00e-04" in lines["dW2"] and lines["dW2"].endswith("DIFFERS")
    assert "shape (4,), needed (4, 1)" in lines["db1"] and lines["db1"].endswith("DIFFERS")
    assert result.output.splitlines()[-1] == "DIFFERS: dW2, db1"


def test_a_gradient_missing_the_1_over_m_differs_however_small(learner):
    path, values, tmp = learner
    np.savez(tmp / "grads.npz", dW1=values["dW1"] * 5)  # m = 5: the sum, not the mean
    result = run("check", "--json", "--data", path, "--compare", str(tmp / "grads.npz"))
    assert result.exit_code == 1
    compared = json.loads(result.output)["compare"]
    assert [item["name"] for item in compared] == ["dW1"] and compared[0]["agrees"] is False
    assert compared[0]["relative_difference"] == pytest.approx(0.8)


def test_tolerance_is_relative_to_the_values_size(learner):
    path, values, tmp = learner
    np.savez(tmp / "grads.npz", dW2=values["dW2"] * (1 + 1e-6))
    assert run("check", "--data", path, "--compare", str(tmp / "grads.npz")).exit_code == 1
    assert run("check", "--data", path, "--compare", str(tmp / "grads.npz"),
               "--tolerance", "1e-5").exit_code == 0


def test_unknown_names_are_bad_input(learner):
    path, values, tmp = learner
    np.savez(tmp / "grads.npz", dW9=values["dW1"], caches=np.zeros(2))
    result = CliRunner().invoke(cli, ["check", "--data", path, "--compare", str(tmp / "grads.npz")])
    assert result.exit_code == 2 and result.stdout == ""
    assert [line.split(".npz: ")[1] for line in result.stderr.splitlines()] == [
        "unknown name dW9; give values named as bpdiag's (Z1, A1, …, AL, cost, dAL, dZ3, dW1, "
        "db1, dA0, …)", "unknown name caches; give values named as bpdiag's (Z1, A1, …, AL, cost, "
        "dAL, dZ3, dW1, db1, dA0, …)"]


def test_a_nan_in_the_learners_values_differs(learner):
    path, values, tmp = learner
    bad = values["dZ1"].copy()
    bad[0, 0] = np.nan
    np.savez(tmp / "grads.npz", dZ1=bad)
    result = run("check", "--data", path, "--compare", str(tmp / "grads.npz"))
    assert result.exit_code == 1 and "holds NaN or infinity" in result.output


def test_tolerance_needs_compare():
    result = run("check", "--tolerance", "1e-3")
    assert result.exit_code == 2 and "--tolerance applies to --compare" in result.output


def test_compare_in_python(learner):
    path, values, tmp = learner
    report = bpdiag.check(data=path)
    results = bpdiag.compare(report, {"AL": values["A3"], "dW3": values["dW3"] + 1})
    assert [(item.name, item.course, item.agrees) for item in results] == [
        ("AL", "A3", True), ("dW3", "dW3", False)]
