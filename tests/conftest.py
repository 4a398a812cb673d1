from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    """The read-only reference folder beside the project; tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared (reference material) is absent")
    return SHARED
