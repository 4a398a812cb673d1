"""Runs killed at random moments leave complete files only (see bpdiag.files for the guarantee).

After SIGTERM or SIGINT: every output file is complete and no temporary file is left, in the
output folder or in the system's temporary folder. After SIGKILL: every output file is complete;
hidden temporary files may remain (unless O_TMPFILE works) and the next run removes them.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from lxml import etree

from bpdiag import files
from conftest import ROOT, needs_dot

PNG_END = b"IEND\xaeB`\x82"
BUDGET_SECONDS = 7.0  # for the end-to-end kills; the loop is bounded by count and time


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    scratch = tmp / "scratch"
    scratch.mkdir(exist_ok=True)
    return dict(os.environ, PYTHONPATH=str(ROOT / "src"), TMPDIR=str(scratch), **extra)


def assert_complete(path: Path) -> None:
    """The file parses to its end, by its format."""
    data = path.read_bytes()
    kind = path.name.split(".")[-1] if not files.is_temp_name(path.name) else path.name.split(".")[2]
    if kind == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(PNG_END), path
    elif kind in ("svg", "graphml"):
        etree.fromstring(data, etree.XMLParser(no_network=True))
    elif kind == "json":
        json.loads(data)
    elif kind == "dot":
        assert data.rstrip().endswith(b"}"), path
    else:
        raise AssertionError(f"unexpected file {path.name}")


def check_folder(out: Path, killed: bool, pid: int | None = None) -> list[str]:
    """Every output is complete; returns the temporary names left. A run that was not killed
    leaves none of its own (`pid`); without `pid`, none at all may be left."""
    temps = []
    for path in sorted(out.iterdir()) if out.exists() else []:
        if files.is_temp_name(path.name):
            temps.append(path.name)
            if files.unnamed_temp_files():  # with O_TMPFILE a temp gets a name only when complete
                assert_complete(path)
        else:
            assert not path.name.startswith("."), path.name
            assert_complete(path)
    if not killed:
        # an earlier SIGKILL run's temporary files stay until a run gets as far as writing
        own = [name for name in temps if pid is None or f".{pid}." in name]
        assert own == [], own
    return temps


COMMAND = [sys.executable, "-m", "bpdiag", "render", "--all", "--format", "graphml,svg,png,dot,json",
           "--out"]


@needs_dot
def test_cli_runs_killed_at_random_moments_leave_complete_files(tmp_path):
    rng = random.Random(20240601)
    env = _env(tmp_path)
    out = tmp_path / "out"
    started = time.monotonic()
    subprocess.run(COMMAND + [str(out)], env=env, check=True, capture_output=True)  # old versions
    duration = time.monotonic() - started
    expected = sorted(p.name for p in out.iterdir())
    assert len(expected) == 20
    signals = [signal.SIGKILL, signal.SIGTERM, signal.SIGINT]
    leftovers: list[str] = []
    written: list[int] = []  # how many outputs a killed run into a fresh folder got out
    runs = 0
    deadline = time.monotonic() + BUDGET_SECONDS
    while runs < 24 and (runs < 6 or time.monotonic() < deadline):
        signum = signals[runs % len(signals)]
        folder = out if runs % 2 == 0 else tmp_path / f"fresh{runs}"  # replace files, or new ones
        # SIGKILL runs share a system temp folder, cleaned by the last run; the others get their own
        scratch = tmp_path / ("killed-scratch" if signum == signal.SIGKILL else f"scratch{runs}")
        scratch.mkdir(exist_ok=True)
        process = subprocess.Popen(COMMAND + [str(folder)], env=dict(env, TMPDIR=str(scratch)),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if runs % 4 < 2:  # any moment of the run
            time.sleep(rng.uniform(0.0, 1.05) * duration)
        else:  # most of a run is start-up and layout: aim at the few ms in which files are written
            _wait_for_writing(folder, process, time.monotonic() + 3 * duration)
            time.sleep(rng.uniform(0.0, 0.008))
        process.send_signal(signum)
        _, err = process.communicate(timeout=30)
        runs += 1
        killed = signum == signal.SIGKILL
        if not killed:
            assert process.returncode in (0, 128 + signum, -signum), err
            assert b"Traceback" not in err, err
            assert not list(scratch.iterdir()), "Graphviz's scratch folder remained"
        leftovers += check_folder(folder, killed, process.pid)
        if folder != out:
            written.append(len([p for p in folder.glob("[!.]*")]))
        if process.returncode == 0:
            assert sorted(p.name for p in folder.iterdir()) == expected
    # the next run into a folder removes what SIGKILL left there (and in the system temp folder)
    for folder in sorted(tmp_path.glob("fresh*")):
        files.remove_stale_temps(folder)
        check_folder(folder, killed=False)
    time.sleep(0.3)  # Graphviz runs orphaned by SIGKILL finish
    subprocess.run(COMMAND + [str(out)], env=dict(env, TMPDIR=str(tmp_path / "killed-scratch")),
                   check=True, capture_output=True)
    assert sorted(p.name for p in out.iterdir()) == expected
    check_folder(out, killed=False)
    # SIGKILL may leave Graphviz scratch folders for the system to clean; nothing else is there
    left = [path.name for path in (tmp_path / "killed-scratch").iterdir()]
    assert all(name.startswith("bpdiag-") for name in left), left
    partial = [count for count in written if 0 < count < len(expected)]
    print(f"{runs} runs killed; {len(partial)} while writing; {len(leftovers)} temporary files left")


def _wait_for_writing(folder: Path, process: subprocess.Popen, deadline: float) -> None:
    """Until the run creates or renames a file in `folder` (its last step), or ends."""
    def state():
        try:
            return folder.stat().st_mtime_ns
        except FileNotFoundError:
            return None
    start = state()
    while state() == start and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)


WRITER = textwrap.dedent("""
    import signal, sys
    from pathlib import Path
    from bpdiag import files
    from bpdiag.cli import Interrupted, _raise_interrupted
    if sys.argv[2] == "named":
        files._unnamed_works = False
    signal.signal(signal.SIGTERM, _raise_interrupted)
    folder = Path(sys.argv[1])
    versions = [bytes([65 + v]) * (4_000_000 + v) for v in range(3)]
    print("ready", flush=True)
    i = 0
    try:
        while True:
            files.atomic_write(folder / f"f{i % 4}.bin", versions[i % 3])
            i += 1
    except Interrupted:
        sys.exit(143)
