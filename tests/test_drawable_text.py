"""User text with a character the diagrams' font cannot draw is refused, naming it, before
anything is written (instead of a missing-glyph box in the PNG)."""

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from bpdiag import usertext
from bpdiag.cli import cli
from bpdiag.errors import InputError
from bpdiag.usertext import check_drawable, parse_charsets

from conftest import ROOT

needs_fontconfig = pytest.mark.skipif(shutil.which("fc-match") is None or shutil.which("fc-list") is None,
                                      reason="fontconfig's fc-match/fc-list are not installed")
ROCKET = "\U0001F680"  # in no font of a usual Linux install (DejaVu has the emoticons, not this)


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def covered_by_some_font(char: str) -> bool:
    """fontconfig's own answer, asked another way than bpdiag asks it."""
    done = subprocess.run(["fc-list", f":charset={ord(char):x}", "family"], capture_output=True,
                          text=True, check=True)
    return bool(done.stdout.strip())


@needs_fontconfig
@pytest.mark.parametrize("char", ["é", "δ", "∂", "⊙", "ᵀ", "中", "\U0001F600", ROCKET, "\U0001F389",
                                  "\u2705", "\U00010348"])
def test_accepted_exactly_when_some_font_has_the_character(char):
    try:
        check_drawable(f"a {char} b", "--title")
        accepted = True
    except InputError:
        accepted = False
    assert accepted == covered_by_some_font(char)


def _rocket_is_missing():
    if covered_by_some_font(ROCKET):
        pytest.skip("a font on this machine draws U+1F680")


@needs_fontconfig
@pytest.mark.parametrize("args", [("--title", f"Backprop {ROCKET}"), ("--license", f"CC BY {ROCKET}")])
def test_an_undrawable_title_or_licence_stops_before_anything_is_written(args, tmp_path):
    _rocket_is_missing()
    result = run("render", *args, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith("bpdiag: error: the ") and "U+1F680 ROCKET" in line
    assert f"at position {len(args[1])}," in line
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@needs_fontconfig
def test_spec_and_profile_text_are_checked_too(tmp_path):
    _rocket_is_missing()
    spec = tmp_path / "net.toml"
    spec.write_text(f'layers = [2, 2, 1]\nlicence = "mine {ROCKET}"\n', encoding="utf-8")
    result = run("render", "--spec", str(spec), "--forward", "--out", str(tmp_path / "a"))
    assert result.exit_code == 2 and "the licence contains" in result.output, result.output
    profile = tmp_path / "mine.toml"
    profile.write_text((ROOT / "templates/notation/example-user.toml").read_text(encoding="utf-8")
                       .replace('dW = "∂J/∂W"', f'dW = "{ROCKET}W"'), encoding="utf-8")
    result = run("render", "--notation", str(profile), "--to-layer", "1", "--out", str(tmp_path / "b"))
    assert result.exit_code == 2, result.output
    assert f"{profile}: 'names.dW' contains" in result.output and "U+1F680" in result.output
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    # explain prints, and draws nothing: the same profile is fine there
    assert run("explain", "--notation", str(profile), "--to-layer", "1").exit_code == 0


@needs_fontconfig
def test_json_alone_draws_nothing_and_takes_any_text(tmp_path):
    result = run("render", "--title", f"x {ROCKET}", "--format", "json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output


def test_without_fontconfig_the_documented_fallback_rule_applies(monkeypatch):
    monkeypatch.setattr(usertext.shutil, "which", lambda name: None)
    usertext._fontconfig_ranges.cache_clear()
    try:
        assert check_drawable("Backprop, lecture 3 – δ ∂ 中 é", "--title")
        for char in (ROCKET, "\uE000"):
            with pytest.raises(InputError, match=f"U\\+{ord(char):04X}.*fontconfig is absent"):
                check_drawable(f"x{char}", "--title")
    finally:
        usertext._fontconfig_ranges.cache_clear()


def test_plain_ascii_needs_no_font_lookup(monkeypatch):
    def fail(family):
        raise AssertionError("fontconfig asked about ASCII")
    monkeypatch.setattr(usertext, "_fontconfig_ranges", fail)
    assert check_drawable("Backprop, lecture 3 (CC BY 4.0)", "--title") == "Backprop, lecture 3 (CC BY 4.0)"


def test_fontconfig_charsets_are_merged():
    assert parse_charsets("20-7e a0-17f\n41-5a 180-1ff 1f600\n\n") == ((0x20, 0x7E), (0xA0, 0x1FF),
                                                                        (0x1F600, 0x1F600))
    ranges = parse_charsets("20-7e 1f600-1f64f")
    assert usertext._in_ranges(0x7E, ranges) and usertext._in_ranges(0x1F610, ranges)
    assert not usertext._in_ranges(0x7F, ranges) and not usertext._in_ranges(0x10, ranges)
