"""Which diagram: the forward pass or back-propagation down to layer K, at one granularity."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .choices import canonical
from .layouts import DEFAULT_LAYOUT, LAYOUTS
from .model import OUTPUTS, TAGS, Network, SpecError

GRANULARITIES = ("batch", "example", "unit")
DEFAULT_GRANULARITY = "batch"


@dataclass(frozen=True)
class View:
    """A diagram of a network: `to_layer` None is the forward pass, K is back-propagation to layer K."""

    to_layer: int | None = None
    granularity: str = DEFAULT_GRANULARITY

    def __post_init__(self) -> None:
        if self.to_layer is not None and (isinstance(self.to_layer, bool)
                                          or not isinstance(self.to_layer, int)):
            raise TypeError(f"to_layer must be a layer number K (int) or None for the forward "
                            f"pass, not {self.to_layer!r}")
        if not isinstance(self.granularity, str):
            raise TypeError(f"granularity must be one of {', '.join(GRANULARITIES)}, not "
                            f"{self.granularity!r}")
        object.__setattr__(self, "granularity", canonical(self.granularity, GRANULARITIES))
        if self.granularity not in GRANULARITIES:
            raise SpecError(
                f"unknown view {self.granularity!r}; choose one of " + ", ".join(GRANULARITIES)
            )

    @property
    def is_forward(self) -> bool:
        return self.to_layer is None

    @property
    def name(self) -> str:
        """'forward' or 'backprop_to_layer_K', the view's name in files and JSON."""
        return "forward" if self.is_forward else f"backprop_to_layer_{self.to_layer}"

    @property
    def stem(self) -> str:
        """File name without extension, drawn in the default way (see `file_stem`)."""
        return file_stem(self)

    def check_fits(self, network: Network) -> None:
        """Raise SpecError when the view asks for a layer the network does not have."""
        if self.to_layer is not None and not 1 <= self.to_layer <= network.depth:
            raise SpecError(
                f"--to-layer {self.to_layer} is outside 1..{network.depth} for a network with "
                f"L = {network.depth} layers; pick K between 1 and {network.depth}"
            )
        if self.granularity == "unit" and network.batch_norm:
            raise SpecError(
                "the unit view draws one example's scalars, but batch norm's μ[l] and σ²[l] "
                "couple the m examples (every z_norm[l]_j reads all m examples' z[l]_j), which "
                "one example's scalars cannot show; use --view example (one example's columns, "
                "μ and σ² shared by the m examples) or --view batch")


# suffixes a notation tag must not be
VARIANT_WORDS = (*GRANULARITIES, "inference", "values", *LAYOUTS, *OUTPUTS, *TAGS)


def file_stem(view: View, *, network_tags: tuple[str, ...] = (), inference: bool = False,
              notation: str | None = None, values: bool = False,
              layout: str = DEFAULT_LAYOUT) -> str:
    """The file name without extension of `view` drawn with these variants: the view's name,
    the network's tags (`Network.tags`, in this order: its output head unless sigmoid,
    `batchnorm`, `l2`, `dropout`), then one suffix per variant in this order: the granularity
    (unless batch), `inference`, the notation profile's name (None: the course's own, no
    suffix), `values` and the layout (unless the default), e.g.
    'forward_softmax_batchnorm_example_inference_nielsen_values_column' or
    'backprop_to_layer_2_l2_dropout_example'. So no variant overwrites another's files."""
    parts = [view.name, *network_tags]
    if view.granularity != DEFAULT_GRANULARITY:
        parts.append(view.granularity)
    if inference:
        parts.append("inference")
    if notation is not None:
        parts.append(notation_tag(notation))
    if values:
        parts.append("values")
    if layout != DEFAULT_LAYOUT:
        parts.append(layout)
    return "_".join(parts)


def notation_tag(name: str) -> str:
    """A profile's name as a file-name part: lower-case ASCII letters, digits and '-' ('Course
    superscripts' -> 'course-superscripts'); 'notation' when nothing is left; 'notation-values'
    for a name that is also a variant's suffix."""
    tag = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "notation"
    return f"notation-{tag}" if tag in VARIANT_WORDS else tag


def all_views(network: Network, granularity: str = DEFAULT_GRANULARITY) -> list[View]:
    """The forward view, then back-propagation to layer L, L-1, ..., 1 (the order the course builds them)."""
    views = [View(None, granularity)]
    views += [View(k, granularity) for k in range(network.depth, 0, -1)]
    return views
