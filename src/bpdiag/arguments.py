"""Checks of the arguments the Python API is given: a wrong type is a TypeError, a wrong value an
InputError (a ValueError), each naming the argument and what it accepts.

The command line's options arrive already typed by click; these catch what a caller of the
library can pass that the command line cannot.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import InputError


def flag(value: object, name: str) -> bool:
    """`value` when it is True or False (not 'no', not 1)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {_shown(value)}")
    return value


def whole(value: object, name: str, minimum: int, example: str) -> int:
    """`value` when it is an int (not a bool) of at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number (int) of at least {minimum}, e.g. "
                        f"{example}, not {_shown(value)}")
    if value < minimum:
        raise InputError(f"{name} = {value} must be at least {minimum}, e.g. {example}")
    return value


def optional_text(value: object, name: str) -> str | None:
    """`value` when it is a str or None."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be text (str) or None, not {_shown(value)}")
    return value


def choice(value: object, name: str, choices: Sequence[str]) -> str:
    """`value` when it is one of `choices`."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {', '.join(map(repr, choices))}, not {_shown(value)}")
    if value not in choices:
        raise InputError(f"{name} = {value!r} is not one of {', '.join(map(repr, choices))}")
    return value


def as_network(value: object):
    """A Network from a Network, a sequence of layer sizes (2, 3, 2, 1), or the text '2,3,2,1'."""
    from .model import Network, parse_sizes

    if isinstance(value, Network):
        return value
    if isinstance(value, str):
        return Network(parse_sizes(value))
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return Network(tuple(value))
    raise TypeError(f"network must be a bpdiag.Network, layer sizes such as (2, 3, 2, 1) or the "
                    f"text '2,3,2,1', not {_shown(value)}")


def _shown(value: object) -> str:
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"
