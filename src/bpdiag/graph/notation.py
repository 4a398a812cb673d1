"""Plain-text course notation for symbols and formulas (the JSON `symbol` and `formula`).

Drawn labels may use another notation profile; these strings stay in the course's notation.
"""

from __future__ import annotations

ACTIVATION_NAMES = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "tanh": "tanh", "sigmoid": "σ"}

# Which cached forward quantity g'(Z[l]) is computed from: ReLU's derivative needs the sign of Z;
# σ' = A(1 − A) and tanh' = 1 − A² are cheaper from A, which is cached anyway.
_DERIVATIVE_READS = {"relu": "Z", "leaky_relu": "Z", "tanh": "A", "sigmoid": "A"}


def symbol(name: str, layer: int) -> str:
    """'W', 2 -> 'W[2]'."""
    return f"{name}[{layer}]"


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
