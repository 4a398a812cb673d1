"""Text a user gives (--title, --license, spec and notation files) checked before it is drawn.

Every exporter escapes markup (`<`, `&`, quotes, `]]>`) itself; what no escaping can carry is
refused here: characters XML 1.0 does not allow (control characters other than tab and newline,
U+FFFE, U+FFFF) and lone surrogates (undecodable bytes on the command line).
"""

from __future__ import annotations

import re

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
