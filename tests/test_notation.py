"""Notation profiles (--notation dls|nielsen|FILE.toml): what they change, and what they never do."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import bpdiag
from bpdiag.cli import cli
from bpdiag.diagrams import RenderOptions, render_view
from bpdiag.errors import InputError
from bpdiag.graph import attrs as a
from bpdiag.graph import build_graph
from bpdiag.labels import node_description, node_label
from bpdiag.legend import build_legend, to_plain
from bpdiag.profiles import (BUILTIN, NODE_NAMES, _TOKEN, load_profile, parse_profile,
                             plain_superscripts)
from bpdiag.richtext import SUB, SUP, parse
from bpdiag.views import GRANULARITIES, View

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


@pytest.mark.parametrize("path", sorted(NOTATION.glob("*.toml")), ids=lambda p: p.name)
def test_every_profile_file_validates(path):
    profile = load_profile(str(path))
    assert profile.name and profile.operators or path == USER_EXAMPLE


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_profiles_have_a_row_for_every_name_every_view_draws(name):
    profile = load_profile(name)
    for graph in every_graph():
        used = {d[a.NAME] for _, d in graph.nodes(data=True) if d[a.KIND] in a.QUANTITY_KINDS}
        assert used <= set(NODE_NAMES)
        assert used <= set(profile.symbols), used - set(profile.symbols)
        legend = build_legend(graph, version="0", network_text="n", title=None, license=None,
                              notation=profile)
        # the loss also gets a row where an operation's label names it (∂ℒ/∂A in back-propagation)
        labelled = any("ℒ" in str(d.get(a.LABEL, "")) for _, d in graph.nodes(data=True))
        assert len(legend.notation) == len(used | ({"ℒ"} if labelled else set()))
        assert f"notation: {name}" in " ".join(legend.facts)


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
    course = re.compile(r"\b(?:dW|dZ|dA|db|dz|da|dw|W|Z|A|J)\[|ℒ")
    for graph in every_graph():
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
