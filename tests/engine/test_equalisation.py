"""Equalisation fund: contributions by dated rate, fragility indices, allocation to the cent."""

import doctest
import math
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from patto.engine import equalisation as equalisation_module
from patto.engine.ampi import AmpiOptions, ampi
from patto.engine.equalisation import (
    Allocation,
    AllocationRule,
    ChargeRate,
    allocate,
    composite_index,
    contribution_due,
    rate_on,
    weighted_index,
)

D = Decimal
NAN = float("nan")

# --- rate_on ---------------------------------------------------------------------------------

FIRST = ChargeRate(date(2021, 6, 1), D("0.5000"), D("0.5000"))
SECOND = ChargeRate(date(2024, 1, 1), D("0.6000"), D("0.5000"))
RATES = [SECOND, FIRST]  # out of order on purpose: the order given must not matter


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2021, 6, 1), FIRST),  # first day of the first rate
        (date(2022, 3, 15), FIRST),  # between the two
        (date(2023, 12, 31), FIRST),  # last day before the second
        (date(2024, 1, 1), SECOND),  # first day of the second
        (date(2030, 1, 1), SECOND),  # the latest stays in force
    ],
)
def test_rate_in_force(on, expected):
    assert rate_on(RATES, on) is expected


def test_rate_before_the_first_is_rejected_naming_both_dates():
    message = "in force on 2021-05-31: the earliest is valid from 2021-06-01"
    with pytest.raises(ValueError, match=message):
        rate_on(RATES, date(2021, 5, 31))


def test_two_rates_from_the_same_day_are_rejected():
    again = ChargeRate(date(2024, 1, 1), D("0.7"), D("0.7"))
    with pytest.raises(ValueError, match="two charge rates are valid from 2024-01-01"):
        rate_on([FIRST, SECOND, again], date(2022, 1, 1))


def test_no_rate_at_all_is_rejected():
    message = "no charge rate is given, so none is in force on 2022-01-01"
    with pytest.raises(ValueError, match=message):
        rate_on([], date(2022, 1, 1))


# --- contribution_due ------------------------------------------------------------------------


def test_contribution_by_hand():
    # 1000.01 * 0.5 = 500.005 -> 500.01 (half up; half even would give 500.00)
    # 250000 * 0.5 = 125000.00; sum 125500.01
    due = contribution_due(
        secondary_charges=D("1000.01"), extraordinary_contribution=D("250000"), rate=FIRST
    )
    assert due == D("125500.01")
    assert str(due) == "125500.01"


def test_each_product_is_rounded_half_up_before_the_sum():
    # 0.01 * 0.5 = 0.005 -> 0.01, twice: 0.02. Rounding the sum (0.010) would give 0.01.
    due = contribution_due(
        secondary_charges=D("0.01"), extraordinary_contribution=D("0.01"), rate=FIRST
    )
    assert due == D("0.02")
    # 0.0098 * 0.5 = 0.0049 -> 0.00; 0.0150 * 0.6 = 0.009 -> 0.01
    rate = ChargeRate(date(2024, 1, 1), D("0.5"), D("0.6"))
    due = contribution_due(
        secondary_charges=D("0.0098"), extraordinary_contribution=D("0.0150"), rate=rate
    )
    assert due == D("0.01")


def test_contribution_with_the_second_rate():
    # 12345.67 * 0.6 = 7407.402 -> 7407.40; 1000.03 * 0.5 = 500.015 -> 500.02; sum 7907.42
    rate = rate_on(RATES, date(2024, 6, 30))
    due = contribution_due(
        secondary_charges=D("12345.67"), extraordinary_contribution=D("1000.03"), rate=rate
    )
    assert due == D("7907.42")


def test_contribution_is_exact_beyond_28_digits():
    # 10^30 + 0.01 times 0.5 = 5 * 10^29 + 0.005 -> ...000.01: the default context would
    # have rounded the product to 28 digits first.
    due = contribution_due(
        secondary_charges=D("1000000000000000000000000000000.01"),
        extraordinary_contribution=D("0"),
        rate=FIRST,
    )
    assert due == D("500000000000000000000000000000.01")


