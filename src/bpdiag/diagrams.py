"""From a network and a list of views to files on disk: graph -> (layout) -> each format."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import InputError
from .files import atomic_write, prepare_out_dir
from .graph import build_graph, check_drawable
from .model import Network
from .profiles import DEFAULT, Profile, load_profile
from .views import View

FORMATS = ("graphml", "svg", "png", "dot", "json")
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
    m: int | None = None      # examples; None = symbolic m (values use values.DEFAULT_M)
    notation: Profile | str = DEFAULT  # drawn symbols: 'dls', 'nielsen', a profile file, a Profile
    layout: str = "rows"      # bpdiag.export.rows.LAYOUTS: rows (fits a slide) or strip

    def __post_init__(self) -> None:
        from .export.rows import LAYOUTS
        from .usertext import check_text
        check_text(self.title, "--title")
        check_text(self.license, "--license")
        if self.layout not in LAYOUTS:
            raise InputError(f"unknown layout {self.layout!r}; choose from {', '.join(LAYOUTS)}")


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
    return _render_graph(network, _view_graph(network, view, options), formats, options)


def _view_graph(network: Network, view: View, options: RenderOptions):
    m = options.m
    if options.values and m is None:
        from .values import DEFAULT_M
        m = DEFAULT_M
    graph = build_graph(network, view, m=m, inference=options.inference)
    if options.values:
        from .values import annotate
        annotate(graph, network, view, m=m, seed=options.seed)
    return graph


def _render_graph(network: Network, graph, formats: tuple[str, ...],
                  options: RenderOptions) -> dict[str, bytes]:
    outputs: dict[str, bytes] = {}
    if "json" in formats:
        from .export.json import graph_to_json
        outputs["json"] = graph_to_json(graph)
    drawn = [fmt for fmt in formats if fmt != "json"]
    if drawn:
        outputs.update(_draw(network, graph, drawn, options))
    return {fmt: outputs[fmt] for fmt in formats}


def _draw(network: Network, graph, formats: list[str], options: RenderOptions) -> dict[str, bytes]:
    dot, legend, title, profile = dot_stage(network, graph, options)
    outputs: dict[str, bytes] = {}
    if "dot" in formats:
        outputs["dot"] = dot.source.encode("utf-8")
    wanted = graphviz_formats(formats)
    if not wanted:
        return outputs
    from .export.render import run_dot

    produced = run_dot(dot.source, wanted)
    outputs.update(export_stage(graph, produced, formats, legend, title, profile))
    return outputs


def dot_stage(network: Network, graph, options: RenderOptions):
    """The DOT of a view's graph, with its legend (or None), title and notation profile."""
    from . import __version__
    from .export.dot import to_dot
    from .legend import build_legend, default_title, to_graphviz_table

    profile = load_profile(options.notation)
    legend = None
    if options.legend:
        legend = build_legend(graph, version=__version__, network_text=network.describe(),
                              title=options.title, license=options.license, notation=profile)
    title = options.title or default_title(graph)
    dot = to_dot(graph, title=title, legend_table=to_graphviz_table(legend) if legend else None,
                 dpi=DPI, notation=profile, layout=options.layout)
    return dot, legend, title, profile


def graphviz_formats(formats) -> tuple[str, ...]:
    """What the one Graphviz run writes for `formats`: SVG, PNG, and the layout for GraphML."""
    wanted = [fmt for fmt in ("svg", "png") if fmt in formats]
    if "graphml" in formats:
        wanted.append("json0")
    return tuple(wanted)


def export_stage(graph, produced: dict[str, bytes], formats, legend, title: str,
                 profile) -> dict[str, bytes]:
    """SVG, PNG and GraphML from the one Graphviz run's outputs."""
    outputs: dict[str, bytes] = {}
    if "svg" in produced:
        from .export.svg import natural_size

        outputs["svg"] = natural_size(produced["svg"])
    if "png" in produced:
        outputs["png"] = produced["png"]
    if "graphml" in formats:
        import json

        from . import labels
        from .export.dot import dot_names
        from .export.graphml import graphml_bytes
        from .layout import from_graphviz_json
        from .legend import to_plain, to_swing_html

        group_titles = {group: labels.group_label(graph, group)
                        for group in labels.groups_in_order(graph)}
        layout = from_graphviz_json(json.loads(produced["json0"]), dot_names(graph), group_titles)
        outputs["graphml"] = graphml_bytes(
            graph, layout, to_swing_html(legend) if legend else None,
            legend_description=to_plain(legend) if legend else None, title=title,
            notation=profile)
    return outputs


def write_views(network: Network, views: list[View], formats: tuple[str, ...], out_dir: Path,
                options: RenderOptions) -> list[Path]:
    """Render every view, then write the files; nothing is written if any view fails."""
    options = replace(options, notation=load_profile(options.notation))  # read a file once
    drawn = any(fmt != "json" for fmt in formats)
    for view in views:
        view.check_fits(network)
        if drawn:
            check_drawable(network, view)
    if options.values:
        from .verify import check_size
        check_size(network, options.m or 1)
    graphs = [_view_graph(network, view, options) for view in views]
    # Graphviz runs outside the interpreter, so independent diagrams are laid out concurrently,
    # the largest first so that no big one is left running alone at the end.
    order = sorted(range(len(views)), key=lambda index: -graphs[index].number_of_nodes())
    workers = max(1, min(len(views), os.cpu_count() or 1))
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {index: pool.submit(_render_graph, network, graphs[index], formats, options)
                   for index in order}
        results = [futures[index].result() for index in range(len(views))]
    except BaseException:
        # a view failed, or Ctrl-C/SIGTERM: stop the other Graphviz runs instead of waiting
        pool.shutdown(wait=False, cancel_futures=True)
        from .export.render import stop_all
        stop_all()
        raise
    pool.shutdown()
    rendered = list(zip(views, results))
    out_dir = prepare_out_dir(out_dir)
    written = []
    for view, outputs in rendered:
        for fmt, data in outputs.items():
            written.append(atomic_write(out_dir / f"{view.stem}.{fmt}", data))
    return written
