"""The only code that runs Graphviz: one `dot` process per diagram, every format from that run.

Graphviz lays the diagram out once and writes the layout (JSON) beside the SVG and PNG, so all
formats show the same picture; bpdiag's GraphML is built from that same layout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import BpdiagError

DOT_TIMEOUT_SECONDS = 120
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


def run_dot(source: str, formats: tuple[str, ...]) -> dict[str, bytes]:
    """Lay out `source` once and write each of `formats` (e.g. json0, svg, png) from that layout."""
    program = dot_program()
    with tempfile.TemporaryDirectory(prefix="bpdiag-") as folder:
        outputs = {fmt: Path(folder) / f"diagram.{fmt}" for fmt in formats}
        command = [program]
        for fmt, path in outputs.items():
            command += [f"-T{fmt}", f"-o{path}"]
        try:
            done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True,
                                  timeout=DOT_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise GraphvizError(f"Graphviz took longer than {DOT_TIMEOUT_SECONDS} s to lay out the "
                                "diagram; draw a smaller network or the batch view") from None
        except OSError as exc:
            raise GraphvizError(f"could not run Graphviz's dot ({exc.strerror}); {INSTALL_HINT}") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = message[-1] if message else f"exit code {done.returncode}"
            raise GraphvizError(f"Graphviz failed: {detail}; check the installation ('dot -V')")
        return {fmt: path.read_bytes() for fmt, path in outputs.items()}
