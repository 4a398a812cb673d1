"""Network spec files (--spec FILE.toml): what they may say and how mistakes are reported."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpdiag.cli import cli
from bpdiag.model import Network, SpecError
from bpdiag.spec import parse_spec, read_spec

EXAMPLES = Path(__file__).resolve().parents[1] / "templates" / "examples"


def test_a_full_spec():
    spec = parse_spec('layers = [3, 4, 1]\nhidden_activation = "leaky_relu"\nleaky_slope = 0.2\n'
                      'title = "T"\nlicence = "CC BY 4.0"\nnotation = "dls"\n')
    assert spec.network == Network((3, 4, 1), "leaky_relu", 0.2)
    assert (spec.title, spec.license, spec.notation) == ("T", "CC BY 4.0", "dls")


def test_defaults_and_the_other_spelling_of_license():
    spec = parse_spec('layers = [2, 1]\nlicense = "MIT"\n')
    assert spec.network == Network((2, 1))
    assert (spec.title, spec.license, spec.notation) == (None, "MIT", None)
    leaky = parse_spec('layers = [2, 3, 1]\nhidden_activation = "leaky_relu"\nleaky_slope = 0.5\n')
    assert leaky.network.leaky_slope == 0.5


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_the_example_specs_read_and_check_out(path):
    spec = read_spec(path)
    assert spec.title
    result = CliRunner().invoke(cli, ["check", "--spec", str(path), "--m", "3"])
    assert result.exit_code == 0, result.output
    assert spec.network.describe() in result.output


@pytest.mark.parametrize(
    "text, fragments",
    [
        ('layers = [2, 1]\nlayer = [2, 1]\n', ["unknown key 'layer'", "did you mean 'layers'?",
                                               "layers, hidden_activation"]),
        ('layers = [2, 1]\n[network]\nlayers = [2, 1]\n', ["unknown key 'network'"]),
        ('hidden_activation = "tanh"\n', ["missing key 'layers'", "layers = [2, 3, 2, 1]"]),
        ('layers = "2,3,2,1"\n', ["'layers' must be an array", 'the text "2,3,2,1"']),
        ('layers = [2, 3.5, 1]\n', ["n[1] is the number 3.5", "not a whole number"]),
        ('layers = [2, true, 1]\n', ["n[1] is the boolean true"]),
        ('layers = [2, 0, 1]\n', ["n[1] = 0 must be at least 1"]),
        ('layers = [2]\n', ["at least two sizes"]),
        ('layers = [2, 3, 2]\n', ["ends with n[2] = 2", "end the array with 1"]),
        ('layers = [2, 1]\nhidden_activation = 3\n', ["'hidden_activation' must be a string",
                                                      "not the number 3"]),
        ('layers = [2, 1]\nhidden_activation = "softplus"\n', ["unknown hidden activation 'softplus'",
                                                              "relu, tanh"]),
        ('layers = [2, 1]\nleaky_slope = "small"\n', ["'leaky_slope' must be a number"]),
        ('layers = [2, 1]\nleaky_slope = 1.5\n', ["slope 1.5 must be a number between 0 and 1"]),
        ('layers = [2, 1]\ntitle = 7\n', ["'title' must be text in quotes"]),
        ('layers = [2, 1]\nlicence = "A"\nlicense = "B"\n', ["both 'licence' and 'license'"]),
        ('layers = [2, 1]\ntitle = "unterminated\n', ["invalid TOML", "line 2"]),
        ('layers = [2, 1\n\n', ["invalid TOML", "line"]),
    ],
)
def test_mistakes_are_one_line_naming_the_file_and_the_fix(text, fragments, tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        read_spec(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_missing_and_undecodable_files(tmp_path):
    with pytest.raises(SpecError, match="no such file"):
        read_spec(tmp_path / "absent.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes('title = "caf\xe9"\nlayers = [2, 1]\n'.encode("latin-1"))
    with pytest.raises(SpecError, match="not UTF-8"):
        read_spec(latin)


def cli_run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("flag, value", [("--layers", "2,1"), ("--hidden-activation", "tanh"),
                                         ("--leaky-slope", "0.1")])
@pytest.mark.parametrize("command", ["check", "render"])
def test_spec_with_network_options_is_a_usage_error(flag, value, command, tmp_path):
    out = tmp_path / "o"
    extra = ["--out", str(out), "--format", "json"] if command == "render" else []
    result = cli_run(command, "--spec", str(EXAMPLES / "course-leaky.toml"), flag, value, *extra)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bpdiag: error: --spec describes the network")
    assert flag in lines[0]
    assert not out.exists()


def test_render_from_a_spec_draws_its_network(tmp_path):
    spec = tmp_path / "net.toml"
    spec.write_text('layers = [3, 2, 1]\nhidden_activation = "sigmoid"\n', encoding="utf-8")
    result = cli_run("render", "--spec", str(spec), "--forward", "--format", "json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "forward.json").read_text(encoding="utf-8"))
    assert data["graph"]["layers"] == [3, 2, 1]
    assert data["graph"]["hidden_activation"] == "sigmoid"


def test_a_bad_spec_on_the_command_line_writes_nothing(tmp_path):
    spec = tmp_path / "net.toml"
    spec.write_text("layers = [2, 1]\nsizes = [2, 1]\n", encoding="utf-8")
    out = tmp_path / "o"
    result = cli_run("render", "--spec", str(spec), "--format", "json", "--out", str(out))
    assert result.exit_code == 2
    assert result.output.strip() == (f"bpdiag: error: {spec}: unknown key 'sizes'; the known keys are "
                                     "layers, hidden_activation, leaky_slope, output, batch_norm, l2, "
                                     "keep_prob, title, licence, license, notation")
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_value_with_a_newline_is_named_on_one_line():
    from bpdiag.model import SpecError

    with pytest.raises(SpecError) as caught:
        parse_spec('layers = "\\n"\n')
    assert "\n" not in str(caught.value) and '"\\n"' in str(caught.value)
