"""The linear step Z[l] = W[l] A[l-1] + b[l] of the batch and example views, and the matrix
products of its backward steps.

Rule, given dZ[l]: the parameter gradients (batch: dW[l] = (1/m) dZ[l] A[l-1]ᵀ and db[l] the mean
of dZ[l]'s columns; example: each example's dW[l](i) = dz[l] a[l-1]ᵀ, then the means over the
examples), then dA[l-1] = W[l]ᵀ dZ[l] while back-propagation goes on below layer l.
"""

from __future__ import annotations

from .lazy_numpy import np

from ..graph import attrs as a
from .base import Op, register

MEAN_LABEL = "(1/m) Σᵢ over the m examples"


def _linear(attrs: dict, args: list) -> np.ndarray:
    """W A + b, or W A without a bias (a batch-normed layer, whose β[l] takes b[l]'s place)."""
    w, prev, *bias = args
    return w @ prev + bias[0] if bias else w @ prev


def _matmul(attrs: dict, args: list) -> np.ndarray:
    left, right = args
    if attrs.get(a.TRANSPOSE) == "left":
        left = left.T
    elif attrs.get(a.TRANSPOSE) == "right":
        right = right.T
    product = left @ right
    if attrs.get(a.SCALE) == "1/m":
        product = product / args[0].shape[1]
    return product


def example_gradient_id(name: str, layer: int) -> str:
    """Id of example i's own gradient, e.g. bwd:L2:dW(i); the averaged dW[2] is bwd:L2:dW."""
    return f"bwd:L{layer}:{name}(i)"


def _batch_parameters(step, layer: int, group: str, w: str, bias: str, d_z: str,
                      prev: str) -> None:
    dz, prev_sym = step.symbol(d_z), step.symbol(prev)
    d_w = step.gradient(w, formula=f"dW[{layer}] = (1/m) {dz} {prev_sym}ᵀ",
                        note=f"∂J/∂W[{layer}], the sought gradient; shaped like W[{layer}]")
    step.operation(d_w, a.MATMUL, [d_z, prev], layer=layer, group=group,
                   label=f"(1/m) {dz} {prev_sym}ᵀ", **{a.TRANSPOSE: "right", a.SCALE: "1/m"})
    if bias is None:
        return
    d_b = step.gradient(bias, formula=f"db[{layer}] = (1/m) Σᵢ {dz}(i)",
                        note=f"∂J/∂b[{layer}], the sought gradient: the mean of dZ's columns")
    step.operation(d_b, a.MEAN, [d_z], layer=layer, group=group,
                   label="mean over the m examples", **{a.AXIS: 1})


def _example_parameters(step, layer: int, group: str, w: str, bias: str, d_z: str,
                        prev: str) -> None:
    dz, prev_sym = step.symbol(d_z), step.symbol(prev)
    per_example = step.quantity(
        example_gradient_id("dW", layer), like=w, symbol=f"dW[{layer}](i)", name="dW(i)",
        kind=a.GRADIENT, formula=f"dW[{layer}](i) = {dz} {prev_sym}ᵀ",
        note=f"∂ℒ(i)/∂W[{layer}], this example's share of the gradient")
    step.operation(per_example, a.MATMUL, [d_z, prev], layer=layer, group=group,
                   label=f"{dz} {prev_sym}ᵀ", **{a.TRANSPOSE: "right"})
    d_w = step.gradient(
        w, formula=f"dW[{layer}] = (1/m) Σᵢ dW[{layer}](i)",
        note=f"∂J/∂W[{layer}], the sought gradient: the mean of the m examples' dW[{layer}](i)")
    step.operation(d_w, a.MEAN_OVER_EXAMPLES, [per_example], layer=layer, group=group,
                   label=MEAN_LABEL)
    if bias is None:
        return
    d_b = step.gradient(
        bias, formula=f"db[{layer}] = (1/m) Σᵢ {dz}(i)",
        note=f"∂J/∂b[{layer}], the sought gradient: each example's db[{layer}](i) is its {dz}")
    step.operation(d_b, a.MEAN_OVER_EXAMPLES, [d_z], layer=layer, group=group, label=MEAN_LABEL)


PARAMETER_GRADIENTS = {"batch": _batch_parameters, "example": _example_parameters}


def linear_rule(step, op: str, d_z: str) -> None:
    w, prev, *bias = step.operands(op)
    bias = bias[0] if bias else None  # a batch-normed layer has no b[l]
    layer, group = step.attr(op, a.LAYER), step.attr(op, a.GROUP)
    prev = step.read(prev, group)
    PARAMETER_GRADIENTS[step.granularity](step, layer, group, w, bias, d_z, prev)
    dz = step.symbol(d_z)
    if step.continues(prev):
        w = step.read(w, group)
        flow = f"W[{layer}]ᵀ {dz}"
        d_a = step.gradient(prev, formula=f"{step.gradient_symbol(prev)} = {flow}",
                            note=f"the gradient flows back through the weights W[{layer}]")
        step.operation(d_a, a.MATMUL, [w, d_z], layer=layer, group=group, label=flow,
                       **{a.TRANSPOSE: "left"})
        step.emit(prev, d_a)
    elif step.is_data(prev):
        d_prev = dz.replace("Z[", "A[").replace("z[", "a[").replace(f"[{layer}]", f"[{layer - 1}]")
        step.stop(f"stop: {d_prev} = W[{layer}]ᵀ {dz} is never needed,\n"
                  f"{step.symbol(prev)} is data, not a variable of J", near=d_z)
    else:
        step.stop(f"stop: back-propagation to layer {layer} ends here;\n"
                  f"{step.gradient_symbol(prev)} = W[{layer}]ᵀ {dz} would continue to layer "
                  f"{layer - 1}", near=d_z)


register(Op(a.LINEAR, _linear, linear_rule))
register(Op(a.MATMUL, _matmul))
