"""Notation profiles (--notation dls|nielsen|FILE.toml): what they change, and what they never do."""

import itertools
import re
from functools import lru_cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

import bpdiag
from bpdiag.cli import cli
from bpdiag.diagrams import RenderOptions, render_view
from bpdiag.errors import InputError
from bpdiag.graph import attrs as a
from bpdiag.graph import build_graph
from bpdiag.labels import node_description, node_label
from bpdiag.legend import build_legend, row_names, to_plain
from bpdiag.model import DEFAULT_SIZES_FOR, OUTPUTS, SpecError
from bpdiag.profiles import (BUILTIN, DEFAULT, NAME_KEYS, NODE_NAMES, _TOKEN, _name_key,
                             load_profile, names_in, parse_profile, plain_superscripts)
from bpdiag.richtext import SUB, SUP, parse
from bpdiag.views import GRANULARITIES, View, all_views

SVG, XLINK = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
ROOT = Path(__file__).resolve().parents[1]
NOTATION = ROOT / "templates" / "notation"
USER_EXAMPLE = NOTATION / "example-user.toml"
NET = bpdiag.Network((2, 3, 2, 1))


def every_graph():
    for granularity in GRANULARITIES:
        for to_layer in (None, 1, 2, 3):
            yield build_graph(NET, View(to_layer, granularity))
        yield build_graph(NET, View(None, granularity), inference=True)


def course_texts(graph):
    for _, data in graph.nodes(data=True):
        if data[a.KIND] in a.QUANTITY_KINDS:
            yield from (data[a.SYMBOL], data[a.FORMULA], data[a.NOTE], *data[a.CACHED_FOR])
        else:
            yield data[a.LABEL]


@lru_cache(maxsize=None)
def every_option_graph():
    """The graph of every view bpdiag draws of a network with every combination of the options
    that add quantities (each output head, batch norm, dropout, L2): forward (in training and at
    inference) and back-propagation to each layer, at each granularity. A view the tool refuses
    (the unit view with batch norm) is left out, as the tool leaves it out."""
    graphs = []
    for output, batch_norm, keep_prob, l2 in itertools.product(OUTPUTS, (False, True), (1, 0.8),
                                                               (0, 0.1)):
        network = bpdiag.Network(DEFAULT_SIZES_FOR[output], output=output,
                                 batch_norm=batch_norm, keep_prob=keep_prob, l2=l2)
        for granularity in GRANULARITIES:
            for view in all_views(network, granularity):
                for inference in (False, True) if view.is_forward else (False,):
                    try:
                        graphs.append(build_graph(network, view, inference=inference))
                    except SpecError:
                        continue
    return tuple(graphs)


def quantities(graph):
    return [data for _, data in graph.nodes(data=True) if data[a.KIND] in a.QUANTITY_KINDS]


def rewritten_texts(graph):
    """Every text of the graph a profile rewrites for the labels, tooltips and legend: symbols,
    shapes, formulas, notes, cache notes and operation labels."""
    for _, data in graph.nodes(data=True):
        yield from (data.get(a.SYMBOL, ""), data.get(a.FORMULA, ""), data.get(a.NOTE, ""),
                    data.get(a.LABEL, ""), *data.get(a.FORMULA_LINES, ()),
                    *data.get(a.CACHED_FOR, ()), *data.get(a.SHAPE, ()))


def unnamed_letters(symbol, operators):
    """The letters of a quantity's symbol that are neither a name profiles rewrite nor one of
    the course's operators (m, λ, ...) nor a unit index: what no profile could rename."""
    rest = _TOKEN.sub(lambda match: " " if _name_key(match) else match.group(0), symbol)
    rest = re.sub(r"_[0-9a-z]+", " ", rest)
    for operator in sorted(operators, key=len, reverse=True):
        rest = rest.replace(operator, " ")
    return re.findall(r"[^\W\d_]", rest)


@pytest.mark.parametrize("path", sorted(NOTATION.glob("*.toml")), ids=lambda p: p.name)
def test_every_profile_file_validates(path):
    profile = load_profile(str(path))
    assert profile.name and profile.operators or path == USER_EXAMPLE


def test_every_option_graph_covers_every_name_a_profile_may_give():
    graphs = every_option_graph()
    drawn_rows = {data[a.NAME] for graph in graphs for data in quantities(graph)}
    assert drawn_rows == set(NODE_NAMES) == set(load_profile(DEFAULT).symbols)
    drawn_names = set().union(*(names_in(text) for graph in graphs
                                for text in rewritten_texts(graph)))
    assert drawn_names == set(NAME_KEYS)


