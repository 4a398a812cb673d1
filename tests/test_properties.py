"""Property-based tests over random networks (depth 1-6, sizes 1-6), activations and views, and
fuzzing of everything that reads user input."""

from __future__ import annotations

import json
import math

import networkx as nx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from bpdiag.diagrams import RenderOptions, parse_formats, render_view
from bpdiag.errors import InputError
from bpdiag.export.graphml import graphml_bytes
from bpdiag.export.json import graph_from_json, graph_to_json
from bpdiag.graph import attrs as a
from bpdiag.graph import build_graph
from bpdiag.graph.unit import MAX_UNIT_NODES, unit_node_count
from bpdiag.model import HIDDEN_ACTIVATIONS, OUTPUTS, Network, SpecError, parse_sizes
from bpdiag.spec import KNOWN_KEYS, parse_spec, read_spec
from bpdiag.usertext import check_text
from bpdiag.verify import check
from bpdiag.views import GRANULARITIES, View
from conftest import SHARED, needs_dot
from grid_layout import grid_layout
from yed_checks import parse as parse_xml
from yed_checks import schema_errors, semantic_problems

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GRAPHVIZ = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def networks(draw, max_depth: int = 6, max_units: int = 6) -> Network:
    depth = draw(st.integers(1, max_depth))
    output = draw(st.sampled_from(OUTPUTS))
    last = {"sigmoid": 1, "softmax": draw(st.integers(2, 3)), "linear": draw(st.integers(1, 3))}
    sizes = [draw(st.integers(1, max_units)) for _ in range(depth)] + [last[output]]
    activation = draw(st.sampled_from(HIDDEN_ACTIVATIONS))
    slope = draw(st.floats(0.001, 0.5))
    return Network(tuple(sizes), activation, slope, output)


@st.composite
def cases(draw, granularities=GRANULARITIES, max_units: int = 6) -> tuple[Network, View]:
    net = draw(networks(max_units=max_units))
    to_layer = draw(st.none() | st.integers(1, net.depth))
    view = View(to_layer, draw(st.sampled_from(granularities)))
    if view.granularity == "unit":
        assume(unit_node_count(net, view) <= MAX_UNIT_NODES)
    return net, view


def _base(name: str) -> str:
    return name.replace("(i)", "").lower()


@FAST
@given(cases())
def test_every_view_is_a_dag_with_exactly_the_quantities_the_chain_rule_needs(case):
    net, view = case
    graph = build_graph(net, view, m=3)
    assert nx.is_directed_acyclic_graph(graph)
    L = net.depth
    found = {(_base(d[a.NAME]), d[a.LAYER]) for _, d in graph.nodes(data=True)
             if d[a.KIND] == a.GRADIENT}
    params = {(_base(d[a.NAME]), d[a.LAYER]) for _, d in graph.nodes(data=True)
              if d[a.KIND] == a.PARAMETER}
    if view.is_forward:
        assert found == set()
        assert params == {(name, layer) for layer in range(1, L + 1) for name in ("w", "b")}
    else:
        K = view.to_layer
        # dA, dZ, dW, db of layers L..K (dA[L] from the loss, dA[l-1] = W[l]ᵀ dZ[l] down to K)
        assert found == {(name, layer) for layer in range(K, L + 1)
                         for name in ("da", "dz", "dw", "db")}
        # W[l] is read to pass the gradient down from layer l > K; no bias is needed
        assert params == {("w", layer) for layer in range(K + 1, L + 1)}
    # each computed quantity comes from exactly one main route, each operation has a result
    for node, data in graph.nodes(data=True):
        if data[a.KIND] == a.OPERATION:
            assert graph.out_degree(node) >= 1, node


@FAST
@given(cases())
def test_unit_views_past_the_limit_are_refused_others_build(case):
    net, view = case
    unit = View(view.to_layer, "unit")
    if unit_node_count(net, unit) > MAX_UNIT_NODES:
        with pytest.raises(SpecError, match="use --view batch"):
            build_graph(net, unit)
    else:
        assert build_graph(net, unit).number_of_nodes() == unit_node_count(net, unit)


@SLOW
@given(networks(max_depth=4, max_units=4), st.sampled_from(GRANULARITIES), st.integers(0, 2**16),
       st.integers(1, 4))
def test_gradient_checks_pass(net, granularity, seed, m):
    if granularity == "unit":
        assume(all(unit_node_count(net, View(k, "unit")) <= MAX_UNIT_NODES
                   for k in [None, *range(1, net.depth + 1)]))
    report = check(net, m=m, seed=seed, view=granularity)
    assert report.views_agree
    assert report.ok, report.errors


@FAST
@given(cases())
def test_json_loads_back_into_the_same_graph(case):
    graph = build_graph(*case, m=2)
    data = graph_to_json(graph)
    back = graph_from_json(data)
    assert list(back.nodes(data=True)) == list(graph.nodes(data=True))
    assert list(back.edges(data=True)) == list(graph.edges(data=True))
    assert back.graph == graph.graph
    assert graph_to_json(back) == data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(max_units=4), st.text(max_size=40))
