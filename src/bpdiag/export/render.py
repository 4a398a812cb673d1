"""The only code that runs Graphviz: one `dot` process draws every format of a diagram.

Graphviz writes the layout (JSON) beside the SVG and PNG from the same run, so all formats show
the same picture; bpdiag's GraphML is built from that same layout. The rows layout first lays
out its rows, many small graphs, in one more process (`lay_out_each`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import unicodedata
from pathlib import Path

from ..errors import BpdiagError, InputError

DOT_TIMEOUT_SECONDS = 120  # per diagram; BPDIAG_DOT_TIMEOUT (seconds) overrides it
INSTALL_HINT = ("install Graphviz: 'sudo apt-get install graphviz' (Debian/Ubuntu), "
                "'brew install graphviz' (macOS), 'conda install -c conda-forge graphviz' (conda), "
                "'winget install graphviz' (Windows); or use --format json, which needs none")


class GraphvizError(BpdiagError):
    """Graphviz is missing, failed, or took too long."""


def dot_program() -> str:
    """The path of `dot` (BPDIAG_DOT overrides the search, e.g. to point at another build)."""
    chosen = os.environ.get("BPDIAG_DOT")
    if chosen:
        if not (os.path.isfile(chosen) and os.access(chosen, os.X_OK)):
            raise GraphvizError(f"BPDIAG_DOT={chosen!r} is not a program that can be run; point "
                                "it at Graphviz's dot (e.g. BPDIAG_DOT=/usr/bin/dot) or unset it")
        return chosen
    program = shutil.which("dot")
    if not program:
        raise GraphvizError(f"Graphviz's 'dot' program was not found; {INSTALL_HINT}")
    return program


def dot_timeout() -> float:
    """Seconds one Graphviz run may take: BPDIAG_DOT_TIMEOUT, or DOT_TIMEOUT_SECONDS."""
    text = os.environ.get("BPDIAG_DOT_TIMEOUT")
    if not text:
        return DOT_TIMEOUT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise InputError(f"BPDIAG_DOT_TIMEOUT={text!r} is not a positive number of seconds; "
                         f"unset it (default {DOT_TIMEOUT_SECONDS} s) or give e.g. 300")
    return seconds


_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()


# Graphviz writes into one fresh folder per run, <system temp>/bpdiag-XXXXXXXX (tempfile's random
# name, mode 0700), removed when the run ends, fails or is interrupted. Nothing else is ever
# deleted: a folder left by a run killed with SIGKILL stays for the system to clean, since no
# name can prove that a folder was bpdiag's.
SCRATCH_PREFIX = "bpdiag-"
DETAIL_CHARACTERS = 300  # of Graphviz's message, quoted in bpdiag's one line
_STDERR_TAIL = 64 * 1024  # bytes of Graphviz's stderr read for its last line
_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-_]?)")


def run_dot(source: str, formats: tuple[str, ...],
            cancel: threading.Event | None = None) -> dict[str, bytes]:
    """Lay out `source` once and write each of `formats` (e.g. json0, svg, png) from that layout.

    Every output is checked whole before it is returned. `cancel`, once set (see `stop_all`),
    makes the run fail instead of starting Graphviz.
    """
    from .wellformed import problem

    program = dot_program()
    timeout = dot_timeout()
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX) as name:
        folder = Path(name)
        source_path = folder / "diagram.gv"
        source_path.write_bytes(source.encode("utf-8"))
        outputs = {fmt: folder / f"diagram.{fmt}" for fmt in formats}
        command = [program]
        for fmt, path in outputs.items():
            command += [f"-T{fmt}", f"-o{path}"]
        # files, not pipes: a child that dot leaves behind cannot hold bpdiag up
        with open(source_path, "rb") as stdin, open(folder / "stderr", "wb") as stderr:
            returncode = _run(command, stdin, stderr, timeout, cancel)
        if returncode != 0:
            detail = _last_line(folder / "stderr") or f"exit code {returncode}"
            raise GraphvizError(f"Graphviz failed: {detail}; check the installation ('dot -V') "
                                "or report the command line")
        produced = {}
        for fmt, path in outputs.items():
            try:
                data = path.read_bytes()
            except OSError:
                raise GraphvizError("Graphviz ended without writing every format; check the "
                                    "installation ('dot -V' and 'dot -Tpng' work)") from None
            why = problem(fmt, data)
            if why is not None:
                raise GraphvizError(f"Graphviz wrote an incomplete {fmt.removesuffix('0').upper()} "
                                    f"({_clean(why)}); check the installation ('dot -V') or "
                                    "report the command line")
            produced[fmt] = data
        return produced


def lay_out_each(sources: list[str], cancel: threading.Event | None = None) -> list[bytes]:
    """Lay out each of `sources` (graphs of their own) in one Graphviz run: the layout of
    each, as `dot -Tjson0` writes it, each checked whole. One process for many small graphs:
    Graphviz's start-up costs more than laying out a row."""
    from .wellformed import problem

    program = dot_program()
    timeout = dot_timeout()
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX) as name:
        folder = Path(name)
        paths = [folder / f"graph{index}.gv" for index in range(len(sources))]
        for path, source in zip(paths, sources):
            path.write_bytes(source.encode("utf-8"))
        # -O: each input's output beside it, as graphN.gv.json0 (-o would keep only the last)
        command = [program, "-Tjson0", "-O", *map(str, paths)]
        with open(os.devnull, "rb") as stdin, open(folder / "stderr", "wb") as stderr:
            returncode = _run(command, stdin, stderr, timeout, cancel)
        if returncode != 0:
            detail = _last_line(folder / "stderr") or f"exit code {returncode}"
            raise GraphvizError(f"Graphviz failed: {detail}; check the installation ('dot -V') "
                                "or report the command line")
        layouts = []
        for path in paths:
            try:
                data = path.with_name(path.name + ".json0").read_bytes()
            except OSError:
                raise GraphvizError("Graphviz ended without writing every layout; check the "
                                    "installation ('dot -V' and 'dot -Tjson0' work)") from None
            why = problem("json0", data)
            if why is not None:
                raise GraphvizError(f"Graphviz wrote an incomplete JSON ({_clean(why)}); check "
                                    "the installation ('dot -V') or report the command line")
            layouts.append(data)
        return layouts


