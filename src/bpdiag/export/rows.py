"""The slide layout: each layer's group laid out as a row of its own, the rows stacked in the
order the pass visits them, the legend where the drawing shows largest on a 1920×1080 slide.

Graphviz runs three or four times, and bpdiag places what it laid out in between:
1. `dot` lays out every row alone (one run for all of them, each its own graph, which also
   sizes the notes and the legend): inside a row the flow keeps its direction (forward left to
   right, back-propagation right to left from J), and no other row can push it around;
2. the rows are stacked in the pass's order, each starting at the same edge, so the chain
   wraps from one row's end to the next row's start like a line of text; a row far longer
   than the others is cut in two, its second half running back below the first (a snake), while
   that shows the drawing larger; the notes go below the node they annotate, the legend beside
   the rows or into the room shorter rows leave (bpdiag.export.placement);
3. each edge from one row into another is routed around the nodes of the rows it spans
   (Graphviz's `nop2` engine, neato -n2, one run for all of them: routing time grows with the
   square of the nodes in the way, so each edge is shown only its own rows' nodes);
4. the whole is written with every node's position, every edge's route and each layer's box,
   and one more nop2 run draws every format from it as it is (3 and 4:
   bpdiag.export.positioned).

One dot run over the whole diagram, which this replaced, left the rows' order to dot's crossing
minimisation: with batch normalisation's rows it drew the loss between the layers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

import graphviz
import networkx as nx

from .. import labels
from ..graph import attrs as a
from ..layout import Box, node_extent
from ..profiles import Profile, load_profile
from . import loose
from .dot import (LEGEND_ID, cluster_attrs, dot_names, edge_attrs, graph_attrs, legend_node,
                  new_digraph, node_attrs)
from .groups import group_members
from .placement import Frame, legend_place, notes_below, slide_scale, stack
from .positioned import LAYOUT, Placed

FULL_SIZE = 1.0     # a drawing a slide shows at its own size or larger needs no row cut
WORTH_A_CUT = 1.05  # and a cut must show it at least 5 % larger


@dataclass(frozen=True)
class Row:
    """One row: a layer's group (None when the view has no groups), or one half of it, and
    the loose nodes drawn in it (J and Y beside A[L], X before layer 1)."""

    group: str | None
    members: tuple[str, ...]
    loose: tuple[str, ...]
    continued: bool = False  # the second half of a cut row (drawn without the group's title)

    @property
    def nodes(self) -> tuple[str, ...]:
        return self.members + self.loose


def is_note(graph: nx.DiGraph, node: str) -> bool:
    """A note drawn on the diagram (where back-propagation stops), in no layer's group."""
    data = graph.nodes[node]
    return data[a.KIND] == a.ANNOTATION and not data.get(a.GROUP)


def _home(graph: nx.DiGraph, node: str, where: dict[str, object], default: object) -> object:
    """Where `node` is drawn: where its first neighbour in `where` is (successors first, in the
    graph's edge order), else `default`."""
    for neighbour in [*graph.successors(node), *graph.predecessors(node)]:
        if neighbour in where:
            return where[neighbour]
    return default


def rows_of(graph: nx.DiGraph) -> list[Row]:
    """The rows in the pass's order, each loose node (but the notes) in its neighbour's row."""
    members = group_members(graph)
    order = labels.groups_in_order(graph)
    loose_nodes = [n for n, d in graph.nodes(data=True) if not d.get(a.GROUP) and not is_note(graph, n)]
    if not order:
        return [Row(None, (), tuple(loose_nodes))]
    group_of = {node: group for group in order for node in members[group]}
    carried: dict[str, list[str]] = {group: [] for group in order}
    for node in loose_nodes:
        carried[_home(graph, node, group_of, order[0])].append(node)
    return [Row(group, tuple(members[group]), tuple(carried[group])) for group in order]


def row_dot(graph: nx.DiGraph, row: Row, first: bool, *, title: str, dpi: int,
            profile: Profile) -> graphviz.Digraph:
    """The Digraph of one row alone, for its own dot run."""
    names = dot_names(graph)
    backward = a.is_backward(graph) != row.continued  # a second half runs back
    dot = new_digraph(title, {**graph_attrs(LAYOUT, backward, dpi), "pad": "0"})
    for node in row.loose:
        dot.node(names[node], **node_attrs(graph, node, profile, LAYOUT))
    if row.group is not None:
        with dot.subgraph(name=f"cluster_{row.group}") as cluster:
            look = cluster_attrs(graph, row.group)
            cluster.attr(**{**look, "label": ""} if row.continued else look)
            for node in row.members:
                cluster.node(names[node], **node_attrs(graph, node, profile, LAYOUT))
    inside = set(row.nodes)
    for source, target in graph.edges:
        if source in inside and target in inside:
            dot.edge(names[source], names[target], **edge_attrs(graph, source, target))
    if first:  # J and Y one rank before A[L], beside the first row's start
        drawn = {names[node] for node in inside}
        for statement in loose.sources_before(graph, names):
            if all(name in drawn for name in statement.split(" [")[0].split(" -> ")):
                dot.body.append(f"\t{statement}\n")
    return dot


