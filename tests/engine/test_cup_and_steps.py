"""The CUP's structure and the delay of a procedural step (issue 11, point 5)."""

from __future__ import annotations

import datetime as dt

import pytest

from patto.engine.pact_package import cup_problem, step_delay


@pytest.mark.parametrize("code", ["J31B21000440001", "G17H03000130001", "E37H99000470001"])
def test_real_cups_pass(code):
    assert cup_problem(code, this_year=2026) is None


@pytest.mark.parametrize(
    "code",
    [
        "J31B2100044000",
        "j31b21000440001",
        "J31B21000440O01",
        "131B21000440001",
        "J3XB21000440001",
        "",
    ],
)
def test_malformed_cups_are_refused_with_the_structure(code):
    assert "15 characters" in cup_problem(code, this_year=2026)


def test_a_cup_from_a_future_year_is_refused():
    assert "1990 to 2026" in cup_problem("J31B27000440001", this_year=2026)


def test_delays():
    day = dt.date
    assert step_delay(day(2024, 3, 1), day(2024, 3, 11), day(2025, 1, 1)) == 10
    assert step_delay(day(2024, 3, 1), day(2024, 2, 20), day(2025, 1, 1)) == -10
    assert step_delay(day(2024, 3, 1), None, day(2024, 3, 4)) == 3
    assert step_delay(day(2024, 3, 1), None, day(2024, 2, 1)) is None
    assert step_delay(None, day(2024, 3, 1), day(2024, 4, 1)) is None
