"""A learner's own problem: X, Y and the course's `parameters` (W1, b1, …, WL, bL), read from an
.npz file or a mapping of arrays and checked against one another before anything is computed.

The layer sizes come from the W shapes; everything else must fit them. Each mismatch is one line
naming the key, the shape found and the shape needed, and all of them are reported together.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import InputError
from .userfile import open_regular
from .model import (DEFAULT_LEAKY_SLOPE, DEFAULT_OUTPUT, MAX_LAYERS, Network, SpecError,
                    split_parameter_key)
from .verify import Problem

PARAMETER = re.compile(r"(W|b|gamma|beta)([1-9][0-9]*)\Z")
MASK = re.compile(r"D([1-9][0-9]*)\Z")  # dropout's masks D1, …, D(L-1)
# the generator seed of the masks drawn when dropout is on and the file holds none
DEFAULT_MASK_SEED = 0
# Arrays are read whole into memory; this bounds what one file may unpack to (the course's
# 12288-input cat pictures, 209 of them, are 20 MB as float64).
MAX_DATA_BYTES = 2 * 1024**3
SAVEZ_HINT = 'np.savez("mine.npz", X=X, Y=Y, **parameters)'
# how the learner's own values for --compare are written (the README's notebook route)
COMPARE_HINT = 'np.savez("grads.npz", AL=AL, **grads)'


class DataError(InputError):
    """Bad data: one line per mismatch (`lines`), all found in one reading."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


@dataclass(frozen=True)
class Data:
    """A validated problem: the network its W shapes give, its arrays as float64, and what the
    reader should know (`warnings`, one line each)."""

    network: Network
    problem: Problem
    source: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def m(self) -> int:
        return self.problem.x.shape[1]


def label_shape(network: Network, m: int) -> tuple[int, int]:
    """The shape Y must have: one row per output unit, one column per example."""
    return (network.units(network.depth), m)


def label_warnings(network: Network, y: np.ndarray) -> list[str]:
    """What is unusual about labels of the right shape for the output head (computed as written
    all the same): a sigmoid's other than 0 and 1, a softmax's columns not one-hot; a linear
    output's targets are any numbers."""
    if network.output == "linear":
        return []
    odd = y[(y != 0) & (y != 1)]
    if odd.size:
        return [f"Y holds {odd.size} value(s) other than 0 and 1 (e.g. {float(odd.flat[0]):g}); "
                "computed as written"]
    return []


def label_errors(network: Network, y: np.ndarray, source: str) -> list[str]:
    """Labels no head can take: a softmax's columns must each sum to 1 (one-hot, or class
    probabilities), as its cross-entropy's dZ[L] = A[L] − Y assumes."""
    if network.output != "softmax":
        return []
    sums = y.sum(axis=0)
    off = np.flatnonzero(~np.isclose(sums, 1.0, rtol=0.0, atol=1e-9))
    if off.size == 0:
        return []
    return [f"{source}: Y has {off.size} column(s) that do not sum to 1 (column {int(off[0])} sums "
            f"to {float(sums[off[0]]):g}); a softmax's labels are one-hot over the "
            f"{y.shape[0]} classes, one 1 per example"]


def load_data(path: str | os.PathLike, *, hidden_activation: str = "relu",
              leaky_slope: float = DEFAULT_LEAKY_SLOPE, output: str = DEFAULT_OUTPUT,
              layers: tuple[int, ...] | None = None, option: str = "--data",
              batch_norm: bool = False, l2: float = 0.0, keep_prob: float = 1.0,
              mask_seed: int = DEFAULT_MASK_SEED) -> Data:
    """The problem in the .npz file `path` (see `from_arrays`)."""
    return from_arrays(read_npz(path, option), source=str(path), hidden_activation=hidden_activation,
                       leaky_slope=leaky_slope, output=output, layers=layers,
                       batch_norm=batch_norm, l2=l2, keep_prob=keep_prob, mask_seed=mask_seed)


