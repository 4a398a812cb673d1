"""numpy, imported when an operation is first evaluated: building and drawing a graph (the rules)
needs no numpy, so `bpdiag render` of a diagram without values does not load it."""

from __future__ import annotations

import importlib


class _Numpy:
    def __getattr__(self, name: str):
        return getattr(importlib.import_module("numpy"), name)


np = _Numpy()
