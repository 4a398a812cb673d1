"""The training-time cache: which forward quantities the backward pass reads, and who reads them."""

from __future__ import annotations


class Cache:
    """Forward node ids mapped to the gradients that read them, in the order they were read.

    Empty at inference: nothing is differentiated, so nothing needs to be kept.
    """

    def __init__(self) -> None:
        self.readers: dict[str, list[str]] = {}

    def read(self, node: str, by: str) -> None:
        readers = self.readers.setdefault(node, [])
        if by not in readers:
            readers.append(by)

    def marks(self, node_id: str) -> dict:
        """The `cached`, `cached_for` and `note` attributes of a forward quantity."""
        readers = self.readers.get(node_id, [])
        if not readers:
            return {"cached": False, "cached_for": [], "note": ""}
        return {"cached": True, "cached_for": readers,
                "note": "Cached by the forward pass in training: read by " + ", ".join(readers)}