def read_npz(path: str | os.PathLike, option: str = "--data",
             recipe: str = SAVEZ_HINT) -> dict[str, np.ndarray]:
    """The arrays of an .npz file, read with numpy without unpickling anything."""
    path = Path(path)
    wanted = f"an .npz file written by {recipe}"
    with open_regular(path, option=option, wanted=wanted, readable="a readable .npz file") as handle:
        try:
            loaded = np.load(handle, allow_pickle=False)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile):
            raise InputError(f"{option} {path} is not an .npz file; write one with "
                             f"{recipe}") from None
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise InputError(f"{option} {path} holds one array (.npy), not named arrays; write "
                             f"an .npz with {recipe}")
        with loaded:
            size = sum(info.file_size for info in loaded.zip.infolist())
            if size > MAX_DATA_BYTES:
                raise InputError(f"{option} {path} unpacks to {size / 1024**3:.1f} GiB, more than "
                                 f"the {MAX_DATA_BYTES // 1024**3} GiB bpdiag reads; give fewer "
                                 "examples")
            arrays = {}
            for key in loaded.files:
                try:
                    arrays[key] = loaded[key]
                except (ValueError, OSError, EOFError, zipfile.BadZipFile, RuntimeError) as exc:
                    raise InputError(f"{option} {path}: key {key} cannot be read ({_first(exc)}); "
                                     f"write numeric arrays with {recipe}") from None
    return arrays


