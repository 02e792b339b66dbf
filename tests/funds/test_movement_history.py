"""A fund movement's public history (issue 11, point 7): recorded when and by which role,
then what followed it, in a fixed number of queries."""

from __future__ import annotations

from django.utils import translation

from patto.funds.history import movement_history
from patto.funds.models import Movement


def test_a_reversed_receipt_shows_its_reversal(bologna, django_assert_num_queries):
    receipt = Movement.objects.get(fund__code="comunita", ref="C-2022-011")
    # One query for what followed; none for roles (the package recorded it, no account).
    with django_assert_num_queries(1), translation.override("en"):
        history = movement_history(receipt)
    first, reversal = history.entries
    assert first.kind == "+" and reversal.kind == "~"
    assert "C-2022-012" in reversal.changes[0].value
    with translation.override("en"):
        assert str(reversal.changes[0].label) == "reversed by"
        assert "data package" in str(first.role)
    assert not history.more and first.person == ""


def test_a_movement_nothing_followed_has_one_entry(bologna):
    later = Movement.objects.get(fund__code="comunita", ref="C-2022-013")
    assert [e.kind for e in movement_history(later).entries] == ["+"]
