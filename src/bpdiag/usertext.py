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
