"""`bpdiag explain`: every view's steps in the diagram's order, as text, Markdown and LaTeX."""

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from bpdiag.cli import cli
from bpdiag.explanation import explain_text, explain_view
from bpdiag.graph import attrs as a
from bpdiag.graph import build_graph
from bpdiag.graph.order import dataflow_order
from bpdiag.model import HIDDEN_ACTIVATIONS, Network
from bpdiag.views import View, all_views

NET = Network((2, 3, 2, 1))


def every_view():
    for activation in HIDDEN_ACTIVATIONS:
        for sizes in [(2, 1), (2, 3, 2, 1)]:
            net = Network(sizes, activation)
            for granularity in ("batch", "example", "unit"):
                for view in all_views(net, granularity):
                    yield pytest.param(net, view, id=f"{activation}-{len(sizes) - 1}-{view.stem}")


def computed_in_order(graph):
    """Symbols of the computed quantities in the order the numeric check evaluates them."""
    return [graph.nodes[n][a.SYMBOL] for n in dataflow_order(graph)
            if graph.nodes[n][a.KIND] in a.QUANTITY_KINDS
            and any(e.get(a.ROLE) == a.OUTPUT for _, _, e in graph.in_edges(n, data=True))]


@pytest.mark.parametrize("net, view", list(every_view()))
def test_steps_follow_the_graph_in_evaluation_order(net, view):
    graph = build_graph(net, view)
    explanation = explain_view(net, view)
    assert [step.symbol for step in explanation.steps] == computed_in_order(graph)
    assert [step.number for step in explanation.steps] == list(range(1, len(explanation.steps) + 1))
    given = {item.symbol for item in explanation.given}
    computed = {step.symbol for step in explanation.steps}
    assert not given & computed
    # every operand is given or computed by an earlier step
    seen = set(given)
    for step in explanation.steps:
        assert {op.symbol for op in step.operands} <= seen, step
        seen.add(step.symbol)
    if view.is_forward:
        assert explanation.steps[-1].symbol == "J"
        assert "J(W, b; X, Y) is the cost" in explanation.stop
    else:
        assert explanation.stop == " ".join(graph.nodes["bwd:stop"][a.LABEL].split())
        last = f"db[{view.to_layer}]"
        if view.granularity == "unit":
            last += f"_{net.units(view.to_layer)}"   # the last unit's bias
        assert explanation.steps[-1].symbol == last


def test_forward_text_reads_like_the_course():
    text = explain_text(NET, View(None))
    lines = text.splitlines()
    assert lines[0] == "Forward pass: layers 2,3,2,1 (L = 3), hidden relu, output sigmoid"
    steps = [line for line in lines if line[:4].strip().isdigit()]
    assert [line.split()[1] for line in steps] == ["Z[1]", "A[1]", "Z[2]", "A[2]", "Z[3]", "A[3]",
                                                   "ℒ", "J(W,"]
    z1 = steps[0]
    assert "Z[1] = W[1] X + b[1]" in z1 and "(n[1], m) = (3, m)" in z1
    assert "reads W[1], X, b[1]; cached for dZ[1]" in z1
    assert "cached for dA[3], dZ[3]" in steps[5]
    assert lines[-1] == ("stop: J(W, b; X, Y) is the cost, a function of W and b with X, Y fixed: "
                         "the forward pass ends at J; back-propagation starts from it")