def _run(command: list[str], stdin, stderr, timeout: float,
         cancel: threading.Event | None) -> int:
    """Run Graphviz in a process group of its own; its exit code. Whatever happens, the whole
    group is killed at the end, so nothing Graphviz started outlives the run."""
    with _running_lock:
        if cancel is not None and cancel.is_set():
            raise GraphvizError("Graphviz was not started: the run is stopping")
        try:
            process = subprocess.Popen(command, stdin=stdin, stdout=subprocess.DEVNULL,
                                       stderr=stderr, start_new_session=True)
        except OSError as exc:
            raise GraphvizError(f"could not run Graphviz's dot {command[0]} ({exc.strerror}); "
                                f"{INSTALL_HINT}") from None
        _running.add(process)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"Graphviz took longer than {timeout:g} s to lay out the diagram; "
                            "draw a smaller network or the batch view, or raise the limit with "
                            "BPDIAG_DOT_TIMEOUT=SECONDS") from None
    finally:
        _kill(process)
        process.wait()
        with _running_lock:
            _running.discard(process)


def _kill(process: subprocess.Popen) -> None:
    """Kill the process group Graphviz leads (the process alone where there are no groups)."""
    with contextlib.suppress(OSError):
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()


def stop_all(cancel: threading.Event | None = None) -> None:
    """Kill every Graphviz run still going (the run was interrupted or another view failed);
    with `cancel`, set it first, so that no run of that set starts after this."""
    with _running_lock:
        if cancel is not None:
            cancel.set()
        processes = list(_running)
    for process in processes:
        _kill(process)


def _last_line(path: Path) -> str:
    """The last line Graphviz wrote to stderr, as plain text of at most DETAIL_CHARACTERS."""
    with contextlib.suppress(OSError), open(path, "rb") as file:
        size = file.seek(0, os.SEEK_END)
        start = max(0, size - _STDERR_TAIL)
        file.seek(start)
        lines = [line for line in file.read().decode("utf-8", "replace").split("\n") if line.strip()]
        if lines:
            line = _clean(lines[-1])
            cut_before = start > 0 and len(lines) == 1  # the line began before what was read
            return ("…" if cut_before else "") + line
    return ""


def _clean(text: str) -> str:
    """`text` without terminal escapes or control characters, on one line, cut to a length."""
    text = _ESCAPE.sub("", text)
    text = "".join(" " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char
                   for char in text)
    text = " ".join(text.split())
    if len(text) > DETAIL_CHARACTERS:
        return f"{text[:DETAIL_CHARACTERS]}… (cut; {len(text)} characters)"
    return text