""")


def _version_ok(path: Path) -> None:
    data = path.read_bytes()
    v = data[0] - 65
    assert 0 <= v < 3 and data == bytes([65 + v]) * (4_000_000 + v), path.name


def _supports_unnamed(folder: Path) -> bool:
    probe = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import sys
        from pathlib import Path
        from bpdiag import files
        files.atomic_write(Path(sys.argv[1]) / "probe", b"x")
        print(files.unnamed_temp_files())
    """), str(folder)], env=_env(folder), capture_output=True, text=True, check=True)
    (folder / "probe").unlink()
    return probe.stdout.strip() == "True"


@pytest.mark.parametrize("mode", ["unnamed", "named"])
def test_atomic_write_killed_mid_write(mode, tmp_path):
    if mode == "unnamed" and not _supports_unnamed(tmp_path):
        pytest.skip("O_TMPFILE with linking through /proc is not available here")
    rng = random.Random(7)
    for round_ in range(12):
        signum = signal.SIGKILL if round_ % 2 else signal.SIGTERM
        folder = tmp_path / f"r{round_}"
        folder.mkdir()
        process = subprocess.Popen([sys.executable, "-c", WRITER, str(folder), mode],
                                   env=_env(tmp_path), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        assert process.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.15))
        process.send_signal(signum)
        _, err = process.communicate(timeout=30)
        names = sorted(p.name for p in folder.iterdir())
        finals = [name for name in names if not name.startswith(".")]
        temps = [name for name in names if name.startswith(".")]
        assert all(files.is_temp_name(name) for name in temps), temps
        for name in finals:
            _version_ok(folder / name)
        if signum == signal.SIGTERM:
            assert process.returncode in (143, -15), err
            assert temps == [], temps  # the handler's exception removed the temporary file
        else:
            if mode == "unnamed":
                for name in temps:  # only named once complete
                    _version_ok(folder / name)
            files.remove_stale_temps(folder)  # what the next run's prepare_out_dir does
            assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_stale_temps_of_live_processes_are_kept(tmp_path):
    mine = tmp_path / f".a.svg.{os.getpid()}.0123abcd{files.TEMP_SUFFIX}"
    dead = tmp_path / f".a.svg.999999999.0123abcd{files.TEMP_SUFFIX}"
    other = tmp_path / ".hidden-by-the-user"
    for path in (mine, dead, other):
        path.write_text("x")
    assert files.remove_stale_temps(tmp_path) == [dead.name]
    assert mine.exists() and other.exists() and not dead.exists()


def test_only_bpdiag_own_temporary_files_are_removed(tmp_path, monkeypatch):
    """A name alone proves nothing: a folder, a link or another user's file of that name stays."""
    dead = 999999999
    folder = tmp_path / f".a.svg.{dead}.0123abcd{files.TEMP_SUFFIX}"
    folder.mkdir()
    (folder / "work").write_text("the user's")
    target = tmp_path / "target"
    target.write_text("linked")
    link = tmp_path / f".b.svg.{dead}.0123abcd{files.TEMP_SUFFIX}"
    link.symlink_to(target)
    theirs = tmp_path / f".c.svg.{dead}.0123abcd{files.TEMP_SUFFIX}"
    theirs.write_text("someone else's")
    near = [tmp_path / f".d.svg.{dead}.0123abcd.bpdiag-tmp~", tmp_path / f"d.svg.{dead}.0123abcd"
            f"{files.TEMP_SUFFIX}", tmp_path / f".d.svg.{dead}.0123ABCD{files.TEMP_SUFFIX}"]
    for path in near:
        path.write_text("x")
    real_owner = os.getuid()
    monkeypatch.setattr(files.os, "lstat", lambda path, _real=os.lstat: _owned_by(
        _real(path), real_owner + 1 if str(path) == str(theirs) else real_owner))
    assert files.remove_stale_temps(tmp_path) == []
    assert (folder / "work").read_text() == "the user's" and link.is_symlink()
    assert theirs.exists() and all(path.exists() for path in near)
    mine = tmp_path / f".e.svg.{dead}.0123abcd{files.TEMP_SUFFIX}"
    mine.write_text("left by a killed run")
    assert files.remove_stale_temps(tmp_path) == [mine.name]


