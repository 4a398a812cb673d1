"""Stable node ids and the unit view's scalar names, e.g. fwd:L2:Z, bwd:L2:dW, fwd:L2:w_1_2."""

from __future__ import annotations


def forward_id(name: str, layer: int | None = None) -> str:
    """Stable id of a forward quantity, e.g. fwd:L2:Z; shared by every view that shows it."""
    return f"fwd:{name}" if layer is None else f"fwd:L{layer}:{name}"


def backward_id(name: str, layer: int) -> str:
    """Stable id of a backward quantity, e.g. bwd:L2:dW."""
    return f"bwd:L{layer}:{name}"


def _split(node_id: str) -> tuple[str, str, str]:
    """'fwd:L2:z_1' -> ('L2', 'z', '_1'); 'fwd:L2:Z' -> ('L2', 'Z', '')."""
    head, _, tail = node_id.rpartition(":")
    name, sep, rest = tail.partition("_")
    return head.partition(":")[2], name, sep + rest


def gradient_id(node_id: str) -> str:
    """The id of the gradient of a forward quantity: fwd:L2:Z -> bwd:L2:dZ, fwd:L2:w_1_2 -> bwd:L2:dw_1_2."""
    layer, name, tail = _split(node_id)
    return f"bwd:{layer}:d{name}{tail}"


def derivative_id(node_id: str) -> str:
    """The id of g'(Z[l]), from Z[l]'s: fwd:L2:Z -> bwd:L2:dg, fwd:L2:z_1 -> bwd:L2:dg_1."""
    layer, _, tail = _split(node_id)
    return f"bwd:{layer}:dg{tail}"


def indices(node_id: str) -> tuple[int, ...]:
    """A unit view scalar's indices: fwd:L2:w_1_2 -> (1, 2), fwd:x_3 -> (3,); () for a matrix."""
    tail = node_id.rpartition(":")[2].partition("_")[2]
    return tuple(int(part) for part in tail.split("_")) if tail else ()


def _sub(*subscripts: int | str) -> str:
    """Subscripts '12' for (1, 2) or '1k'; '1,12' once a number has two digits, to stay readable."""
    if any(isinstance(index, int) and index >= 10 for index in subscripts):
        return ",".join(str(index) for index in subscripts)
    return "".join(str(index) for index in subscripts)


def unit_symbol(name: str, layer: int, *subscripts: int | str) -> str:
    """'w', 2, 1, 2 -> 'w[2]_12'; 'a', 0, 'k' -> 'x_k' (a[0] is the input)."""
    if (name, layer) == ("a", 0):
        return f"x_{_sub(*subscripts)}"
    return f"{name}[{layer}]_{_sub(*subscripts)}"


def unit_id(name: str, layer: int, *subscripts: int) -> str:
    """Stable id of a scalar, e.g. fwd:L2:w_1_2, fwd:x_1, bwd:L2:dz_1."""
    tail = "_".join(str(index) for index in subscripts)
    if (name, layer) == ("a", 0):
        return f"fwd:x_{tail}"
    phase = "bwd" if name.startswith("d") else "fwd"
    return f"{phase}:L{layer}:{name}_{tail}"


def mask_unit_id(layer: int, j: int) -> str:
    """Dropout's mask entry d[l]_j of the unit view, e.g. fwd:L1:D_2 (a forward quantity)."""
    return f"fwd:L{layer}:D_{j}"


def dropped_unit_id(layer: int, j: int) -> str:
    """The unit view's ã[l]_j, a[l]_j after dropout, e.g. fwd:L1:adrop_2."""
    return f"fwd:L{layer}:adrop_{j}"


def label_id(k: int, count: int) -> str:
    """The unit view's label y (one output unit) or y_k (entry k of C, or of n[L] targets)."""
    return "fwd:y" if count == 1 else f"fwd:y_{k}"


def label_symbol(k: int, count: int) -> str:
    return "y" if count == 1 else f"y_{_sub(k)}"
