"""The rows layout's placement: plain geometry, no Graphviz."""

from bpdiag.export.placement import (ROW_GAP, Frame, legend_place, notes_below,
                                     segment_meets, slide_scale, stack)
from bpdiag.layout import Box


def test_rows_start_at_the_same_edge_one_below_the_other():
    frames = [Frame(600, 100, 0, 600), Frame(400, 80, 0, 400)]
    backward = stack(frames, from_the_right=True)
    assert [b.right for b in backward] == [600, 600]
    assert backward[1].y == backward[0].bottom + ROW_GAP
    forward = stack(frames, from_the_right=False)
    assert [b.x for b in forward] == [0, 0]


def test_a_second_half_starts_under_the_first_halfs_end_inside_its_layer_box():
    """Back-propagation: the first half ends on the left; its row box also holds J and Y on
    the right, outside the layer's box (0..500 of 700). The second half must lie within the
    layer's box, so the box drawn around both halves holds neither J nor Y."""
    first = Frame(700, 100, 0, 500)
    second = Frame(420, 90, 0, 420, continued=True)
    top, below = stack([Frame(900, 50, 0, 900), first, second], from_the_right=True)[1:]
    assert below.x == top.x                       # starts under the first half's end
    assert below.right <= top.x + first.group_right  # and stays inside its layer's box
    wide = Frame(650, 90, 0, 650, continued=True)  # wider than the layer's box: pulled left
    top, below = stack([Frame(900, 50, 0, 900), first, wide], from_the_right=True)[1:]
    assert below.right == top.x + first.group_right
    forward = stack([first, Frame(300, 90, 0, 300, continued=True)], from_the_right=False)
    assert forward[1].right == forward[0].x + first.group_right  # under the end, on the right


def test_notes_go_below_the_rows_under_their_node_without_overlapping():
    rows = [Box(0, 0, 800, 100), Box(300, 124, 500, 100)]
    a, b = notes_below(rows, [(200, 40, 700), (200, 40, 650)])
    assert a.y == b.y == rows[-1].bottom + ROW_GAP
    assert a.center[0] == 700
    assert not a.overlaps(b) and b.x >= a.right


def test_the_legend_goes_where_the_drawing_shows_largest_and_overlaps_nothing():
    # a legend taller than the rows: beside them
    rows = [Box(0, 0, 1600, 300), Box(800, 324, 800, 300)]
    beside = legend_place(rows, (400, 1200), from_the_right=True)
    assert beside.right <= 0 and not any(beside.overlaps(r) for r in rows)
    # a short legend and a long lower-left gap: tucked under the first row, beside the second
    rows = [Box(0, 0, 2400, 400), Box(1200, 424, 1200, 900)]
    tucked = legend_place(rows, (1000, 400), from_the_right=True)
    assert tucked.x == 0 and tucked.y == rows[0].bottom + ROW_GAP
    assert not any(tucked.overlaps(r) for r in rows)
    assert slide_scale(rows + [tucked]) > slide_scale(
        rows + [Box(-ROW_GAP - 1000, 0, 1000, 400)])


def test_a_segment_meets_a_box_it_passes_through_and_no_other():
    box = (10.0, 10.0, 20.0, 20.0)
    assert segment_meets(box, ((0, 0), (30, 30)), 0.0)          # across the diagonal
    assert segment_meets(box, ((15, 0), (15, 30)), 0.0)         # straight down through it
    assert not segment_meets(box, ((0, 25), (30, 25)), 0.0)     # above it
    assert segment_meets(box, ((0, 25), (30, 25)), 6.0)         # ... but within 6 of it
    assert not segment_meets(box, ((0, 0), (5, 5)), 0.0)        # ends before it
    assert not segment_meets(box, ((0, 30), (30, 29)), 0.0)     # passes its corner
