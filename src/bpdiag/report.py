"""How a gradient check is shown: a table for people, a JSON object for programs."""

from __future__ import annotations

from .verify import EPSILON, RESOLUTION, CheckReport


def _matrix(value) -> list:
    return value.tolist()


def check_json(report: CheckReport) -> dict:
    """One object with the data, the parameters, the cost and both gradients, per parameter errors."""
    return {
        "layers": list(report.network.sizes),
        "hidden_activation": report.network.hidden_activation,
        "output": report.network.output,
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
        "verdict": {key: report.verdict(key) for key in report.errors},
        "too_small_to_check": report.unresolved,
        "epsilon": EPSILON,
        "tolerance": report.tolerance,
        "noise_floor": report.noise,
        "views_agree": report.views_agree,
        "closest_relu_kink": report.kink_margin,
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
        verdict = {"pass": "pass", "fail": "FAIL"}.get(report.verdict(key), "too small to check")
        lines.append(f"{key:<10}{shape:<10}{error:>16.2e}{report.abs_errors[key]:>13.2e}  {verdict}")
    lines.append("")
    agree = "every back-propagation view gives the same gradients"
    if report.view != "batch":
        agree += f", and the {report.view} view's cost and gradients equal the batch view's"
    lines.append(f"{agree}: " + ("yes" if report.views_agree else "NO"))
    lines.extend(f"note: {note}" for note in report.notes)
    failed = [key for key in report.errors if report.verdict(key) == "fail"]
    small = report.unresolved
    if report.ok:
        agreed = len(report.errors) - len(small)
        count = f"all {agreed}" if not small else f"{agreed} of {len(report.errors)}"
        lines.append(f"ok: {count} gradients agree with central differences "
                     f"(ε = {EPSILON:g}; relative error < {report.tolerance:g}, or a difference "
                     f"within round-off {report.noise:.1e})")
    else:
        lines.append("FAILED: " + (", ".join(failed) if failed else "views disagree"))
    if small:
        lines.append(f"not checked: {', '.join(small)} are too small for central differences to "
                     f"resolve (round-off {report.noise:.1e} is more than {RESOLUTION:g} of them)")
    return "\n".join(lines)