def test_every_drawn_symbol_is_made_of_names_a_profile_can_rename():
    operators = [op for op, _ in load_profile(DEFAULT).operators]
    for graph in every_option_graph():
        for data in quantities(graph):
            symbol = data[a.SYMBOL]
            if re.fullmatch(r"[\w-]+(?: [\w-]+)+", symbol):  # a phrase: 'cross-entropy cost'
                continue
            assert not unnamed_letters(symbol, operators), (
                f"{symbol!r}: add its name to profiles.BASE_NAMES and to every profile's [names]")


@pytest.mark.parametrize("name", [name for name in BUILTIN if name != DEFAULT])
def test_builtin_profiles_name_every_name_a_view_draws(name):
    profile = load_profile(name)
    drawn = set().union(*(names_in(text) for graph in every_option_graph()
                          for text in rewritten_texts(graph)))
    missing = sorted(drawn - set(profile.names))
    assert not missing, f"notation/{name}.toml: add {', '.join(missing)} to [names]"


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_profiles_write_the_row_of_every_quantity_a_view_draws(name):
    """Every row the legend of any view shows is the profile's own (not the course's fallback),
    with the course's shape in the profile's letters, and the profile explains every operator
    the course's legend would."""
    profile, course = load_profile(name), load_profile(DEFAULT)
    missing, shapes, operators = {}, set(), set()
    own_operators = {op for op, _ in profile.operators}
    for graph in every_option_graph():
        granularity, output = graph.graph["granularity"], graph.graph["output"]
        rows = row_names(graph)
        assert {data[a.NAME] for data in quantities(graph)} <= set(rows)
        for row in rows:
            if not profile.writes_row(row, granularity, output):
                missing.setdefault(f"symbols.{row}", set()).add(f"{granularity} {output}")
                continue
            shape = profile.legend_row(row, granularity, output)[2]
            if shape != profile.rewrite(course.legend_row(row, granularity, output)[2]):
                shapes.add(f"symbols.{row} ({granularity}, {output}): {shape}")
        legend = build_legend(graph, version="0", network_text="n", title=None, license=None,
                              notation=profile)
        assert len(legend.notation) == len(rows)
        assert f"notation: {name}" in " ".join(legend.facts)
        course_legend = build_legend(graph, version="0", network_text="n", title=None,
                                     license=None, notation=course)
        operators |= {profile.rewrite(op) for op, _ in course_legend.operators} - own_operators
    assert not missing, f"notation/{name}.toml lacks " + "; ".join(
        f"{row} ({', '.join(sorted(views))})" for row, views in sorted(missing.items()))
    assert not shapes, "shapes unlike the course's: " + "; ".join(sorted(shapes))
    assert not operators, f"notation/{name}.toml: add {', '.join(sorted(operators))} to [operators]"


def test_a_batch_norm_symbol_of_the_profile_reaches_the_svg():
    network = bpdiag.Network((2, 3, 2, 1), batch_norm=True)
    svg = etree.fromstring(bpdiag.render(network, 1, notation="nielsen").to_bytes("svg"))
    node = svg.find(f".//{{{SVG}}}g[@id='bwd:L1:dgamma']")
    label = [" ".join("".join(text.itertext()).split()) for text in node.iter(f"{{{SVG}}}text")]
    assert label[0] == "∂C/∂γ1"  # ∂C/∂γ with the layer, 1, as a superscript tspan
    assert label[0].replace("1", "") == load_profile("nielsen").names["dγ"]
    tooltip = node.find(f".//{{{SVG}}}a").get(f"{{{XLINK}}}title")
    assert tooltip.startswith("∂C/∂γ¹ = (1/m) Σᵢ ∂C_x/∂z̃¹(i) ⊙ z_norm¹(i)")
    legend = " ".join(" ".join(svg.find(f".//{{{SVG}}}g[@id='legend']").itertext()).split())
    assert "∂C/∂γ l" in legend and "dγ" not in legend and "Z_norm" not in legend
    assert "ε batch norm's small constant" in legend  # the operator's row
    assert "μˡ, σ²ˡ over the m examples of the batch, so δˡ takes" in legend  # a fact, rewritten
    course = bpdiag.render(network, 1).to_bytes("svg").decode()
    assert "∂C/∂γ" not in course and "dγ" in course


