"""The activation g[l] (element-wise) and its local derivative g[l]'.

Rule: dZ[l] = dA[l] ⊙ g[l]'(Z[l]) (dz = da · g'(z) on the unit view's scalars), with g' evaluated
on the cached Z[l] for the ReLU family (it needs Z's sign) and on the cached A[l] for σ and tanh
(σ' = A(1 − A), tanh' = 1 − A², and A is kept anyway). The linear output's identity has g' = 1
and reads nothing. A declared shortcut (rewrites.py) adds its shorter route to dZ[L]. The
softmax, which is not element-wise, is softmax.py.
"""

from __future__ import annotations

from .lazy_numpy import np

from ..graph import attrs as a
from ..graph.ids import derivative_id, indices
from ..graph.notation import ACTIVATION_NAMES
from .base import EvaluationError, Op, register
from .rewrites import find_shortcut

# Which forward quantity g'(Z[l]) is computed from (see the module's docstring).
_DERIVATIVE_READS = {"relu": "Z", "leaky_relu": "Z", "tanh": "A", "sigmoid": "A"}


def derivative_reads(activation: str) -> str:
    """'Z' or 'A': the forward quantity g'(Z[l]) is evaluated on."""
    return _DERIVATIVE_READS[activation]


def local_derivative_formula(activation: str, lhs: str, z: str, act: str, slope: float,
                             *, elementwise: bool) -> str:
    """g'(z) on any operand: a column (elementwise, '⊙', 'where') or a scalar ('·', 'if')."""
    where, times = ("where", " ⊙ ") if elementwise else ("if", " ")
    right = {
        "relu": f"1 {where} {z} > 0, else 0",
        "leaky_relu": f"1 {where} {z} > 0, else α = {slope:g}",
        "sigmoid": f"{act}{times}(1 − {act})",
        "tanh": f"1 − {act}{times}{act}" if elementwise else f"1 − {act}²",
    }[activation]
    return f"{lhs} = {right}"


def _activation(attrs: dict, args: list) -> np.ndarray:
    fn, z, slope = attrs[a.FUNCTION], args[0], attrs.get("slope", 0.0)
    if fn == "relu":
        return np.maximum(z, 0.0)
    if fn == "leaky_relu":
        return np.where(z > 0, z, slope * z)
    if fn == "tanh":
        return np.tanh(z)
    if fn == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if fn == "identity":
        return z
    raise EvaluationError(f"unknown activation {fn!r}")


def _derivative(attrs: dict, args: list) -> np.ndarray:
    """g'(Z), from Z for the ReLU family and from the cached A = g(Z) for σ and tanh."""
    fn, value, slope = attrs[a.FUNCTION], args[0], attrs.get("slope", 0.0)
    if fn == "relu":
        return (value > 0).astype(float)
    if fn == "leaky_relu":
        return np.where(value > 0, 1.0, slope)
    if fn == "tanh":
        return 1.0 - value * value
    if fn == "sigmoid":
        return value * (1.0 - value)
    raise EvaluationError(f"unknown activation {fn!r}")


# what dZ[l] is, per granularity; z is Z[l]'s symbol, j the unit
DZ_NOTE = {
    "batch": "m · ∂J/∂Z: each column is one example's derivative of its loss",
    "example": "∂ℒ/∂{z} for this example: column i of dZ[{l}]",
    "unit": "∂ℒ/∂{z} for one example (entry ({j}, i) of dZ[{l}])",
}


def shortcut_text(step, op: str):
    """The declared shortcut to the gradient of `op`'s input: (shortcut, 'A[L] − Y', operands)."""
    found = find_shortcut(step, op)
    if found is None:
        return None
    shortcut, (prediction, label) = found
    return shortcut, f"{step.symbol(prediction)} − {step.symbol(label)}", [prediction, label]


def add_shortcut(step, d_z: str, shortcut, layer: int, group: str) -> None:
    """The shortcut's route to dZ[L], drawn beside the chain rule's; the check compares them."""
    if shortcut is not None:
        rule, difference, operands = shortcut
        step.operation(d_z, a.SUBTRACT, operands, layer=layer, group=group, equivalent=True,
                       suffix="shortcut", label=f"{difference} ({rule.reason})")


def activation_rule(step, op: str, d_a: str) -> None:
    """g'[l] from the cached Z[l] or A[l], then dZ[l] = dA[l] ⊙ g'[l] (and a shortcut's route)."""
    (z,) = step.operands(op)
    act = step.output(op)
    layer, group = step.attr(op, a.LAYER), step.attr(op, a.GROUP)
    fn, slope = step.attr(op, a.FUNCTION), step.attr(op, "slope")
    scalar = step.granularity == "unit"
    times = "·" if scalar else "⊙"
    z_sym, a_sym = step.symbol(z), step.symbol(act)
    lhs = f"g[{layer}]'({z_sym})"
    dz_sym, da_sym = step.gradient_symbol(z), step.symbol(d_a)
    shortcut = shortcut_text(step, op)
    note = DZ_NOTE[step.granularity].format(z=z_sym, l=layer, j=(indices(z) or ("",))[0])
    if fn == "identity":  # g' = 1: the gradient passes unchanged, and nothing is read
        formula = f"{dz_sym} = {da_sym} {times} {lhs} = {da_sym}"
        d_z = step.gradient(z, note=note,
                            formula=formula + (f" = {shortcut[1]}" if shortcut else ""))
        step.operation(d_z, a.IDENTITY, [d_a], label=f"{times} 1 (g′ = 1)", layer=layer,
                       group=group)
    else:
        cached = step.read(z if derivative_reads(fn) == "Z" else act, group)
        derivative = step.quantity(
            derivative_id(z), like=z, symbol=lhs, name="g'", kind=a.DERIVATIVE,
            formula=local_derivative_formula(fn, lhs, z_sym, a_sym, slope, elementwise=not scalar),
            note=f"local derivative of {ACTIVATION_NAMES[fn]}, evaluated on the cached "
                 f"{step.symbol(cached)}")
        step.operation(derivative, a.ACTIVATION_DERIVATIVE, [cached],
                       label=f"{ACTIVATION_NAMES[fn]}′", layer=layer, group=group, reader=dz_sym,
                       **{a.FUNCTION: fn, "slope": slope})
        formula = f"{dz_sym} = {da_sym} {times} {lhs}"
        d_z = step.gradient(z, note=note,
                            formula=formula + (f" = {shortcut[1]}" if shortcut else ""))
        step.operation(d_z, a.PRODUCT if scalar else a.HADAMARD, [d_a, derivative], label=times,
                       layer=layer, group=group)
    add_shortcut(step, d_z, shortcut, layer, group)
    step.emit(z, d_z)


register(Op(a.ACTIVATION, _activation, activation_rule))
register(Op(a.ACTIVATION_DERIVATIVE, _derivative))
