"""Ranking of the proposals to a call: weighted scores, the published tie rule, and the grants.

Each evaluator scores each criterion of a proposal from 0 to the criterion's maximum; a
proposal's mark on a criterion is the mean of its evaluators' scores, and its total is the
weighted sum of those marks, each divided by its maximum, on a scale of 100:

    total = 100 * sum_c w_c * (mean_c / max_c) / sum_c w_c

Exact fractions are used throughout, so that two equal totals are equal, never one ulp
apart: the tie rule then decides, as published. Money goes down the ranking: a proposal is
funded with what it asks while the money lasts; one that does not fit is skipped (the next
may still fit) or stops the list, as the call says. Plain numbers in, a result dataclass out;
no Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

#: The tie rules a call may publish.
TIE_FIRST_CRITERION = "criteria_order"  # higher mark on the first criterion, then the next
TIE_EARLIER_SUBMISSION = "earlier_submission"  # submitted first
TIE_SMALLER_REQUEST = "smaller_request"  # asks less money
TIE_RULES = (TIE_FIRST_CRITERION, TIE_EARLIER_SUBMISSION, TIE_SMALLER_REQUEST)

#: Reason codes of a line, worded by the web layer.
FUNDED = "funded"
INCOMPLETE = "incomplete"  # some criterion has no score
BELOW_MINIMUM = "below_minimum"  # total under the call's minimum
NO_MONEY = "no_money"  # the money left does not cover the request
AFTER_STOP = "after_stop"  # a proposal above did not fit and the call stops there


@dataclass(frozen=True, slots=True)
class Criterion:
    key: int
    weight: Decimal
    max_score: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A submitted proposal: its key, when it was submitted and what it asks."""

    key: int
    submitted_at: datetime
    requested: Decimal


@dataclass(frozen=True, slots=True)
class RankingOptions:
    tie_rule: str = TIE_FIRST_CRITERION
    money: Decimal = Decimal("0")
    minimum_total: Decimal = Decimal("0")
    skip_unaffordable: bool = True


@dataclass(frozen=True, slots=True)
class Line:
    key: int
    position: int | None  # None for a proposal that cannot be ranked (incomplete)
    total: Decimal | None  # on 100, three decimals
    marks: dict[int, Decimal]  # criterion key -> mean score, three decimals
    grant: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class Ranking:
    lines: list[Line]
    granted: Decimal
    left: Decimal


def _three(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.001"), rounding=ROUND_HALF_UP
    )


def rank(
    criteria: Sequence[Criterion],
    candidates: Sequence[Candidate],
    scores: Mapping[tuple[int, int], Sequence[int]],
    options: RankingOptions,
) -> Ranking:
    """Rank ``candidates`` by their weighted marks and share ``options.money`` down the list.

    Parameters
    ----------
    criteria
        The call's criteria, in their published order (the first breaks ties first).
    candidates
        The submitted proposals.
    scores
        ``(candidate key, criterion key) -> [score, ...]``, one score per evaluator.
    options
        The tie rule, the money available, the minimum total to be funded, and whether a
        proposal that does not fit is skipped (``True``) or stops the funding.

    Returns
    -------
    Ranking
        One line per candidate, ranked ones first by position, then the incomplete ones.

    Examples
    --------
    >>> from datetime import datetime
    >>> c = [Criterion(1, Decimal("2"), 10), Criterion(2, Decimal("1"), 10)]
    >>> p = [Candidate(7, datetime(2026, 1, 1), Decimal("100")),
    ...      Candidate(8, datetime(2026, 1, 2), Decimal("100"))]
    >>> s = {(7, 1): [10], (7, 2): [4], (8, 1): [7], (8, 2): [10]}
    >>> r = rank(c, p, s, RankingOptions(money=Decimal("150")))
    >>> [(line.key, str(line.total), str(line.grant), line.reason) for line in r.lines]
    [(7, '80.000', '100', 'funded'), (8, '80.000', '0', 'no_money')]
    """
    if options.tie_rule not in TIE_RULES:
        raise ValueError(f"unknown tie rule {options.tie_rule!r}")
    if not criteria:
        raise ValueError("a call needs at least one criterion to rank")
    weight_sum = sum((Fraction(c.weight) for c in criteria), Fraction(0))
    if weight_sum <= 0 or any(c.weight <= 0 or c.max_score <= 0 for c in criteria):
        raise ValueError("weights and maximum scores must be greater than zero")
    ranked, incomplete = [], []
    for candidate in candidates:
        marks: dict[int, Fraction] = {}
        for criterion in criteria:
            given = scores.get((candidate.key, criterion.key)) or ()
            if given:
                marks[criterion.key] = Fraction(sum(given), len(given))
        if len(marks) < len(criteria):
            incomplete.append((candidate, marks))
            continue
        total = (
            100
            * sum((Fraction(c.weight) * marks[c.key] / c.max_score for c in criteria), Fraction(0))
            / weight_sum
        )
        ranked.append((candidate, marks, total))

    def order(item):
        candidate, marks, total = item
        if options.tie_rule == TIE_FIRST_CRITERION:
            tie = tuple(-marks[c.key] / c.max_score for c in criteria)
        elif options.tie_rule == TIE_EARLIER_SUBMISSION:
            tie = (candidate.submitted_at,)
        else:
            tie = (candidate.requested,)
        # The key last: a total order even when the published rule leaves a tie.
        return (-total, *tie, candidate.submitted_at, candidate.key)

    ranked.sort(key=order)
    left = Decimal(options.money)
    stopped = False
    lines = []
    minimum = Fraction(options.minimum_total)
    for position, (candidate, marks, total) in enumerate(ranked, start=1):
        grant, reason = Decimal("0"), FUNDED
        if total < minimum:
            reason = BELOW_MINIMUM
        elif stopped:
            reason = AFTER_STOP
        elif candidate.requested <= left:
            grant = candidate.requested
            left -= grant
        else:
            reason = NO_MONEY
            stopped = not options.skip_unaffordable
        lines.append(
            Line(
                candidate.key,
                position,
                _three(total),
                {k: _three(v) for k, v in marks.items()},
                grant,
                reason,
            )
        )
    for candidate, marks in incomplete:
        lines.append(
            Line(
                candidate.key,
                None,
                None,
                {k: _three(v) for k, v in marks.items()},
                Decimal("0"),
                INCOMPLETE,
            )
        )
    return Ranking(lines=lines, granted=Decimal(options.money) - left, left=left)
