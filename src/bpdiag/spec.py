"""A network described in a TOML file (`--spec FILE.toml`), read with the standard library.

    layers = [4, 8, 8, 1]          # n[0..L], required; the last is 1 for the sigmoid output
    hidden_activation = "tanh"     # relu (default), tanh, sigmoid or leaky_relu
    output = "sigmoid"             # sigmoid (default), softmax (C = n[L] >= 2) or linear
    leaky_slope = 0.01             # α of leaky_relu
    batch_norm = true              # batch normalisation of the hidden layers (default false)
    title = "A deeper tanh network"
    licence = "CC BY 4.0"          # or `license`, like the --license option
    notation = "dls"               # a notation profile: dls, nielsen, or a .toml file beside the spec
    l2 = 0.1                       # λ of L2 regularisation (0, the default: none)
    keep_prob = 0.8                # inverted dropout on every hidden layer (1, the default: none)

Every mistake is a SpecError of one line that starts with the file's name, names the key and
says how to fix it; syntax errors carry TOML's line and column.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from . import tomlfile
from .choices import canonical
from .errors import InputError
from .model import (DEFAULT_LEAKY_SLOPE, DEFAULT_OUTPUT, HIDDEN_ACTIVATIONS, OUTPUTS, Network,
                    SpecError)
from .usertext import MAX_LICENSE, MAX_TITLE, check_length, check_text

EXAMPLE_LAYERS = "layers = [2, 3, 2, 1]"
TEXT_KEYS = ("title", "licence", "license", "notation")
KNOWN_KEYS = ("layers", "hidden_activation", "leaky_slope", "output", "batch_norm", "l2",
              "keep_prob") + TEXT_KEYS


@dataclass(frozen=True)
class Spec:
    """The network of a spec file and the legend text it may carry (None when absent)."""

    network: Network
    title: str | None = None
    license: str | None = None
    notation: str | None = None


def read_spec(path: str | Path) -> Spec:
    """Read and check the spec file at `path`."""
    path = Path(path)
    text = tomlfile.read_text(path, option="--spec", kind="spec",
                              wanted="the path of a TOML network spec", error=SpecError)
    spec = parse_spec(text, source=str(path))
    if spec.notation is not None and spec.notation.endswith(".toml"):
        # a profile file named in a spec is found beside the spec, wherever bpdiag runs
        from dataclasses import replace
        spec = replace(spec, notation=str(path.parent / spec.notation))
    return spec


def parse_spec(text: str, source: str = "spec") -> Spec:
    """Check the TOML `text` of a spec; `source` names it in error messages."""
    table = tomlfile.parse(text, source, nesting_hint=f"a spec needs no nesting, e.g. {EXAMPLE_LAYERS}",
                           error=SpecError)
    for key in table:
        if key not in KNOWN_KEYS:
            raise SpecError(f"{source}: {_unknown(key)}")
    if "layers" not in table:
        raise SpecError(f"{source}: missing key 'layers'; add the sizes n[0..L], e.g. {EXAMPLE_LAYERS}")
    if "licence" in table and "license" in table:
        raise SpecError(f"{source}: both 'licence' and 'license' are given; keep one of them")
    output = canonical(_typed(table, "output", str, DEFAULT_OUTPUT, source,
                              "a string, one of " + ", ".join(OUTPUTS)), OUTPUTS)
    if output not in OUTPUTS:
        raise SpecError(f"{source}: 'output': unknown output {output!r}; write one of "
                        + ", ".join(f'output = "{name}"' for name in OUTPUTS))
    sizes = _layers(table["layers"], source, output)
    activation = canonical(_typed(table, "hidden_activation", str, "relu", source,
                                  "a string, one of " + ", ".join(HIDDEN_ACTIVATIONS)),
                           HIDDEN_ACTIVATIONS)
    slope = _typed(table, "leaky_slope", (int, float), DEFAULT_LEAKY_SLOPE, source,
                   "a number between 0 and 1, e.g. leaky_slope = 0.01")
    if not 0 < slope < 1:
        raise SpecError(f"{source}: 'leaky_slope': slope {slope} must be a number between 0 and 1 "
                        "(exclusive); "
                        "write e.g. leaky_slope = 0.01")
    if "leaky_slope" in table and activation != "leaky_relu":
        raise SpecError(f"{source}: 'leaky_slope' applies to hidden_activation = \"leaky_relu\" "
                        f"only, not \"{activation}\"; drop one of them")
    batch_norm = table.get("batch_norm", False)
    if not isinstance(batch_norm, bool):
        raise SpecError(f"{source}: 'batch_norm' must be true or false, not "
                        f"{tomlfile.describe(batch_norm)}; write batch_norm = true")
    text_values = {key: _typed(table, key, str, None, source, f'text in quotes, e.g. {key} = "..."')
                   for key in TEXT_KEYS}
    lengths = {"title": MAX_TITLE, "licence": MAX_LICENSE, "license": MAX_LICENSE}
    for key, value in text_values.items():
        try:
            check_text(value, f"'{key}'")
            if key in lengths:
                check_length(value, f"'{key}'", lengths[key])
        except InputError as exc:
            raise SpecError(f"{source}: {exc}") from None
    l2 = _typed(table, "l2", (int, float), 0.0, source, "a number 0 or larger, e.g. l2 = 0.1")
    keep_prob = _typed(table, "keep_prob", (int, float), 1.0, source,
                       "a number above 0 and at most 1, e.g. keep_prob = 0.8")
    try:
        network = Network(sizes, activation, float(slope), output, batch_norm, float(l2),
                          float(keep_prob))
    except SpecError as exc:
        raise SpecError(f"{source}: {exc}") from None
    return Spec(network, title=text_values["title"],
                license=text_values["licence"] or text_values["license"],
                notation=text_values["notation"])


def _unknown(key: str) -> str:
    close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key '{tomlfile.shown_key(key)}'; {hint}the known keys are " + ", ".join(KNOWN_KEYS)


def _typed(table: dict, key: str, kind, default, source: str, expected: str):
    if key not in table:
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise SpecError(f"{source}: '{key}' must be {expected}, not {tomlfile.describe(value)}")
    return value


def _layers(value: object, source: str, output: str) -> tuple[int, ...]:
    """The sizes n[0..L]: an array of at least two whole numbers >= 1, ending in 1 for the sigmoid
    output (the other heads' output sizes are checked by Network)."""
    if not isinstance(value, list):
        raise SpecError(f"{source}: 'layers' must be an array of whole numbers, not "
                        f"{tomlfile.describe(value)}; write e.g. {EXAMPLE_LAYERS}")
    for index, size in enumerate(value):
        if isinstance(size, bool) or not isinstance(size, int):
            raise SpecError(f"{source}: 'layers' entry n[{index}] is {tomlfile.describe(size)}, not a whole "
                            f"number; write e.g. {EXAMPLE_LAYERS}")
        if size < 1:
            raise SpecError(f"{source}: 'layers' entry n[{index}] = {size} must be at least 1")
    if len(value) < 2:
        raise SpecError(f"{source}: 'layers' needs at least two sizes n[0] and n[L]; "
                        f"write e.g. {EXAMPLE_LAYERS}")
    if output == "sigmoid" and value[-1] != 1:
        raise SpecError(f"{source}: 'layers' ends with n[{len(value) - 1}] = {value[-1]}; binary "
                        "logistic regression needs exactly 1 output unit: end the array with 1, "
                        'or write output = "softmax" (C ≥ 2 classes) or output = "linear"')
    return tuple(value)