def test_zero_contribution_has_two_decimals_and_no_sign():
    none = ChargeRate(date(2021, 1, 1), D("0"), D("1"))
    due = contribution_due(
        secondary_charges=D("100.00"), extraordinary_contribution=D("-0"), rate=none
    )
    assert str(due) == "0.00"
    # rate 1 passes the charge through to the cent: 0.125 -> 0.13
    assert contribution_due(
        secondary_charges=D("0"), extraordinary_contribution=D("0.125"), rate=none
    ) == D("0.13")


@pytest.mark.parametrize(
    ("secondary", "extraordinary", "rate", "message"),
    [
        (D("-0.01"), D("0"), FIRST, "secondary_charges must not be negative"),
        (D("0"), D("-1"), FIRST, "extraordinary_contribution must not be negative"),
        (D("NaN"), D("0"), FIRST, "secondary_charges must be finite"),
        (D("0"), D("Infinity"), FIRST, "extraordinary_contribution must be finite"),
        (
            D("1"),
            D("1"),
            ChargeRate(date(2021, 1, 1), D("1.5"), D("0.5")),
            r"rate\.secondary_rate must be a share between 0 and 1, not 1\.5",
        ),
        (
            D("1"),
            D("1"),
            ChargeRate(date(2021, 1, 1), D("0.5"), D("-0.1")),
            r"rate\.extraordinary_rate must be a share between 0 and 1",
        ),
    ],
)
def test_bad_contribution_arguments_are_rejected(secondary, extraordinary, rate, message):
    with pytest.raises(ValueError, match=message):
        contribution_due(
            secondary_charges=secondary, extraordinary_contribution=extraordinary, rate=rate
        )


def test_float_money_is_refused():
    with pytest.raises(TypeError, match="secondary_charges must be a Decimal, not float"):
        contribution_due(secondary_charges=0.1, extraordinary_contribution=D("0"), rate=FIRST)
    with pytest.raises(TypeError, match=r"rate\.secondary_rate must be a Decimal"):
        contribution_due(
            secondary_charges=D("1"),
            extraordinary_contribution=D("0"),
            rate=ChargeRate(date(2021, 1, 1), 0.5, D("0.5")),
        )


# --- weighted_index --------------------------------------------------------------------------

# Three units, three indicators: A (fragile when high), B (fragile when low), C (constant)
WEIGHTED_VALUES = np.array(
    [
        [10.0, 200.0, 5.0],
        [20.0, 100.0, 5.0],
        [40.0, NAN, 5.0],
    ]
)
WEIGHTS = np.array([2.0, 1.0, 1.0])
POLARITY = np.array([1, -1, 1])


def test_weighted_index_by_hand():
    # A: Min 10, Max 40, range 30 -> 0, 100/3, 100
    # B: present 200, 100 -> Min 100, Max 200, fragile when low: (200 - x) / 100 -> 0, 100
    # C: range 0 -> 50 for each unit
    # unit 0: (2*0 + 1*0 + 1*50) / 4 = 12.5
    # unit 1: (2*100/3 + 1*100 + 1*50) / 4 = (650/3) / 4 = 54.1666...
    # unit 2: B missing, weights renormalised over 3: (2*100 + 1*50) / 3 = 83.333...
    index = weighted_index(WEIGHTED_VALUES, WEIGHTS, POLARITY)
    assert_allclose(index, [12.5, 650 / 12, 250 / 3], rtol=1e-14)


def test_weighted_index_edges():
    values = np.vstack([WEIGHTED_VALUES, [NAN, NAN, NAN]])
    index = weighted_index(values, WEIGHTS, POLARITY)
    assert np.isnan(index[3])  # no value at all
    assert_allclose(index[:3], weighted_index(WEIGHTED_VALUES, WEIGHTS, POLARITY), rtol=1e-14)
    # an indicator only one unit has: range 0, so 50 for that unit
    single = np.array([[1.0, NAN], [3.0, 7.0]])
    # unit 0: A 0, no B -> 0; unit 1: A 100, B 50 -> (100 + 50) / 2 = 75
    assert_allclose(weighted_index(single, np.ones(2), np.ones(2)), [0.0, 75.0])
    # an indicator nobody has changes nothing
    empty = np.hstack([WEIGHTED_VALUES, np.full((3, 1), NAN)])
    assert_allclose(
        weighted_index(empty, np.append(WEIGHTS, 5.0), np.append(POLARITY, 1)),
        weighted_index(WEIGHTED_VALUES, WEIGHTS, POLARITY),
        rtol=1e-14,
    )