def loose_dot(graph: nx.DiGraph, notes: list[str], legend_table: str | None, *, title: str,
              dpi: int, profile: Profile) -> graphviz.Digraph:
    """The notes and the legend alone, for one dot run: their sizes."""
    names = dot_names(graph)
    dot = new_digraph(title, {**graph_attrs(LAYOUT, False, dpi), "pad": "0"})
    for node in notes:
        dot.node(names[node], **node_attrs(graph, node, profile, LAYOUT))
    if legend_table is not None:
        dot.node(LEGEND_ID, **legend_node(legend_table))
    return dot


@dataclass(frozen=True)
class Laid:
    """A row and its own dot run's layout (Graphviz's JSON, y up)."""

    row: Row
    document: dict

    @cached_property
    def objects(self) -> dict[str, dict]:
        return {obj["name"]: obj for obj in self.document.get("objects", [])}

    @cached_property
    def extent(self) -> tuple[float, float, float, float]:
        """What the row draws, its layer's box and its nodes (Graphviz's `bb` adds a margin
        that differs from row to row)."""
        parts = [tuple(float(v) for v in obj["bb"].split(",")) if "bb" in obj else node_extent(obj)
                 for obj in self.objects.values() if "bb" in obj or "pos" in obj]
        return (min(p[0] for p in parts), min(p[1] for p in parts),
                max(p[2] for p in parts), max(p[3] for p in parts))

    @cached_property
    def frame(self) -> Frame:
        x0, y0, x1, y1 = self.extent
        cluster = self.objects.get(f"cluster_{self.row.group}")
        left, right = (x0, x1) if cluster is None else (float(v) for v in
                                                         cluster["bb"].split(",")[0:3:2])
        return Frame(x1 - x0, y1 - y0, left - x0, right - x0, self.row.continued)

    def along(self, node_name: str) -> float:
        """A node's centre across the row, from the row's left edge."""
        return float(self.objects[node_name]["pos"].split(",")[0]) - self.extent[0]


def split(graph: nx.DiGraph, laid: Laid, names: dict[str, str],
          from_the_right: bool) -> tuple[Row, Row] | None:
    """The row cut in two between the two of its ranks nearest its middle, the half where it
    starts first; a node that only feeds the row (a cached value, a parameter) goes with the
    first node it feeds, beside which dot drew it, and a loose node with its neighbour. None if
    the row has a single rank."""
    row = laid.row
    inside = set(row.members)
    fed = {node: [s for s in graph.successors(node) if s in inside] for node in row.members}
    feeders = {node for node in row.members
               if fed[node] and not any(p in inside for p in graph.predecessors(node))}
    along = {node: laid.along(names[node]) for node in row.members}
    ranks = sorted({along[n] for n in row.members if n not in feeders}, reverse=from_the_right)
    if len(ranks) < 2:
        return None
    middle = laid.frame.width / 2
    cut = min(range(1, len(ranks)), key=lambda i: abs((ranks[i - 1] + ranks[i]) / 2 - middle))
    first_ranks = set(ranks[:cut])

    def first(node: str) -> bool:
        return first(fed[node][0]) if node in feeders else along[node] in first_ranks

    half = {node: first(node) for node in row.members}
    goes_first = {node: _home(graph, node, half, True) for node in row.loose}
    return (Row(row.group, tuple(n for n in row.members if half[n]),
                tuple(n for n in row.loose if goes_first[n])),
            Row(row.group, tuple(n for n in row.members if not half[n]),
                tuple(n for n in row.loose if not goes_first[n]), True))


def estimated_frames(laid: Laid, halves: tuple[Row, Row], names: dict[str, str]) -> list[Frame]:
    """The frames a cut row's halves will have, from where the whole row's run drew their
    nodes, with the whole row's margins: whether cutting is worth two more dot runs."""
    def span(nodes) -> tuple[float, float, float, float]:
        boxes = [node_extent(laid.objects[names[node]]) for node in nodes]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))

    whole = span([*halves[0].nodes, *halves[1].nodes])
    margin_x = laid.frame.width - (whole[2] - whole[0])
    margin_y = laid.frame.height - (whole[3] - whole[1])
    frames = []
    for half in halves:
        x0, y0, x1, y1 = span(half.nodes)
        width = x1 - x0 + margin_x
        frames.append(Frame(width, y1 - y0 + margin_y, 0.0, width, half.continued))
    return frames