def test_backprop_text_names_the_cache_reads_and_the_shortcut():
    text = explain_text(NET, View(2))
    lines = text.splitlines()
    given = lines[lines.index("given") + 1:lines.index("steps") - 1]
    assert [line.split()[0] for line in given] == ["J", "Y", "A[3]", "A[2]", "W[3]", "Z[2]", "A[1]"]
    assert "back-propagation starts from it" in given[0]
    step = {line.split()[1]: line for line in lines if line[:4].strip().isdigit()}
    assert "reads A[3] (cached), Y" in step["dA[3]"]
    assert "dW[2] = (1/m) dZ[2] A[1]ᵀ" in step["dW[2]"]
    assert "(n[2], n[1]) = (2, 3)" in step["dW[2]"]
    assert "reads dZ[2], A[1] (cached)" in step["dW[2]"]
    assert "reads Z[2] (cached)" in step["g[2]'(Z[2])"]
    shortcut = next(line for line in lines if "shortcut" in line)
    assert shortcut.split()[:5] == ["=", "dZ[3]", "=", "A[3]", "−"]
    assert "σ with cross-entropy" in shortcut
    # the chain-rule route is the numbered step; the shortcut has its own line
    assert "dZ[3] = dA[3] ⊙ g[3]'(Z[3])" in step["dZ[3]"] and "A[3] − Y" not in step["dZ[3]"]
    assert lines[-1] == ("stop: back-propagation to layer 2 ends here; "
                         "dA[1] = W[2]ᵀ dZ[2] would continue to layer 1")
    assert "dA[1]" not in step and "dW[1]" not in step


def test_text_columns_are_aligned():
    lines = [line for line in explain_text(NET, View(1)).splitlines() if line[:4].strip().isdigit()]
    columns = {line.index("(n[") for line in lines}
    assert len(columns) == 1


def test_to_layer_1_stops_because_x_is_data():
    text = explain_text(NET, View(1))
    assert text.splitlines()[-1] == ("stop: dA[0] = W[1]ᵀ dZ[1] is never needed, X is data, "
                                     "not a variable of J")
    assert "dA[0] =" not in text.split("steps")[1].rsplit("stop:", 1)[0]


def test_inference_caches_nothing_and_ends_at_the_prediction():
    text = explain_text(NET, View(None), inference=True)
    assert "cached" not in text.replace("nothing is cached", "")
    assert "the forward pass ends at A[3] = Ŷ" in text
    steps = text.split("steps")[1].rsplit("stop:", 1)[0]
    assert "A[3] = σ(Z[3])" in steps and "J(W, b; X, Y)" not in steps and "ℒ" not in steps


@pytest.mark.parametrize("net, view", list(every_view()))
def test_markdown_is_a_github_table(net, view):
    md = explain_text(net, view, "markdown")
    lines = md.splitlines()
    assert lines[0].startswith("### ")
    rows = [line for line in lines if line.startswith("|")]
    for row in rows:  # every row has as many cells as its table's header
        assert row.count("|") - row.count("\\|") in (4, 5), row
    steps = explain_view(net, view).steps
    numbered = [row for row in rows if row.split("|")[1].strip().isdigit()]
    assert len(numbered) == len(steps)
    assert all(f"`{step.formula}`" in md for step in steps)
    assert lines[-1].startswith("**Why it stops here:** ")


def test_markdown_marks_cache_reads_and_the_shortcut():
    md = explain_text(NET, View(3), "markdown")
    assert "| 4 | `dW[3] = (1/m) dZ[3] A[2]ᵀ` | `(n[3], n[2]) = (1, 2)` | `dZ[3]`, `A[2]` (cached) |" in md
    assert "| | shortcut: `dZ[3] = A[3] − Y` | same value | `A[3]` (cached), `Y`; σ with cross-entropy |" in md


def balanced(text):
    depth = 0
    for index, char in enumerate(text):
        if char in "{}" and index and text[index - 1] == "\\":
            continue  # \{ and \} are literal braces
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("net, view", list(every_view()))
def test_latex_is_ascii_balanced_and_aligned(net, view):
    tex = explain_text(net, view, "latex")
    assert tex.isascii(), [ch for ch in tex if not ch.isascii()]
    assert balanced(tex)
    lines = tex.splitlines()
    body = lines[lines.index(r"\begin{align*}") + 1:lines.index(r"\end{align*}")]
    assert all(line.endswith(r" \\") for line in body)
    steps = explain_view(net, view).steps
    equations = [line for line in body if "&=" in line]
    shortcuts = sum(step.shortcut is not None for step in steps)
    assert len(equations) == len(steps) + shortcuts
    assert all(line.count("&") in (1, 3, 5) for line in body)  # one alignment point per line


