"""The Python API: `import bpdiag` is light, and every call round-trips with the CLI's output."""

import doctest
import importlib
import inspect
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from click.testing import CliRunner
from lxml import etree

import bpdiag
from bpdiag.cli import cli
from bpdiag.diagrams import RenderOptions, render_view
from bpdiag.errors import InputError
from bpdiag.export.json import graph_from_json
from bpdiag.graph import build_graph as graph_build_graph

NET = bpdiag.Network((2, 3, 2, 1))


def run_python(code):
    """Run `code` in a fresh interpreter that imports this checkout's bpdiag."""
    source = str(Path(bpdiag.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_bpdiag_loads_neither_numpy_nor_networkx():
    out = run_python("import bpdiag, sys; print('numpy' in sys.modules, 'networkx' in sys.modules)")
    assert out == "False False"


def test_import_bpdiag_is_this_checkout():
    assert run_python("import bpdiag; print(bpdiag.__file__)") == str(Path(bpdiag.__file__).resolve())


def test_public_surface_is_documented_and_typed():
    for name in modules():  # a submodule must not shadow a function of the same name
        importlib.import_module(name)
    assert inspect.isfunction(bpdiag.explain) and inspect.isfunction(bpdiag.render)
    for name in bpdiag.__all__:
        item = getattr(bpdiag, name)
        if callable(item):
            assert item.__doc__, name
    for function in (bpdiag.build_graph, bpdiag.check, bpdiag.explain, bpdiag.render):
        assert "return" in function.__annotations__, function.__name__


def test_build_graph_is_the_graph_the_cli_draws():
    for view in (None, 3, 2, 1):
        graph = bpdiag.build_graph(NET, view)
        same = graph_build_graph(NET, bpdiag.as_view(view))
        assert list(graph.nodes(data=True)) == list(same.nodes(data=True))
        assert list(graph.edges(data=True)) == list(same.edges(data=True))


def test_as_view_accepts_a_view_a_layer_or_none():
    assert bpdiag.as_view(bpdiag.View(2)) == bpdiag.View(2) == bpdiag.as_view(2)
    assert bpdiag.as_view(None).is_forward
    with pytest.raises(TypeError, match="neither a View"):
        bpdiag.as_view("2")
    with pytest.raises(InputError, match=r"outside 1\.\.3"):
        bpdiag.build_graph(NET, 4)


def test_check_matches_the_cli_json():
    report = bpdiag.check(NET, m=4, seed=2)
    assert report.ok
    cli_json = json.loads(CliRunner().invoke(cli, ["check", "--json", "--m", "4", "--seed", "2"]).output)
    assert cli_json["cost"] == report.cost
    assert {key: cli_json["grads"][key] for key in report.grads} == {
        key: value.tolist() for key, value in report.grads.items()}
    assert cli_json["forward"]["A3"] == report.forward["A3"].tolist()


def test_explain_matches_the_cli():
    for view, args in ((None, ["--forward"]), (2, ["--to-layer", "2"])):
        for fmt in ("text", "markdown", "latex"):
            result = CliRunner().invoke(cli, ["explain", *args, "--format", fmt])
            assert result.output == bpdiag.explain(NET, view, fmt) + "\n"
    with pytest.raises(InputError, match="unknown explain format"):
        bpdiag.explain(NET, 2, "html")


def test_render_json_round_trips_to_the_graph(tmp_path):
    diagram = bpdiag.render(NET, 2)
    data = diagram.to_bytes("json")
    assert data == render_view(NET, bpdiag.View(2), ("json",), RenderOptions())["json"]
    back = graph_from_json(data)
    assert list(back.nodes(data=True)) == list(diagram.graph.nodes(data=True))
    assert list(back.edges(data=True)) == list(diagram.graph.edges(data=True))
    # the same bytes as `bpdiag render`
    CliRunner().invoke(cli, ["render", "--to-layer", "2", "--format", "json", "--out", str(tmp_path)])
    assert (tmp_path / "backprop_to_layer_2.json").read_bytes() == data


def test_render_options_reach_the_graph():
    diagram = bpdiag.render(NET, None, inference=True, title="t")
    assert diagram.options == RenderOptions(inference=True, title="t")
    assert diagram.graph.graph["inference"] is True
    with pytest.raises(InputError, match="unknown render option 'colour'"):
        bpdiag.render(NET, 2, colour="red")
    with pytest.raises(InputError, match="inference"):
        bpdiag.render(NET, 2, inference=True)


def test_diagram_writes_a_folder_or_one_file(tmp_path):
    diagram = bpdiag.render(NET, 1)
    written = diagram.write(tmp_path / "out", formats="json")
    assert written == [tmp_path / "out" / "backprop_to_layer_1.json"]
    single = diagram.write(tmp_path / "figures" / "bp1.json")
    assert single == [tmp_path / "figures" / "bp1.json"]
    assert single[0].read_bytes() == written[0].read_bytes() == diagram.to_bytes("json")
    with pytest.raises(InputError, match="unknown format 'gif'"):
        diagram.write(tmp_path / "nothing", formats=("json", "gif"))
    assert not (tmp_path / "nothing").exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_jupyter_shows_the_svg_scaled_to_the_cell_with_alt_text():
    import base64
    import html

    diagram = bpdiag.render(NET, 2, title='Back-prop "to" <2>')
    shown = diagram._repr_html_()
    match = re.fullmatch(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)" '
                         r'title="\2" style="max-width:100%;height:auto">', shown)
    assert match, shown[:200]
    svg = base64.b64decode(match.group(1))
    assert svg == diagram.to_bytes("svg")
    assert etree.QName(etree.fromstring(svg)).localname == "svg"
    alt = html.unescape(match.group(2))
    assert alt == 'Back-prop "to" <2>; ' + NET.describe() + "; batch view"
    assert not hasattr(diagram, "_repr_svg_")  # one rich output: the notebook holds the SVG once


def test_diagram_repr_is_one_line():
    text = repr(bpdiag.render(NET, 2))
    assert text == (f"<bpdiag.Diagram backprop_to_layer_2: {NET.describe()}; batch view; "
                    "graphml, svg, png, pdf, dot, json, drawio, html>")
    example = repr(bpdiag.render(NET, bpdiag.View(None, "unit"), inference=True))
    assert example.startswith("<bpdiag.Diagram forward_unit_inference: ") and "; unit view, inference;" in example
    assert "\n" not in text and "_cache" not in text and "RenderOptions" not in text


def modules():
    yield "bpdiag"
    for info in pkgutil.walk_packages(bpdiag.__path__, "bpdiag."):
        if not info.name.endswith("__main__"):
            yield info.name


@pytest.mark.parametrize("name", sorted(modules()))
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


@pytest.mark.parametrize("name", sorted(modules()) + ["bpdiag.__main__"])
def test_star_import_works_for_every_module(name):
    namespace: dict = {}
    exec(f"from {name} import *", namespace)
    module = importlib.import_module(name)
    for exported in getattr(module, "__all__", []):
        assert exported in namespace, exported


def test_the_api_has_docstring_examples():
    result = doctest.testmod(importlib.import_module("bpdiag.api"))
    assert result.attempted >= 10


README = Path(__file__).resolve().parents[1] / "README.md"


def readme_block(heading, fence):
    text = README.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1]
    return section.split(f"```{fence}\n", 1)[1].split("```", 1)[0]


