"""Hostile input: files that are not files or too large or too deep to parse, and the bounds on
what a user's text and network may be. (Each CLI case is also a row of test_errors.ERRORS.)"""

from __future__ import annotations

import os
import time
import tomllib

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bpdiag import tomlfile
from bpdiag.errors import InputError
from bpdiag.profiles import read_profile
from bpdiag.spec import parse_spec, read_spec
from conftest import ROOT

QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- what is read: regular files, bounded in size --------------------------------------------

def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "net.toml"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(InputError, match=r"is a FIFO \(named pipe\), not a regular file"):
        read_spec(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_profile(fifo)
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_before_it_is_read(device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    with pytest.raises(InputError, match="is a device, not a regular file"):
        read_spec(device)


def test_the_size_limit_is_exact_and_far_above_the_shipped_files(tmp_path):
    shipped = list((ROOT / "templates").rglob("*.toml"))
    # the course's profile grows with each feature's rows (batch norm's, L2's, dropout's: 12.4 KB); a fourth
    # of the limit at most
    assert shipped and max(p.stat().st_size for p in shipped) * 4 < tomlfile.MAX_FILE_BYTES
    head = b"layers = [2, 1]\n"
    at_limit = tmp_path / "at.toml"
    at_limit.write_bytes(head + b"#" * (tomlfile.MAX_FILE_BYTES - len(head)))
    assert read_spec(at_limit).network.sizes == (2, 1)
    over = tmp_path / "over.toml"
    over.write_bytes(at_limit.read_bytes() + b"#")
    with pytest.raises(InputError, match="is larger than 64 KiB"):
        read_spec(over)


def test_a_file_growing_while_read_is_cut_at_the_limit(tmp_path, monkeypatch):
    """Only limit + 1 bytes are ever asked for, whatever the file's size says."""
    path = tmp_path / "net.toml"
    path.write_bytes(b"layers = [2, 1]\n" + b"#" * (3 * tomlfile.MAX_FILE_BYTES))
    asked = []
    real_read = os.read

    def read(fd, count):
        asked.append(count)
        return real_read(fd, count)
    monkeypatch.setattr(os, "read", read)
    with pytest.raises(InputError, match="larger than"):
        read_spec(path)
    assert sum(asked) <= tomlfile.MAX_FILE_BYTES + 1


# -- what is parsed: keys and brackets of bounded depth --------------------------------------

def test_the_deep_dotted_key_of_the_probe_is_refused_at_once():
    text = "a" + ".a" * 30_000 + " = 1\n"   # as deep as fits in the size limit
    start = time.monotonic()
    with pytest.raises(InputError, match="a dotted key of 30001 parts"):
        parse_spec(text)
    assert time.monotonic() - start < 2


KEY_PART = st.from_regex(r"[A-Za-z0-9_-]{1,4}", fullmatch=True) | st.sampled_from(
    ['"a.b"', "'x.y.z'", '"[{"', '"#"', '""'])


@QUICK
@given(st.lists(KEY_PART, min_size=1, max_size=2 * tomlfile.MAX_KEY_PARTS),
       st.sampled_from(["{key} = 1", "[{key}]", "[[{key}]]", "t = {{ {key} = 1 }}",
                        "{key} = 'a.b.c.d.e.f.g.h.i.j' # k.l.m.n.o.p.q.r.s"]),
       st.sampled_from([".", " . ", "\t.\t"]))
def test_a_key_is_refused_exactly_when_it_has_too_many_parts(parts, form, dot):
    """Dots inside strings and comments are not counted; every key separator is."""
    line = form.format(key=dot.join(parts))
    try:
        tomlfile.check_depth(line, "f", nesting_hint="h")
    except InputError as exc:
        assert len(parts) > tomlfile.MAX_KEY_PARTS, (line, exc)
        assert f"a dotted key of {len(parts)} parts" in str(exc)
    else:
        assert len(parts) <= tomlfile.MAX_KEY_PARTS, line
        tomllib.loads(line)  # what passes is TOML that tomllib reads at once


@QUICK
@given(st.integers(1, 2 * tomlfile.MAX_NESTING), st.sampled_from(["[]", "{}"]))
def test_brackets_are_refused_exactly_past_the_nesting_limit(depth, pair):
    value = "[" * (depth - 1) + ("[]" if pair == "[]" else "{}") + "]" * (depth - 1)
    text = f"x = {value}\n"
    if depth > tomlfile.MAX_NESTING:
        with pytest.raises(InputError, match=f"nested more than {tomlfile.MAX_NESTING} deep"):
            tomlfile.check_depth(text, "f", nesting_hint="h")
    else:
        tomlfile.check_depth(text, "f", nesting_hint="h")


@QUICK
@given(st.text(max_size=300))
def test_the_depth_scan_never_lets_deep_tables_through(text):
    """Whatever text passes the scan and parses, its tables are nested within the limits."""
    try:
        tomlfile.check_depth(text, "f", nesting_hint="h")
        table = tomllib.loads(text)
    except (InputError, tomllib.TOMLDecodeError):
        return

    def depth(value) -> int:
        if isinstance(value, dict):
            return 1 + max((depth(v) for v in value.values()), default=0)
        if isinstance(value, list):
            return 1 + max((depth(v) for v in value), default=0)
        return 0
    assert depth(table) <= (tomlfile.MAX_KEY_PARTS + 1) * (tomlfile.MAX_NESTING + 1)


def test_the_shipped_files_pass_the_scan():
    for path in (ROOT / "templates").rglob("*.toml"):
        tomlfile.check_depth(path.read_text(encoding="utf-8"), str(path), nesting_hint="h")


# -- user text reaches every format literally, or is refused with one line --------------------

def _toml_string(text: str) -> str:
    """A TOML basic string holding `text` exactly."""
    escaped = "".join(f"\\u{ord(c):04X}" if ord(c) < 0x20 or ord(c) == 0x7F
                      else "\\" + c if c in '"\\' else c for c in text)
    return f'"{escaped}"'


def _accepted(make):
    """make() or None when it refuses with a one-line InputError."""
    try:
        return make()
    except InputError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 400, message
        return None


def _svg_texts(svg: bytes) -> tuple[list[str], str, list[str]]:
    """The SVG's <text> contents, its <title> and the tooltips, as a reader sees them (Graphviz
    keeps runs of spaces as no-break spaces)."""
    from lxml import etree

    ns = {"s": "http://www.w3.org/2000/svg", "x": "http://www.w3.org/1999/xlink"}
    root = etree.fromstring(svg)
    plain = lambda text: (text or "").replace("\xa0", " ")  # noqa: E731
    # each run of a line, and each whole line (a <text> of <tspan> runs)
    runs = [plain(t) for t in root.xpath("//s:text//text()", namespaces=ns)]
    lines = [plain(t.xpath("string(.)")) for t in root.xpath("//s:text", namespaces=ns)]
    texts = runs + lines
    title = plain(root.xpath("string(/s:svg/s:g/s:title)", namespaces=ns))
    tips = [plain(t) for t in root.xpath("//s:a/@x:title", namespaces=ns)]
    return texts, title, tips


HARD_TEXT = ["snake_case_name [3]", "x^{2} W[1] a_jk", "\\N \\G \\L \\E \\T \\H", "end\\", "\\",
             'a\\"b', '"', "&amp; &#92; &lt;", "<b>x</b>", "]]>", "<>", "  two  spaces ", "日本 ε ∂J/∂W",
             "a\nb", "\t", "x" * 201, "é" * 40]


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="Graphviz's dot is missing")
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(max_size=60) | st.sampled_from(HARD_TEXT),
       licence=st.text(max_size=60) | st.sampled_from(HARD_TEXT),
       symbol=st.text(min_size=1, max_size=45) | st.sampled_from(HARD_TEXT))
