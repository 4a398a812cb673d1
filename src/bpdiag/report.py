"""How a gradient check is shown: a table for people, a JSON object for programs."""

from __future__ import annotations

from .verify import ABSOLUTE_TOLERANCE, EPSILON, CheckReport


def _matrix(value) -> list:
    return value.tolist()


def check_json(report: CheckReport) -> dict:
    """One object with the data, the parameters, the cost and both gradients, per parameter errors."""
    return {
        "layers": list(report.network.sizes),
        "hidden_activation": report.network.hidden_activation,
        "leaky_slope": report.network.leaky_slope,
        "view": report.view,
        "m": report.m,
        "seed": report.seed,
        "X": _matrix(report.problem.x),
        "Y": _matrix(report.problem.y),
        "params": {key: _matrix(value) for key, value in report.problem.params.items()},
        "cost": report.cost,
        "grads": {key: _matrix(value) for key, value in report.grads.items()},
        "numeric_grads": {key: _matrix(value) for key, value in report.numeric.items()},
        "relative_error": dict(report.errors),
        "max_abs_error": dict(report.abs_errors),
        "passed": {key: report.passed(key) for key in report.errors},
        "epsilon": EPSILON,
        "tolerance": report.tolerance,
        "absolute_tolerance": ABSOLUTE_TOLERANCE,
        "views_agree": report.views_agree,
        "notes": list(report.notes),
        "ok": report.ok,
    }


def check_table(report: CheckReport) -> str:
    """A table per parameter: shape, relative error, largest absolute difference, pass/FAIL."""
    net = report.network
    lines = [
        f"bpdiag check: {net.describe()}; m = {report.m}, seed = {report.seed}, view {report.view}",
        f"cost J = {report.cost:.6g}",
        "",
        f"{'gradient':<10}{'shape':<10}{'relative error':>16}{'max |diff|':>13}  result",
    ]
    for key, error in report.errors.items():
        shape = "(" + ", ".join(str(n) for n in report.grads[key].shape) + ")"
        verdict = "pass" if report.passed(key) else "FAIL"
        lines.append(f"{key:<10}{shape:<10}{error:>16.2e}{report.abs_errors[key]:>13.2e}  {verdict}")
    lines.append("")
    agree = "every back-propagation view gives the same gradients"
    if report.view != "batch":
        agree += f", and the {report.view} view's cost and gradients equal the batch view's"
    lines.append(f"{agree}: " + ("yes" if report.views_agree else "NO"))
    lines.extend(f"note: {note}" for note in report.notes)
    failed = [key for key in report.errors if not report.passed(key)]
    if report.ok:
        lines.append(f"ok: all {len(report.errors)} gradients agree with central differences "
                     f"(ε = {EPSILON:g}; relative error < {report.tolerance:g} or "
                     f"|diff| < {ABSOLUTE_TOLERANCE:g})")
    else:
        lines.append("FAILED: " + (", ".join(failed) if failed else "views disagree"))
    return "\n".join(lines)
