"""The TOML files users give (network specs, notation profiles), read with one-line errors."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from .errors import InputError


def read_text(path: Path, *, option: str, kind: str, wanted: str,
              error: type[InputError] = InputError) -> str:
    """The UTF-8 text of the file `option` names; `kind` says what it holds, `wanted` what to give."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{option} {path}: no such file; give {wanted}") from None
    except IsADirectoryError:
        raise error(f"{option} {path} is a folder; give {wanted}") from None
    except OSError as exc:
        raise error(f"{option} {path}: cannot read it ({exc.strerror}); give a readable "
                    "TOML file") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text; save the {kind} as UTF-8 TOML") from None


def parse(text: str, source: str, *, nesting_hint: str,
          error: type[InputError] = InputError) -> dict:
    """The TOML table in `text`; a syntax error names `source` and TOML's line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: invalid TOML: {exc}; fix the syntax there") from None
    except RecursionError:
        raise error(f"{source}: arrays or tables nested too deeply to read; {nesting_hint}") from None


def describe(value: object) -> str:
    """How a wrong value is named in an error: 'the number 2.5', 'an array', 'a table'."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return "the text " + json.dumps(shown, ensure_ascii=False)  # escapes keep it one line
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"the {type(value).__name__} {value}"