@example(title="snake_case_name [3]", licence="CC_BY [2] x^{2}", symbol="end\\")
@example(title='end\\ a\\"b \\N', licence="\\G \\L ]]>", symbol="]")
@example(title="&amp; &#92; <b>", licence="  two  spaces ", symbol="\\N&amp;")
def test_user_text_reaches_every_format_literally_or_is_refused(title, licence, symbol):
    import html
    import json

    from lxml import etree

    from bpdiag.diagrams import RenderOptions, render_view
    from bpdiag.model import Network
    from bpdiag.profiles import parse_profile
    from bpdiag.richtext import html_text, parse
    from bpdiag.views import View

    title = _accepted(lambda: RenderOptions(title=title).title) or None
    licence = _accepted(lambda: RenderOptions(license=licence).license) or None
    profile = _accepted(lambda: parse_profile(f'profile = "p"\n[names]\ndW = {_toml_string(symbol)}\n'))
    if profile is not None and (len(parse(symbol + "[1]")) != 2 or "{l}" in symbol
                                or "^{" in symbol or symbol == "dW"):
        profile = None  # notation markup in a symbol is drawn as notation, by design
    outputs = _accepted(lambda: render_view(
        Network((1, 1)), View(1), ("svg", "png", "graphml", "dot", "json", "drawio"),
        RenderOptions(title=title, license=licence, notation=profile or "dls")))
    if outputs is None:
        return  # refused when drawn, with one line: a character no installed font has
    assert outputs["png"].startswith(b"\x89PNG") and outputs["png"].endswith(b"IEND\xaeB`\x82")
    json.loads(outputs["json"])  # the graph alone: no legend text, whatever the options
    texts, svg_title, tips = _svg_texts(outputs["svg"])
    graphml = etree.fromstring(outputs["graphml"])
    graphml_text = [t for t in graphml.itertext()]
    dot = outputs["dot"].decode("utf-8")
    drawio = etree.fromstring(outputs["drawio"])
    drawio_labels = [obj.get("label") for obj in drawio.iter("object")]
    if title is not None:
        assert drawio.find("diagram").get("name") == title
        assert any(html_text(title) in label for label in drawio_labels)  # the legend's HTML
        assert title in texts and svg_title == title
        assert dot.startswith(f"digraph <{html.escape(title, quote=False)}> {{")
        assert any(html.escape(title, quote=False) in t for t in graphml_text)  # the legend's HTML
        assert any(t.startswith(title + "\n") for t in graphml_text)            # its description
    if licence is not None:
        assert f"licence: {licence}" in texts
        assert any(f"licence: {licence}\n" in t for t in graphml_text)
        assert any(html.escape(f"licence: {licence}", quote=False) in t for t in graphml_text)
    if profile is not None:
        assert symbol in texts                                  # the symbol of dW[1], drawn
        assert any(tip.startswith(f"{symbol}[1] = ") for tip in tips)  # its tooltip
        assert any(t.startswith(f"{symbol}[1] = ") for t in graphml_text)
        assert any(f"<b>{html.escape(symbol, quote=False)}</b>" in t for t in graphml_text)
        assert any(f"<b>{html_text(symbol)}</b>" in label for label in drawio_labels)


