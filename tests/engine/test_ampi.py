"""Adjusted Mazziotta-Pareto Index: a hand-computed example, edge cases and invariances."""

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal

from patto.engine import ampi as ampi_module
from patto.engine.ampi import AmpiOptions, ampi

# Three units, two indicators (A positive, B negative), two years: values[unit, indicator, year]
VALUES = np.array(
    [
        [[10.0, 14.0], [20.0, 15.0]],
        [[6.0, 8.0], [30.0, 25.0]],
        [[12.0, 16.0], [10.0, 20.0]],
    ]
)
OPTIONS = AmpiOptions(reference_unit=0, base_year_index=0, polarity=np.array([1, -1]))


@pytest.fixture
def result():
    return ampi(VALUES, OPTIONS)


def test_normalised_values_by_hand(result):
    # A: Min 6, Max 16, range 10, Ref 10 -> r = 100 + 60 (x - 10) / 10
    #    unit 0: 100, 124; unit 1: 76, 88; unit 2: 112, 136
    # B: Min 10, Max 30, range 20, Ref 20, negative -> r = 100 - 60 (x - 20) / 20
    #    unit 0: 100, 115; unit 1: 70, 85; unit 2: 130, 100
    expected = np.array(
        [
            [[100.0, 124.0], [100.0, 115.0]],
            [[76.0, 88.0], [70.0, 85.0]],
            [[112.0, 136.0], [130.0, 100.0]],
        ]
    )
    assert_allclose(result.normalised, expected, rtol=1e-14)


def test_index_by_hand(result):
    # Two components a, b: M = (a + b) / 2, S = |a - b| / 2, cv = S / M, penalty = S^2 / M
    # unit 0: (100, 100) -> M 100, S 0 -> 100;  (124, 115) -> M 119.5, S 4.5, 119.5 - 20.25/119.5
    # unit 1: (76, 70) -> M 73, S 3, 73 - 9/73;  (88, 85) -> M 86.5, S 1.5, 86.5 - 2.25/86.5
    # unit 2: (112, 130) -> M 121, S 9, 121 - 81/121;  (136, 100) -> M 118, S 18, 118 - 324/118
    mean = np.array([[100.0, 119.5], [73.0, 86.5], [121.0, 118.0]])
    std = np.array([[0.0, 4.5], [3.0, 1.5], [9.0, 18.0]])
    assert_allclose(result.mean, mean, rtol=1e-14)
    assert_allclose(result.std, std, rtol=1e-14, atol=1e-12)
    assert_allclose(result.cv, std / mean, rtol=1e-14, atol=1e-14)
    assert_allclose(result.penalty, std**2 / mean, rtol=1e-13, atol=1e-12)
    expected = np.array(
        [
            [100.0, 119.5 - 20.25 / 119.5],  # 119.330544
            [73.0 - 9 / 73, 86.5 - 2.25 / 86.5],  # 72.876712, 86.473988
            [121.0 - 81 / 121, 118.0 - 324 / 118],  # 120.330579, 115.254237
        ]
    )
    assert_allclose(result.index, expected, rtol=1e-13)
    assert_allclose(result.index[2, 1], 115.25423728813560, rtol=1e-13)


def test_reference_unit_in_base_year_scores_exactly_100(result):
    assert result.index[0, 0] == 100.0
    assert result.mean[0, 0] == 100.0
    assert result.penalty[0, 0] == 0.0


def test_negative_composite_adds_the_penalty(result):
    # AMPI+ (a composite whose increase is bad) = M + S cv: unit 2, year 1: 118 + 324/118
    assert_allclose((result.mean + result.penalty)[2, 1], 118 + 324 / 118, rtol=1e-13)


def test_missing_component_makes_that_unit_year_nan_only():
    values = VALUES.copy()
    values[1, 0, 1] = np.nan  # unit 1, indicator A, year 1; the goalposts stay 6 and 16
    result = ampi(values, OPTIONS)
    assert np.isnan(result.index[1, 1])
    assert np.isnan(result.normalised[1, 0, 1])
    assert result.normalised[1, 1, 1] == 85.0
    others = np.ones((3, 2), dtype=bool)
    others[1, 1] = False
    assert_allclose(result.index[others], ampi(VALUES, OPTIONS).index[others], rtol=1e-14)


def test_input_is_not_modified():
    values = VALUES.copy()
    ampi(values, OPTIONS)
    assert_array_equal(values, VALUES)