def test_the_course_profile_rewrites_nothing_even_token_by_token():
    dls = load_profile("dls")
    assert dls.is_course
    for graph in every_graph():
        for text in course_texts(graph):
            assert _TOKEN.sub(dls._token, text) == text
            assert dls.rewrite(text) == text


@pytest.mark.parametrize("course, nielsen", [
    ("dW[2] = (1/m) dZ[2] A[1]ᵀ", "∂C/∂w^{2} = (1/m) δ^{2} a^{1}ᵀ"),
    ("g[2]'(Z[2])", "g^{2}'(z^{2})"),
    ("J(W, b; X, Y) = (1/m) Σᵢ ℒ(i)", "C(w, b; X, Y) = (1/m) Σᵢ C_x"),
    ("dW[3](i) = dz[3] a[2]ᵀ", "∂C_x/∂w^{3} = δ^{3} a^{2}ᵀ"),
    ("dw[2]_13 = (1/m) Σᵢ dz[2]_1(i) a[1]_3(i)", "∂C/∂w^{2}_13 = (1/m) Σᵢ δ^{2}_1(i) a^{1}_3(i)"),
    ("∂ℒ/∂A, element-wise", "∂C_x/∂a, element-wise"),
    ("the mean of dZ's columns", "the mean of δ's columns"),
    ("a parameter: one of the variables J is a function of",
     "a parameter: one of the variables C is a function of"),
    ("(n[2], n[l-1]) = (2, 3)", "(n^{2}, n^{l-1}) = (2, 3)"),
    ("x = a[0] = x(i), column i of X", "x = a^{0} = x(i), column i of X"),
])
def test_nielsen_rewrites_symbols_token_by_token(course, nielsen):
    assert load_profile("nielsen").rewrite(course) == nielsen


def test_plain_text_uses_unicode_superscripts():
    assert plain_superscripts("∂C/∂w^{2} δ^{l-1} w^{1..L}") == "∂C/∂w² δˡ⁻¹ w^(1..L)"
    assert load_profile("nielsen").plain("dZ[3]") == "δ³"


def test_richtext_draws_braced_superscripts_without_braces():
    runs = parse("w^{2}_13")
    assert [(run.text, run.script) for run in runs] == [("w", "normal"), ("2", SUP), ("13", SUB)]
    assert [run.text for run in parse("C_x")] == ["C", "x"]


def test_nielsen_labels_carry_no_course_symbols():
    nielsen = load_profile("nielsen")
    course = re.compile(r"\b(?:dW|dZ|dA|db|dz|da|dw|W|Z|A|J|D)\[|ℒ|Z_norm|Z̃|Ã|dγ|dβ|dμ|dσ²|"
                        r"\[(?:\d+|l|L|l-1)\]")
    for graph in every_option_graph():
        for node in graph:
            label = node_label(graph, node, nielsen).plain
            assert not course.search(label), (node, label)
            assert not course.search(node_description(graph, node, nielsen)), node


def test_the_json_stays_in_course_notation():
    for view in (View(None), View(2), View(1, "example"), View(2, "unit")):
        outputs = [render_view(NET, view, ("json",), RenderOptions(notation=name))["json"]
                   for name in (*BUILTIN, str(USER_EXAMPLE))]
        assert len(set(outputs)) == 1
        assert b"dZ[" in outputs[0] or b"dz[" in outputs[0] or view.is_forward


def test_the_drawing_changes_with_the_profile():
    dot = bpdiag.render(NET, 2, notation="nielsen").to_bytes("dot").decode()
    assert "δ" in dot and "notation: nielsen" in dot and "<SUP>" in dot
    course = bpdiag.render(NET, 2).to_bytes("dot").decode()
    assert "δ" not in course and "notation: dls" in course


def test_the_legend_lists_example_and_unit_names_for_the_course_too():
    dls = load_profile("dls")
    example = build_legend(build_graph(NET, View(2, "example")), version="0", network_text="n",
                           title=None, license=None)
    symbols = [symbol for symbol, _, _ in example.notation]
    assert {"y = y(i)", "z[l]", "a[l]", "da[l]", "dz[l]", "dW[l](i)", "dW[l]"} <= set(symbols)
    unit = build_legend(build_graph(NET, View(None, "unit")), version="0", network_text="n",
                        title=None, license=None, notation=dls)
    rows = {symbol: shape for symbol, _, shape in unit.notation}
    assert rows["w[l]_jk"] == "scalar" and rows["b[l]_j"] == "scalar" and rows["x_k"] == "scalar"


