"""What a new user meets in the first hour: the help, one m for check and --values, choices
that do not care about case, and a file name of its own for each variant of a diagram."""

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

import bpdiag
from bpdiag.cli import cli
from bpdiag.model import DEFAULT_M, Network
from bpdiag.spec import parse_spec
from bpdiag.views import View, file_stem, notation_tag
from conftest import ROOT


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def words(text: str) -> str:
    return " ".join(text.split())


# --- help -------------------------------------------------------------------------------------

def test_plain_bpdiag_shows_the_help_not_an_error():
    done = subprocess.run([sys.executable, "-m", "bpdiag"], capture_output=True, text=True)
    assert done.returncode in (0, 2), done.stderr
    output = done.stdout + done.stderr
    assert "error" not in output
    assert output.startswith("Usage: bpdiag [OPTIONS] COMMAND")
    assert "\nCommands:\n" in output  # the help's own layout, not one squashed line
    assert words(output) == words(run("--help").output).replace("Usage: cli ", "Usage: bpdiag ", 1)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_top_level_help_shows_each_summary_whole(name):
    command = cli.commands[name]
    summary = command.get_short_help_str()
    assert summary and not summary.endswith("..."), summary
    assert summary in words(run("--help").output)
    # the summary is a sentence of the command's own help, or says the same in short
    assert summary.endswith(".")


def test_help_texts_name_only_what_the_command_writes():
    explain_help = words(run("explain", "--help").output)
    notation = explain_help[explain_help.index("--notation"):]
    assert "JSON" not in notation
    assert "printed symbols" in notation and "latex" in notation
    render_help = words(run("render", "--help").output)
    assert "drawn symbols" in render_help
    check_help = words(run("check", "--help").output)
    assert "--notation" not in check_help and "title" not in check_help


# --- one m ------------------------------------------------------------------------------------

def test_check_and_values_share_one_default_m(tmp_path):
    checked = run("check", "--seed", "3", "--json")
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.output)
    assert report["m"] == DEFAULT_M
    drawn = run("render", "--to-layer", "3", "--values", "--seed", "3", "--format", "json",
                "--out", str(tmp_path))
    assert drawn.exit_code == 0, drawn.output
    (path,) = tmp_path.glob("*.json")
    graph = json.loads(path.read_text(encoding="utf-8"))
    (cost,) = [node["value"] for node in graph["nodes"] if node["id"] == "fwd:J"]
    assert graph["graph"]["values_m"] == DEFAULT_M
    assert cost == pytest.approx(report["cost"], rel=1e-12)
    assert bpdiag.check(Network(), seed=3).m == DEFAULT_M


def test_help_states_the_shared_default_m():
    assert f"[default: {DEFAULT_M}; x>=1]" in words(run("check", "--help").output)
    assert f"{DEFAULT_M} with --values" in words(run("render", "--help").output)


# --- choices in any case ----------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("check", "--hidden-activation", "ReLU", "--m", "2"),
    ("check", "--view", "Example", "--m", "2"),
    ("explain", "--format", "MarkDown"),
    ("explain", "--notation", "Nielsen"),
    ("explain", "--view", "UNIT", "--hidden-activation", "TANH"),
])
def test_choices_ignore_case_on_the_command_line(args):
    result = run(*args)
    assert result.exit_code == 0, result.output


def test_choices_are_normalised_to_their_canonical_value():
    result = run("check", "--hidden-activation", "Leaky_ReLU", "--leaky-slope", "0.2", "--m", "2")
    assert result.exit_code == 0, result.output
    assert "hidden leaky_relu (slope 0.2)" in result.output
    assert Network((2, 1, 1), "TanH").hidden_activation == "tanh"
    assert Network((2, 1, 1), "TanH") == Network((2, 1, 1), "tanh")
    assert View(1, "Unit").granularity == "unit" and View(1, "Unit").stem == View(1, "unit").stem
    nielsen = run("explain", "--to-layer", "1", "--notation", "NIELSEN").output
    assert nielsen == run("explain", "--to-layer", "1", "--notation", "nielsen").output
    assert "δ" in nielsen
    assert bpdiag.explain(Network(), 1, format="Text") == bpdiag.explain(Network(), 1)