def test_latex_converts_the_notation():
    tex = explain_text(NET, View(1), "latex")
    assert r"dW^{[2]} &= \frac{1}{m} dZ^{[2]} A^{[1]T} && (n^{[2]}, n^{[1]})" in tex
    assert r"db^{[1]} &= \frac{1}{m} \sum_{i} dZ^{[1](i)}" in tex
    assert r"dZ^{[2]} &= dA^{[2]} \odot g^{[2]\prime}(Z^{[2]})" in tex
    assert r"dA^{[1]} &= W^{[2]T} dZ^{[2]}" in tex
    assert r"dW^{[1]} &= \frac{1}{m} dZ^{[1]} X^{T}" in tex
    forward = explain_text(NET, View(None), "latex")
    assert r"J(W, b; X, Y) &= \frac{1}{m} \sum_{i} \mathcal{L}^{(i)}" in forward
    assert r"A^{[3]} &= \sigma(Z^{[3]})" in forward
    unit = explain_text(NET, View(3, "unit"), "latex")
    assert r"dw^{[3]}_{12} &= \frac{1}{m} \sum_{i} dz^{[3](i)}_{1} a^{[2](i)}_{2}" in unit
    assert r"da^{[2]}_{k} = \sum_{j} w^{[3]}_{jk} dz^{[3]}_{j}" in unit


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_latex_compiles(activation, tmp_path):
    net = Network((2, 3, 2, 1), activation)
    body = "\n\n".join(explain_text(net, view, "latex") for granularity in ("batch", "example", "unit")
                        for view in all_views(net, granularity))
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage[landscape,margin=1cm]"
        "{geometry}\n\\begin{document}\n" + body + "\n\\end{document}\n", encoding="ascii")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 0


def test_cli_offers_every_format():
    from bpdiag.cli import EXPLAIN_FORMATS
    from bpdiag.explanation import FORMATS
    assert EXPLAIN_FORMATS == FORMATS


def run(*args):
    return CliRunner().invoke(cli, ["explain", *args])


@pytest.mark.parametrize("args", [[], ["--forward"], ["--to-layer", "3"], ["--to-layer", "1"],
                                  ["--layers", "4,8,8,1", "--hidden-activation", "tanh",
                                   "--to-layer", "2"]])
@pytest.mark.parametrize("fmt", ["text", "markdown", "latex"])
def test_cli_explain_prints_every_view(args, fmt):
    result = run(*args, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "stop" in result.output


def test_cli_explain_is_the_library_output():
    result = run("--to-layer", "2", "--format", "markdown")
    assert result.output == explain_text(NET, View(2), "markdown") + "\n"
    assert run().output == run("--forward").output == explain_text(NET, View(None)) + "\n"


@pytest.mark.parametrize("args, fragment", [
    (["--to-layer", "4"], "outside 1..3"),
    (["--to-layer", "0"], "outside 1..3"),
    (["--forward", "--to-layer", "2"], "choose one of"),
    (["--to-layer", "2", "--inference"], "choose one of"),
    (["--format", "html"], "--format"),
])
def test_cli_explain_bad_input_is_one_line_and_exit_2(args, fragment):
    result = run(*args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bpdiag: error: ")
    assert fragment in lines[0]


@pytest.mark.parametrize("view, expected", [("example", "dW[3](i) = dz[3] a[2]ᵀ"),
                                            ("unit", "dw[3]_11 = (1/m) Σᵢ dz[3]_1(i) a[2]_1(i)")])
def test_explain_follows_the_chosen_view(view, expected):
    result = CliRunner().invoke(cli, ["explain", "--to-layer", "3", "--view", view])
    assert result.exit_code == 0, result.output
    assert f"({view} view)" in result.output.splitlines()[0]
    assert expected in result.output