def test_weighted_index_does_not_modify_its_input():
    values = WEIGHTED_VALUES.copy()
    weighted_index(values, WEIGHTS, POLARITY)
    assert_array_equal(values, WEIGHTED_VALUES)


@pytest.mark.parametrize(
    ("values", "weights", "polarity", "message"),
    [
        (WEIGHTED_VALUES[0], WEIGHTS, POLARITY, "shape"),
        (WEIGHTED_VALUES, WEIGHTS[:2], POLARITY, "weights has 2 items but values has 3"),
        (WEIGHTED_VALUES, np.array([1.0, 0.0, 1.0]), POLARITY, "indicator 1 has 0.0"),
        (WEIGHTED_VALUES, np.array([1.0, 1.0, -2.0]), POLARITY, "positive and finite"),
        (WEIGHTED_VALUES, np.array([NAN, 1.0, 1.0]), POLARITY, "indicator 0 has nan"),
        (WEIGHTED_VALUES, WEIGHTS, np.array([1, 2, 1]), "polarity must hold"),
        (WEIGHTED_VALUES, WEIGHTS, np.array([1, -1]), "polarity has 2 items"),
        (np.array([[1.0], [np.inf]]), np.ones(1), np.ones(1), "unit 1, indicator 0 is inf"),
        (np.array([[-1e308], [1e308]]), np.ones(1), np.ones(1), "overflows"),
    ],
)
def test_bad_weighted_index_arguments_are_rejected(values, weights, polarity, message):
    with pytest.raises(ValueError, match=message):
        weighted_index(values, weights, polarity)


@st.composite
def indicator_tables(draw):
    units = draw(st.integers(1, 6))
    indicators = draw(st.integers(1, 4))
    cells = st.one_of(st.floats(-1e4, 1e4), st.just(NAN))
    values = np.array(
        draw(st.lists(cells, min_size=units * indicators, max_size=units * indicators))
    ).reshape(units, indicators)
    weights = np.array(
        draw(st.lists(st.floats(1e-3, 1e3), min_size=indicators, max_size=indicators))
    )
    polarity = np.array(
        draw(st.lists(st.sampled_from([1, -1]), min_size=indicators, max_size=indicators))
    )
    return values, weights, polarity


@settings(max_examples=150, deadline=None)
@given(indicator_tables(), st.floats(1e-3, 1e3))
def test_weighted_index_range_and_invariances(table, factor):
    values, weights, polarity = table
    index = weighted_index(values, weights, polarity)
    no_value = np.isnan(values).all(axis=1)
    assert_array_equal(np.isnan(index), no_value)
    assert np.all((index[~no_value] >= 0) & (index[~no_value] <= 100))
    # only the weights' ratios matter; an indicator and its polarity flipped together count
    # the same
    assert_allclose(weighted_index(values, weights * factor, polarity), index, atol=1e-9)
    assert_allclose(weighted_index(-values, weights, -polarity), index, atol=1e-9)


# --- composite_index -------------------------------------------------------------------------

COMPOSITE_VALUES = np.array([[10.0, 20.0], [6.0, 30.0], [12.0, 10.0]])
COMPOSITE_POLARITY = np.array([1, -1])


def test_composite_index_by_hand():
    # A: Min 6, Max 12, range 6, Ref 10 -> r = 100 + 60 (x - 10) / 6: 100, 60, 120
    # B: Min 10, Max 30, range 20, Ref 20, fragile when low -> r = 100 - 3 (x - 20): 100, 70, 130
    # AMPI+ = M + S^2 / M (two components: M = (a + b) / 2, S = |a - b| / 2)
    # unit 0: (100, 100) -> 100
    # unit 1: (60, 70) -> M 65, S 5 -> 65 + 25/65 = 65.384615...
    # unit 2: (120, 130) -> M 125, S 5 -> 125 + 25/125 = 125.2
    index = composite_index(COMPOSITE_VALUES, COMPOSITE_POLARITY, reference_unit=0)
    assert index.shape == (3,)
    assert index[0] == 100.0
    assert_allclose(index, [100.0, 65 + 25 / 65, 125.2], rtol=1e-14)