def test_readme_python_api_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_block("Python API", "python"), "README.md", "exec"), {})
    assert (tmp_path / "out" / "backprop_to_layer_2.json").is_file()
    assert (tmp_path / "bp2.json").read_bytes() == (tmp_path / "out" / "backprop_to_layer_2.json").read_bytes()


def test_readme_explain_example_is_real_output():
    command, *shown = readme_block("Explain", "console").splitlines()
    args = command.removeprefix("$ bpdiag ").split()
    actual = CliRunner().invoke(cli, args).output.splitlines()
    for line in shown:
        if line == "...":
            continue
        prefix = line.removesuffix("...")
        assert any(real.startswith(prefix) if line.endswith("...") else real == line
                   for real in actual), line


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_writing_several_formats_draws_once(tmp_path, monkeypatch):
    """Every format from one drawing run (after the rows layout's runs that lay out its rows)."""
    from bpdiag.export import render as render_module

    calls = []
    real = render_module.subprocess.Popen
    monkeypatch.setattr(render_module.subprocess, "Popen",
                        lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))
    written = bpdiag.render(NET, 2).write(tmp_path, formats="graphml,svg,png")
    assert [p.name for p in written] == ["backprop_to_layer_2.graphml", "backprop_to_layer_2.svg",
                                         "backprop_to_layer_2.png"]
    drawing = [call for call in calls if any(arg.startswith("-Tsvg") for arg in call[0])]
    assert len(drawing) == 1 and "-Tpng" in drawing[0][0] and drawing[0] == calls[-1]


