"""The network bpdiag draws: an L-layer fully-connected network with one of three output heads,
optionally batch-normalised and regularised (L2 on the weights, inverted dropout on the hidden
layers).

Standard library only: this is the spec every other layer reads. Layer sizes are n[0..L]
(n[0] = input features), hidden layers share one activation, and the output head is the
course's binary classifier (a sigmoid unit with binary cross-entropy, the default), a softmax
over C = n[L] classes with cross-entropy, or a linear output with the squared error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .choices import canonical
from .errors import InputError

HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu")
# The output heads: g[L] and what the network does with it (the diagrams' titles).
OUTPUTS = ("sigmoid", "softmax", "linear")
DEFAULT_OUTPUT = "sigmoid"
OUTPUT_ACTIVATIONS = {"sigmoid": "sigmoid", "softmax": "softmax", "linear": "identity"}
TASKS = {"sigmoid": "binary logistic regression", "softmax": "softmax classification",
         "linear": "linear regression"}
DEFAULT_SIZES = (2, 3, 2, 1)
# the command line's network when --layers is not given: the default, ending in C = 3 classes
# for the softmax (which needs C ≥ 2)
DEFAULT_SIZES_FOR = {"sigmoid": DEFAULT_SIZES, "softmax": (2, 3, 2, 3), "linear": DEFAULT_SIZES}
DEFAULT_LEAKY_SLOPE = 0.01
# The file-name words of what a network adds to the course's first part, in their order
# (Network.tags; the output head's name comes before them)
TAGS = ("batchnorm", "l2", "dropout")
# Examples in the seeded problem of `check` and of `render --values`: one default, so the numbers
# drawn are those check prints; few enough that a matrix of values fits on the diagram.
DEFAULT_M = 4

# Bounds on any network, for every view and format (JSON and check too). `render --all` writes
# L + 1 diagrams of a size growing with L, so its output grows with L²: L = 100 is 30 MB of JSON
# in 6 s; the drawn views stop earlier (graph.MAX_DRAWN_LAYERS). A layer may have as many units
# as an image has pixel values (the course's 64×64×3 = 12288 inputs) and far more; `check` is
# bounded by its own limit on parameters.
MAX_LAYERS = 100
MAX_UNITS = 1_000_000

# ε of batch normalisation, Z_norm = (Z − μ) / √(σ² + ε): keeps the division finite when a unit's
# σ² is 0 (the course leaves its value open; 1e-8 changes no gradient check at float64).
BN_EPSILON = 1e-8


class SpecError(InputError, ValueError):
    """A network spec that cannot be drawn; the message names the problem and the fix."""


@dataclass(frozen=True)
class Network:
    """Layer sizes n[0..L], the hidden activation and the output head of an L-layer network."""

    sizes: tuple[int, ...] = DEFAULT_SIZES
    hidden_activation: str = "relu"
    leaky_slope: float = DEFAULT_LEAKY_SLOPE
    output: str = DEFAULT_OUTPUT
    batch_norm: bool = False
    # regularisation (the course's second part): λ of L2 (0: none) and dropout's keep_prob
    # (1: none) on every hidden layer
    l2: float = 0.0
    keep_prob: float = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.sizes, (str, bytes)) or not hasattr(self.sizes, "__iter__"):
            raise TypeError(f"sizes must be a sequence of whole numbers such as (2, 3, 2, 1), not "
                            f"{type(self.sizes).__name__}")
        object.__setattr__(self, "sizes", tuple(self.sizes))
        object.__setattr__(self, "hidden_activation",
                           canonical(self.hidden_activation, HIDDEN_ACTIVATIONS))
        object.__setattr__(self, "output", canonical(self.output, OUTPUTS))
        _validate(self)

    @property
    def depth(self) -> int:
        """L, the number of layers with parameters (the input layer 0 is not counted)."""
        return len(self.sizes) - 1

    def units(self, layer: int) -> int:
        """n[layer]."""
        return self.sizes[layer]

    def activation(self, layer: int) -> str:
        """g[layer]: the output head's for layer L (sigmoid, softmax or the identity), the hidden
        activation otherwise."""
        if not 1 <= layer <= self.depth:
            raise SpecError(f"layer {layer} does not exist; layers are 1..{self.depth}")
        return OUTPUT_ACTIVATIONS[self.output] if layer == self.depth else self.hidden_activation

    def batch_normed(self, layer: int) -> bool:
        """Whether layer l normalises its Z[l] over the m examples: every hidden layer with
        batch_norm (the output layer keeps its b[L])."""
        return self.batch_norm and 1 <= layer < self.depth

    def parameter_names(self, layer: int) -> tuple[str, ...]:
        """The parameters of layer l by the course's names: W, b; or W, gamma, beta when
        batch-normed (β[l] takes the place of b[l])."""
        return ("W", "gamma", "beta") if self.batch_normed(layer) else ("W", "b")

    def parameter_count(self) -> int:
        """Weights, biases and the batch-norm γ[l], β[l]: the entries a numeric check bumps."""
        sizes = self.sizes
        return sum(sizes[l] * (sizes[l - 1] + (2 if self.batch_normed(l) else 1))
                   for l in range(1, len(sizes)))

    @property
    def dropout(self) -> bool:
        """Whether the hidden layers drop units out in training (keep_prob < 1)."""
        return self.keep_prob < 1

    def at_inference(self) -> Network:
        """The network as inference runs it: neither dropout nor the L2 cost exists there (batch
        norm stays, on its running averages)."""
        return replace(self, l2=0.0, keep_prob=1.0)

    @property
    def task(self) -> str:
        """'binary logistic regression', 'softmax classification' or 'linear regression'."""
        return TASKS[self.output]

    @property
    def tags(self) -> tuple[str, ...]:
        """What sets this network apart from the course's default kind, as file-name words: the
        output head unless sigmoid, then `batchnorm`, `l2`, `dropout` (the sizes and hidden
        activation are not: each network of another shape is drawn into its own --out)."""
        head = () if self.output == DEFAULT_OUTPUT else (self.output,)
        on = {"batchnorm": self.batch_norm, "l2": self.l2 > 0, "dropout": self.dropout}
        return head + tuple(tag for tag in TAGS if on[tag])

    def describe(self) -> str:
        """A one-line summary, e.g. 'layers 2,3,2,1 (L = 3), hidden relu, output sigmoid'."""
        hidden = self.hidden_activation
        if hidden == "leaky_relu":
            hidden = f"leaky_relu (slope {self.leaky_slope:g})"
        sizes = ",".join(str(n) for n in self.sizes)
        bn = ", batch norm" if self.batch_norm else ""
        if self.depth == 1:
            plain = {"sigmoid": "logistic regression", "softmax": "softmax regression",
                     "linear": "linear regression"}[self.output]
            return (f"layers {sizes} (L = 1, plain {plain}), output {self.output}"
                    + self._regularisation_text())
        return (f"layers {sizes} (L = {self.depth}), hidden {hidden}{bn}, output {self.output}"
                + self._regularisation_text())

    def _regularisation_text(self) -> str:
        """', L2 λ = 0.1, dropout keep_prob = 0.8' for what is on; '' for neither."""
        parts = ([f"L2 λ = {self.l2:g}"] if self.l2 > 0 else []) + (
            [f"dropout keep_prob = {self.keep_prob:g}"] if self.dropout else [])
        return "".join(f", {part}" for part in parts)


def _validate(net: Network) -> None:
    sizes = net.sizes
    if len(sizes) < 2:
        raise SpecError(
            f"layers needs at least two sizes n[0],n[L] (got {len(sizes)}); e.g. --layers 2,3,2,1"
        )
    if len(sizes) - 1 > MAX_LAYERS:
        raise SpecError(f"a network of L = {len(sizes) - 1} layers is deeper than the {MAX_LAYERS} "
                        "bpdiag takes; give fewer layers")
    for index, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, int):
            raise SpecError(f"layer size n[{index}] = {n!r} is not a whole number; e.g. --layers 2,3,2,1")
        if n < 1:
            raise SpecError(f"layer size n[{index}] = {n} must be at least 1; e.g. --layers 2,3,2,1")
        if n > MAX_UNITS:
            shown = str(n) if n < 10**30 else f"a number of {len(str(n))} digits"
            raise SpecError(f"layer size n[{index}] = {shown} is more than the {MAX_UNITS} units a "
                            "layer may have; give a smaller size")
    if not isinstance(net.output, str) or net.output not in OUTPUTS:
        raise SpecError(f"unknown output {net.output!r}; choose one of " + ", ".join(OUTPUTS))
    if net.output == "sigmoid" and sizes[-1] != 1:
        raise SpecError(
            f"the output layer has n[{len(sizes) - 1}] = {sizes[-1]} units; binary logistic "
            "regression needs exactly 1: end --layers with 1, or choose --output softmax "
            "(C ≥ 2 classes) or --output linear"
        )
    if net.output == "softmax" and sizes[-1] < 2:
        raise SpecError(
            f"a softmax output needs C = n[{len(sizes) - 1}] ≥ 2 classes, not {sizes[-1]}; end "
            "--layers with the number of classes, e.g. 2,3,3, or choose --output sigmoid")
    if not isinstance(net.hidden_activation, str) or net.hidden_activation not in HIDDEN_ACTIVATIONS:
        raise SpecError(
            f"unknown hidden activation {net.hidden_activation!r}; choose one of "
            + ", ".join(HIDDEN_ACTIVATIONS)
        )
    if not isinstance(net.batch_norm, bool):
        raise SpecError(f"batch_norm must be True or False, not {net.batch_norm!r}")
    if net.batch_norm and len(sizes) == 2:
        raise SpecError("batch norm normalises the hidden layers, and a network with L = 1 has "
                        "none; add a hidden layer (e.g. --layers 2,3,1) or drop batch norm")
    slope = net.leaky_slope
    if isinstance(slope, bool) or not isinstance(slope, (int, float)) or not 0 < slope < 1:
        raise SpecError(f"leaky ReLU slope {slope!r} must be a number between 0 and 1 (exclusive); "
                        "give e.g. --leaky-slope 0.01")
    _validate_regularisation(net)


def _validate_regularisation(net: Network) -> None:
    """λ ≥ 0 (finite) and 0 < keep_prob ≤ 1; dropout needs a hidden layer to act on."""
    lam, keep = net.l2, net.keep_prob
    if isinstance(lam, bool) or not isinstance(lam, (int, float)) or not 0 <= lam < float("inf"):
        raise SpecError(f"L2 strength λ = {lam!r} must be a finite number 0 or larger (0: no L2); "
                        "give e.g. --l2 0.1")
    if isinstance(keep, bool) or not isinstance(keep, (int, float)) or not 0 < keep <= 1:
        raise SpecError(f"keep_prob = {keep!r} must be a number above 0 and at most 1 (1: no "
                        "dropout); give e.g. --keep-prob 0.8")
    object.__setattr__(net, "l2", float(lam))
    object.__setattr__(net, "keep_prob", float(keep))
    if keep < 1 and net.depth < 2:
        raise SpecError(f"dropout (keep_prob = {keep:g}) acts on the hidden layers, and a network "
                        "with L = 1 has none; add a hidden layer, e.g. --layers 2,3,1, or drop "
                        "--keep-prob")


def split_parameter_key(key: str) -> tuple[str, int]:
    """'W2' -> ('W', 2), 'gamma1' -> ('gamma', 1), 'dbeta1' -> ('dbeta', 1): a parameter's (or
    its gradient's) course name and layer, as the course's `parameters` dict names them."""
    name = key.rstrip("0123456789")
    return name, int(key[len(name):])


def parse_sizes(text: str) -> tuple[int, ...]:
    """Read '2,3,2,1' into (2, 3, 2, 1), with an error naming the bad entry."""
    parts = [part.strip() for part in text.split(",")]
    sizes = []
    for index, part in enumerate(parts):
        try:
            sizes.append(int(part))
        except ValueError:
            raise SpecError(
                f"layer size n[{index}] = {part!r} is not a whole number; "
                "give comma-separated sizes such as 2,3,2,1"
            ) from None
    return tuple(sizes)