def test_the_nielsen_note_reaches_the_legend_tooltip():
    graph = build_graph(NET, View(1))
    legend = build_legend(graph, version="0", network_text="n", title=None, license=None,
                          notation="nielsen")
    text = to_plain(legend)
    assert "dZ[l] = m · ∂J/∂Z[l]" in text and "δˡ" in text and "^{" not in text


def test_a_user_profile_falls_back_to_the_course_rows_rewritten():
    profile = load_profile(str(USER_EXAMPLE))
    assert profile.rewrite("dW[2] = (1/m) dZ[2] A[1]ᵀ") == "∂J/∂W^{2} = (1/m) dZ^{2} A^{1}ᵀ"
    assert profile.legend_row("dW") == ("∂J/∂W^{l}", "the gradient of the cost by the weights "
                                        "of layer l", "(n^{l}, n^{l-1})")
    assert profile.legend_row("Z") == ("Z^{l}", "pre-activation W^{l} A^{l-1} + b^{l}", "(n^{l}, m)")
    assert profile.key_text("gradient", "") == "gradient: dA, dZ, ∂J/∂W, ∂J/∂b"
    assert profile.key_text("data", "data: X, Y, fixed (J ...)") == "data: X, Y, fixed (J ...)"


def test_a_user_profile_leaves_the_names_and_operators_it_lacks_to_the_course():
    """A user's file that says nothing of batch norm draws its quantities in the course's letters
    with the file's layer style, its rows the course's, and keeps the course's operators
    beside its own (the README's fallback)."""
    profile = parse_profile('profile = "mine"\n[style]\nlayer = "superscript"\n'
                            '[names]\ndW = "∂J/∂W"\n[operators]\n"⊙" = "Hadamard product"\n')
    graph = build_graph(bpdiag.Network((2, 3, 2, 1), batch_norm=True), View(1))
    assert profile.rewrite("dγ[2] = (1/m) Σᵢ dZ̃[2](i) ⊙ Z_norm[2](i)") == \
        "dγ^{2} = (1/m) Σᵢ dZ̃^{2}(i) ⊙ Z_norm^{2}(i)"
    assert not profile.writes_row("dγ")
    assert profile.legend_row("dγ") == ("dγ^{l}", "∂J/∂γ^{l} = (1/m) Σᵢ dZ̃^{l}(i) ⊙ Z_norm^{l}(i)",
                                        "(n^{l}, 1)")
    legend = build_legend(graph, version="0", network_text="n", title=None, license=None,
                          notation=profile)
    operators = dict(legend.operators)
    assert list(operators)[0] == "⊙" and operators["⊙"] == "Hadamard product"
    assert operators["ε"].startswith("batch norm's small constant") and "n^{l}" in operators


# -- the command line and the API ----------------------------------------------------------

