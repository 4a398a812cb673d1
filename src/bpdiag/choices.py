"""Named choices (activations, views, formats, notation profiles) are read without regard to case."""

from __future__ import annotations


def canonical(value, choices: tuple[str, ...]):
    """The lower-case member of `choices` that `value` names in any case ('ReLU' -> 'relu');
    any other value unchanged, for the caller's own error naming the choices."""
    if isinstance(value, str) and value.lower() in choices:
        return value.lower()
    return value
