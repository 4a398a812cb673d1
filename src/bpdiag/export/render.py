"""The only code that runs Graphviz: one `dot` process per diagram, every format from that run.

Graphviz lays the diagram out once and writes the layout (JSON) beside the SVG and PNG, so all
formats show the same picture; bpdiag's GraphML is built from that same layout.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
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
    program = os.environ.get("BPDIAG_DOT") or shutil.which("dot")
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


@contextlib.contextmanager
def _tracked(process: subprocess.Popen):
    with _running_lock:
        _running.add(process)
    try:
        yield
    finally:
        with _running_lock:
            _running.discard(process)


def stop_all() -> None:
    """Kill every Graphviz process still running (the run was interrupted or another view failed)."""
    with _running_lock:
        processes = list(_running)
    for process in processes:
        with contextlib.suppress(OSError):
            process.kill()


def run_dot(source: str, formats: tuple[str, ...]) -> dict[str, bytes]:
    """Lay out `source` once and write each of `formats` (e.g. json0, svg, png) from that layout."""
    program = dot_program()
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX) as folder:
        outputs = {fmt: Path(folder) / f"diagram.{fmt}" for fmt in formats}
        command = [program]
        for fmt, path in outputs.items():
            command += [f"-T{fmt}", f"-o{path}"]
        timeout = dot_timeout()
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE)
        except OSError as exc:
            raise GraphvizError(f"could not run Graphviz's dot {program} ({exc.strerror}); "
                                f"{INSTALL_HINT}") from None
        with process, _tracked(process):
            try:
                _, stderr = process.communicate(source.encode("utf-8"), timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()  # not communicate(): a child of dot may hold the pipes open
                raise GraphvizError(f"Graphviz took longer than {timeout:g} s to lay out the "
                                    "diagram; draw a smaller network or the batch view, or raise "
                                    "the limit with BPDIAG_DOT_TIMEOUT=SECONDS") from None
            except BaseException:
                process.kill()
                process.wait()
                raise
        if process.returncode != 0:
            message = stderr.decode("utf-8", "replace").strip().splitlines()
            detail = message[-1] if message else f"exit code {process.returncode}"
            raise GraphvizError(f"Graphviz failed: {detail}; check the installation ('dot -V') "
                                "or report the command line")
        try:
            return {fmt: path.read_bytes() for fmt, path in outputs.items()}
        except OSError:
            raise GraphvizError("Graphviz ended without writing every format; check the "
                                "installation ('dot -V' and 'dot -Tpng' work)") from None
