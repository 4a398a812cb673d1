"""Text a user gives (--title, --license, spec and notation files) checked before it is drawn.

Every exporter escapes markup (`<`, `&`, quotes, `]]>`) itself; what no escaping can carry is
refused here: characters XML 1.0 does not allow (control characters other than tab and newline,
U+FFFE, U+FFFF) and lone surrogates (undecodable bytes on the command line). Text that is
drawn is also checked for characters the diagrams' font cannot draw (`check_drawable`).
"""

from __future__ import annotations

import bisect
import re
import shutil
import subprocess
import unicodedata
from functools import lru_cache

from .errors import InputError

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def check_text(value: str | None, what: str) -> str | None:
    """`value` unchanged when every output format can carry it; else an InputError naming `what`."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{what} must be text, not {type(value).__name__}")
    match = _FORBIDDEN.search(value)
    if match:
        char = match.group()
        if "\ud800" <= char <= "\udfff":
            kind, fix = "a byte that is not UTF-8", "give the text in UTF-8"
        else:
            kind, fix = f"the control character U+{ord(char):04X}", "remove it"
        raise InputError(f"{what} contains {kind} at position {match.start() + 1}, which diagrams "
                         f"cannot show; {fix}")
    return value


# How long a text may be where it is drawn, in characters. Graphviz fails on labels of many
# kilobytes, and long before that a legend stops being readable: the limits are far above what
# real use needs (the shipped profiles' longest symbol has 15 characters, their longest meaning 97).
MAX_TITLE = 200      # --title, a spec's title, a profile's title
MAX_LICENSE = 200    # --license, a spec's licence
MAX_SYMBOL = 40      # a profile's drawn symbols and shapes, its name and its operators
MAX_PHRASE = 200     # a profile's meanings and colour-key texts
MAX_NOTE = 2000      # a profile's note and description: tooltips, not drawn
# Breaks that one drawn line cannot show (Graphviz drops them from an HTML-like label).
_LINE_BREAK = re.compile("[\t\n\r\x85\u2028\u2029]")
_BREAK_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a carriage return"}


def check_length(value: str | None, what: str, limit: int, *, one_line: bool = True) -> str | None:
    """`value` unchanged when it is at most `limit` characters (and one line when `one_line`);
    else an InputError naming `what` and the limit."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{what} must be text, not {type(value).__name__}")
    if len(value) > limit:
        raise InputError(f"{what} is {len(value)} characters long; diagrams show at most {limit}: "
                         "shorten it")
    match = _LINE_BREAK.search(value) if one_line else None
    if match:
        kind = _BREAK_NAMES.get(match.group(), f"the line separator U+{ord(match.group()):04X}")
        raise InputError(f"{what} contains {kind} at position {match.start() + 1}; it is drawn as "
                         "one line: write a space instead")
    return value


# --- Characters the diagrams' font can draw ---------------------------------------------------
# Graphviz draws labels with Pango, which takes each character from the configured family
# (styles.toml [font] family) or, failing that, from any font fontconfig offers in its place; a
# character none of them has becomes a box with its code in it, silently. So the characters
# drawable here are the union of the charsets fontconfig lists for that family
# (`fc-match --sort FAMILY`). Without fontconfig's fc-match, FALLBACK_RULE applies. Printable
# ASCII is always accepted (every font has it), so plain text costs no fc-match run.

FALLBACK_RULE = ("without fontconfig's fc-match, characters of the Basic Multilingual Plane "
                 "(U+0000 to U+FFFF) other than private-use ones are accepted")
_PRIVATE_USE = (0xE000, 0xF8FF)


def check_drawable(value: str | None, what: str) -> str | None:
    """`value` unchanged when the diagrams' font (or a fontconfig fallback) has every character;
    else an InputError naming the first character that would be drawn as a missing-glyph box."""
    if value is None or all(" " <= char <= "~" for char in value):
        return value
    family = _font_family()
    ranges = _fontconfig_ranges(family)
    for position, char in enumerate(value, start=1):
        if char in "\t\n\r" or unicodedata.category(char) == "Cf":
            continue  # layout and joining characters are not drawn as glyphs
        code = ord(char)
        drawable = (_in_ranges(code, ranges) if ranges is not None
                    else code <= 0xFFFF and not _PRIVATE_USE[0] <= code <= _PRIVATE_USE[1])
        if not drawable:
            name = unicodedata.name(char, "")
            named = f"'{char}' (U+{code:04X}{' ' + name if name else ''})"
            where = ("no installed font has it" if ranges is not None
                     else "fontconfig is absent and it is outside the Basic Multilingual Plane "
                          "or private-use")
            raise InputError(f"{what} contains {named} at position {position}, which the diagrams "
                             f"cannot draw in {family} ({where}); remove it, or install a font "
                             "that has it")
    return value


def _font_family() -> str:
    from .resources import load_toml

    return load_toml("styles.toml")["font"]["family"]


@lru_cache(maxsize=None)
def _fontconfig_ranges(family: str) -> tuple[tuple[int, int], ...] | None:
    """Sorted, merged (first, last) code point ranges fontconfig can draw for `family`, or None
    when fontconfig's fc-match is not available."""
    program = shutil.which("fc-match")
    if program is None:
        return None
    try:
        done = subprocess.run([program, "--sort", family, "--format", "%{charset}\n"],
                              capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return parse_charsets(done.stdout)


def parse_charsets(text: str) -> tuple[tuple[int, int], ...]:
    """fontconfig charsets ('20-7e a0-17f 1f600', one font a line) -> merged ranges."""
    spans = []
    for item in text.split():
        first, _, last = item.partition("-")
        try:
            spans.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged)


def _in_ranges(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    index = bisect.bisect_right(ranges, (code, float("inf"))) - 1
    return index >= 0 and ranges[index][0] <= code <= ranges[index][1]
