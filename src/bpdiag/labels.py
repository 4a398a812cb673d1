"""What each node says on the diagram: symbol, shape, formula and cache note, as rich text.

Shared by every drawn format, so Graphviz measures exactly the text yEd and browsers show.
The graph's text is in the course's notation; a notation profile rewrites what is drawn.
"""

from __future__ import annotations

import networkx as nx

from . import styles
from .graph import attrs as a
from .graph.notation import ACTIVATION_NAMES
from .model import DEFAULT_OUTPUT, OUTPUT_ACTIVATIONS
from .profiles import Profile, load_profile
from .richtext import Glyph, Line, RichText, literal, parse, rich
from .values import PER_EXAMPLE, VALUE, VERDICT, value_lines, verdict_line

SMALL = 0.8125  # operations, and the shape, formula and notes of a quantity, by its symbol's size
VALUE_COLOR, PASS_COLOR, FAIL_COLOR = "#1F3864", "#1B5E20", "#B71C1C"


def shape_text(data: dict) -> str:
    """'(n[2], n[1]) = (2, 3)'; 'scalar' for J; symbolic m stays 'm'."""
    shape, dims = data[a.SHAPE], data[a.DIMS]
    if not shape:
        return "scalar"
    symbolic = "(" + ", ".join(shape) + ")"
    numeric = "(" + ", ".join(s if d is None else str(d) for s, d in zip(shape, dims)) + ")"
    return symbolic if symbolic == numeric else f"{symbolic} = {numeric}"


def _right_side(formula: str) -> str:
    """'dW[2] = (1/m) dZ[2] A[1]ᵀ' -> '= (1/m) dZ[2] A[1]ᵀ' (the symbol is on the line above)."""
    _, sep, rest = formula.partition(" = ")
    return f"= {rest}" if sep else ""


def _said_by_operations(graph: nx.DiGraph, node: str) -> set[str]:
    """The right-hand sides that the operations producing `node` already show in their own
    ellipse ("(1/m) dZ[2] A[1]ᵀ", or "A[3] − Y" of "A[3] − Y (σ with cross-entropy)"): the
    quantity's box does not write them a second time."""
    said = set()
    for op in graph.predecessors(node):
        if graph.nodes[op][a.KIND] == a.OPERATION:
            label = graph.nodes[op][a.LABEL]
            said.add(label)
            said.add(label.split(" (", 1)[0] if label.endswith(")") and " (" in label else label)
    return said


def node_label(graph: nx.DiGraph, node: str, notation: Profile | str | None = None) -> RichText:
    """The node's drawn text in the `notation` profile (default: the course's)."""
    drawn = load_profile(notation).rewrite
    data = graph.nodes[node]
    kind = data[a.KIND]
    if kind == a.OPERATION:
        return rich(parse(drawn(data[a.LABEL]), scale=SMALL))
    if kind == a.ANNOTATION:
        return rich(*(parse(drawn(line), scale=SMALL) for line in data[a.LABEL].splitlines()))
    lines: list[Line] = [parse(drawn(data[a.SYMBOL]), bold=True)]
    if kind == a.COST:
        lines.append(parse(drawn("J(W, b; X, Y)"), scale=SMALL))
    lines.append(parse(drawn(shape_text(data)), scale=SMALL))
    if a.FORMULA_LINES in data:  # a long formula, drawn one term a line
        lines += [parse(drawn(text), scale=SMALL) for text in data[a.FORMULA_LINES]]
    elif kind in (a.GRADIENT, a.DERIVATIVE):
        said = _said_by_operations(graph, node)
        for part in _right_side(data[a.FORMULA]).split(" = "):
            part = part.removeprefix("= ")
            if part and part not in said:
                lines.append(parse(drawn(f"= {part}"), scale=SMALL))
    if data.get(a.CACHED):
        lines.append(parse(drawn("cached for " + ", ".join(data[a.CACHED_FOR])), scale=SMALL))
    # numbers are drawn as written ("[0]" is a value, not a layer), in the node's own text colour
    # on a dark fill (J's), where the value colours would not read
    light_text = styles.node_style(data).text.upper() != "#000000"
    if VALUE in data:
        lines += [literal(text, scale=SMALL, color=None if light_text else VALUE_COLOR)
                  for text in value_lines(data[VALUE], data.get(PER_EXAMPLE, False))]
    if VERDICT in data:
        text, passed = verdict_line(data[VERDICT])
        lines.append(literal(text, scale=SMALL, color=PASS_COLOR if passed else FAIL_COLOR))
    return RichText(rich(*lines).lines, matrix_glyph(data))