def test_spec_file_choices_ignore_case():
    spec = parse_spec('layers = [2, 3, 1]\nhidden_activation = "Leaky_ReLU"\nleaky_slope = 0.1\n'
                      'notation = "Nielsen"\n')
    assert spec.network.hidden_activation == "leaky_relu"
    from bpdiag.profiles import load_profile
    assert load_profile(spec.notation).name == load_profile("nielsen").name


def test_unknown_choices_still_name_the_choices():
    result = run("check", "--hidden-activation", "softmax")
    assert result.exit_code == 2
    assert re.search(r"relu.*tanh.*sigmoid.*leaky_relu", result.output)


# --- file names of the variants ---------------------------------------------------------------

USER_PROFILE = "templates/notation/example-user.toml"


@pytest.mark.parametrize("args, names", [
    ((), ["forward", "backprop_to_layer_3", "backprop_to_layer_2", "backprop_to_layer_1"]),
    (("--forward", "--inference"), ["forward_inference"]),
    (("--to-layer", "2", "--notation", "nielsen"), ["backprop_to_layer_2_nielsen"]),
    (("--to-layer", "2", "--notation", "dls"), ["backprop_to_layer_2"]),
    (("--to-layer", "3", "--values"), ["backprop_to_layer_3_values"]),
    (("--to-layer", "1", "--view", "unit"), ["backprop_to_layer_1_unit"]),
    (("--forward", "--notation", USER_PROFILE), ["forward_course-superscripts"]),
    (("--inference", "--view", "example", "--notation", "Nielsen", "--values"),
     ["forward_example_inference_nielsen_values"]),
    (("--forward", "--layout", "column"), ["forward_column"]),
    (("--to-layer", "2", "--output", "softmax", "--view", "example"),
     ["backprop_to_layer_2_softmax_example"]),
    (("--forward", "--output", "linear", "--inference"), ["forward_linear_inference"]),
    (("--to-layer", "2", "--layout", "rows"), ["backprop_to_layer_2"]),
    (("--to-layer", "2", "--values", "--layout", "Strip"), ["backprop_to_layer_2_values_strip"]),
])
def test_each_variant_has_its_own_file_names(args, names, tmp_path):
    args = tuple(str(ROOT / a) if a == USER_PROFILE else a for a in args)
    result = run("render", *args, "--format", "json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(f"{n}.json" for n in names)
    assert result.output.split() == [str(tmp_path / f"{n}.json") for n in names]


def test_a_variant_leaves_the_default_files_alone(tmp_path):
    assert run("render", "--forward", "--format", "json", "--out", str(tmp_path)).exit_code == 0
    default = (tmp_path / "forward.json").read_bytes()
    for variant in (["--inference"], ["--notation", "nielsen"], ["--values"], ["--layout", "column"],
                    ["--output", "softmax"]):
        result = run("render", "--forward", *variant, "--format", "json", "--out", str(tmp_path))
        assert result.exit_code == 0, result.output
    assert (tmp_path / "forward.json").read_bytes() == default
    assert len(list(tmp_path.iterdir())) == 6


def test_the_python_api_writes_the_same_names(tmp_path):
    diagram = bpdiag.render(Network(), None, inference=True, notation="nielsen", values=True)
    assert diagram.name == "forward_inference_nielsen_values"
    (path,) = diagram.write(tmp_path, formats="json")
    assert path.name == "forward_inference_nielsen_values.json"
    assert bpdiag.render(Network(), View(2, "example")).name == "backprop_to_layer_2_example"
    assert bpdiag.render(Network(), 2).name == View(2).stem == "backprop_to_layer_2"


def test_notation_tags_are_safe_file_name_parts():
    assert notation_tag("Course superscripts (2nd ed.)") == "course-superscripts-2nd-ed"
    assert notation_tag("δ") == "notation"
    assert notation_tag("Values") == "notation-values"
    assert notation_tag("../etc") == "etc"
    assert notation_tag("Column") == "notation-column"
    assert notation_tag("Softmax") == "notation-softmax"
    assert file_stem(View(3, "unit"), values=True) == "backprop_to_layer_3_unit_values"