def test_composite_index_adds_the_penalty():
    # Fragility is a phenomenon whose increase is bad: AMPI+ (mean + penalty), which is never
    # below ampi's own index (AMPI-, mean - penalty)
    result = ampi(COMPOSITE_VALUES[:, :, None], AmpiOptions(0, 0, COMPOSITE_POLARITY))
    index = composite_index(COMPOSITE_VALUES, COMPOSITE_POLARITY, reference_unit=0)
    assert_allclose(index, (result.mean + result.penalty)[:, 0], rtol=1e-15)
    assert np.all(index >= result.index[:, 0])


def test_composite_index_of_a_unit_with_a_missing_value_is_nan():
    # the added unit lies inside both ranges, so the goalposts and the others' indices stay
    values = np.vstack([COMPOSITE_VALUES, [NAN, 15.0]])
    index = composite_index(values, COMPOSITE_POLARITY, reference_unit=0)
    assert np.isnan(index[3])
    assert_allclose(
        index[:3], composite_index(COMPOSITE_VALUES, COMPOSITE_POLARITY, 0), rtol=1e-15
    )


@pytest.mark.parametrize(
    ("values", "polarity", "reference", "message"),
    [
        (COMPOSITE_VALUES[:, :, None], COMPOSITE_POLARITY, 0, "shape"),
        (COMPOSITE_VALUES, COMPOSITE_POLARITY, 3, "reference_unit 3 is out of range"),
        (COMPOSITE_VALUES, np.array([1, 0]), 0, "polarity must hold"),
        (np.array([[NAN, 1.0], [1.0, 2.0], [2.0, 3.0]]), COMPOSITE_POLARITY, 0, "no value for"),
        (np.array([[1.0, np.inf], [1.0, 2.0]]), COMPOSITE_POLARITY, 1, "must be finite"),
    ],
)
def test_bad_composite_index_arguments_are_rejected(values, polarity, reference, message):
    with pytest.raises(ValueError, match=message):
        composite_index(values, polarity, reference)


# --- allocate: hand-computed -----------------------------------------------------------------


def amounts(result: Allocation) -> list[Decimal]:
    return [line.amount for line in result.lines]


def rule(total, threshold=0.0, weight=0.0, floor="0", cap=None) -> AllocationRule:
    return AllocationRule(
        total=D(total),
        threshold=threshold,
        population_weight=weight,
        floor=D(floor),
        cap=None if cap is None else D(cap),
    )


def test_allocation_by_hand():
    # Eligible: units 0 (60) and 1 (30); unit 2 (10) is below 30, unit 3 has no index.
    # Index shares 60/90 = 2/3 and 1/3; population shares 1000/4000 = 1/4 and 3/4.
    # w = 0.5: s0 = 1/3 + 1/8 = 11/24, s1 = 1/6 + 3/8 = 13/24
    # 1000 * 11/24 = 458.333..., 1000 * 13/24 = 541.666...: 458.33 + 541.66 = 999.99, the
    # missing cent goes to the larger remainder (0.666 > 0.333): 541.67
    result = allocate(
        [60.0, 30.0, 10.0, NAN], [1000, 3000, 500, 200], rule("1000.00", 30.0, 0.5)
    )
    assert amounts(result) == [D("458.33"), D("541.67"), D("0"), D("0")]
    assert [line.reason for line in result.lines] == [
        "eligible",
        "eligible",
        "below-threshold",
        "no-index",
    ]
    assert [line.eligible for line in result.lines] == [True, True, False, False]
    assert [line.index for line in result.lines] == [60.0, 30.0, 10.0, None]
    assert [line.population for line in result.lines] == [1000, 3000, 500, 200]
    assert [line.unit for line in result.lines] == [0, 1, 2, 3]
    assert_allclose([line.share for line in result.lines], [11 / 24, 13 / 24, 0, 0], rtol=1e-15)
    assert not any(line.floored or line.capped for line in result.lines)
    assert result.allocated == D("1000.00")
    assert result.unallocated == D("0")
    assert all(str(a) == f"{a:.2f}" for a in amounts(result))  # always 2 decimals


def test_index_at_the_threshold_is_eligible():
    result = allocate([50.0, 49.999], [1, 1], rule("10.00", 50.0))
    assert [line.reason for line in result.lines] == ["eligible", "below-threshold"]
    assert amounts(result) == [D("10.00"), D("0.00")]