MAX_GLYPH_CELLS = 8     # rows or columns drawn; more are elided
SYMBOLIC_COLUMNS = 2    # cells drawn for a symbolic m, followed by "…"


def matrix_glyph(data: dict) -> Glyph | None:
    """The grid of a matrix quantity: n rows, and its columns (m examples elided when symbolic)."""
    dims = data[a.DIMS]
    if len(dims) != 2 or dims[0] is None:
        return None
    rows, columns = dims
    open_columns = columns is None or columns > MAX_GLYPH_CELLS
    if columns is None:
        columns = SYMBOLIC_COLUMNS
    return Glyph(min(rows, MAX_GLYPH_CELLS), min(columns, MAX_GLYPH_CELLS),
                 rows > MAX_GLYPH_CELLS, open_columns)


def node_description(graph: nx.DiGraph, node: str, notation: Profile | str | None = None) -> str:
    """Plain text for tooltips (yEd's node description, SVG <title>): formula and notes."""
    plain = load_profile(notation).plain
    data = graph.nodes[node]
    if data[a.KIND] in (a.OPERATION, a.ANNOTATION):
        return plain(data[a.LABEL])
    parts = [data[a.FORMULA], f"shape {shape_text(data)}"]
    if data.get(a.NOTE):
        parts.append(data[a.NOTE])
    return "\n".join(plain(part) for part in parts if part)


def group_label(graph: nx.DiGraph, group: str) -> str:
    """'Layer 2 (hidden layer): 2 units, ReLU' or 'Loss and cost'."""
    if group == a.COST_GROUP:
        return "Loss and cost"
    normalised = a.is_batch_norm_group(group)
    layer = int(group[1:].removesuffix(a.BATCH_NORM_GROUP))
    sizes = graph.graph.get("layers")
    units = f"{sizes[layer]} unit{'s' if sizes[layer] != 1 else ''}, " if sizes else ""
    is_output = sizes is not None and layer == len(sizes) - 1
    output = OUTPUT_ACTIVATIONS.get(graph.graph.get("output", DEFAULT_OUTPUT), "sigmoid")
    activation = ACTIVATION_NAMES.get(output if is_output else graph.graph.get("hidden_activation"), "")
    role = "output layer" if is_output else "hidden layer"
    title = f"Layer {layer} ({role}): {units}{activation}"
    if normalised:
        title = f"Layer {layer} ({role}): batch norm and {activation}, {units.removesuffix(', ')}"
    elif graph.graph.get("batch_norm") and not is_output:
        # its batch norm and activation are the group above: this one holds W[l] A[l-1]
        title = f"Layer {layer} ({role}): {units}weighted sum before batch norm"
    if a.is_backward(graph):
        # a backward group holds the layer's gradient steps and the cached values they read,
        # such as A[l-1], which the forward diagram draws in layer l-1
        title += " · its gradients and the cached values they read"
    return title


def group_title_side(graph: nx.DiGraph) -> str:
    """Where the SVG has a group's title, 'left' or 'right': Graphviz's labeljust=l is mirrored
    by rankdir=RL, which draws back-propagation views."""
    return "right" if a.is_backward(graph) else "left"


def groups_in_order(graph: nx.DiGraph) -> list[str]:
    """Group ids in first-appearance order (deterministic)."""
    seen: list[str] = []
    for _, data in graph.nodes(data=True):
        group = data.get(a.GROUP)
        if group and group not in seen:
            seen.append(group)
    return seen
