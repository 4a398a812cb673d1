"""Plain-text course notation for symbols and formulas (the JSON `symbol` and `formula`).

Drawn labels may use another notation profile; these strings stay in the course's notation.
"""

from __future__ import annotations

ACTIVATION_NAMES = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "tanh": "tanh", "sigmoid": "σ",
                    "softmax": "softmax", "identity": "identity"}

def symbol(name: str, layer: int) -> str:
    """'W', 2 -> 'W[2]'."""
    return f"{name}[{layer}]"
