"""Graphviz's (cairo's) PDF, made deterministic.

cairo stamps the time of the run into the document information (/CreationDate, newer versions
also /ModDate). Cairo 1.16 ignores SOURCE_DATE_EPOCH, so the dates are set to the Unix epoch here,
digit for digit: the file keeps its length, so the cross-reference offsets stay right.
"""

from __future__ import annotations

import re

_DATE = re.compile(rb"/(?:CreationDate|ModDate) \(D:([0-9]+)")
EPOCH = b"19700101000000"


def fixed_dates(pdf: bytes) -> bytes:
    def epoch(match: re.Match) -> bytes:
        digits = match.group(1)
        fixed = (EPOCH + b"0" * len(digits))[:len(digits)]
        return match.group(0)[:match.start(1) - match.start(0)] + fixed

    return _DATE.sub(epoch, pdf)
