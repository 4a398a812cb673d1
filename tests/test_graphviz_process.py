"""Graphviz as a process: nothing it starts outlives the run, it cannot hold bpdiag up after it
ends, what it prints reaches the user as one short plain line, and with several diagrams the
first failure stops the others."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpdiag.cli import cli
from bpdiag.export import render
from conftest import needs_dot

pytestmark = needs_dot


def fake_dot(tmp: Path, monkeypatch, script: str) -> Path:
    fake = tmp / "fake-dot"
    fake.write_text("#!/bin/sh\n" + script + "\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BPDIAG_DOT", str(fake))
    monkeypatch.setenv("TMPDIR", str(tmp))
    return fake


def gone(pid: int, seconds: float = 5.0) -> bool:
    """Whether process `pid` has ended (a zombie counts as ended) within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state == "Z":
            return True
        time.sleep(0.02)
    return False


def test_a_timeout_kills_what_graphviz_started(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, f"sleep 60 & echo $! > {tmp_path}/child; exec sleep 60")
    monkeypatch.setenv("BPDIAG_DOT_TIMEOUT", "0.5")
    with pytest.raises(render.GraphvizError, match="took longer than 0.5 s"):
        render.run_dot("digraph { a }", ("svg",))
    assert gone(int((tmp_path / "child").read_text()))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("bpdiag-")] == []


def test_a_child_left_holding_the_outputs_does_not_hold_the_run(tmp_path, monkeypatch):
    """dot ends, but something it started still has its stdout and stderr open."""
    monkeypatch.delenv("BPDIAG_DOT", raising=False)
    real = render.dot_program()
    fake_dot(tmp_path, monkeypatch, f'"{real}" "$@" || exit; sleep 60 & echo $! > {tmp_path}/child')
    monkeypatch.setenv("BPDIAG_DOT_TIMEOUT", "20")
    started = time.monotonic()
    produced = render.run_dot("digraph { a -> b }", ("svg", "json0"))
    assert time.monotonic() - started < 10
    assert produced["svg"].rstrip().endswith(b"</svg>")
    assert gone(int((tmp_path / "child").read_text()))


def test_what_graphviz_prints_reaches_the_user_plain_and_short(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, r"""printf 'Warning: first\n' >&2
printf '\033[31mError:\033[0m \033]0;owned\007bad\r\t\033[2J' >&2
head -c 20000000 /dev/zero | tr '\0' x >&2; printf '\n\n' >&2; exit 1""")
    result = CliRunner().invoke(cli, ["render", "--format", "svg", "--to-layer", "1", "--out",
                                      str(tmp_path / "o")])
    assert result.exit_code == 1
    line = result.stderr
    assert line.count("\n") == 1 and len(line) < 600, line[:700]
    assert not any(ord(char) < 32 for char in line.rstrip("\n")), repr(line)
    assert "Graphviz failed: …xxx" in line and "(cut;" in line and "check the installation" in line
    assert not (tmp_path / "o").exists()


def test_escapes_and_control_characters_leave_graphviz_messages(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, r"""printf '\033[1;31mError:\033[0m syntax\033]8;;http://x\033\\ error\bs in \342\200\256line 1\n' >&2; exit 1""")
    with pytest.raises(render.GraphvizError) as caught:
        render.run_dot("digraph { a }", ("svg",))
    assert str(caught.value).startswith("Graphviz failed: Error: syntax error s in line 1;")


def test_with_several_diagrams_the_first_failure_stops_the_others(tmp_path, monkeypatch):
    # the first Graphviz run fails quickly; every other one would take a minute
    fake_dot(tmp_path, monkeypatch, f"""if mkdir {tmp_path}/first 2>/dev/null; then
  sleep 0.3; echo 'Error: boom' >&2; exit 1
fi
echo $$ >> {tmp_path}/slow; exec sleep 60""")
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["render", "--all", "--format", "svg", "--layers",
                                      "2,2,2,2,2,1", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    assert "Graphviz failed: Error: boom" in result.stderr
    assert time.monotonic() - started < 15
    slow = (tmp_path / "slow").read_text().split() if (tmp_path / "slow").exists() else []
    assert all(gone(int(pid)) for pid in slow)
    assert not (tmp_path / "o").exists()
