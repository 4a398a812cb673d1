"""Batch normalisation of a hidden layer's Z[l] over the m examples (Ioffe & Szegedy 2015, as the
course's "Improving Deep Neural Networks" draws it), one operation kind per step:

    μ[l] = (1/m) Σᵢ Z[l](i)                     bn_mean
    σ²[l] = (1/m) Σᵢ (Z[l](i) − μ[l])²          bn_variance (biased: 1/m)
    Z_norm[l] = (Z[l] − μ[l]) / √(σ²[l] + ε)    bn_normalize
    Z̃[l] = γ[l] ⊙ Z_norm[l] + β[l]              bn_scale_shift

Rules, in the order the reverse pass meets them (each the paper's step, in course scaling: dZ̃,
dZ_norm, dZ are m · ∂J/∂·, one column per example like dZ; dγ, dβ, dμ, dσ² are ∂J/∂· of
quantities shared by the m examples, like dW and db):

    bn_scale_shift, given dZ̃:  dγ = (1/m) Σᵢ dZ̃(i) ⊙ Z_norm(i),  dβ = (1/m) Σᵢ dZ̃(i),
                                dZ_norm = dZ̃ ⊙ γ
    bn_normalize, given dZ_norm: dσ² = (1/m) Σᵢ dZ_norm(i) ⊙ (Z(i) − μ) ⊙ (−½)(σ² + ε)^(−3/2);
                                 its terms of dμ and dZ
    bn_variance, given dσ²:     its terms of dμ and dZ
    bn_mean, given dμ:          its term of dZ
    so  dμ = −(1/m) Σᵢ dZ_norm(i) / √(σ² + ε) + dσ² ⊙ (−2/m) Σᵢ (Z(i) − μ)
        dZ = dZ_norm / √(σ² + ε) + 2 dσ² ⊙ (Z − μ) + dμ

Z[l] and μ[l] feed several operations, so their gradients are sums of the consumers' terms
(`contribute`), formed once every consumer has added its own. In the example view a node is one
example's column; the operations over the examples receive all m columns (`over_examples`).
"""

from __future__ import annotations

from .lazy_numpy import np

from ..graph import attrs as a
from .base import EvaluationError, Op, register


def _columns(value):
    """The m examples side by side: a batch matrix as it is, the example view's m columns
    (a PerExample tuple) joined into one."""
    if isinstance(value, tuple):
        return np.concatenate(list(value), axis=1)
    return value


def _mean(value):
    return np.mean(value, axis=1, keepdims=True)


def _arity(attrs: dict, args: list, count: int) -> None:
    if len(args) != count:
        raise EvaluationError(f"'{attrs[a.LABEL]}' takes {count} operands, not {len(args)}")


def _batch_mean(attrs: dict, args: list):
    _arity(attrs, args, 1)
    return _mean(_columns(args[0]))


def _batch_variance(attrs: dict, args: list):
    _arity(attrs, args, 2)
    z, mu = _columns(args[0]), args[1]
    return _mean((z - mu) ** 2)


def _normalize(attrs: dict, args: list):
    _arity(attrs, args, 3)
    z, mu, var = args
    return (z - mu) / np.sqrt(var + attrs[a.EPSILON])


def _scale_shift(attrs: dict, args: list):
    _arity(attrs, args, 3)
    gamma, z_norm, beta = args
    return gamma * z_norm + beta


def _mean_product(attrs: dict, args: list):
    """(1/m) Σᵢ of the product of the operands' columns: dγ (two operands), dβ (one)."""
    product = _columns(args[0])
    for arg in args[1:]:
        product = product * _columns(arg)
    return _mean(product)


def _variance_gradient(attrs: dict, args: list):
    _arity(attrs, args, 4)
    d_norm, z, mu, var = _columns(args[0]), _columns(args[1]), args[2], args[3]
    return _mean(d_norm * (z - mu)) * -0.5 * (var + attrs[a.EPSILON]) ** -1.5


def _mean_gradient(attrs: dict, args: list):
    """The terms of bn_normalize (dZ_norm, σ²) and of bn_variance (dσ², Z, μ)."""
    _arity(attrs, args, 5)
    d_norm, var, d_var, z, mu = _columns(args[0]), args[1], args[2], _columns(args[3]), args[4]
    return (-_mean(d_norm) / np.sqrt(var + attrs[a.EPSILON])
            + d_var * -2.0 * _mean(z - mu))


def _input_gradient(attrs: dict, args: list):
    """The terms of bn_normalize (dZ_norm, σ²), bn_variance (dσ², Z, μ) and bn_mean (dμ)."""
    _arity(attrs, args, 6)
    d_norm, var, d_var, z, mu, d_mu = args
    return d_norm / np.sqrt(var + attrs[a.EPSILON]) + 2.0 * d_var * (z - mu) + d_mu


MEAN_LABEL = "(1/m) Σᵢ"


def _shared_note(what: str) -> str:
    return f"∂J/∂{what}: one number per unit, shared by the m examples (like db)"


