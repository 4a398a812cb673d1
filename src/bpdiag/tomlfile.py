"""The TOML files users give (network specs, notation profiles), read with one-line errors.

What is read is bounded before tomllib sees it: a regular file (a FIFO would block, /dev/zero
never end), at most MAX_FILE_BYTES, and keys and brackets nested at most MAX_KEY_PARTS and
MAX_NESTING deep (tomllib's time and memory grow with the square of a dotted key's depth).
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

from .errors import InputError
from .userfile import open_regular

# The largest shipped file (templates/notation/nielsen.toml) is 6.5 KB; ten times that is room
# for any profile or spec a person writes.
MAX_FILE_BYTES = 64 * 1024
# A profile's deepest key is symbols.dZ.unit (3 parts); a spec's keys have one.
MAX_KEY_PARTS = 8
# Arrays and tables inside one another: a spec's `layers` is 1 deep, a profile's [names] 1.
MAX_NESTING = 8


def read_text(path: Path, *, option: str, kind: str, wanted: str,
              error: type[InputError] = InputError) -> str:
    """The UTF-8 text of the file `option` names; `kind` says what it holds, `wanted` what to give."""
    with open_regular(path, option=option, wanted=wanted, readable="a readable TOML file",
                      error=error) as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise error(f"{option} {path} is larger than {MAX_FILE_BYTES // 1024} KiB, the most "
                    "bpdiag reads; give a smaller TOML file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text; save the {kind} as UTF-8 TOML") from None


def parse(text: str, source: str, *, nesting_hint: str,
          error: type[InputError] = InputError) -> dict:
    """The TOML table in `text`; a syntax error names `source` and TOML's line and column."""
    check_depth(text, source, nesting_hint=nesting_hint, error=error)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: invalid TOML: {exc}; fix the syntax there") from None
    except ValueError:  # tomllib passes on int()'s limit on digits (sys.get_int_max_str_digits)
        raise error(f"{source}: a number too long to read (more than "
                    f"{sys.get_int_max_str_digits()} digits); write a smaller number") from None


# Strings and comments, found the way TOML reads them (leftmost first), so that the dots and
# brackets inside them are not counted: multi-line strings, one-line strings, comments.
_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"{3,5}'
    r"|'''(?:[^']|'(?!''))*'{3,5}"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*")
_DOTTED = re.compile(r"[A-Za-z0-9_+-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_+-]+)+")
_BRACKETS = re.compile(r"[\[\]{}]")


def _code(text: str) -> str:
    """`text` with each string replaced by `s` (a key part, as a quoted key is) and comments
    dropped; newlines are kept, so that positions keep their line numbers."""
    def blank(match: re.Match) -> str:
        found = match.group()
        newlines = "\n" * found.count("\n")
        return newlines if found.startswith("#") else "s" + newlines
    return _NOT_CODE.sub(blank, text)


def check_depth(text: str, source: str, *, nesting_hint: str,
                error: type[InputError] = InputError) -> None:
    """Refuse keys of more than MAX_KEY_PARTS parts (a.b.c) and brackets nested more than
    MAX_NESTING deep, on the text, before tomllib spends quadratic time and memory on them.

    A string the scan misreads errs on the safe side: its dots and brackets are counted.
    """
    code = _code(text)
    for match in _DOTTED.finditer(code):
        parts = match.group().count(".") + 1
        if parts > MAX_KEY_PARTS:
            line = code.count("\n", 0, match.start()) + 1
            raise error(f"{source}: line {line}: a dotted key of {parts} parts, more than the "
                        f"{MAX_KEY_PARTS} bpdiag reads; {nesting_hint}")
    depth = 0
    for match in _BRACKETS.finditer(code):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_NESTING:
            line = code.count("\n", 0, match.start()) + 1
            raise error(f"{source}: line {line}: arrays or tables nested more than {MAX_NESTING} "
                        f"deep; {nesting_hint}")


def describe(value: object) -> str:
    """How a wrong value is named in an error: 'the number 2.5', 'an array', 'a table'."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return "the text " + _printable(json.dumps(shown, ensure_ascii=False))  # one line
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"the {type(value).__name__} {value}"


def shown_key(key: str) -> str:
    """A key as an error message names it: at most 40 characters, none a control character."""
    return _printable(key if len(key) <= 40 else key[:37] + "...")


def _printable(text: str) -> str:
    """`text` with each character a terminal would not print as itself (controls, escapes) as \\uXXXX."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