def test_graphml_validates_and_round_trips_through_networkx(tmp_path_factory, case, title):
    from bpdiag.legend import build_legend, to_plain, to_swing_html

    graph = build_graph(*case)
    try:
        check_text(title, "--title")
    except InputError:
        title = "".join(ch for ch in title if ch.isprintable()) or "t"
        assume(check_text_ok(title))
    legend = build_legend(graph, version="0", network_text=case[0].describe(), title=title or None,
                          license=title or None)
    layout = grid_layout(graph, (320.0, 90.0))
    data = graphml_bytes(graph, layout, to_swing_html(legend), legend_description=to_plain(legend),
                         title=title or "t")
    tree = parse_xml(data)
    assert semantic_problems(tree, check_overlaps=False) == []
    if SHARED.is_dir():
        assert schema_errors(tree, SHARED) == []
    path = tmp_path_factory.mktemp("g") / "view.graphml"
    path.write_bytes(data)
    back = nx.read_graphml(path)
    by_id = {d["bpdiag_id"]: d for _, d in back.nodes(data=True)}
    assert set(graph) <= set(by_id)
    assert back.number_of_edges() == graph.number_of_edges()
    assert by_id["legend"]["description"] == to_plain(legend)


def check_text_ok(text: str) -> bool:
    try:
        check_text(text, "t")
        RenderOptions(title=text)  # one line, not too long
    except InputError:
        return False
    return True


def drawable_ok(text: str) -> bool:
    from bpdiag.usertext import check_drawable

    try:
        check_drawable(text, "t")
    except InputError:
        return False
    return True


USER_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30) | st.sampled_from(
    ['<b>&amp;"\']]>', "end\\", "\\", "-->", '"', "<x>", "日本 ε ∂J/∂W", "a\\\"b", "]]>"])


@needs_dot
@GRAPHVIZ
@given(cases(granularities=("batch", "example"), max_units=3), USER_TEXT, USER_TEXT)
def test_every_drawn_format_is_well_formed_for_any_user_text(case, title, licence):
    net, view = case
    assume(check_text_ok(title) and check_text_ok(licence))
    assume(drawable_ok(title) and drawable_ok(licence))  # else refused (test_drawable_text.py)
    assume(net.depth <= 3)
    outputs = render_view(net, view, parse_formats("graphml,svg,png,dot,json"),
                          RenderOptions(title=title or None, license=licence or None))
    etree.fromstring(outputs["svg"])
    etree.fromstring(outputs["graphml"])
    assert outputs["png"].endswith(b"IEND\xaeB`\x82")
    json.loads(outputs["json"])
    assert outputs["dot"].rstrip().endswith(b"}")


# -- fuzzing the readers: nothing but the clean error -----------------------------------------

def _clean(call, *args) -> None:
    try:
        call(*args)
    except SpecError as exc:
        message = str(exc)
        assert message and "\n" not in message.strip(), message
    except InputError as exc:
        assert str(exc)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_spec_reader_on_any_text(text):
    _clean(parse_spec, text)


TOML_VALUES = st.recursive(
    st.integers(-3, 10**20) | st.floats(allow_nan=True) | st.booleans() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=5), max_leaves=8)


def _toml(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(_toml(item) for item in value) + "]"


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(KNOWN_KEYS) | st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
                       TOML_VALUES, max_size=6))
def test_spec_reader_on_any_table(table):
    text = "".join(f"{key} = {_toml(value)}\n" for key, value in table.items())
    _clean(parse_spec, text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.dictionaries(
    st.sampled_from(["profile", "title", "note", "style", "names", "symbols", "operators", "key"]),
    TOML_VALUES | st.dictionaries(st.sampled_from(["dW", "db", "W", "layer", "symbol", "x", "⊙"]),
                                  TOML_VALUES, max_size=3), max_size=5))
def test_notation_reader_on_any_input(data):
    from bpdiag.profiles import parse_profile

    if isinstance(data, dict):
        lines = [f"{key} = {_toml(value)}" for key, value in data.items() if not isinstance(value, dict)]
        for key, value in data.items():
            if isinstance(value, dict):
                lines.append(f"[{key}]")
                lines += [f'"{name}" = {_toml(item)}' for name, item in value.items()]
        data = "\n".join(lines) + "\n"
    _clean(parse_profile, data)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_spec_reader_on_any_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("spec") / "net.toml"
    path.write_bytes(data)
    _clean(read_spec, path)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.sampled_from(HIDDEN_ACTIVATIONS + ("gelu", "")),
       st.floats(allow_nan=True))
def test_layer_options_on_any_text(layers, activation, slope):
    _clean(lambda: Network(parse_sizes(layers), activation, slope))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_user_text_is_accepted_or_refused_cleanly(text):
    _clean(check_text, text, "--title")
    _clean(parse_formats, text)
