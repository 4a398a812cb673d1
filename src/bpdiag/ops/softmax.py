"""The softmax output A[L] = softmax(Z[L]): each column's exponentials over their sum.

Not element-wise: every a[L]_j depends on every z[L]_k, so its local derivative is a Jacobian,
∂a_j/∂z_k = a_j (δ_jk − a_k), read off the cached A[L]. Rule: the batch and example views draw
the Jacobian g[L]'(Z[L]) = diag(A[L]) − A[L] A[L]ᵀ of each column (shape (n[L], n[L]) per
example) and dZ[L] = g[L]'(Z[L])ᵀ dA[L]; the unit view forms each dz[L]_j = a_j (da_j − Σ_k a_k da_k)
from the cached a[L]_k. With cross-entropy the shortcut dZ[L] = A[L] − Y is drawn beside it.
"""

from __future__ import annotations

from .lazy_numpy import np

from ..graph import attrs as a
from ..graph.ids import derivative_id
from .activation import DZ_NOTE, add_shortcut, shortcut_text
from .base import Op, register


def _softmax(attrs: dict, args: list) -> np.ndarray:
    """Column-wise on Z[L]; the unit view's a[L]_j from the scalars z[L]_1..C (`index` j)."""
    if "index" in attrs:
        z = np.array(args, dtype=float)
        e = np.exp(z - np.max(z))
        return e[attrs["index"] - 1] / np.sum(e)
    z = args[0]
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def _jacobian(attrs: dict, args: list) -> np.ndarray:
    """diag(a) − a aᵀ for each column a of A: shape (C, C, columns)."""
    act = args[0]
    eye = np.eye(act.shape[0])[:, :, None]
    return act[:, None, :] * eye - act[:, None, :] * act[None, :, :]


def _jacobian_product(attrs: dict, args: list) -> np.ndarray:
    """Jᵀ dA per column: dZ[k, i] = Σ_j J[j, k, i] dA[j, i]."""
    jacobian, d_a = args
    return np.einsum("jki,ji->ki", jacobian, d_a)


def _chain(attrs: dict, args: list) -> np.ndarray:
    """dz_j = a_j (da_j − Σ_k a_k da_k) from operands a_1, da_1, ..., a_C, da_C (`index` j)."""
    at = 2 * (attrs["index"] - 1)
    return args[at] * (args[at + 1] - sum(x * d for x, d in zip(args[0::2], args[1::2])))


def softmax_rule(step, op: str, d_a: str) -> None:
    act = step.output(op)
    layer, group = step.attr(op, a.LAYER), step.attr(op, a.GROUP)
    if step.granularity == "unit":
        _unit_rule(step, op, act, layer, group)
        return
    (z,) = step.operands(op)
    cached = step.read(act, group)
    z_sym, a_sym, dz_sym = step.symbol(z), step.symbol(act), step.gradient_symbol(z)
    lhs = f"g[{layer}]'({z_sym})"
    shape, dims = step.attr(z, a.SHAPE), step.attr(z, a.DIMS)
    jacobian = step.quantity(
        derivative_id(z), like=z, symbol=lhs, name="g'", kind=a.DERIVATIVE,
        shape=[shape[0], *shape], dims=[dims[0], *dims],
        formula=f"{lhs} = diag({a_sym}) − {a_sym} {a_sym}ᵀ, for each column",
        note=f"the softmax's Jacobian ∂{a_sym}/∂{z_sym}, one n[{layer}] × n[{layer}] matrix per "
             f"example, from the cached {a_sym}")
    step.operation(jacobian, a.SOFTMAX_DERIVATIVE, [cached], label="softmax′", layer=layer,
                   group=group, reader=dz_sym)
    shortcut = shortcut_text(step, op)
    formula = f"{dz_sym} = {lhs}ᵀ {step.symbol(d_a)}"
    d_z = step.gradient(z, formula=formula + (f" = {shortcut[1]}" if shortcut else ""),
                        note=DZ_NOTE[step.granularity].format(z=z_sym, l=layer, j=""))
    step.operation(d_z, a.JACOBIAN_PRODUCT, [jacobian, d_a], label=f"{lhs}ᵀ {step.symbol(d_a)}",
                   layer=layer, group=group)
    add_shortcut(step, d_z, shortcut, layer, group)
    step.emit(z, d_z)


def _unit_rule(step, op: str, act: str, layer: int, group: str) -> None:
    """dz[L]_j through the Jacobian, for the unit j whose a[L]_j this operation forms."""
    j = step.attr(op, "index")
    zs = step.operands(op)
    z = zs[j - 1]
    outs = [step.output(other) for other in step.consumers(z) if step.attr(other, a.OP) == a.SOFTMAX]
    operands = []  # an operand appears once: a_j is among them, picked by `index`
    for out in outs:
        operands += [step.read(out, group), step.gradient_of(out)]
    a_j, da_j = step.symbol(act), step.gradient_symbol(act)
    total = f"Σ_k {step.symbol(outs[0]).rsplit('_', 1)[0]}_k {da_j.rsplit('_', 1)[0]}_k"
    shortcut = shortcut_text(step, op)
    formula = (f"{step.gradient_symbol(z)} = Σ_k ∂a_k/∂{step.symbol(z)} da_k = "
               f"{a_j} ({da_j} − {total})")
    d_z = step.gradient(z, formula=formula + (f" = {shortcut[1]}" if shortcut else ""),
                        note=DZ_NOTE["unit"].format(z=step.symbol(z), l=layer, j=j))
    step.operation(d_z, a.SOFTMAX_CHAIN, operands, label=f"{a_j} ({da_j} − {total})",
                   layer=layer, group=group, index=j)
    add_shortcut(step, d_z, shortcut, layer, group)
    step.emit(z, d_z)


register(Op(a.SOFTMAX, _softmax, softmax_rule))
register(Op(a.SOFTMAX_DERIVATIVE, _jacobian))
register(Op(a.JACOBIAN_PRODUCT, _jacobian_product))
register(Op(a.SOFTMAX_CHAIN, _chain))
