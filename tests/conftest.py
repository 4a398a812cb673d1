import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# In CI the property tests replay the same examples every run, so a submission passes or fails on
# its merits; runs elsewhere keep exploring new random examples (and the failures they find are
# fixed and pinned as ordinary tests).
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    """The read-only reference folder beside the project; tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared (reference material) is absent")
    return SHARED


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/golden/ from the current output instead of comparing")


@pytest.fixture
def golden(request):
    """compare(name, data): data must equal tests/golden/<name> (or rewrites it with --update-goldens)."""
    update = request.config.getoption("--update-goldens")

    def compare(name: str, data: bytes) -> None:
        path = ROOT / "tests" / "golden" / name
        if update:
            path.write_bytes(data)
            return
        assert path.exists(), f"missing golden file {name}: run pytest --update-goldens"
        assert data == path.read_bytes(), f"{name} differs from its golden file (pytest --update-goldens after checking)"

    return compare


needs_dot = pytest.mark.skipif(shutil.which("dot") is None and not os.environ.get("BPDIAG_DOT"),
                               reason="Graphviz's dot is not installed")


def assert_check_passes(network, granularity: str, seed: int, m: int = 3) -> None:
    """The numeric check of `network` at `granularity`: every view to layer K agrees, the
    example and unit views equal the batch view, and no gradient (nor a shortcut route, which
    evaluate() compares) disagrees with central differences. Views too large to draw are
    skipped by the caller's hypothesis `assume`."""
    from hypothesis import assume

    from bpdiag.graph.unit import MAX_UNIT_NODES, unit_node_count
    from bpdiag.verify import check
    from bpdiag.views import View

    assume(granularity != "unit" or unit_node_count(network, View(1, "unit")) <= MAX_UNIT_NODES)
    report = check(network, m=m, seed=seed, view=granularity)
    assert report.views_agree
    assert all(report.verdict(key) != "fail" for key in report.errors), report.errors
    assert report.ok
