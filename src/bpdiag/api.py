"""The Python API: build a network, get a view's graph, check it, explain it, render it.

Heavy libraries (networkx, numpy) load on first use, not on `import bpdiag`, so the command
line starts fast. The CLI calls the same modules these functions call.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import arguments
from .errors import InputError
from .model import DEFAULT_M, Network
from .views import View

if TYPE_CHECKING:
    import networkx as nx

    from .diagrams import RenderOptions
    from .npzdata import Data
    from .training import Training
    from .verify import CheckReport

ViewLike = View | int | None
"""A View, or K for back-propagation to layer K, or None for the forward pass."""
NetworkLike = Network | tuple[int, ...] | list[int] | str
"""A Network, or its layer sizes: (2, 3, 2, 1) or '2,3,2,1' (ReLU hidden layers)."""


def as_view(view: ViewLike) -> View:
    """View(2) from 2, the forward View() from None; a View is returned as it is.

    >>> as_view(2).name
    'backprop_to_layer_2'
    >>> as_view(None).name
    'forward'
    """
    if isinstance(view, View):
        return view
    if view is None:
        return View(None)
    if isinstance(view, bool) or not isinstance(view, int):
        raise TypeError(f"view {view!r} is neither a View, a layer number K nor None (forward)")
    return View(view)


def build_graph(network: NetworkLike = Network(), view: ViewLike = None, *, m: int | None = None,
                inference: bool = False) -> nx.DiGraph:
    """The view's dataflow graph: quantity and operation nodes, ids such as 'bwd:L2:dW'.

    >>> import bpdiag
    >>> graph = bpdiag.build_graph(bpdiag.Network((2, 3, 2, 1)), 2)
    >>> graph.nodes["bwd:L2:dW"]["formula"]
    'dW[2] = (1/m) dZ[2] A[1]ᵀ'
    >>> graph.nodes["bwd:L2:dW"]["shape"]
    ['n[2]', 'n[1]']
    """
    from .graph import build_graph as build

    network = arguments.as_network(network)
    if m is not None:
        arguments.whole(m, "m", 1, "m=5")
    return build(network, as_view(view), m=m, inference=arguments.flag(inference, "inference"))


DataLike = Any
"""A bpdiag.Data (from load_data), an .npz path, or a mapping {"X": X, "Y": Y, "W1": W1, ...}."""


def load_data(source: DataLike, network: NetworkLike | None = None) -> Data:
    """A learner's problem: X (n[0], m), Y (1, m) and the course's parameters W1, b1, …, from an
    .npz file (`np.savez("mine.npz", X=X, Y=Y, **parameters)`) or a mapping of arrays.

    The layers come from the W shapes; `network`, when given, sets the hidden activation and its
    sizes must agree. Every mismatch is one line of the InputError raised; labels other than 0
    and 1 are kept with a warning.

    >>> import numpy as np, bpdiag
    >>> params = {"W1": np.ones((3, 2)), "b1": np.zeros((3, 1)), "W2": np.ones((1, 3)),
    ...           "b2": np.zeros((1, 1))}
    >>> data = bpdiag.load_data({"X": np.zeros((2, 5)), "Y": np.ones((1, 5)), **params})
    >>> data.network.sizes, data.m
    ((2, 3, 1), 5)
    """
    import dataclasses
    import warnings

    from .npzdata import Data, from_arrays, load_data as load

    given = None if network is None else arguments.as_network(network)
    if isinstance(source, Data):
        if given is None or given == source.network:
            return source
        if given.batch_norm != source.network.batch_norm:
            raise InputError("network and the data disagree on batch norm (γ, β instead of b); "
                             "load the data again with this network")
        if given.sizes != source.network.sizes:
            raise InputError(f"network {given.describe()} does not have the data's layers "
                             f"{','.join(map(str, source.network.sizes))}; drop network")
        found = dataclasses.replace(source, network=given)  # the same sizes, other activations
        if given.dropout != bool(source.problem.masks):
            # with dropout now, the masks drawn as load_data draws them; without, none
            import numpy as np

            from .npzdata import DEFAULT_MASK_SEED
            from .verify import draw_masks
            masks = draw_masks(given, source.m, np.random.default_rng(DEFAULT_MASK_SEED))
            found = dataclasses.replace(found, problem=dataclasses.replace(source.problem,
                                                                           masks=masks))
        return found
    options = {} if given is None else {"hidden_activation": given.hidden_activation,
                                        "leaky_slope": given.leaky_slope, "output": given.output,
                                        "layers": given.sizes, "batch_norm": given.batch_norm,
                                        "l2": given.l2, "keep_prob": given.keep_prob}
    if isinstance(source, (str, os.PathLike)):
        found = load(source, option="data", **options)
    else:
        found = from_arrays(source, **options)
    for line in found.warnings:
        warnings.warn(line, stacklevel=2)
    return found


def check(network: NetworkLike | None = None, m: int = DEFAULT_M, seed: int = 0,
          granularity: str = "batch", *, data: DataLike = None,
          numeric: bool = True) -> CheckReport:
    """Evaluate every view's graph with numpy on seeded data, or on `data` (see load_data);
    compare each gradient with central differences (unless `numeric` is False). `report.ok` is
    True when all agree. `granularity` 'example' or 'unit' evaluates those views' graphs (and
    compares them with the batch view's). `report.forward` and `report.backward` hold Z1, A1, …
    and dAL, dZL, dWL, dbL, …, dA0 by the course's names.

    >>> import bpdiag
    >>> report = bpdiag.check(bpdiag.Network((3, 4, 1), "tanh"), m=4, seed=1)
    >>> report.ok, sorted(report.grads)
    (True, ['dW1', 'dW2', 'db1', 'db2'])
    """
    from .verify import check as run_check
    from .views import GRANULARITIES

    arguments.flag(numeric, "numeric")
    arguments.choice(granularity, "granularity", GRANULARITIES)
    if data is not None:
        found = load_data(data, network)
        return run_check(found.network, view=granularity, data=found, numeric=numeric)
    network = arguments.as_network(Network() if network is None else network)
    arguments.whole(m, "m", 1, "m=5")
    arguments.whole(seed, "seed", 0, "seed=0")
    return run_check(network, m=m, seed=seed, view=granularity, numeric=numeric)


def compare(report: CheckReport, mine: DataLike, tolerance: float | None = None) -> list:
    """The learner's values (an .npz path or a mapping: AL, cost, dW2, db1, dA1, …) against the
    report's, one `Comparison` per name (`.agrees`, `.largest`, `.line()`), in the order
    bpdiag computes them."""
    from .comparison import DEFAULT_TOLERANCE, compare as run_compare
    from .npzdata import COMPARE_HINT, read_npz
    from .verify import CheckReport

    if not isinstance(report, CheckReport):
        raise TypeError(f"report must come from bpdiag.check, not {type(report).__name__}")
    source = "mine"
    if isinstance(mine, (str, os.PathLike)):
        source, mine = str(mine), read_npz(mine, "mine", COMPARE_HINT)
    return run_compare(report, mine, source=source,
                       tolerance=DEFAULT_TOLERANCE if tolerance is None else tolerance)


def train(data: DataLike, steps: int, learning_rate: float,
          network: NetworkLike | None = None) -> Training:
    """`steps` steps of batch gradient descent on `data` (see load_data), as the course's
    L_layer_model: `.costs[i]` is step i's cost before its update, `.params` the parameters
    after the last update (the data's stay unchanged)."""
    from .training import train as run_training

    found = load_data(data, network)
    return run_training(found.network, found.problem, steps, learning_rate)


def explain(network: NetworkLike = Network(), view: ViewLike = None, format: str = "text", *,
            inference: bool = False, notation: Any = None) -> str:
    """The view's computation step by step in `format` 'text', 'markdown' or 'latex'.

    `notation` ('dls', the default, 'nielsen', a profile file or Profile) rewrites the symbols of
    'text' and 'markdown'; 'latex' is written in the course's notation only.

    >>> import bpdiag
    >>> text = bpdiag.explain(bpdiag.Network((2, 3, 2, 1)), 3)
    >>> print(text.splitlines()[0])
    Back-propagation to layer 3: layers 2,3,2,1 (L = 3), hidden relu, output sigmoid
    >>> print(text.splitlines()[-1])
    stop: back-propagation to layer 3 ends here; dA[2] = W[3]ᵀ dZ[3] would continue to layer 2
    """
    from .explanation import FORMATS, explain_text

    network = arguments.as_network(network)
    if not isinstance(format, str):  # explain_text names the choices for a wrong name
        raise TypeError(f"format must be one of {', '.join(FORMATS)}, not {type(format).__name__}")
    return explain_text(network, as_view(view), format,
                        inference=arguments.flag(inference, "inference"), notation=notation)


@dataclass(frozen=True)
class Diagram:
    """One view of a network, ready to be written in any format or shown in Jupyter.

    >>> import bpdiag
    >>> diagram = bpdiag.render(bpdiag.Network((2, 2, 1)), view=1)
    >>> diagram.name
    'backprop_to_layer_1'
    >>> diagram.to_bytes("json")[:1]
    b'{'
    """

    network: Network
    view: View
    options: RenderOptions
    _cache: dict[str, bytes] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from .diagrams import RenderOptions

        for name, kind in (("network", Network), ("view", View), ("options", RenderOptions)):
            if not isinstance(getattr(self, name), kind):
                raise TypeError(f"Diagram's {name} must be a {kind.__name__}, not "
                                f"{type(getattr(self, name)).__name__}; bpdiag.render() makes one")

    @property
    def name(self) -> str:
        """The file stem: 'forward', 'backprop_to_layer_2', 'forward_inference', ... (the names
        `bpdiag render` writes, see views.file_stem)."""
        return self.options.file_stem(self.view, self.network)

    @property
    def graph(self) -> nx.DiGraph:
        """The dataflow graph this diagram draws."""
        return build_graph(self.network, self.view, inference=self.options.inference)

    def to_bytes(self, fmt: str) -> bytes:
        """The diagram in one format: 'graphml', 'svg', 'png', 'pdf', 'dot', 'json' or 'html'."""
        from .diagrams import FORMATS

        if not isinstance(fmt, str):
            raise TypeError(f"fmt must be one format name, one of {', '.join(FORMATS)}; not "
                            f"{type(fmt).__name__}")
        if fmt.strip().lower() not in FORMATS:
            raise InputError(f"fmt {fmt!r} is not a format; give one of {', '.join(FORMATS)} "
                             "(write() takes several)")
        fmt = fmt.strip().lower()
        return self._render((fmt,))[fmt]

    def _render(self, formats: tuple[str, ...]) -> dict[str, bytes]:
        """The formats asked for, rendering the missing ones together (one Graphviz run)."""
        from .diagrams import render_view

        missing = tuple(fmt for fmt in formats if fmt not in self._cache)
        if missing:
            self._cache.update(render_view(self.network, self.view, missing, self.options))
        return {fmt: self._cache[fmt] for fmt in formats}

    def write(self, path: str | Path, formats: str | tuple[str, ...] | None = None) -> list[Path]:
        """Write the diagram; returns the paths written.

        `path` ending in a format's extension ('fig.svg') is one file in that format; any other
        path is a folder (created if missing) that receives `<name>.<ext>` per format in
        `formats` (default graphml, svg, png).
        """
        from .diagrams import DEFAULT_FORMATS, FORMATS, parse_formats, tell_lowered_resolution
        from .files import atomic_write, prepare_out_dir, write_files

        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file or folder path (str or Path), not "
                            f"{type(path).__name__}")
        if formats is not None and not isinstance(formats, str) and not (
                isinstance(formats, (tuple, list)) and all(isinstance(f, str) for f in formats)):
            raise TypeError("formats must be text such as 'svg,png', a tuple of format names or "
                            f"None, not {type(formats).__name__}")
        path = Path(path)
        suffix = path.suffix.lstrip(".").lower()
        if suffix in FORMATS and formats is None:
            data = self.to_bytes(suffix)
            written = [atomic_write(prepare_out_dir(path.parent) / path.name, data)]
            tell_lowered_resolution(path.name, {suffix: data})
            return written
        if suffix in FORMATS:
            raise InputError(f"{path} names one {suffix} file, so formats={formats!r} cannot apply; "
                             f"drop formats, or give a folder to write {formats!r} into")
        if path.suffix and not path.is_dir():
            raise InputError(f"{path}: '{path.suffix}' is not a format; name a file ending in "
                             f".{', .'.join(FORMATS)}, or a folder")
        if formats is None:
            formats = DEFAULT_FORMATS
        chosen = parse_formats(formats if isinstance(formats, str) else ",".join(formats))
        outputs = self._render(chosen)  # all rendered before any is written
        folder = prepare_out_dir(path)
        written = write_files((folder / f"{self.name}.{fmt}", data)
                              for fmt, data in outputs.items())
        tell_lowered_resolution(f"{self.name}.png", outputs)
        return written

    @property
    def alt_text(self) -> str:
        """What the diagram shows, in one sentence: its title, the network and the view."""
        from .legend import default_title

        title = self.options.title or default_title(self.graph)
        return f"{title}; {self.network.describe()}; {self.view.granularity} view"

    def __repr__(self) -> str:
        """One line: the view, the network and the formats it writes."""
        from .diagrams import FORMATS

        notes = [word for word, on in (("inference", self.options.inference),
                                       ("values", self.options.values)) if on]
        view = ", ".join([f"{self.view.granularity} view", *notes])
        return (f"<bpdiag.Diagram {self.name}: {self.network.describe()}; {view}; "
                f"{', '.join(FORMATS)}>")

    def _repr_html_(self) -> str:
        """Jupyter shows the SVG as an image scaled to the cell's width (whole, no scrollbar),
        with the diagram's description as its alternative text and tooltip."""
        import base64
        import html

        data = base64.b64encode(self.to_bytes("svg")).decode("ascii")
        alt = html.escape(self.alt_text, quote=True)
        return (f'<img src="data:image/svg+xml;base64,{data}" alt="{alt}" title="{alt}" '
                'style="max-width:100%;height:auto">')


