"""Stable node ids of the batch and example views, e.g. fwd:L2:Z, bwd:L2:dW (unit ids: unit.py)."""

from __future__ import annotations


def forward_id(name: str, layer: int | None = None) -> str:
    """Stable id of a forward quantity, e.g. fwd:L2:Z; shared by every view that shows it."""
    return f"fwd:{name}" if layer is None else f"fwd:L{layer}:{name}"


def backward_id(name: str, layer: int) -> str:
    """Stable id of a backward quantity, e.g. bwd:L2:dW."""
    return f"bwd:L{layer}:{name}"