# -- how large a network may be ---------------------------------------------------------------

@QUICK
@given(st.integers(min_value=-2, max_value=2**80) | st.sampled_from([2**63, 2**64, 10**40]))
def test_a_layer_size_is_taken_exactly_within_the_bounds(size):
    from bpdiag.model import MAX_UNITS, Network, SpecError

    text = f"layers = [{size}, 1]\n"
    if 1 <= size <= MAX_UNITS:
        assert parse_spec(text).network.sizes == (size, 1)
        assert Network((size, 1)).sizes == (size, 1)
    else:
        with pytest.raises(SpecError) as caught:
            parse_spec(text)
        assert "\n" not in str(caught.value) and len(str(caught.value)) < 200
        with pytest.raises(SpecError):
            Network((size, 1))


def test_the_depth_limit_holds_for_every_format_and_check():
    from bpdiag.diagrams import RenderOptions, render_view
    from bpdiag.model import MAX_LAYERS, Network, SpecError
    from bpdiag.views import View

    deepest = Network((2,) * MAX_LAYERS + (1,))
    assert deepest.depth == MAX_LAYERS
    assert render_view(deepest, View(None), ("json",), RenderOptions())["json"].startswith(b"{")
    with pytest.raises(SpecError, match=f"L = {MAX_LAYERS + 1} layers is deeper than the {MAX_LAYERS}"):
        Network((2,) * (MAX_LAYERS + 1) + (1,))
    with pytest.raises(SpecError, match="deeper than"):
        parse_spec(f"layers = [{', '.join(['2'] * (MAX_LAYERS + 1))}, 1]\n")


def test_json_of_one_view_grows_linearly_with_depth():
    """render --all writes L + 1 views, so its output grows with L²; each view grows with L only."""
    from bpdiag.diagrams import RenderOptions, render_view
    from bpdiag.model import Network
    from bpdiag.views import View

    def size(depth: int) -> int:
        net = Network((2,) * depth + (1,))
        return len(render_view(net, View(1), ("json",), RenderOptions())["json"])
    small, large = size(20), size(80)
    assert 3.5 < large / small < 4.5


def test_the_readme_states_the_limits_the_code_enforces():
    from bpdiag import model, usertext

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Errors", 1)[1]
    section = " ".join(section.split("\n## ", 1)[0].split())
    assert f"at most L = {model.MAX_LAYERS} layers and {model.MAX_UNITS:,} units a layer" in section
    assert f"at most {tomlfile.MAX_FILE_BYTES // 1024} KiB" in section
    assert f"keys have at most {tomlfile.MAX_KEY_PARTS} parts" in section
    assert f"nest at most {tomlfile.MAX_NESTING} deep" in section
    assert usertext.MAX_TITLE == usertext.MAX_LICENSE == usertext.MAX_PHRASE == 200
    assert f"at most {usertext.MAX_TITLE} characters" in section
    assert f"operators {usertext.MAX_SYMBOL}, its meanings and colour-key texts {usertext.MAX_PHRASE}" in section
    assert f"description {usertext.MAX_NOTE}" in section


@QUICK
@given(key=st.text(min_size=1, max_size=2000), value=st.text(max_size=300) | st.integers())
def test_errors_show_any_key_or_value_short_and_printable(key, value):
    """A message quotes what the file holds, but never a terminal escape or a page of it."""
    from bpdiag.profiles import parse_profile

    key_toml, value_toml = _toml_string(key), _toml_string(value) if isinstance(value, str) else value
    for parse_, text in ((parse_spec, f"layers = [2, 1]\n{key_toml} = {value_toml}\n"),
                         (parse_profile, f'profile = "p"\n[operators]\n{key_toml} = {value_toml}\n'),
                         (parse_spec, f"layers = [2, 1]\ntitle = {value_toml}\n")):
        try:
            parse_(text)
        except InputError as exc:
            message = str(exc)
            assert all(c.isprintable() for c in message), message
            assert len(message) < 500, message