def render(network: NetworkLike = Network(), view: ViewLike = None, **options: Any) -> Diagram:
    """The diagram of one view; nothing is laid out or written until a format is asked for.

    `options` are those of `bpdiag.diagrams.RenderOptions`: inference (the forward pass with
    nothing cached), title, license (a line in the legend), legend (False leaves it out),
    notation ('dls', 'nielsen' or a profile TOML file: the drawn symbols; the JSON keeps the
    course's), values (the numbers on every node: seed and m, or data, see load_data; then the
    network comes from the data) and numeric (False: no gradient-check verdicts).

    >>> import bpdiag
    >>> diagram = bpdiag.render(view=2, title="Back-propagation to layer 2")
    >>> diagram.name, diagram.options.title
    ('backprop_to_layer_2', 'Back-propagation to layer 2')
    """
    from .diagrams import RenderOptions

    network = arguments.as_network(network)
    known = {item.name for item in fields(RenderOptions)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise InputError(f"unknown render option {unknown[0]!r}; choose from {', '.join(sorted(known))}")
    if options.get("data") is not None:
        given = None if network == Network() else network
        options["data"] = load_data(options["data"], given)
        network = options["data"].network
    rendering = RenderOptions(**options)
    from .profiles import load_profile

    load_profile(rendering.notation)  # a bad notation profile fails now, not later
    view = as_view(view)
    build_graph(network, view, inference=rendering.inference)  # a bad view fails now, not later
    return Diagram(network, view, rendering)