def scale_shift_rule(step, op: str, d_tilde: str) -> None:
    gamma, z_norm, beta = step.operands(op)
    layer, group = step.attr(op, a.LAYER), step.attr(op, a.GROUP)
    z_norm = step.read(z_norm, group)
    dt, zn = step.symbol(d_tilde), step.symbol(z_norm)
    mean_product = f"(1/m) Σᵢ {dt}(i) ⊙ {zn}(i)"
    d_gamma = step.gradient(gamma, formula=f"{step.gradient_symbol(gamma)} = {mean_product}",
                            note=f"∂J/∂{step.symbol(gamma)}, the sought gradient of the scale")
    step.operation(d_gamma, a.BN_MEAN_PRODUCT, [d_tilde, z_norm], layer=layer, group=group,
                   label=mean_product)
    d_beta = step.gradient(beta, formula=f"{step.gradient_symbol(beta)} = (1/m) Σᵢ {dt}(i)",
                           note=f"∂J/∂{step.symbol(beta)}, the sought gradient of the shift "
                                "(it takes the place of db)")
    step.operation(d_beta, a.BN_MEAN_PRODUCT, [d_tilde], layer=layer, group=group,
                   label=f"(1/m) Σᵢ {dt}(i)")
    gamma = step.read(gamma, group)
    scaled = f"{dt} ⊙ {step.symbol(gamma)}"
    d_norm = step.gradient(z_norm, formula=f"{step.gradient_symbol(z_norm)} = {scaled}",
                           note="m · ∂J/∂" + zn + ": the gradient flows back through the scale γ")
    step.operation(d_norm, a.HADAMARD, [d_tilde, gamma], layer=layer, group=group, label=scaled)
    step.emit(z_norm, d_norm)


def normalize_rule(step, op: str, d_norm: str) -> None:
    z, mu, var = step.operands(op)
    layer, group = step.attr(op, a.LAYER), step.attr(op, a.GROUP)
    eps = step.attr(op, a.EPSILON)
    for node in (z, mu, var):
        step.read(node, group)
    dn, zs, ms, vs = step.symbol(d_norm), step.symbol(z), step.symbol(mu), step.symbol(var)
    root = f"√({vs} + ε)"
    first, second = f"(1/m) Σᵢ {dn}(i) ⊙ ({zs}(i) − {ms})", f"(−½)({vs} + ε)^(−3/2)"
    d_var = step.gradient(var, formula=f"{step.gradient_symbol(var)} = {first} ⊙ {second}",
                          note=_shared_note(vs))
    step.builder.graph.nodes[d_var][a.FORMULA_LINES] = [
        f"= (1/m) Σᵢ {dn}(i)", f"⊙ ({zs}(i) − {ms})", f"⊙ {second}"]
    step.operation(d_var, a.BN_VARIANCE_GRADIENT, [d_norm, z, mu, var], layer=layer, group=group,
                   label=MEAN_LABEL, **{a.EPSILON: eps})
    step.emit(var, d_var)
    step.contribute(mu, op=a.BN_MEAN_GRADIENT, operands=[d_norm, var], layer=layer, group=group,
                    term=f"−(1/m) Σᵢ {dn}(i) / {root}", label=MEAN_LABEL, one_per_line=True,
                    note=_shared_note(ms) + "; its second term is 0, as Σᵢ (Z(i) − μ) = 0",
                    **{a.EPSILON: eps})
    step.contribute(z, op=a.BN_INPUT_GRADIENT, operands=[d_norm, var], layer=layer, group=group,
                    term=f"{dn} / {root}", one_per_line=True,
                    label=f"+: the routes via {step.attr(step.output(op), a.NAME)}, σ², μ",
                    note="m · ∂J/∂" + zs + ": through Z_norm directly and through the batch "
                         "statistics μ and σ², which every example's Z feeds",
                    **{a.EPSILON: eps})


def variance_rule(step, op: str, d_var: str) -> None:
    z, mu = step.operands(op)
    layer, group = step.attr(op, a.LAYER), step.attr(op, a.GROUP)
    dv, zs, ms = step.symbol(d_var), step.symbol(z), step.symbol(mu)
    step.contribute(mu, op=a.BN_MEAN_GRADIENT, operands=[d_var, z, mu], layer=layer, group=group,
                    term=f"{dv} ⊙ (−2/m) Σᵢ ({zs}(i) − {ms})", label="", note="")
    step.contribute(z, op=a.BN_INPUT_GRADIENT, operands=[d_var, z, mu], layer=layer, group=group,
                    term=f"2 {dv} ⊙ ({zs} − {ms})", label="", note="")


def mean_rule(step, op: str, d_mu: str) -> None:
    (z,) = step.operands(op)
    layer, group = step.attr(op, a.LAYER), step.attr(op, a.GROUP)
    step.contribute(z, op=a.BN_INPUT_GRADIENT, operands=[d_mu], layer=layer, group=group,
                    term=step.symbol(d_mu), label="", note="")


register(Op(a.BN_MEAN, _batch_mean, mean_rule, over_examples=True))
register(Op(a.BN_VARIANCE, _batch_variance, variance_rule, over_examples=True))
register(Op(a.BN_NORMALIZE, _normalize, normalize_rule))
register(Op(a.BN_SCALE_SHIFT, _scale_shift, scale_shift_rule))
register(Op(a.BN_MEAN_PRODUCT, _mean_product, over_examples=True))
register(Op(a.BN_VARIANCE_GRADIENT, _variance_gradient, over_examples=True))
register(Op(a.BN_MEAN_GRADIENT, _mean_gradient, over_examples=True))
register(Op(a.BN_INPUT_GRADIENT, _input_gradient))
