"""The ranking engine: weighted marks on 100, the published tie rules, money down the list."""

from __future__ import annotations

import doctest
from datetime import datetime
from decimal import Decimal

import pytest

from patto.engine import ranking
from patto.engine.ranking import Candidate, Criterion, RankingOptions, rank

CRITERIA = [Criterion(1, Decimal("60"), 10), Criterion(2, Decimal("40"), 5)]


def _candidates(*requests):
    return [Candidate(k, datetime(2026, 1, k), Decimal(r)) for k, r in enumerate(requests, 1)]


def test_doctests():
    assert doctest.testmod(ranking).failed == 0


def test_total_is_the_weighted_mean_of_the_evaluators_marks_on_100():
    scores = {(1, 1): [8, 9], (1, 2): [4, 5]}  # means 8.5/10 and 4.5/5
    result = rank(CRITERIA, _candidates("10"), scores, RankingOptions(money=Decimal("10")))
    (line,) = result.lines
    # 100 * (60 * 0.85 + 40 * 0.9) / 100 = 87
    assert line.total == Decimal("87.000")
    assert line.marks == {1: Decimal("8.500"), 2: Decimal("4.500")}


@pytest.mark.parametrize(
    ("rule", "first"),
    [
        (ranking.TIE_FIRST_CRITERION, 2),  # both 80: 2 has 10/10 on the first criterion
        (ranking.TIE_EARLIER_SUBMISSION, 1),
        (ranking.TIE_SMALLER_REQUEST, 3),
    ],
)
def test_tie_rules(rule, first):
    # 1: 100 * (60 * 0.8 + 40 * 0.8) / 100 = 80; 2: 60 * 1 + 40 * 0.5 = 80; 3 as 1.
    scores = {
        (1, 1): [8],
        (1, 2): [4],
        (2, 1): [10],
        (2, 2): [2, 3],
        (3, 1): [8],
        (3, 2): [4],
    }  # 2's second mark is the mean 2.5 of 5
    result = rank(
        CRITERIA,
        _candidates("30", "30", "20"),
        scores,
        RankingOptions(tie_rule=rule, money=Decimal("100")),
    )
    assert {line.total for line in result.lines} == {Decimal("80.000")}
    assert result.lines[0].key == first
    assert [line.position for line in result.lines] == [1, 2, 3]


def test_money_goes_down_the_list_skipping_or_stopping():
    scores = {(k, c): [(10 if c == 1 else 5) - k] for k in (1, 2, 3) for c in (1, 2)}
    candidates = _candidates("60", "50", "30")
    skip = rank(CRITERIA, candidates, scores, RankingOptions(money=Decimal("100")))
    assert [(line.key, line.grant, line.reason) for line in skip.lines] == [
        (1, Decimal("60"), "funded"),
        (2, Decimal("0"), "no_money"),
        (3, Decimal("30"), "funded"),
    ]
    assert (skip.granted, skip.left) == (Decimal("90"), Decimal("10"))
    stop = rank(
        CRITERIA, candidates, scores, RankingOptions(money=Decimal("100"), skip_unaffordable=False)
    )
    assert [line.reason for line in stop.lines] == ["funded", "no_money", "after_stop"]


def test_incomplete_and_below_minimum_are_named():
    scores = {(1, 1): [10], (1, 2): [5], (2, 1): [1], (2, 2): [1], (3, 1): [9]}
    result = rank(
        CRITERIA,
        _candidates("1", "1", "1"),
        scores,
        RankingOptions(money=Decimal("10"), minimum_total=Decimal("50")),
    )
    reasons = {line.key: (line.position, line.reason) for line in result.lines}
    assert reasons == {1: (1, "funded"), 2: (2, "below_minimum"), 3: (None, "incomplete")}


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="tie rule"):
        rank(CRITERIA, [], {}, RankingOptions(tie_rule="coin"))
    with pytest.raises(ValueError, match="at least one criterion"):
        rank([], [], {}, RankingOptions())
    with pytest.raises(ValueError, match="greater than zero"):
        rank([Criterion(1, Decimal("0"), 10)], [], {}, RankingOptions())