def test_render_notation_on_the_command_line(tmp_path):
    result = CliRunner().invoke(cli, ["render", "--to-layer", "2", "--notation", "nielsen",
                                      "--format", "dot,json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "δ" in (tmp_path / "backprop_to_layer_2_nielsen.dot").read_text(encoding="utf-8")
    assert "δ" not in (tmp_path / "backprop_to_layer_2_nielsen.json").read_text(encoding="utf-8")


def test_a_spec_file_names_the_notation_and_the_option_overrides_it(tmp_path):
    (tmp_path / "mine.toml").write_text(USER_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    spec = tmp_path / "net.toml"
    spec.write_text('layers = [2, 2, 1]\nnotation = "mine.toml"\n', encoding="utf-8")
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["render", "--spec", str(spec), "--forward", "--format", "dot",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "notation: course-superscripts" in (out / "forward_course-superscripts.dot").read_text(
        encoding="utf-8")
    result = runner.invoke(cli, ["render", "--spec", str(spec), "--forward", "--format", "dot",
                                 "--notation", "nielsen", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "notation: nielsen" in (out / "forward_nielsen.dot").read_text(encoding="utf-8")


def test_explain_in_nielsen_notation():
    result = CliRunner().invoke(cli, ["explain", "--to-layer", "2", "--notation", "nielsen"])
    assert result.exit_code == 0, result.output
    assert "δ² = ∂C_x/∂a² ⊙ g²'(z²)" in result.output and "dZ[" not in result.output
    markdown = bpdiag.explain(NET, 3, "markdown", notation="nielsen")
    assert "`∂C/∂w³ = (1/m) δ³ a²ᵀ`" in markdown
    assert bpdiag.explain(NET, 3) == bpdiag.explain(NET, 3, notation="dls")


def test_explain_latex_is_in_course_notation_only():
    result = CliRunner().invoke(cli, ["explain", "--format", "latex", "--notation", "nielsen"])
    assert result.exit_code == 2
    assert "course's notation only" in result.output


def test_the_api_rejects_a_bad_profile_at_once():
    with pytest.raises(InputError, match="unknown notation profile 'nielson'; did you mean"):
        bpdiag.render(NET, 2, notation="nielson")


BAD_PROFILES = [
    ('profile = "x"\n[names]\nW = "w"\nW2 = "v"\n', ["unknown key 'names.W2'", "did you mean 'names.W'?"]),
    ('profile = "x"\ncolour = "red"\n', ["unknown key 'colour'", "the known keys are profile"]),
    ('profile = "x"\n[symbols.dQ]\nsymbol = "q"\nmeaning = "m"\nshape = "s"\n',
     ["unknown key 'symbols.dQ'"]),
    ('profile = "x"\n[symbols.dW]\nsymbol = "q"\nmeaning = "m"\n', ["'symbols.dW' lacks 'shape'"]),
    ('profile = "x"\n[symbols.dW]\nsymbol = "q"\nmeaning = "m"\nshape = "s"\n[symbols.dW.unit]\n'
     'colour = "c"\n', ["unknown key 'symbols.dW.unit.colour'"]),
    ('profile = 3\n', ["'profile' must be text in quotes", "not the number 3"]),
    ('title = "no name"\n', ["missing key 'profile'"]),
    ('profile = "x"\nnames = "W"\n', ["'names' must be a table", 'not the text "W"']),
    ('profile = "x"\n[names]\ndZ = 1\n', ["'names.dZ' must be text in quotes"]),
    ('profile = "x"\n[names]\ndZ = ""\n', ["'names.dZ' is empty"]),
    ('profile = "x"\n[style]\nlayer = "^{l}"\n', ["'style.layer' is \"^{l}\"", '"brackets" or "superscript"']),
    ('profile = "x"\n[key]\ngradients = "g"\n', ["unknown key 'key.gradients'", "did you mean 'key.gradient'?"]),
    ('profile = "x"\n[operators]\n"⊙" = true\n', ["'operators.⊙' must be text", "the boolean true"]),
    ('profile = "x"\n\n[names\nW = "w"\n', ["invalid TOML", "line 3"]),
]


@pytest.mark.parametrize("text, fragments", BAD_PROFILES)
def test_bad_profiles_are_one_line_input_errors(tmp_path, text, fragments):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_profile(str(path))
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize("argument, fragment", [
    ("nielson", "unknown notation profile 'nielson'; did you mean 'nielsen'?"),
    ("missing.toml", "--notation missing.toml: no such file"),
    ("BAD", "bad.toml: invalid TOML"),
    ("UNKNOWN_KEY", "unknown key 'names.Q'"),
    ("NOT_UTF8", "not UTF-8 text"),
    ("DIR", "is a folder"),
])
def test_bad_notation_on_the_command_line_writes_nothing(tmp_path, monkeypatch, argument, fragment):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.toml").write_text('profile = "x"\n[names\n', encoding="utf-8")
    (tmp_path / "unknown.toml").write_text('profile = "x"\n[names]\nQ = "q"\n', encoding="utf-8")
    (tmp_path / "latin1.toml").write_bytes('profile = "é"\n'.encode("latin-1"))
    (tmp_path / "folder.toml").mkdir()
    argument = {"BAD": "bad.toml", "UNKNOWN_KEY": "unknown.toml", "NOT_UTF8": "latin1.toml",
                "DIR": "folder.toml"}.get(argument, argument)
    for command in (["render", "--format", "svg,dot", "--out", "out"], ["explain"]):
        result = CliRunner().invoke(cli, [*command, "--notation", argument])
        assert result.exit_code == 2, result.output
        assert fragment in result.output
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_profile_parsed_from_text_needs_no_file():
    profile = parse_profile('profile = "t"\n[style]\nlayer = "superscript"\n')
    assert profile.rewrite("W[2]") == "W^{2}" and not profile.is_course
    assert profile.legend_row("W") == ("W^{l}", "weights of layer l; row j holds the weights "
                                       "into unit j", "(n^{l}, n^{l-1})")


def test_the_arrow_key_names_the_cost_as_the_profile_does():
    legend = build_legend(build_graph(NET, View(1)), version="0", network_text="n", title=None,
                          license=None, notation="nielsen")
    assert legend.edges[0][0] == "where back-propagation starts: from the cost C (∂C/∂C = 1)"
