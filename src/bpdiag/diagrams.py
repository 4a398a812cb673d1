"""From a network and a list of views to files on disk: graph -> (layout) -> each format."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import InputError
from .layouts import DEFAULT_LAYOUT
from .files import check_out_dir, check_targets, prepare_out_dir, write_files
from .graph import build_graph, check_drawable
from .model import DEFAULT_M, Network
from .profiles import DEFAULT, Profile, load_profile
from .views import View, file_stem

FORMATS = ("graphml", "svg", "png", "pdf", "dot", "json", "drawio", "html")
DEFAULT_FORMATS = ("graphml", "svg", "png")
DPI = 150  # PNG resolution: sharp enough for a slide


@dataclass(frozen=True)
class RenderOptions:
    """What is drawn beside the dataflow itself."""

    inference: bool = False
    title: str | None = None
    license: str | None = None
    legend: bool = True
    values: bool = False      # annotate quantities with check's numbers
    seed: int = 0
    m: int | None = None      # examples; None = symbolic m (values use model.DEFAULT_M)
    notation: Profile | str = DEFAULT  # drawn symbols: 'dls', 'nielsen', a profile file, a Profile
    layout: str = DEFAULT_LAYOUT  # bpdiag.layouts.LAYOUTS: rows (a slide), column (a page), strip
    data: object = None       # values on a given problem (npzdata.Data) instead of the seed's
    numeric: bool = True      # values: with the gradient check's verdicts (finite differences)

    def __post_init__(self) -> None:
        from . import arguments
        from .layouts import LAYOUTS
        from .usertext import MAX_LICENSE, MAX_TITLE, check_length, check_text
        for name in ("inference", "legend", "values", "numeric"):
            arguments.flag(getattr(self, name), name)
        arguments.whole(self.seed, "seed", 0, "seed=0")
        if self.m is not None:
            arguments.whole(self.m, "m", 1, "m=4")
        arguments.optional_text(self.title, "title")
        arguments.optional_text(self.license, "license")
        check_text(self.title, "--title")
        check_text(self.license, "--license")
        check_length(self.title, "--title", MAX_TITLE)
        check_length(self.license, "--license", MAX_LICENSE)
        if self.data is not None:
            from .npzdata import Data
            if not isinstance(self.data, Data):
                raise TypeError(f"data must be loaded with bpdiag.load_data, not "
                                f"{type(self.data).__name__}")
            if not self.values:
                raise InputError("data gives the numbers of values; add values=True (--values)")
            if self.m is not None and self.m != self.data.m:
                raise InputError(f"m = {self.m} but the data has {self.data.m} examples; drop m")
        if self.layout not in LAYOUTS:
            raise InputError(f"unknown layout {self.layout!r}; choose from {', '.join(LAYOUTS)}")

    def file_stem(self, view: View, network: Network | None = None) -> str:
        """The file name (without extension) of `view` of `network` drawn with these options
        (views.file_stem): the network's tags as it is drawn (at inference, without L2 and
        dropout)."""
        from .profiles import builtin

        profile = load_profile(self.notation)
        if network is not None and self.inference:
            network = network.at_inference()
        return file_stem(view, network_tags=network.tags if network is not None else (),
                         inference=self.inference, values=self.values, layout=self.layout,
                         notation=None if profile is builtin(DEFAULT) else profile.name)


def check_drawn_text(options: RenderOptions) -> None:
    """Refuse user text (title, licence, a user's notation profile) with a character the
    diagrams' font cannot draw (usertext.check_drawable); bpdiag's own texts are not checked."""
    from .usertext import check_drawable

    check_drawable(options.title, "the title")
    check_drawable(options.license, "the licence")
    profile = load_profile(options.notation)
    if not profile.is_builtin:
        for key, text in profile.texts():
            check_drawable(text, f"{profile.source}: '{key}'")


def parse_formats(text: str) -> tuple[str, ...]:
    """'svg,png' -> ('svg', 'png'), in the order given, without repeats."""
    formats: list[str] = []
    for item in (part.strip().lower() for part in text.split(",")):
        if not item:
            continue
        if item not in FORMATS:
            raise InputError(f"unknown format {item!r}; choose from {','.join(FORMATS)}")
        if item not in formats:
            formats.append(item)
    if not formats:
        raise InputError(f"--format is empty; choose from {','.join(FORMATS)}")
    return tuple(formats)


def render_view(network: Network, view: View, formats: tuple[str, ...],
                options: RenderOptions) -> dict[str, bytes]:
    """The bytes of each requested format for one view; Graphviz runs at most once."""
    if any(fmt != "json" for fmt in formats):
        check_drawable(network, view)
        check_drawn_text(options)
    return _render_graph(network, view, _view_graph(network, view, options), formats, options)


def _view_graph(network: Network, view: View, options: RenderOptions):
    m = options.m
    if options.data is not None:
        m = options.data.m
    if options.values and m is None:
        m = DEFAULT_M
    graph = build_graph(network, view, m=m, inference=options.inference)
    if options.values:
        from .values import annotate
        annotate(graph, network, view, m=m, seed=options.seed, data=options.data,
                 numeric=options.numeric)
    return graph


def _render_graph(network: Network, view: View, graph, formats: tuple[str, ...],
                  options: RenderOptions, cancel: threading.Event | None = None,
                  index_name: str | None = None) -> dict[str, bytes]:
    outputs: dict[str, bytes] = {}
    if "json" in formats:
        from .export.json import graph_to_json
        outputs["json"] = graph_to_json(graph)
    drawn = [fmt for fmt in formats if fmt != "json"]
    if drawn:
        outputs.update(_draw(network, graph, drawn, options, cancel))
    if "html" in formats:
        outputs["html"] = _page(network, view, graph, outputs["svg"], options, index_name)
    return {fmt: outputs[fmt] for fmt in formats}


def _draw(network: Network, graph, formats: list[str], options: RenderOptions,
          cancel: threading.Event | None) -> dict[str, bytes]:
    dot, legend, title, profile = dot_stage(network, graph, options, cancel)
    outputs: dict[str, bytes] = {}
    if "dot" in formats:
        outputs["dot"] = dot.source.encode("utf-8")
    wanted = graphviz_formats(formats)
    if not wanted:
        return outputs
    from .export.render import run_dot

    produced = run_dot(dot.source, wanted, cancel)
    outputs.update(export_stage(graph, produced, formats, legend, title, profile))
    return outputs


def dot_stage(network: Network, graph, options: RenderOptions,
              cancel: threading.Event | None = None):
    """The DOT of a view's graph, with its legend (or None), title and notation profile. The
    rows layout runs Graphviz once here, for each row's own layout (bpdiag.export.rows)."""
    from . import __version__
    from .layouts import stacked
    from .legend import build_legend, default_title, to_graphviz_table

    profile = load_profile(options.notation)
    legend = None
    if options.legend:
        legend = build_legend(graph, version=__version__, network_text=network.describe(),
                              title=options.title, license=options.license, notation=profile)
    title = options.title or default_title(graph)
    table = to_graphviz_table(legend) if legend else None
    if stacked(options.layout):
        from .export.render import lay_out_each
        from .export.rows import composed_dot

        dot = composed_dot(graph, lambda sources: lay_out_each(sources, cancel),
                           title=title, legend_table=table, dpi=DPI, notation=profile)
    else:
        from .export.dot import to_dot

        dot = to_dot(graph, title=title, legend_table=table, dpi=DPI, notation=profile,
                     layout=options.layout)
    return dot, legend, title, profile


def graphviz_formats(formats) -> tuple[str, ...]:
    """What the one Graphviz run writes for `formats`: SVG (and its drawing operations, json:
    the text widths that join each label line), PNG, and the layout for GraphML and draw.io."""
    wanted = [fmt for fmt in ("svg", "png", "pdf") if fmt in formats]
    if "html" in formats and "svg" not in formats:
        wanted.insert(0, "svg")  # the page shows the SVG inline
    if "svg" in wanted:
        wanted.append("json")
    if "graphml" in formats or "drawio" in formats or "png" in formats:
        wanted.append("json0")  # the layout; for a PNG, its size: did Graphviz scale it down?
    return tuple(wanted)


def _page(network: Network, view: View, graph, svg: bytes, options: RenderOptions,
          index_name: str | None) -> bytes:
    """The step-through page of a view: its SVG and explain's steps, tied to the drawn nodes."""
    from .explanation.steps import explain_view, in_notation
    from .export.html import view_page
    from .export.stepdata import step_data
    from .legend import default_title

    profile = load_profile(options.notation)
    explanation = explain_view(network, view, inference=options.inference)
    shown = explanation if profile.is_course else in_notation(explanation, profile.plain)
    title = options.title or default_title(graph)
    label = f"{title}; {network.describe()}; {view.granularity} view"
    return view_page(svg, step_data(graph, explanation, shown), title, label, index_name)


def index_name(network: Network, views: list[View], formats, options: RenderOptions) -> str | None:
    """The index page of a set of step-through pages: index.html, with the set's variant
    suffixes (index_example_values.html); None unless several views are written as html."""
    if "html" not in formats or len(views) < 2:
        return None
    return "index" + options.file_stem(views[0], network).removeprefix(views[0].name) + ".html"


def _index(network: Network, views: list[View], options: RenderOptions) -> bytes:
    from .explanation.steps import explain_view
    from .export.html import index_page

    entries = []
    for view in views:
        explanation = explain_view(network, view, inference=options.inference)
        entries.append((f"{options.file_stem(view, network)}.html", explanation.title,
                        len(explanation.steps)))
    return index_page(f"Step through the diagrams of {network.describe()}", entries)


def export_stage(graph, produced: dict[str, bytes], formats, legend, title: str,
                 profile) -> dict[str, bytes]:
    """SVG, PNG, PDF, GraphML and draw.io from the one Graphviz run's outputs."""
    outputs: dict[str, bytes] = {}
    if "svg" in produced:
        from .export.svg import browser_text, natural_size

        outputs["svg"] = browser_text(natural_size(produced["svg"]), produced["json"])
    if "png" in produced:
        import json

        from .export.png import canvas_points, drawn_dpi, with_resolution

        size = canvas_points(json.loads(produced["json0"]))
        outputs["png"] = with_resolution(produced["png"], drawn_dpi(produced["png"], *size, DPI))
    if "pdf" in produced:
        from .export.pdf import fixed_dates

        outputs["pdf"] = fixed_dates(produced["pdf"])
    if "graphml" in formats or "drawio" in formats:
        layout = _editor_layout(graph, produced)
        if "graphml" in formats:
            from .export.graphml import graphml_bytes
            from .legend import to_plain, to_swing_html

            outputs["graphml"] = graphml_bytes(
                graph, layout, to_swing_html(legend) if legend else None,
                legend_description=to_plain(legend) if legend else None, title=title,
                notation=profile)
        if "drawio" in formats:
            from .export.drawio import drawio_bytes
            from .legend import to_html, to_plain

            outputs["drawio"] = drawio_bytes(
                graph, layout, to_html(legend) if legend else None,
                legend_description=to_plain(legend) if legend else None, title=title,
                notation=profile)
    return outputs


def _editor_layout(graph, produced: dict[str, bytes]):
    """The layout of the Graphviz run, read for the editors' formats (GraphML, draw.io)."""
    import json

    from . import labels
    from .export.dot import dot_names
    from .layout import from_graphviz_json

    group_titles = {group: labels.group_label(graph, group)
                    for group in labels.groups_in_order(graph)}
    return from_graphviz_json(json.loads(produced["json0"]), dot_names(graph), group_titles)


def write_views(network: Network, views: list[View], formats: tuple[str, ...], out_dir: Path,
                options: RenderOptions, note: Callable[[str], None] | None = None) -> list[Path]:
    """Render every view, then write the files as one set (`bpdiag.files.write_files`): nothing
    is written if any view fails. `note` receives one line per PNG drawn below DPI (default: a
    Python warning)."""
    options = replace(options, notation=load_profile(options.notation))  # read a file once
    drawn = any(fmt != "json" for fmt in formats)
    for view in views:
        view.check_fits(network)
        if drawn:
            check_drawable(network, view)
    if drawn:
        check_drawn_text(options)
    if options.values and options.numeric:
        from .verify import check_size
        if options.data is not None:
            check_size(network, options.data.m, given=True)
        else:
            check_size(network, options.m or 1)
    out_dir = Path(out_dir)
    targets = [out_dir / f"{options.file_stem(view, network)}.{fmt}" for view in views for fmt in formats]
    index_file = index_name(network, views, formats, options)
    if index_file is not None:
        targets.append(out_dir / index_file)
    check_out_dir(out_dir)
    check_targets(targets)  # before any drawing: a folder in the way stops the run now
    graphs = [_view_graph(network, view, options) for view in views]
    # Graphviz runs outside the interpreter, so independent diagrams are laid out concurrently,
    # the largest first so that no big one is left running alone at the end.
    order = sorted(range(len(views)), key=lambda index: -graphs[index].number_of_nodes())
    workers = max(1, min(len(views), os.cpu_count() or 1))
    pool = ThreadPoolExecutor(max_workers=workers)
    cancel = threading.Event()
    try:
        futures = {index: pool.submit(_render_graph, network, views[index], graphs[index],
                                      formats, options, cancel, index_file) for index in order}
        done, _ = wait(futures.values(), return_when=FIRST_EXCEPTION)
        for index in range(len(views)):  # the first failure stops the others at once
            if futures[index] in done and futures[index].exception() is not None:
                raise futures[index].exception()
        results = [futures[index].result() for index in range(len(views))]
    except BaseException:
        # a view failed, or a stop signal: stop the other Graphviz runs instead of waiting
        pool.shutdown(wait=False, cancel_futures=True)
        from .export.render import stop_all
        stop_all(cancel)
        raise
    pool.shutdown()
    prepare_out_dir(out_dir)
    contents = [outputs[fmt] for outputs in results for fmt in formats]
    if index_file is not None:
        contents.append(_index(network, views, options))
    written = write_files(zip(targets, contents))
    for view, outputs in zip(views, results):
        tell_lowered_resolution(f"{options.file_stem(view, network)}.png", outputs, note)
    return written


def tell_lowered_resolution(name: str, outputs: dict[str, bytes],
                            note: Callable[[str], None] | None = None) -> None:
    """Say (to `note`, or as a warning) when a PNG in `outputs` holds fewer than DPI dots/inch."""
    if "png" not in outputs:
        return
    from .export.png import lowered_note

    text = lowered_note(name, outputs["png"], DPI)
    if text is None:
        return
    if note is None:
        import warnings
        warnings.warn(text, stacklevel=3)
    else:
        note(text)