class Sizes:
    """The notes' and the legend's sizes (from their dot run) and where they go."""

    def __init__(self, graph: nx.DiGraph, notes: list[str], document: dict | None,
                 names: dict[str, str], with_legend: bool):
        objects = {obj["name"]: obj for obj in (document or {}).get("objects", [])}

        def size(name: str) -> tuple[float, float]:
            x0, y0, x1, y1 = node_extent(objects[name])
            return x1 - x0, y1 - y0

        self.graph, self.names = graph, names
        self.notes = [(note, *size(names[note])) for note in notes]
        self.legend = size(LEGEND_ID) if with_legend else None

    def boxes(self, rows: list[Row], frames: list[Frame], laid: list[Laid | None],
              from_the_right: bool) -> list[Box]:
        """The rows' boxes, then the notes', then the legend's (if any)."""
        boxes = stack(frames, from_the_right)
        where = {node: index for index, row in enumerate(rows) for node in row.nodes}
        anchored = []
        for note, width, height in self.notes:
            (near,) = self.graph.predecessors(note)  # the node it annotates
            index = where[near]
            run = laid[index]  # None: a half not laid out yet, whose middle stands in
            offset = run.along(self.names[near]) if run is not None else frames[index].width / 2
            anchored.append((width, height, boxes[index].x + offset))
        boxes += notes_below(boxes, anchored) if anchored else []
        if self.legend is not None:
            boxes.append(legend_place(boxes, self.legend, from_the_right))
        return boxes


def composed_dot(graph: nx.DiGraph, lay_out, *, title: str, legend_table: str | None = None,
                 dpi: int = 150, notation: Profile | str | None = None) -> graphviz.Digraph:
    """The positioned Digraph of the rows layout (see the module docstring); `lay_out(sources)`
    lays out each DOT source in one Graphviz run and gives their JSON layouts
    (bpdiag.export.render.lay_out_each, its cancel bound)."""
    profile = load_profile(notation)
    names = dot_names(graph)
    from_the_right = a.is_backward(graph)

    def laid_out(rows: list[Row], firsts: list[bool],
                 extra: list[str] = ()) -> tuple[list[Laid], list[dict]]:
        """The rows laid out, each alone, and the layouts of `extra` sources: one run."""
        sources = [row_dot(graph, row, first, title=title, dpi=dpi, profile=profile).source
                   for row, first in zip(rows, firsts)]
        layouts = [json.loads(data) for data in lay_out(sources + list(extra))]
        return [Laid(row, layout) for row, layout in zip(rows, layouts)], layouts[len(rows):]

    notes = [node for node in graph if is_note(graph, node)]
    rows = rows_of(graph)
    extra = []
    if notes or legend_table is not None:  # their sizes, from the same run
        extra = [loose_dot(graph, notes, legend_table, title=title, dpi=dpi, profile=profile).source]
    laid, loose_layouts = laid_out(rows, [index == 0 for index in range(len(rows))], extra)
    sizes = Sizes(graph, notes, loose_layouts[0] if extra else None, names,
                  legend_table is not None)

    def scale(rows: list[Row], frames: list[Frame], runs: list[Laid | None]) -> float:
        return slide_scale(sizes.boxes(rows, frames, runs, from_the_right))

    # a row far longer than the others makes the whole drawing small on a slide: cut the
    # longest row in two while the drawing is shown below its own size and a cut shows it
    # larger (a row is cut once at most; its halves are laid out only if the sizes its whole
    # layout predicts for them promise that)
    tried: set[str | None] = set()
    while True:
        rows, frames = [run.row for run in laid], [run.frame for run in laid]
        now = scale(rows, frames, laid)
        candidates = [i for i, row in enumerate(rows)
                      if row.group not in tried and row.group is not None and not row.continued]
        if now >= FULL_SIZE or not candidates:
            break
        longest = max(candidates, key=lambda i: frames[i].width)
        tried.add(rows[longest].group)
        halves = split(graph, laid[longest], names, from_the_right)
        if halves is None:
            continue
        trial_rows = rows[:longest] + list(halves) + rows[longest + 1:]
        guess = frames[:longest] + estimated_frames(laid[longest], halves, names) + frames[longest + 1:]
        unknown = laid[:longest] + [None, None] + laid[longest + 1:]
        if scale(trial_rows, guess, unknown) <= now * WORTH_A_CUT:
            break
        trial = laid[:longest] + laid_out(list(halves), [longest == 0, False])[0] + laid[longest + 1:]
        if scale(trial_rows, [run.frame for run in trial], trial) <= now * WORTH_A_CUT:
            break
        laid = trial
    boxes = sizes.boxes([run.row for run in laid], [run.frame for run in laid], laid,
                        from_the_right)
    drawing = Placed(graph, laid, boxes, sizes)
    drawing.route_between_rows(lay_out, dpi)
    return drawing.digraph(legend_table, title=title, dpi=dpi, profile=profile)