def test_cents_go_to_the_largest_remainders_then_by_unit_order():
    # 1.00 * 1/3 = 0.333..., 1.00 * 2/3 = 0.666...: 0.33 + 0.66 = 0.99, the cent to unit 1
    assert amounts(allocate([1.0, 2.0], [1, 1], rule("1.00"))) == [D("0.33"), D("0.67")]
    # 100.00 / 3 = 33.333... each: equal remainders, the cent goes to the first unit
    result = allocate([7.0, 7.0, 7.0], [5, 6, 7], rule("100.00"))
    assert amounts(result) == [D("33.34"), D("33.33"), D("33.33")]
    assert result.allocated == D("100.00")


def test_population_alone():
    # w = 1: shares by population only, 1000/4000 and 3000/4000 of 80.00: 20.00 and 60.00
    result = allocate([90.0, 10.0], [1000, 3000], rule("80.00", 0.0, 1.0))
    assert amounts(result) == [D("20.00"), D("60.00")]


def test_floors_binding_in_cascade():
    # Shares 0.7, 0.2, 0.1 of 1000: 700, 200, 100. Floor 200: unit 2 is below (unit 1 is at
    # it, not below) -> fixed at 200; 800 left over shares 0.9: 622.22 and 177.78, so unit 1
    # now falls below -> fixed at 200; unit 0 gets the 600 left.
    result = allocate([70.0, 20.0, 10.0], [1, 1, 1], rule("1000.00", floor="200.00"))
    assert amounts(result) == [D("600.00"), D("200.00"), D("200.00")]
    assert [line.floored for line in result.lines] == [False, True, True]
    assert not any(line.capped for line in result.lines)


def test_caps_binding_in_cascade():
    # Shares 0.5, 0.35, 0.15 of 1000: 500, 350, 150. Cap 400: unit 0 fixed at 400; 600 left
    # over shares 0.5: 420 and 180, so unit 1 is pushed over the cap -> 400; unit 2 gets 200.
    result = allocate([50.0, 35.0, 15.0], [1, 1, 1], rule("1000.00", cap="400.00"))
    assert amounts(result) == [D("400.00"), D("400.00"), D("200.00")]
    assert [line.capped for line in result.lines] == [True, True, False]
    assert result.unallocated == D("0")


def test_cap_money_lifts_units_over_the_floor():
    # Shares 0.7, 0.15, 0.15 of 100: 70, 15, 15; floor 20, cap 40. Excess over the cap 30 >=
    # deficit under the floor 10, so only the cap is fixed: 40, and 60 left over shares 0.3
    # gives 30 and 30, both above the floor. (Fixing both sides at once would give 40, 20,
    # 20 and leave 20 unallocated.)
    result = allocate([70.0, 15.0, 15.0], [1, 1, 1], rule("100.00", floor="20.00", cap="40.00"))
    assert amounts(result) == [D("40.00"), D("30.00"), D("30.00")]
    assert [line.capped for line in result.lines] == [True, False, False]
    assert not any(line.floored for line in result.lines)
    assert result.unallocated == D("0")


def test_floor_money_keeps_a_unit_under_the_cap():
    # Shares 0.45, 0.35, 0.2 of 100: 45, 35, 20; floor 30, cap 40. Deficit 10 > excess 5, so
    # only the floor is fixed: unit 2 at 30, 70 left over shares 0.8: 39.375 and 30.625, both
    # within [30, 40]: unit 0 is not capped after all. In cents 3937.5 + 3062.5: 3937 + 3062
    # = 6999, one cent missing, equal remainders: unit 0 first -> 39.38 and 30.62.
    result = allocate([45.0, 35.0, 20.0], [1, 1, 1], rule("100.00", floor="30.00", cap="40.00"))
    assert amounts(result) == [D("39.38"), D("30.62"), D("30.00")]
    assert [line.floored for line in result.lines] == [False, False, True]
    assert not any(line.capped for line in result.lines)


def test_everyone_capped_leaves_money_unallocated():
    # 3 units capped at 300: 900 allocated, 100 left
    result = allocate([1.0, 2.0, 3.0], [1, 1, 1], rule("1000.00", cap="300.00"))
    assert amounts(result) == [D("300.00")] * 3
    assert all(line.capped for line in result.lines)
    assert result.allocated == D("900.00")
    assert result.unallocated == D("100.00")


def test_nobody_eligible_leaves_everything_unallocated():
    result = allocate([1.0, NAN], [10, 10], rule("500.00", threshold=50.0, floor="100.00"))
    assert amounts(result) == [D("0.00"), D("0.00")]
    assert result.allocated == D("0.00")
    assert result.unallocated == D("500.00")


