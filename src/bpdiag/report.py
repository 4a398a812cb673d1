"""How a gradient check is shown: a table for people, a JSON object for programs."""

from __future__ import annotations

from .model import BN_EPSILON
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
        # batch norm's ε, only with batch norm (the other objects stay as they were)
        **({"batch_norm": True, "bn_epsilon": BN_EPSILON} if report.network.batch_norm else {}),
        "view": report.view,
        "m": report.m,
        "seed": report.seed,
        "X": _matrix(report.problem.x),
        "Y": _matrix(report.problem.y),
        "params": {key: _matrix(value) for key, value in report.problem.params.items()},
        "data": report.source,
        "cost": report.cost,
        "forward": {key: _matrix(value) for key, value in report.forward.items() if key != "cost"},
        # in the order back-propagation computes them; dW, db from the view checked
        "grads": {key: _matrix(report.grads.get(key, value))
                  for key, value in report.backward.items()},
        "numeric_check": report.numeric_checked,
        "numeric_grads": {key: _matrix(value) for key, value in report.numeric.items()},
        "relative_error": dict(report.errors),
        "max_abs_error": dict(report.abs_errors),
        "passed": {key: report.passed(key) for key in report.errors},
        "verdict": {key: report.verdict(key) for key in report.errors},
        "too_small_to_check": report.unresolved,
        "left_out_at_kinks": dict(report.left_out),
        "epsilon": EPSILON,
        "tolerance": report.tolerance,
        "noise_floor": report.noise,
        "views_agree": report.views_agree,
        "closest_relu_kink": report.kink_margin,
        "notes": list(report.notes),
        "ok": report.ok,
        # regularisation, in the course's names: λ (0: none), keep_prob (1: none) and the
        # dropout masks the check held fixed (none without dropout)
        "lambd": report.network.l2,
        "keep_prob": report.network.keep_prob,
        "masks": {key: _matrix(value) for key, value in report.problem.masks.items()},
    }


def check_table(report: CheckReport) -> str:
    """A table per parameter: shape, relative error, largest absolute difference, pass/FAIL."""
    net = report.network
    origin = f"seed = {report.seed}" if report.source is None else f"data {report.source}"
    lines = [
        f"bpdiag check: {net.describe()}; m = {report.m}, {origin}, view {report.view}",
        f"cost J = {report.cost:.6g}",
        "",
    ]
    if not report.numeric_checked:
        return "\n".join(lines + _analytic_only(report))
    lines.append(f"{'gradient':<10}{'shape':<10}{'relative error':>16}{'max |diff|':>13}  result")
    for key, error in report.errors.items():
        shape = "(" + ", ".join(str(n) for n in report.grads[key].shape) + ")"
        outcome = report.verdict(key)
        verdict = {"pass": "pass", "fail": "FAIL", "kink": "at a ReLU kink, not checked"}.get(
            outcome, "too small to check")
        if outcome == "kink":  # nothing was compared: no error to show
            lines.append(f"{key:<10}{shape:<10}{'—':>16}{'—':>13}  {verdict}")
            continue
        lines.append(f"{key:<10}{shape:<10}{error:>16.2e}{report.abs_errors[key]:>13.2e}  {verdict}")
    lines.append("")
    lines.append(_agreement(report))
    lines.extend(f"note: {note}" for note in report.notes)
    failed = [key for key in report.errors if report.verdict(key) == "fail"]
    small = report.unresolved
    kinked = [key for key in report.errors if report.verdict(key) == "kink"]
    if report.ok:
        agreed = len(report.errors) - len(small) - len(kinked)
        count = f"{agreed} of {len(report.errors)}" if small or kinked else f"all {agreed}"
        lines.append(f"ok: {count} gradients agree with central differences "
                     f"(ε = {EPSILON:g}; relative error < {report.tolerance:g}, or a difference "
                     f"within round-off {report.noise:.1e})")
    else:
        lines.append("FAILED: " + (", ".join(failed) if failed else "views disagree"))
    if kinked:
        lines.append(f"not checked: {', '.join(kinked)}: every entry's central difference crosses "
                     "a ReLU kink")
    if small:
        lines.append(f"not checked: {', '.join(small)} are too small for central differences to "
                     f"resolve (round-off {report.noise:.1e} is more than {RESOLUTION:g} of them)")
    return "\n".join(lines)


def _agreement(report: CheckReport) -> str:
    agree = "every back-propagation view gives the same gradients"
    if report.view != "batch":
        agree += f", and the {report.view} view's cost and gradients equal the batch view's"
    return f"{agree}: " + ("yes" if report.views_agree else "NO")


def _analytic_only(report: CheckReport) -> list[str]:
    """The gradients without central differences: their shapes and sizes, and what was checked."""
    lines = [f"{'gradient':<10}{'shape':<16}{'max |value|':>13}"]
    for key, value in report.grads.items():
        shape = "(" + ", ".join(str(n) for n in value.shape) + ")"
        lines.append(f"{key:<10}{shape:<16}{float(abs(value).max()):>13.2e}")
    lines += ["", _agreement(report)]
    lines.extend(f"note: {note}" for note in report.notes)
    lines.append(("ok" if report.ok else "FAILED: views disagree") + ": no central differences "
                 "(--no-numeric); the gradients were read off the back-propagation graphs, whose "
                 "shapes and dZ[L] = A[L] − Y shortcut were checked")
    return lines
