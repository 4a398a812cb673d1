"""The ways a diagram is laid out, each for where it is read (no imports: the CLI lists them).

* rows (the default, for slides and screens): each layer's part a row, the rows stacked so the
  chain wraps from one row's end to the next row's start (bpdiag.export.rows); about 16:9.
* column (for pages: a README, a docs site, a notebook): the layers one below the other, the
  pass reading downwards (forward from X, back-propagation from J); narrow enough for a page
  of about 900 px, as tall as it needs, the legend below (bpdiag.export.column: what keeps it
  narrow).
* strip: the layers side by side in one long strip, like the hand-made course diagrams.
"""

from __future__ import annotations

LAYOUTS = ("rows", "column", "strip")
DEFAULT_LAYOUT = "rows"

HELP = ("rows: each layer a row, stacked to fit a slide; column: the layers one below the other, "
        "reading downwards, to fit a page's width; strip: the layers side by side in one long "
        "strip, like the hand-made course diagrams.")


def direction(layout: str, backward: bool) -> str:
    """Graphviz's rankdir: a column reads downwards; rows and the strip read left to right
    forwards and right to left in back-propagation, as the course draws them."""
    if layout == "column":
        return "TB"
    return "RL" if backward else "LR"


def stacked(layout: str) -> bool:
    """Whether each layer's group is laid out as a row of its own and the rows are stacked
    (bpdiag.export.rows), rather than the whole diagram laid out by one dot run."""
    return layout == "rows"