def _owned_by(info: os.stat_result, uid: int) -> os.stat_result:
    fields = list(info)
    fields[4] = uid  # st_uid
    return os.stat_result(fields)


@needs_dot
def test_a_users_folders_in_the_system_temp_folder_survive(tmp_path):
    """Folders named like Graphviz scratch folders, of processes that no longer run, are not
    bpdiag's to delete; a run leaves its own scratch folder nowhere."""
    env = _env(tmp_path)
    scratch = Path(env["TMPDIR"])
    theirs = [scratch / "bpdiag-999999999-mine", scratch / "bpdiag-1-x", scratch / "bpdiag-abc"]
    for path in theirs:
        path.mkdir()
        (path / "notes.txt").write_text("keep")
    subprocess.run([sys.executable, "-m", "bpdiag", "render", "--to-layer", "1", "--format",
                    "svg,graphml", "--out", str(tmp_path / "o")], env=env, check=True,
                   capture_output=True)
    assert sorted(scratch.iterdir()) == sorted(theirs)
    assert all((path / "notes.txt").read_text() == "keep" for path in theirs)


def test_replacing_keeps_the_mode_a_new_file_would_have(tmp_path):
    target = tmp_path / "x.json"
    files.atomic_write(target, b"1")
    files.atomic_write(target, b"2")
    mask = os.umask(0)
    os.umask(mask)
    assert target.read_bytes() == b"2"
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


# A run's files are one set: every one new, or none changed.

SET = ["render", "--all", "--format", "dot,json"]  # no Graphviz run needed


def _render_set(out: Path, title: str):
    from click.testing import CliRunner

    from bpdiag.cli import cli
    return CliRunner().invoke(cli, SET + ["--title", title, "--out", str(out)])


def _snapshot(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.iterdir()) if path.is_file()}


def test_a_folder_in_place_of_the_last_file_stops_the_run_before_anything_is_written(tmp_path):
    out = tmp_path / "o"
    assert _render_set(out, "Old").exit_code == 0
    old = _snapshot(out)
    last = out / "backprop_to_layer_1.json"
    last.unlink()
    last.mkdir()
    del old[last.name]
    result = _render_set(out, "New")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert f"{last} is a folder where bpdiag writes a file" in result.stderr
    assert "move or rename the folder" in result.stderr
    assert _snapshot(out) == old and last.is_dir()


@pytest.mark.parametrize("failure", ["disk-full", "interrupted"])
def test_a_failure_while_writing_the_set_keeps_every_old_file(failure, tmp_path, monkeypatch):
    from bpdiag.cli import Interrupted

    out = tmp_path / "o"
    assert _render_set(out, "Old").exit_code == 0
    old = _snapshot(out)
    real, calls = files._write_all, []

    def write_all(fd, data):
        calls.append(fd)
        if len(calls) == len(old):  # the last file of the set
            if failure == "disk-full":
                raise OSError(28, "No space left on device")
            raise Interrupted(15)
        real(fd, data)
    monkeypatch.setattr(files, "_write_all", write_all)
    result = _render_set(out, "New")
    assert result.exit_code == (1 if failure == "disk-full" else 143), result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(old)  # no temporary file left
    assert _snapshot(out) == old


def test_a_stop_signal_during_the_renames_waits_until_the_set_is_in_place(tmp_path, monkeypatch):
    from bpdiag.cli import Interrupted, _raise_interrupted

    out = tmp_path / "o"
    assert _render_set(out, "Old").exit_code == 0
    old = _snapshot(out)
    real = os.replace

    def replace(source, target):
        if target.name == "forward.dot":  # the first rename
            os.kill(os.getpid(), signal.SIGTERM)
        real(source, target)
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        monkeypatch.setattr(files.os, "replace", replace)
        with pytest.raises(Interrupted):
            files.write_files([(out / name, b"new " + name.encode()) for name in old])
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert _snapshot(out) == {name: b"new " + name.encode() for name in old}


def test_a_rename_that_fails_says_how_many_files_were_replaced(tmp_path, monkeypatch):
    """What pre-checks cannot see (a folder appearing meanwhile) may split the set; the message
    says so exactly, and every file is complete, old or new."""
    out = tmp_path / "o"
    out.mkdir()
    for name in "abc":
        (out / name).write_bytes(b"old")
    monkeypatch.setattr(files, "check_targets", lambda paths: None)
    (out / "c").unlink()
    (out / "c").mkdir()
    with pytest.raises(files.WriteError, match="2 of 3 files were replaced, each complete"):
        files.write_files([(out / name, b"new") for name in "abc"])
    assert (out / "a").read_bytes() == (out / "b").read_bytes() == b"new"
    assert sorted(p.name for p in out.iterdir()) == ["a", "b", "c"]