def test_check_in_the_unit_view():
    report = bpdiag.check(bpdiag.Network((2, 2, 1)), m=3, seed=0, granularity="unit")
    assert report.ok and report.view == "unit"


# -- argument checking: TypeError for a wrong type, ValueError (InputError) for a wrong value ----

DIAGRAM = bpdiag.render(bpdiag.Network((2, 1)), 1)

MISUSE = [
    # call, exception, fragment naming the argument and what it accepts
    (lambda: bpdiag.render(NET, 1, m=-5), ValueError, "m = -5 must be at least 1"),
    (lambda: bpdiag.render(NET, 1, m=0), ValueError, "m = 0 must be at least 1"),
    (lambda: bpdiag.render(NET, 1, m="4"), TypeError, "m must be a whole number"),
    (lambda: bpdiag.render(NET, 1, m=2.5), TypeError, "m must be a whole number"),
    (lambda: bpdiag.render(NET, None, inference="no"), TypeError, "inference must be True or False"),
    (lambda: bpdiag.render(NET, 1, legend=0), TypeError, "legend must be True or False"),
    (lambda: bpdiag.render(NET, 1, values="yes"), TypeError, "values must be True or False"),
    (lambda: bpdiag.render(NET, 1, seed=-1), ValueError, "seed = -1 must be at least 0"),
    (lambda: bpdiag.render(NET, 1, title=5), TypeError, "title must be text"),
    (lambda: bpdiag.render(NET, 1, license=b"MIT"), TypeError, "license must be text"),
    (lambda: bpdiag.render(NET, 1, notation=5), TypeError, "notation must be dls, nielsen"),
    (lambda: bpdiag.render(NET, "2"), TypeError, "neither a View"),
    (lambda: bpdiag.render(5), TypeError, "network must be a bpdiag.Network"),
    (lambda: bpdiag.render((2, 3, 0)), ValueError, "n[2] = 0 must be at least 1"),
    (lambda: bpdiag.check("2,x,1"), ValueError, "n[1] = 'x' is not a whole number"),
    (lambda: bpdiag.check(NET, m="5"), TypeError, "m must be a whole number"),
    (lambda: bpdiag.check(NET, m=0), ValueError, "m = 0 must be at least 1"),
    (lambda: bpdiag.check(NET, seed=1.5), TypeError, "seed must be a whole number"),
    (lambda: bpdiag.check(NET, granularity="cells"), ValueError, "granularity = 'cells' is not one of"),
    (lambda: bpdiag.check(NET, granularity=None), TypeError, "granularity must be one of"),
    (lambda: bpdiag.explain(NET, 1, format=None), TypeError, "format must be one of"),
    (lambda: bpdiag.explain(NET, 1, inference=1), TypeError, "inference must be True or False"),
    (lambda: bpdiag.build_graph(NET, 1, m=0), ValueError, "m = 0 must be at least 1"),
    (lambda: bpdiag.build_graph({"sizes": (2, 1)}), TypeError, "network must be"),
    (lambda: bpdiag.Network(5), TypeError, "sizes must be a sequence of whole numbers"),
    (lambda: bpdiag.Network("2,1"), TypeError, "sizes must be a sequence of whole numbers"),
    (lambda: bpdiag.Network((2, 1), hidden_activation=None), ValueError, "unknown hidden activation"),
    (lambda: bpdiag.View("2"), TypeError, "to_layer must be a layer number K"),
    (lambda: bpdiag.View(2, granularity=None), TypeError, "granularity must be one of"),
    (lambda: bpdiag.Diagram((2, 1), 1, None), TypeError, "Diagram's network must be a Network"),
    (lambda: DIAGRAM.to_bytes(None), TypeError, "fmt must be one format name"),
    (lambda: DIAGRAM.to_bytes("svg,png"), ValueError, "fmt 'svg,png' is not a format"),
    (lambda: DIAGRAM.write(None), TypeError, "path must be a file or folder path"),
    (lambda: DIAGRAM.write("fig.svg", formats="png"), ValueError,
     "fig.svg names one svg file, so formats='png' cannot apply"),
    (lambda: DIAGRAM.write("out", formats=5), TypeError, "formats must be text such as 'svg,png'"),
]