def test_zero_share_units_get_the_floor():
    # threshold 0: unit 0 is eligible with index 0, so its share is 0 and the floor (5) is
    # all it gets; 95 left for shares 1/4 and 3/4: 23.75 and 71.25
    result = allocate([0.0, 10.0, 30.0], [1, 1, 1], rule("100.00", floor="5.00"))
    assert amounts(result) == [D("5.00"), D("23.75"), D("71.25")]
    assert [line.floored for line in result.lines] == [True, False, False]
    assert result.lines[0].share == 0.0
    # the same by population, with w = 1 and no population in unit 0
    result = allocate([50.0, 50.0, 50.0], [0, 100, 300], rule("100.00", weight=1.0, floor="5.00"))
    assert amounts(result) == [D("5.00"), D("23.75"), D("71.25")]
    # without a floor it gets nothing and is not flagged
    result = allocate([0.0, 10.0], [1, 1], rule("100.00"))
    assert amounts(result) == [D("0.00"), D("100.00")]
    assert not result.lines[0].floored


def test_zero_share_unit_cannot_take_what_the_capped_leave():
    # unit 0: share 0 -> floor 5; unit 1: share 1 -> capped at 20; 75 stays unallocated
    result = allocate([0.0, 10.0], [1, 1], rule("100.00", floor="5.00", cap="20.00"))
    assert amounts(result) == [D("5.00"), D("20.00")]
    assert result.unallocated == D("75.00")


def test_nothing_to_allocate():
    result = allocate([10.0, 20.0], [1, 1], rule("0"))
    assert amounts(result) == [D("0.00"), D("0.00")]
    assert result.allocated == D("0") and result.unallocated == D("0")


def test_arrays_and_integral_float_populations_are_accepted():
    expected = allocate([60.0, 30.0], [1000, 3000], rule("100.00", weight=0.5))
    for population in (np.array([1000, 3000]), np.array([1000.0, 3000.0]), (1000, 3000)):
        result = allocate(np.array([60.0, 30.0]), population, rule("100.00", weight=0.5))
        assert result == expected
        assert all(type(line.population) is int for line in result.lines)


def test_negative_index_below_the_threshold_is_harmless():
    result = allocate([-5.0, 10.0], [1, 1], rule("10.00", threshold=0.0))
    assert result.lines[0].reason == "below-threshold"
    assert amounts(result) == [D("0.00"), D("10.00")]


# --- allocate: rejected ----------------------------------------------------------------------


def test_floor_that_cannot_be_met_says_by_how_much():
    # 3 eligible units * 400 = 1200 > 1000: 200 missing
    message = r"needs 1200\.00, 200\.00 more than the total of 1000\.00"
    with pytest.raises(ValueError, match=message):
        allocate([1.0, 2.0, 3.0, NAN], [1, 1, 1, 1], rule("1000.00", floor="400.00"))


@pytest.mark.parametrize(
    ("index", "population", "allocation_rule", "message"),
    [
        ([1.0, 2.0, 3.0], [1, 1], rule("1.00"), "index has 3 items but population has 2"),
        ([[1.0, 2.0]], [1, 1], rule("1.00"), "index must be one-dimensional"),
        ([1.0, np.inf], [1, 1], rule("1.00"), "unit 1 is inf"),
        ([1.0, 2.0], [1, -5], rule("1.00"), "population must not be negative: unit 1 has -5"),
        ([1.0, 2.0], [1, 1.5], rule("1.00"), "population must hold integers: unit 1 has 1.5"),
        ([1.0, 2.0], [1, NAN], rule("1.00"), "population must hold integers: unit 1"),
        ([1.0, 2.0], ["1", "2"], rule("1.00"), "population must hold integers, not"),
        ([1.0, 2.0], [[1, 2]], rule("1.00"), "population must be one-dimensional"),
        ([-5.0, 10.0], [1, 1], rule("1.00", -10.0), "unit 0 is eligible with a negative index"),
        ([0.0, 0.0], [1, 1], rule("1.00", 0.0, 0.5), "indices add up to 0"),
        ([5.0, 6.0], [0, 0], rule("1.00", 0.0, 0.5), "eligible units have no population"),
    ],
)
def test_bad_allocation_arguments_are_rejected(index, population, allocation_rule, message):
    with pytest.raises(ValueError, match=message):
        allocate(index, population, allocation_rule)


