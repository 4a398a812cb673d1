"""The unit view's sums of products: z[l]_j = Σ_k w[l]_jk a[l-1]_k + b[l]_j forward, and
da[l-1]_k = Σ_j w[l]_jk dz[l]_j backward.

Rule, given dz[l]_j: dw[l]_jk = (1/m) Σᵢ dz[l]_j(i) a[l-1]_k(i) and db[l]_j = (1/m) Σᵢ dz[l]_j(i);
each a[l-1]_k receives the term w[l]_jk dz[l]_j, and the reverse pass adds up the terms from
every unit j into one sum, da[l-1]_k, when it is needed.
"""

from __future__ import annotations

import functools
import operator

from .lazy_numpy import np

from ..graph import attrs as a
from ..graph.ids import indices
from ..graph.ids import unit_symbol as _scalar
from .base import Op, register


def _weighted_sum(attrs: dict, args: list) -> np.ndarray:
    """Σ_k w_k·v_k from operands w_1, v_1, w_2, v_2, ... (+ a last bias operand)."""
    terms = args[:-1] if attrs.get(a.BIAS) else args
    total = functools.reduce(operator.add, (w * v for w, v in zip(terms[0::2], terms[1::2])))
    return total + args[-1] if attrs.get(a.BIAS) else total


def weighted_sum_rule(step, op: str, d_z: str) -> None:
    operands = step.operands(op)
    pairs = list(zip(operands[0:-1:2], operands[1:-1:2]))
    bias = operands[-1]
    layer, group = step.attr(op, a.LAYER), step.attr(op, a.GROUP)
    prevs = [step.read(prev, group) for _, prev in pairs]
    dz = step.symbol(d_z)
    for (w, _), prev in zip(pairs, prevs):
        d_w = step.gradient(w, formula=f"{step.gradient_symbol(w)} = (1/m) Σᵢ {dz}(i) "
                                       f"{step.symbol(prev)}(i)",
                            note=f"∂J/∂{step.symbol(w)}, the sought gradient")
        step.operation(d_w, a.MEAN_OVER_EXAMPLES, [d_z, prev], layer=layer, group=group,
                       label=f"(1/m) Σᵢ {dz} {step.symbol(prev)}")
    d_b = step.gradient(bias, formula=f"{step.gradient_symbol(bias)} = (1/m) Σᵢ {dz}(i)",
                        note=f"∂J/∂{step.symbol(bias)}, the sought gradient")
    step.operation(d_b, a.MEAN_OVER_EXAMPLES, [d_z], layer=layer, group=group,
                   label=f"(1/m) Σᵢ {dz}")
    for w, prev in pairs:
        k = indices(prev)[0]
        if step.continues(prev):
            step.contribute(prev, op=a.WEIGHTED_SUM, operands=[w, d_z], group=group, layer=layer,
                            term=f"{step.symbol(w)} {dz}",
                            label=f"Σ_j {_scalar('w', layer, 'j', k)} {_scalar('dz', layer, 'j')}",
                            note=f"the gradient flows back through the weights out of unit {k} "
                                 f"of layer {layer - 1}")
    flow = f"da[{layer - 1}]_k = Σ_j {_scalar('w', layer, 'j', 'k')} {_scalar('dz', layer, 'j')}"
    if pairs and step.is_data(pairs[0][1]):
        step.stop(f"stop: {flow} is never needed,\nx is data, not a variable of J", near=d_z)
    elif pairs and not step.continues(pairs[0][1]):
        step.stop(f"stop: back-propagation to layer {layer} ends here;\n{flow} would continue to "
                  f"layer {layer - 1}", near=d_z)


register(Op(a.WEIGHTED_SUM, _weighted_sum, weighted_sum_rule))
