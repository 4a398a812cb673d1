"""The one place that knows where the templates live: inside the installed package, or the
repository's top-level templates/ in an editable install or a source checkout."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from .errors import BpdiagError

_PACKAGED = Path(__file__).resolve().parent / "templates"
_SOURCE_TREE = Path(__file__).resolve().parents[2] / "templates"


def templates_dir() -> Path:
    for candidate in (_PACKAGED, _SOURCE_TREE):
        if candidate.is_dir():
            return candidate
    raise BpdiagError("bpdiag's templates folder is missing from the installation; reinstall bpdiag")


def template_path(*parts: str) -> Path:
    return templates_dir().joinpath(*parts)


@lru_cache(maxsize=None)
def load_toml(*parts: str) -> dict:
    """A TOML template, parsed once per process."""
    with template_path(*parts).open("rb") as stream:
        return tomllib.load(stream)


@lru_cache(maxsize=None)
def load_text(*parts: str) -> str:
    """A text template (UTF-8), read once per process."""
    return template_path(*parts).read_text(encoding="utf-8")