def test_zero_sums_are_fine_when_their_part_weighs_nothing():
    # no population, but w = 0; all indices 0, but w = 1
    assert amounts(allocate([5.0, 15.0], [0, 0], rule("4.00"))) == [D("1.00"), D("3.00")]
    assert amounts(allocate([0.0, 0.0], [1, 3], rule("4.00", weight=1.0))) == [
        D("1.00"),
        D("3.00"),
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"total": D("-1")}, "total must not be negative"),
        ({"total": D("1.005")}, "total must be in euro with at most 2 decimals, not 1.005"),
        ({"total": D("NaN")}, "total must be finite"),
        ({"floor": D("-0.01")}, "floor must not be negative"),
        ({"floor": D("0.001")}, "floor must be in euro with at most 2 decimals"),
        ({"floor": D("10"), "cap": D("9.99")}, r"cap \(9\.99\) must not be below floor \(10\)"),
        ({"cap": D("1.234")}, "cap must be in euro with at most 2 decimals"),
        ({"population_weight": 1.5}, "population_weight must be between 0 and 1, not 1.5"),
        ({"population_weight": -0.1}, "population_weight must be between 0 and 1"),
        ({"population_weight": NAN}, "population_weight must be between 0 and 1"),
        ({"threshold": NAN}, "threshold must be finite"),
        ({"threshold": float("inf")}, "threshold must be finite"),
    ],
)
def test_bad_rules_are_rejected(fields, message):
    arguments = {"total": D("100.00"), "threshold": 0.0, "population_weight": 0.5} | fields
    with pytest.raises(ValueError, match=message):
        AllocationRule(**arguments)


def test_rule_money_must_be_decimal():
    with pytest.raises(TypeError, match="total must be a Decimal, not float"):
        AllocationRule(total=100.0, threshold=0.0, population_weight=0.5)


def test_rule_accepts_trailing_zeros_and_keeps_floats():
    allocation_rule = AllocationRule(
        total=D("1.500"), threshold=D("2"), population_weight=1, cap=D("1.5")
    )
    assert allocation_rule.threshold == 2.0 and type(allocation_rule.threshold) is float
    assert type(allocation_rule.population_weight) is float
    result = allocate([3.0], [1], allocation_rule)
    assert amounts(result) == [D("1.50")]


# --- allocate: properties --------------------------------------------------------------------


