"""The diagrams read where they are shown: the set-up command's (rows) on a 1920×1080 slide,
shown whole, and the README gallery's (column) on GitHub's page, 890 px wide."""

import pytest

from bpdiag.diagrams import RenderOptions, render_view
from bpdiag.model import Network
from bpdiag.views import View, all_views
from conftest import needs_dot
from slide_fit import page_text_sizes, text_sizes

SMALLEST_PX, MEDIAN_PX = 6.0, 10.0  # the least a learner reads from the back of a room


@needs_dot
@pytest.mark.parametrize("view", all_views(Network()), ids=lambda view: view.stem)
def test_default_diagrams_fit_a_slide(view):
    svg = render_view(Network(), view, ("svg",), RenderOptions())["svg"]
    smallest, median = text_sizes(svg)
    assert smallest >= SMALLEST_PX and median >= MEDIAN_PX, (view.stem, smallest, median)


@needs_dot
@pytest.mark.parametrize("view", all_views(Network()), ids=lambda view: view.stem)
def test_column_diagrams_read_on_a_readme_page(view):
    svg = render_view(Network(), view, ("svg",), RenderOptions(layout="column"))["svg"]
    smallest, median = page_text_sizes(svg)
    assert smallest >= SMALLEST_PX and median >= MEDIAN_PX, (view.stem, smallest, median)
    rows = page_text_sizes(render_view(Network(), view, ("svg",), RenderOptions())["svg"])
    assert rows[1] < MEDIAN_PX  # why the page needs its own layout


@needs_dot
def test_strip_layout_is_the_long_one():
    """--layout strip keeps the hand-made diagrams' long strip, which a slide cannot show."""
    network, view = Network(), all_views(Network())[-1]
    rows = text_sizes(render_view(network, view, ("svg",), RenderOptions())["svg"])
    strip = text_sizes(render_view(network, view, ("svg",),
                                   RenderOptions(layout="strip"))["svg"])
    assert strip[1] < rows[1]


def test_slide_measure_follows_the_drawing_size():
    """The measure itself: text of 12 in a 1920 × 540 drawing is 12 px; in 3840 × 540, 6 px."""
    def svg(width, height):
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
                '<text font-size="12">a</text><text font-size="24">b</text>'
                '<text font-size="12">c</text></svg>').encode()
    assert text_sizes(svg(1920, 540)) == (12.0, 12.0)
    assert text_sizes(svg(3840, 540)) == (6.0, 6.0)
    assert text_sizes(svg(1920, 2160)) == (6.0, 6.0)


@needs_dot
@pytest.mark.parametrize("network", [Network(keep_prob=0.8), Network(l2=0.1),
                                     Network(l2=0.1, keep_prob=0.8)],
                         ids=lambda network: "_".join(network.tags))
@pytest.mark.parametrize("layout, measure", [("rows", text_sizes), ("column", page_text_sizes)])
def test_regularised_gallery_diagrams_read_on_a_slide_and_a_page(network, layout, measure):
    """The README gallery's dropout and L2 diagrams (back-propagation to layer 2)."""
    svg = render_view(network, View(2), ("svg",), RenderOptions(layout=layout))["svg"]
    smallest, median = measure(svg)
    assert smallest >= SMALLEST_PX and median >= MEDIAN_PX, (smallest, median)