def _first(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _shape(dims) -> str:
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def _symbolic(key: str) -> str:
    """The course's shape of a key, in n[l] and m."""
    if key == "X":
        return "(n[0], m)"
    if key == "Y":
        return "(n[L], m)"
    name, layer = split_parameter_key(key)
    return f"(n[{layer}], n[{layer - 1}])" if name == "W" else f"(n[{layer}], 1)"


def _parameter_keys(depth: int, batch_norm: bool) -> list[str]:
    """W1, b1, …, WL, bL; with batch norm W[l], gamma[l], beta[l] on the hidden layers
    (β[l] takes b[l]'s place) and W[L], b[L]."""
    return [f"{name}{layer}" for layer in range(1, depth + 1)
            for name in (("W", "gamma", "beta") if batch_norm and layer < depth else ("W", "b"))]


def from_arrays(arrays: Mapping[str, object], *, source: str = "data",
                hidden_activation: str = "relu", leaky_slope: float = DEFAULT_LEAKY_SLOPE,
                output: str = DEFAULT_OUTPUT, layers: tuple[int, ...] | None = None,
                batch_norm: bool = False, l2: float = 0.0, keep_prob: float = 1.0,
                mask_seed: int = DEFAULT_MASK_SEED) -> Data:
    """X (n[0], m), Y (n[L], m), W1 (n[1], n[0]), b1 (n[1], 1), …; n[0..L] from the W shapes.
    With `batch_norm`, the hidden layers have gamma[l], beta[l] of shape (n[l], 1) instead of b[l].

    `layers`, when given, must be those sizes. Every missing or extra key, wrong shape, non-number
    and NaN or infinity is one line of the DataError raised; labels other than 0 and 1 are kept,
    with a warning. With dropout (`keep_prob` < 1) the file may hold the masks D1, …, D(L-1)
    (all of them, shape (n[l], m), entries 0 or 1); without them they are drawn from a generator
    of seed `mask_seed`.
    """
    if not isinstance(arrays, Mapping):
        raise TypeError(f"data must be a mapping of names to arrays (or an .npz path), not "
                        f"{type(arrays).__name__}")
    problems: list[str] = []
    values: dict[str, np.ndarray] = {}
    for key, value in arrays.items():
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            problems.append(f"{source}: {key} holds {array.dtype} values; needed real numbers")
            continue
        values[str(key)] = array.astype(np.float64)
    depth = max((int(match[2]) for key in values if (match := PARAMETER.match(key))), default=0)
    if depth == 0:
        raise DataError(problems + [f"{source}: no W1, b1 (the course's parameters); write them "
                                    f"with {SAVEZ_HINT}"])
    if depth > MAX_LAYERS:
        raise DataError(problems + [f"{source}: holds W{depth} or b{depth}, more than the "
                                    f"{MAX_LAYERS} layers bpdiag takes; give fewer layers"])
    parameters = _parameter_keys(depth, batch_norm)
    known = {"X", "Y", *parameters}
    holds = "W1, gamma1, beta1" if batch_norm and depth > 1 else "W1, b1"
    mask_keys = [f"D{l}" for l in range(1, depth)] if keep_prob < 1 else []
    masks = f" (and the masks D1, …, D{depth - 1})" if mask_keys else ""
    for key in values:
        if MASK.match(key) and not mask_keys:
            problems.append(f"{source}: {key} is a dropout mask, but there is no dropout; add "
                            "--keep-prob P (keep_prob) or leave the masks out of the file")
        elif key not in known and key not in mask_keys:
            name = key.rstrip("0123456789")
            why = ""
            if name in ("gamma", "beta") and not batch_norm:
                why = f"; {key} is a batch-norm parameter: add --batch-norm (batch_norm=True)"
            elif name == "b" and batch_norm:
                why = f"; with batch norm beta{key[1:]} takes the place of {key}: drop {key}"
            problems.append(f"{source}: unexpected key {key} (shape {_shape(values[key].shape)}); "
                            f"the file holds X, Y, {holds}, …, W{depth}, b{depth}"
                            f"{masks} only{why}")
    sizes = _sizes(values, depth)
    m = _examples(values, sizes[0])
    network = None
    if all(n is not None for n in sizes):
        head = _head_mismatch(sizes, output)
        try:
            if head:
                raise SpecError(head)
            network = Network(tuple(sizes), hidden_activation, leaky_slope, output, batch_norm,
                              l2, keep_prob)
        except SpecError as exc:
            problems.append(f"{source}: the W shapes give layers {','.join(map(str, sizes))}: {exc}")
    # a sigmoid's Y has one row whatever the file's output layer (whose misfit is said above)
    output_rows = (network.units(depth) if network is not None
                   else 1 if output == "sigmoid" else sizes[depth])
    needed = {"X": (sizes[0], m), "Y": (output_rows, m)}
    if network is not None and m is not None:
        needed["Y"] = label_shape(network, m)
    for key in parameters:
        name, layer = split_parameter_key(key)
        needed[key] = (sizes[layer], sizes[layer - 1]) if name == "W" else (sizes[layer], 1)
    for key in ("X", "Y", *parameters):
        want = _shape(["?" if d is None else d for d in needed[key]])
        if key not in values:
            if key not in arrays:  # (a non-numeric one was named above)
                problems.append(f"{source}: no key {key}; needed {key} of shape "
                                f"{_symbolic(key)} = {want}")
            continue
        found = values[key].shape
        if found != needed[key]:
            one_hot = (key == "Y" and output == "softmax" and len(found) == 2 and found[0] == 1
                       and network is not None)
            hint = (f" (one row per class, one-hot: Y = np.eye({network.units(depth)})"
                    "[labels.ravel()].T)" if one_hot else "")
            problems.append(f"{source}: {key} has shape {_shape(found)}; needed "
                            f"{_symbolic(key)} = {want}{hint}")
        elif not np.all(np.isfinite(values[key])):
            bad = values[key][~np.isfinite(values[key])]
            kinds = " and ".join(word for word, hit in (("NaN", np.isnan(bad).any()),
                                                        ("infinity", np.isinf(bad).any())) if hit)
            index = tuple(int(i) for i in np.argwhere(~np.isfinite(values[key]))[0])
            problems.append(f"{source}: {key} (shape {_shape(found)}, as needed) holds {kinds} "
                            f"in {bad.size} {'entry' if bad.size == 1 else 'entries'}, the first at {index}; needed finite numbers")
    if network is not None and layers is not None and tuple(layers) != network.sizes:
        problems.append(f"{source}: the W shapes give layers {','.join(map(str, network.sizes))} "
                        f"but the layers given are {','.join(map(str, layers))}; drop --layers "
                        "or make them agree")
    given_masks = [key for key in mask_keys if key in values]
    if given_masks and len(given_masks) < len(mask_keys):
        missing = ", ".join(key for key in mask_keys if key not in values)
        problems.append(f"{source}: holds the dropout masks {', '.join(given_masks)} but not "
                        f"{missing}; give a mask for every hidden layer, or none (then they are "
                        "drawn)")
    for key in given_masks:
        layer = int(key[1:])
        want = (sizes[layer], m)
        if values[key].shape != want:
            problems.append(f"{source}: {key} has shape {_shape(values[key].shape)}; needed "
                            f"(n[{layer}], m) = {_shape(['?' if d is None else d for d in want])}")
        elif not np.all((values[key] == 0) | (values[key] == 1)):
            problems.append(f"{source}: {key} holds values other than 0 and 1; a dropout mask "
                            "keeps (1) or shuts down (0) each unit of each example")
    if not problems:
        problems += label_errors(network, values["Y"], source)
    if problems:
        raise DataError(problems)
    params = {key: values[key] for key in parameters}
    if given_masks:
        masks = {key: values[key] for key in mask_keys}
    else:
        from .verify import draw_masks
        masks = draw_masks(network, m, np.random.default_rng(mask_seed))
    problem = Problem(values["X"], values["Y"], params, masks)
    warnings = tuple(f"{source}: {text}" for text in label_warnings(network, problem.y))
    return Data(network, problem, source, warnings)


def _head_mismatch(sizes: list[int], output: str) -> str | None:
    """Why the file's output layer does not fit the head, said for --data: the sizes are the
    file's, so only --output can change (the network's own message names --layers)."""
    units, layer = sizes[-1], len(sizes) - 1
    if output == "sigmoid" and units != 1:
        return (f"its output layer has n[{layer}] = {units} units, and the sigmoid output takes "
                f"1; add --output softmax ({units} classes) or --output linear")
    if output == "softmax" and units < 2:
        return (f"its output layer has n[{layer}] = 1 unit, and a softmax needs C ≥ 2 classes; "
                "use --output sigmoid (binary labels) or --output linear")
    return None


def _examples(values: dict[str, np.ndarray], inputs: int | None) -> int | None:
    """m: X's columns when X has its n[0] rows, else Y's (so a transposed X is the one named)."""
    x, y = values.get("X"), values.get("Y")
    if x is not None and x.ndim == 2 and (x.shape[0] == inputs or y is None or y.ndim != 2):
        return x.shape[1]
    return y.shape[1] if y is not None and y.ndim == 2 else None


def _sizes(values: dict[str, np.ndarray], depth: int) -> list[int | None]:
    """n[0..L] read off W1..WL (rows; n[0] from W1's columns), else b[l] or the next W, else X."""
    def dim(key: str, axis: int) -> int | None:
        value = values.get(key)
        return value.shape[axis] if value is not None and value.ndim == 2 else None

    sizes: list[int | None] = [dim("W1", 1) or dim("X", 0)]
    for layer in range(1, depth + 1):
        sizes.append(dim(f"W{layer}", 0) or dim(f"b{layer}", 0) or dim(f"gamma{layer}", 0)
                     or dim(f"W{layer + 1}", 1))
    return sizes


def npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    """An .npz holding `arrays` (as np.savez writes them, readable by np.load), with fixed
    timestamps so that the same arrays give the same bytes."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for key, value in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asarray(value), allow_pickle=False)
    return buffer.getvalue()