@pytest.mark.parametrize("call,kind,fragment", MISUSE, ids=[row[2] for row in MISUSE])
def test_public_functions_name_the_wrong_argument(call, kind, fragment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(kind) as caught:
        call()
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)
    if kind is ValueError:
        assert isinstance(caught.value, bpdiag.InputError)  # one line on the command line too
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_network_may_be_given_as_its_sizes():
    assert bpdiag.render((2, 3, 1), 1).network == bpdiag.Network((2, 3, 1))
    assert bpdiag.render([2, 3, 1], 1).network == bpdiag.Network((2, 3, 1))
    assert bpdiag.check("2,3,1", m=3).ok
    assert bpdiag.build_graph("2, 3, 1", 2).graph["layers"] == [2, 3, 1]
    assert bpdiag.explain((2, 1)).startswith("Forward pass: layers 2,1")


def test_input_errors_are_value_errors():
    assert issubclass(bpdiag.InputError, ValueError) and issubclass(bpdiag.InputError, bpdiag.BpdiagError)


GARBAGE = (st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats()
           | st.text(max_size=12) | st.binary(max_size=6)
           | st.lists(st.integers(-3, 9) | st.text(max_size=3), max_size=4).map(tuple)
           | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
           | st.sampled_from(["svg", "json", "2,1", "dls", "nielsen", "batch", "unit", "text"]))


def _only_clean_errors(call) -> None:
    try:
        call()
    except (TypeError, ValueError) as exc:  # InputError is a ValueError
        message = str(exc)
        assert message and "\n" not in message, message
        assert "object has no attribute" not in message and "not supported between" not in message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(args=st.lists(GARBAGE, max_size=3),
       name=st.sampled_from(["render", "check", "explain", "build_graph", "as_view"]),
       option=st.sampled_from(["m", "seed", "inference", "title", "license", "legend", "values",
                               "notation", "granularity", "format"]),
       value=GARBAGE)
def test_garbage_arguments_give_only_type_or_value_errors(tmp_path, monkeypatch, args, name,
                                                          option, value):
    monkeypatch.chdir(tmp_path)
    function = getattr(bpdiag, name)
    _only_clean_errors(lambda: function(*args))
    if name == "check":
        if option in ("m", "seed", "granularity"):
            _only_clean_errors(lambda: function(bpdiag.Network((2, 1)), **{option: value}))
    elif name != "as_view":
        _only_clean_errors(lambda: function(bpdiag.Network((2, 1)), **{option: value}))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(fmt=GARBAGE, path=GARBAGE, formats=GARBAGE)
def test_garbage_formats_and_paths_give_only_type_or_value_errors(tmp_path, monkeypatch, fmt, path,
                                                                  formats):
    monkeypatch.chdir(tmp_path)
    _only_clean_errors(lambda: DIAGRAM.to_bytes(fmt))
    _only_clean_errors(lambda: DIAGRAM.write(path, formats=formats))