def test_polarity_is_kept_read_only():
    polarity = np.array([1.0, -1.0])
    options = AmpiOptions(0, 0, polarity)
    polarity[0] = -1.0
    assert options.polarity[0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        options.polarity[0] = 5.0


@pytest.mark.parametrize(
    ("values", "options", "message"),
    [
        (VALUES[0], OPTIONS, "shape"),
        (VALUES, AmpiOptions(3, 0, np.array([1, -1])), "reference_unit 3 is out of range"),
        (VALUES, AmpiOptions(0, 2, np.array([1, -1])), "base_year_index 2 is out of range"),
        (VALUES, AmpiOptions(0, 0, np.array([1, -1, 1])), "polarity has 3 items"),
    ],
)
def test_bad_arguments_are_rejected(values, options, message):
    with pytest.raises(ValueError, match=message):
        ampi(values, options)


def test_bad_polarity_is_rejected():
    with pytest.raises(ValueError, match="polarity must hold"):
        AmpiOptions(0, 0, np.array([1, 2]))


def test_infinity_is_rejected_naming_the_cell():
    values = VALUES.copy()
    values[2, 1, 0] = -np.inf
    with pytest.raises(ValueError, match="unit 2, indicator 1, year index 0"):
        ampi(values, OPTIONS)


def test_constant_indicator_is_rejected():
    values = VALUES.copy()
    values[:, 1, :] = 7.0
    with pytest.raises(ValueError, match="indicator 1 has the same value"):
        ampi(values, OPTIONS)


def test_indicator_without_data_is_rejected():
    values = VALUES.copy()
    values[:, 0, :] = np.nan
    with pytest.raises(ValueError, match="indicator 0 has no value"):
        ampi(values, OPTIONS)


def test_missing_reference_value_is_rejected():
    values = VALUES.copy()
    values[0, 1, 0] = np.nan
    with pytest.raises(ValueError, match="no value for indicator 1 in the base year"):
        ampi(values, OPTIONS)


@st.composite
def panels(draw):
    units = draw(st.integers(2, 5))
    indicators = draw(st.integers(1, 4))
    years = draw(st.integers(1, 4))
    values = draw(
        arrays(
            np.float64,
            (units, indicators, years),
            elements=st.floats(-1e3, 1e3, allow_nan=False),
        )
    )
    # keep every indicator's range clearly above 0
    values += np.arange(units * indicators * years).reshape(values.shape) * 1e-1
    polarity = np.array(
        draw(st.lists(st.sampled_from([1, -1]), min_size=indicators, max_size=indicators))
    )
    options = AmpiOptions(
        reference_unit=draw(st.integers(0, units - 1)),
        base_year_index=draw(st.integers(0, years - 1)),
        polarity=polarity,
    )
    return values, options


@settings(max_examples=200, deadline=None)
@given(panels(), st.data())
def test_index_is_invariant_to_linear_rescaling_of_an_indicator(panel, data):
    values, options = panel
    j = data.draw(st.integers(0, values.shape[1] - 1))
    a = data.draw(st.floats(1e-3, 1e3))
    b = data.draw(st.floats(-1e4, 1e4))
    rescaled = values.copy()
    rescaled[:, j, :] = a * values[:, j, :] + b
    assert_allclose(
        ampi(rescaled, options).index, ampi(values, options).index, rtol=1e-8, atol=1e-8
    )


@settings(max_examples=200, deadline=None)
@given(panels(), st.data())
def test_negating_an_indicator_and_its_polarity_changes_nothing(panel, data):
    values, options = panel
    j = data.draw(st.integers(0, values.shape[1] - 1))
    flipped = values.copy()
    flipped[:, j, :] *= -1
    polarity = options.polarity.copy()
    polarity[j] *= -1
    other = AmpiOptions(options.reference_unit, options.base_year_index, polarity)
    assert_allclose(ampi(flipped, other).index, ampi(values, options).index, rtol=1e-10, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(panels())
def test_reference_scores_100_and_balanced_units_have_no_penalty(panel):
    values, options = panel
    result = ampi(values, options)
    assert np.all(result.normalised[options.reference_unit, :, options.base_year_index] == 100.0)
    assert result.index[options.reference_unit, options.base_year_index] == 100.0
    assert np.all(result.index <= result.mean + 1e-12)


def test_docstring_examples_run():
    failures, tried = doctest.testmod(ampi_module)
    assert tried > 0
    assert failures == 0
