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
    with pytest.raises(InputError, match="neither a View"):
        bpdiag.as_view("2")
    with pytest.raises(InputError, match=r"outside 1\.\.3"):
        bpdiag.build_graph(NET, 4)


def test_check_matches_the_cli_json():
    report = bpdiag.check(NET, m=4, seed=2)
    assert report.ok
    cli_json = json.loads(CliRunner().invoke(cli, ["check", "--json", "--m", "4", "--seed", "2"]).output)
    assert cli_json["cost"] == report.cost
    assert cli_json["grads"] == {key: value.tolist() for key, value in report.grads.items()}


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
                    "graphml, svg, png, pdf, dot, json>")
    example = repr(bpdiag.render(NET, bpdiag.View(None, "unit"), inference=True))
    assert example.startswith("<bpdiag.Diagram forward_unit: ") and "; unit view, inference;" in example
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
def test_writing_several_formats_runs_graphviz_once(tmp_path, monkeypatch):
    from bpdiag.export import render as render_module

    calls = []
    real = render_module.subprocess.Popen
    monkeypatch.setattr(render_module.subprocess, "Popen",
                        lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))
    written = bpdiag.render(NET, 2).write(tmp_path, formats="graphml,svg,png")
    assert [p.name for p in written] == ["backprop_to_layer_2.graphml", "backprop_to_layer_2.svg",
                                         "backprop_to_layer_2.png"]
    assert len(calls) == 1


def test_check_in_the_unit_view():
    report = bpdiag.check(bpdiag.Network((2, 2, 1)), m=3, seed=0, granularity="unit")
    assert report.ok and report.view == "unit"
