"""From a network and a list of views to files on disk: graph -> (layout) -> each format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .files import atomic_write, prepare_out_dir
from .graph import build_graph
from .model import Network
from .views import View

FORMATS = ("graphml", "svg", "png", "dot", "json")
DEFAULT_FORMATS = ("graphml", "svg", "png")


@dataclass(frozen=True)
class RenderOptions:
    """What is drawn beside the dataflow itself."""

    inference: bool = False
    title: str | None = None
    license: str | None = None
    legend: bool = True


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
    """The bytes of each requested format for one view."""
    graph = build_graph(network, view, inference=options.inference)
    outputs: dict[str, bytes] = {}
    for fmt in formats:
        if fmt == "json":
            from .export.json import graph_to_json
            outputs[fmt] = graph_to_json(graph)
        else:
            raise InputError(f"format {fmt!r} is not available yet; use --format json")
    return outputs


def write_views(network: Network, views: list[View], formats: tuple[str, ...], out_dir: Path,
                options: RenderOptions) -> list[Path]:
    """Render every view, then write the files; nothing is written if any view fails."""
    for view in views:
        view.check_fits(network)
    rendered = [(view, render_view(network, view, formats, options)) for view in views]
    out_dir = prepare_out_dir(out_dir)
    written = []
    for view, outputs in rendered:
        for fmt, data in outputs.items():
            written.append(atomic_write(out_dir / f"{view.stem}.{fmt}", data))
    return written