@st.composite
def allocation_cases(draw, with_nan=True, index_low=0.0):
    units = draw(st.integers(1, 8))
    cells = st.floats(index_low, 200.0)
    if with_nan:
        cells = st.one_of(cells, st.just(NAN))
    index = draw(st.lists(cells, min_size=units, max_size=units))
    population = draw(st.lists(st.integers(1, 100_000), min_size=units, max_size=units))
    total = draw(st.integers(0, 10**9))  # cents
    # a positive threshold keeps every eligible index positive, so the shares are defined
    threshold = draw(st.floats(1e-3, 150.0))
    weight = draw(st.one_of(st.just(0.0), st.just(1.0), st.floats(0.0, 1.0)))
    eligible = sum(not math.isnan(v) and v >= threshold for v in index)
    floor = draw(st.integers(0, total // max(eligible, 1)))
    cap = draw(st.one_of(st.none(), st.integers(floor, max(floor, 2 * total // max(eligible, 1)))))
    return (
        index,
        population,
        AllocationRule(
            total=D(total).scaleb(-2),
            threshold=threshold,
            population_weight=weight,
            floor=D(floor).scaleb(-2),
            cap=None if cap is None else D(cap).scaleb(-2),
        ),
    )


@settings(max_examples=200, deadline=None)
@given(allocation_cases())
def test_allocation_adds_up_and_respects_floors_and_caps(case):
    index, population, allocation_rule = case
    result = allocate(index, population, allocation_rule)
    assert len(result.lines) == len(index)
    assert sum(amounts(result)) == result.allocated
    assert result.allocated + result.unallocated == allocation_rule.total
    assert result.unallocated >= 0
    assert all(a == a.quantize(D("0.01")) for a in amounts(result))
    eligible = [line for line in result.lines if line.eligible]
    for line in result.lines:
        if line.eligible:
            assert line.amount >= allocation_rule.floor
            assert allocation_rule.cap is None or line.amount <= allocation_rule.cap
            assert not (line.floored and line.capped)
        else:
            assert line.amount == 0 and line.share == 0
            assert not (line.floored or line.capped)
            assert line.reason == ("no-index" if line.index is None else "below-threshold")
    if eligible:
        assert math.isclose(sum(line.share for line in eligible), 1.0, rel_tol=1e-12)
    if result.unallocated:
        # only when nobody is eligible or every unit with a share is capped
        assert all(line.capped for line in eligible if line.share > 0)


@settings(max_examples=200, deadline=None)
@given(allocation_cases())
def test_more_fragile_never_gets_less_when_population_does_not_count(case):
    index, population, allocation_rule = case
    allocation_rule = AllocationRule(
        total=allocation_rule.total,
        threshold=allocation_rule.threshold,
        population_weight=0.0,
        floor=allocation_rule.floor,
        cap=allocation_rule.cap,
    )
    lines = allocate(index, population, allocation_rule).lines
    with_index = [line for line in lines if line.index is not None]
    for a in with_index:
        for b in with_index:
            if a.index > b.index:
                assert a.amount >= b.amount


@settings(max_examples=100, deadline=None)
@given(allocation_cases(), st.integers(-20, 20))
def test_scaling_the_index_by_a_power_of_two_changes_nothing(case, exponent):
    # multiplying by 2^k is exact in binary, so index and threshold scale without rounding
    index, population, allocation_rule = case
    allocation_rule = AllocationRule(
        total=allocation_rule.total,
        threshold=allocation_rule.threshold,
        population_weight=0.0,
        floor=allocation_rule.floor,
        cap=allocation_rule.cap,
    )
    scaled_rule = AllocationRule(
        total=allocation_rule.total,
        threshold=math.ldexp(allocation_rule.threshold, exponent),
        population_weight=0.0,
        floor=allocation_rule.floor,
        cap=allocation_rule.cap,
    )
    scaled = [math.ldexp(v, exponent) for v in index]
    before = allocate(index, population, allocation_rule)
    after = allocate(scaled, population, scaled_rule)
    assert amounts(after) == amounts(before)
    assert [(line.floored, line.capped, line.reason) for line in after.lines] == [
        (line.floored, line.capped, line.reason) for line in before.lines
    ]
    assert after.unallocated == before.unallocated


@settings(max_examples=100, deadline=None)
@given(allocation_cases(with_nan=False, index_low=1.0), st.floats(1e-3, 1e3))
def test_scaling_the_index_by_any_factor_moves_at_most_a_cent(case, factor):
    # Every unit is eligible before and after (threshold below every index), so only the
    # float rounding of index * factor can differ: a cent at most per unit.
    index, population, allocation_rule = case
    allocation_rule = AllocationRule(
        total=allocation_rule.total,
        threshold=1e-6,
        population_weight=0.0,
        floor=allocation_rule.floor
        if allocation_rule.floor * len(index) <= allocation_rule.total
        else D("0"),
        cap=allocation_rule.cap,
    )
    before = allocate(index, population, allocation_rule)
    after = allocate([v * factor for v in index], population, allocation_rule)
    assert after.allocated == before.allocated
    for a, b in zip(amounts(after), amounts(before), strict=True):
        assert abs(a - b) <= D("0.01")


@settings(max_examples=150, deadline=None)
@given(allocation_cases(), st.randoms(use_true_random=False))
def test_allocation_does_not_depend_on_unit_order(case, random):
    index, population, allocation_rule = case
    order = list(range(len(index)))
    random.shuffle(order)
    before = allocate(index, population, allocation_rule)
    after = allocate([index[u] for u in order], [population[u] for u in order], allocation_rule)
    assert after.allocated == before.allocated
    assert after.unallocated == before.unallocated
    for position, u in enumerate(order):
        moved, line = after.lines[position], before.lines[u]
        assert moved.unit == position
        # the exact amounts are the same; only who gets a tied cent may change
        assert abs(moved.amount - line.amount) <= D("0.01")
        assert (moved.reason, moved.floored) == (line.reason, line.floored)
        assert moved.capped == line.capped
        assert moved.share == line.share  # float() of the same exact fraction


def test_docstring_examples_run():
    failures, tried = doctest.testmod(equalisation_module)
    assert tried > 0
    assert failures == 0
