"""Progress rolled up over milestones and sub-projects: weights normalised at each level."""

from __future__ import annotations

import pytest
from numpy.testing import assert_allclose

from patto.engine.rollup import Node, roll_up


def leaf(key: str, done: bool = False, weight: float = 1.0) -> Node:
    return Node(key, key, "milestone", weight, done=done)


def test_half_the_weight_three_of_four_milestones_done():
    phase = Node(
        "a",
        "Fase 1",
        "milestone",
        2,
        children=(leaf("a1", True), leaf("a2", True), leaf("a3", True), leaf("a4")),
    )
    sub = Node("b", "Sotto-progetto", "project", 2, value=20.0)
    result = roll_up([phase, sub])
    assert [p.share for p in result.parts] == [0.5, 0.5]
    assert (result.parts[0].done, result.parts[0].total) == (3, 4)
    assert_allclose(result.progress, 0.5 * 75 + 0.5 * 20)


def test_weights_count_only_in_proportion():
    one = roll_up([leaf("a", True, 1), leaf("b", False, 3)])
    ten = roll_up([leaf("a", True, 10), leaf("b", False, 30)])
    assert one.progress == ten.progress == 25.0
    assert [p.share for p in one.parts] == [0.25, 0.75]


def test_milestones_nest_at_any_depth():
    deep = Node(
        "a",
        "a",
        "milestone",
        children=(
            Node("b", "b", "milestone", children=(leaf("c", True), leaf("d"))),
            leaf("e", True),
        ),
    )
    result = roll_up([deep])
    # b is half done, e done: a is (50 + 100) / 2.
    assert result.progress == 75.0
    assert (result.parts[0].done, result.parts[0].total) == (2, 3)


@pytest.mark.parametrize(
    ("nodes", "reason"),
    [
        ([], "no_parts"),
        ([leaf("a", True, 0), leaf("b", False, 0)], "no_weight"),
        ([Node("p", "p", "project", value=None)], "no_value"),
    ],
)
def test_no_figure_says_why(nodes, reason):
    result = roll_up(nodes)
    assert result.progress is None
    assert result.reason == reason


def test_indicator_shares_are_clipped_and_missing_ones_left_out():
    result = roll_up(
        [
            Node("i1", "x", "indicator", value=140.0),
            Node("i2", "y", "indicator", value=-30.0),
            Node("i3", "z", "indicator", value=None),
        ]
    )
    assert result.progress == 50.0
    assert [p.progress for p in result.parts] == [100.0, 0.0, None]
