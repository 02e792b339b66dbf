"""Progress of series, indicators and panels: hand-computed cases, edge cases, properties."""

import doctest
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from patto.engine import progress
from patto.engine.progress import (
    STATUSES,
    ProgressOptions,
    SeriesAssessment,
    assess_indicator,
    assess_panel,
    assess_series,
    share_of_target,
)

# ---------------------------------------------------------------------------------------------
# Worked examples


def test_target_series_compares_observed_with_required_growth():
    result = assess_series(
        [2015, 2016, 2017, 2018, 2019, 2020],
        [20.0, 21.0, 22.5, 23.0, 24.0, 25.0],
        ProgressOptions(target=40.0, target_year=2030),
    )
    # observed: (25 / 20)^(1/5) - 1 = 1.25^0.2 - 1 = 0.0456396
    # required: (40 / 20)^(1/15) - 1 = 2^(1/15) - 1 = 0.0472941
    # R = +1 * 0.0456396 / 0.0472941 = 0.965015 >= 0.95 -> substantial progress
    # score = 5 * (0.965015 - 0.6) / 0.7 = 2.607252
    assert result.status == "substantial_progress"
    assert result.method == "target"
    assert (result.base_year, result.base_value) == (2015, 20.0)
    assert (result.latest_year, result.latest_value) == (2020, 25.0)
    assert (result.target, result.target_year) == (40.0, 2030)
    assert_allclose(result.observed_growth, 0.04563955259127317, rtol=1e-12)
    assert_allclose(result.required_growth, 0.04729412282062673, rtol=1e-12)
    assert_allclose(result.ratio, 0.965015309922781, rtol=1e-12)
    assert_allclose(result.score, 2.60725221373415, rtol=1e-12)
    assert "(25 / 20)^(1/5) - 1 = 4.56%" in result.explanation
    assert "(40 / 20)^(1/15) - 1 = 4.73%" in result.explanation
    assert "0.965" in result.explanation
    assert "at least 0.95" in result.explanation


def test_trend_series_without_target_uses_growth_thresholds():
    result = assess_series([2018, 2023], [100.0, 105.0])
    # CAGR = 1.05^(1/5) - 1 = 0.0098058: between 0.5% and 1.5% -> moderate progress
    # score = 250 * 0.0098058 - 1.25 = 1.201449
    assert result.status == "moderate_progress"
    assert result.method == "trend"
    assert result.ratio is None and result.required_growth is None
    assert_allclose(result.observed_growth, 0.009805797673485328, rtol=1e-12)
    assert_allclose(result.score, 1.201449418371332, rtol=1e-12)
    assert "1.5%" in result.explanation and "0.5%" in result.explanation


def test_negative_direction_with_target():
    result = assess_series(
        [2015, 2020],
        [12.0, 9.0],
        ProgressOptions(direction="negative", target=6.0, target_year=2030),
    )
    # observed: 0.75^(1/5) - 1 = -0.0559125; required: 0.5^(1/15) - 1 = -0.0451584
    # R = -1 * -0.0559125 / |-0.0451584| = 1.238142 -> substantial
    # score = min(5, 5 * (1.238142 - 0.6) / 0.7) = 4.558154
    assert result.status == "substantial_progress"
    assert_allclose(result.observed_growth, -0.05591248870509802, rtol=1e-12)
    assert_allclose(result.required_growth, -0.0451583960895835, rtol=1e-12)
    assert_allclose(result.ratio, 1.238141598168832, rtol=1e-12)
    assert_allclose(result.score, 4.558154272634514, rtol=1e-12)


def test_negative_direction_trend_going_up_is_deterioration():
    result = assess_series([2015, 2020], [10.0, 11.0], ProgressOptions(direction="negative"))
    # CAGR = 1.1^(1/5) - 1 = 0.0192449; in the desired direction v = -0.0192449 < 0
    # score = max(-5, 125 * -0.0192449 - 2.5) = -4.905610
    assert result.status == "deterioration"
    assert_allclose(result.score, -4.905609561432071, rtol=1e-12)


def test_near_natural_limit_thresholds_are_scaled():
    plain = assess_series([2015, 2020], [96.0, 97.0])
    limited = assess_series([2015, 2020], [96.0, 97.0], ProgressOptions(limit=100.0))
    # CAGR = (97/96)^(1/5) - 1 = 0.00207471, below 0.5% -> limited progress without a limit
    # score without limit = 500 * 0.00207471 - 2.5 = -1.462647
    assert plain.status == "limited_progress"
    assert_allclose(plain.score, -1.4626466806211802, rtol=1e-12)
    # C = 1 - (96/100)^4.44 = 0.1657729; thresholds 1.5% C = 0.2487%, 0.5% C = 0.0829%
    # 0.0829% <= 0.2075% < 0.2487% -> moderate; score = 250 * 0.00207471 / C - 1.25 = 1.878838
    assert limited.status == "moderate_progress"
    assert_allclose(limited.score, 1.8788379734196754, rtol=1e-11)
    assert "C = 1 - (|base| / |limit|)^4.44 = 0.1658" in limited.explanation


def test_base_at_the_limit_and_held_is_substantial_progress():
    result = assess_series([2015, 2020], [100.0, 100.0], ProgressOptions(limit=100.0))
    # C = 1 - (100/100)^4.44 = 0; v = 0 >= 0 -> substantial, score +5
    assert result.status == "substantial_progress"
    assert result.score == 5.0


def test_minimum_limit_mirror_scaling():
    result = assess_series(
        [2015, 2020], [12.0, 11.0], ProgressOptions(direction="negative", limit=10.0)
    )
    # C = 1 - ((2*10 - 12) / 10)^4.44 = 1 - 0.8^4.44 = 0.628658...; v = -(11/12)^(1/5) + 1
    c = 1 - 0.8**4.44
    v = 1 - (11 / 12) ** 0.2
    assert result.status == "substantial_progress"  # v = 1.73% >= 1.5% * C = 0.943%
    assert_allclose(result.score, min(5.0, 500 * v / c - 5), rtol=1e-12)


def test_limit_is_ignored_with_a_target():
    with_limit = assess_series(
        [2015, 2020], [96.0, 97.0], ProgressOptions(target=99.0, target_year=2030, limit=100.0)
    )
    without = assess_series(
        [2015, 2020], [96.0, 97.0], ProgressOptions(target=99.0, target_year=2030)
    )
    assert replace(with_limit, explanation="") == replace(without, explanation="")
    assert "natural limit is not used" in with_limit.explanation


def test_negative_values_flip_the_direction_of_their_size():
    result = assess_series([2015, 2020], [-50.0, -40.0])
    # |y| shrinks: CAGR = 0.8^(1/5) - 1 = -0.0436475; s = -1, d = +1: v = +0.0436475 >= 1.5%
    assert result.status == "substantial_progress"
    assert_allclose(result.observed_growth, -0.043647500209963, rtol=1e-12)
    assert result.score == 5.0


def test_target_of_zero_needs_minus_100_percent_a_year():
    result = assess_series(
        [2015, 2020],
        [100.0, 80.0],
        ProgressOptions(direction="negative", target=0.0, target_year=2030),
    )
    # required = (0/100)^(1/15) - 1 = -1; R = -1 * (0.8^0.2 - 1) / 1 = 0.0436475 -> limited
    # score = 5 * (0.0436475 - 0.6) / 1.2 = -2.318135
    assert result.required_growth == -1.0
    assert result.status == "limited_progress"
    assert_allclose(result.ratio, 0.043647500209963, rtol=1e-12)
    assert_allclose(result.score, -2.318135415791821, rtol=1e-12)


def test_short_and_long_windows_pick_the_base_year():
    years = list(range(2000, 2024))
    values = [100.0 + k for k in range(len(years))]
    short = assess_series(years, values, ProgressOptions(window="short"))
    long = assess_series(years, values, ProgressOptions(window="long"))
    full = assess_series(years, values)
    assert (short.base_year, short.latest_year) == (2018, 2023)
    assert (long.base_year, long.latest_year) == (2008, 2023)
    assert full.base_year == 2000
    # short: (123 / 118)^(1/5) - 1
    assert_allclose(short.observed_growth, (123 / 118) ** 0.2 - 1, rtol=1e-12)


def test_window_start_without_data_moves_to_the_next_year_with_data():
    result = assess_series(
        [2010, 2019, 2021, 2023], [1.0, 2.0, 3.0, 4.0], ProgressOptions(window="short")
    )
    assert result.base_year == 2019


def test_base_year_is_the_first_year_with_data_at_or_after_it():
    result = assess_series(
        [2012, 2014, 2016, 2020], [1.0, 2.0, 3.0, 4.0], ProgressOptions(base_year=2015)
    )
    assert (result.base_year, result.base_value) == (2016, 3.0)


def test_unsorted_years_are_sorted():
    a = assess_series([2020, 2015, 2017], [25.0, 20.0, 21.0])
    b = assess_series([2015, 2017, 2020], [20.0, 21.0, 25.0])
    assert a == b


# ---------------------------------------------------------------------------------------------
# Edge cases with explicit results


@pytest.mark.parametrize(
    ("years", "values"),
    [([], []), ([2020], [5.0]), ([2010, 2023], [1.0, 2.0])],
    ids=["no-data", "one-year", "one-year-in-window"],
)
def test_fewer_than_two_years_is_not_enough_data(years, values):
    result = assess_series(years, values, ProgressOptions(window="short"))
    assert result.status == "not_enough_data"
    assert result.score is None
    assert result.method == "none"
    assert result.observed_growth is None
    assert "not enough data" in result.explanation


def test_base_year_after_the_data_is_not_enough_data():
    result = assess_series([2015, 2020], [1.0, 2.0], ProgressOptions(base_year=2021))
    assert result.status == "not_enough_data"
    assert "base year 2021" in result.explanation


def test_base_of_zero_is_not_enough_data_without_substitute():
    result = assess_series([2015, 2020], [0.0, 9.0])
    assert (result.status, result.method, result.score) == ("not_enough_data", "none", None)
    assert result.observed_growth is None
    assert "base value is 0" in result.explanation
    assert "no substitute" in result.explanation


def test_values_of_different_signs_are_not_enough_data():
    result = assess_series([2015, 2020], [-3.0, 9.0])
    assert (result.status, result.method) == ("not_enough_data", "none")
    assert "different signs" in result.explanation


def test_latest_value_of_zero_is_a_valid_growth_of_minus_100_percent():
    result = assess_series([2015, 2020], [10.0, 0.0], ProgressOptions(direction="negative"))
    assert result.observed_growth == -1.0
    assert result.status == "substantial_progress"


@pytest.mark.parametrize(
    ("direction", "latest", "target"),
    [("positive", 40.0, 40.0), ("positive", 45.0, 40.0), ("negative", 5.0, 6.0)],
)
def test_latest_at_or_beyond_target_is_target_achieved(direction, latest, target):
    result = assess_series(
        [2015, 2020],
        [20.0 if direction == "positive" else 12.0, latest],
        ProgressOptions(direction=direction, target=target, target_year=2030),
    )
    assert result.status == "target_achieved"
    assert result.score == 5.0
    assert result.method == "target"
    assert "target achieved" in result.explanation


def test_target_achieved_needs_only_the_latest_value():
    result = assess_series([2020], [45.0], ProgressOptions(target=40.0, target_year=2030))
    assert result.status == "target_achieved"
    assert result.observed_growth is None


def test_target_equal_to_base_and_missed_is_deterioration():
    result = assess_series(
        [2015, 2020], [50.0, 45.0], ProgressOptions(target=50.0, target_year=2030)
    )
    assert result.status == "deterioration"
    assert result.score == -5.0
    assert result.ratio is None
    assert result.required_growth == 0.0


def test_target_year_not_after_base_year_is_not_enough_data():
    result = assess_series(
        [2015, 2020], [50.0, 45.0], ProgressOptions(target=60.0, target_year=2015)
    )
    assert result.status == "not_enough_data"
    assert "target year 2015" in result.explanation


def test_target_of_the_other_sign_is_not_enough_data():
    result = assess_series(
        [2015, 2020],
        [20.0, 15.0],
        ProgressOptions(target=-5.0, target_year=2030, direction="negative"),
    )
    assert result.status == "not_enough_data"
    assert "different signs" in result.explanation


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_value_is_rejected_with_its_index(bad):
    with pytest.raises(ValueError, match="values must be finite numbers: index 2"):
        assess_series([2015, 2016, 2017], [1.0, 2.0, bad])


def test_non_finite_year_is_rejected_with_its_index():
    with pytest.raises(ValueError, match="years must be finite numbers: index 1"):
        assess_series([2015, math.nan], [1.0, 2.0])


def test_duplicate_year_is_rejected():
    with pytest.raises(ValueError, match="year 2016 appears twice"):
        assess_series([2015, 2016, 2016], [1.0, 2.0, 3.0])


def test_years_and_values_of_different_length_are_rejected():
    with pytest.raises(ValueError, match="differ in length"):
        assess_series([2015, 2016], [1.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": 4.0}, "target and target_year go together"),
        ({"target_year": 2030}, "target and target_year go together"),
        ({"target": math.nan, "target_year": 2030}, "target must be a finite number"),
        ({"limit": math.inf}, "limit must be a finite number"),
        ({"direction": "up"}, "direction must be"),
        ({"window": "medium"}, "window must be"),
        ({"base_year": 2015.5}, "base_year must be a whole year"),
    ],
)
def test_bad_options_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ProgressOptions(**kwargs)


def test_inputs_are_not_modified():
    years = np.array([2020, 2015])
    values = np.array([25.0, 20.0])
    assess_series(years, values)
    assert_array_equal(years, [2020, 2015])
    assert_array_equal(values, [25.0, 20.0])


# ---------------------------------------------------------------------------------------------
# Indicators


def _with_score(status, score):
    return SeriesAssessment(
        status=status,
        score=score,
        method="trend" if score is not None else "none",
        base_year=None,
        base_value=None,
        latest_year=None,
        latest_value=None,
        target=None,
        target_year=None,
        observed_growth=None,
        required_growth=None,
        ratio=None,
        explanation="",
    )


def test_indicator_score_is_the_mean_of_scored_series():
    target = assess_series(
        [2015, 2020], [20.0, 25.0], ProgressOptions(target=40.0, target_year=2030)
    )
    trend = assess_series([2018, 2023], [100.0, 105.0])
    empty = assess_series([2020], [1.0])
    result = assess_indicator([target, trend, empty])
    # (2.607252 + 1.201449) / 2 = 1.904351, the not-enough-data series left out -> moderate
    assert_allclose(result.score, (2.60725221373415 + 1.201449418371332) / 2, rtol=1e-12)
    assert result.status == "moderate_progress"
    assert result.series == (target, trend, empty)
    assert "1 series without enough data is left out" in result.explanation


@pytest.mark.parametrize(
    ("score", "status"),
    [
        (5.0, "substantial_progress"),
        (2.5, "substantial_progress"),
        (2.4999, "moderate_progress"),
        (0.0, "moderate_progress"),
        (-0.0001, "limited_progress"),
        (-2.5, "limited_progress"),
        (-2.5001, "deterioration"),
        (-5.0, "deterioration"),
    ],
)
def test_indicator_status_is_read_from_the_mean_score(score, status):
    assert assess_indicator([_with_score("moderate_progress", score)]).status == status


def test_indicator_target_achieved_only_when_every_scored_series_achieved_it():
    done = _with_score("target_achieved", 5.0)
    assert assess_indicator([done, done, _with_score("not_enough_data", None)]).status == (
        "target_achieved"
    )
    mixed = assess_indicator([done, _with_score("substantial_progress", 5.0)])
    assert mixed.status == "substantial_progress"
    assert mixed.score == 5.0


@pytest.mark.parametrize("series", [[], [_with_score("not_enough_data", None)]])
def test_indicator_without_scored_series_is_not_enough_data(series):
    result = assess_indicator(series)
    assert (result.status, result.score) == ("not_enough_data", None)


# ---------------------------------------------------------------------------------------------
# Project indicators


@pytest.mark.parametrize(
    ("baseline", "current", "target", "share"),
    [
        (20.0, 30.0, 40.0, 0.5),  # (30 - 20) / (40 - 20)
        (20.0, 50.0, 40.0, 1.5),  # overshoot, not clipped
        (20.0, 15.0, 40.0, -0.25),  # moved away, not clipped
        (10.0, 8.0, 6.0, 0.5),  # a value that should fall: (8 - 10) / (6 - 10)
        (3, 4, 5, 0.5),
    ],
)
def test_share_of_target(baseline, current, target, share):
    assert_allclose(share_of_target(baseline, current, target), share, rtol=1e-15)


def test_share_of_target_is_none_when_target_equals_baseline():
    assert share_of_target(5.0, 7.0, 5.0) is None


@pytest.mark.parametrize("bad", [math.nan, math.inf, None, "3"])
def test_share_of_target_rejects_non_finite_input(bad):
    with pytest.raises(ValueError, match="current must be a finite number"):
        share_of_target(1.0, bad, 2.0)


# ---------------------------------------------------------------------------------------------
# Properties

finite_positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False)
year_lists = st.lists(st.integers(2000, 2030), min_size=0, max_size=8, unique=True)


@st.composite
def series_cases(draw):
    years = draw(year_lists)
    values = [draw(finite_positive) * draw(st.sampled_from([1.0, 1.0, 1.0, -1.0])) for _ in years]
    if years and draw(st.booleans()):
        values[draw(st.integers(0, len(years) - 1))] = 0.0
    direction = draw(st.sampled_from(["positive", "negative"]))
    target = draw(st.one_of(st.none(), finite_positive, st.just(0.0)))
    target_year = draw(st.integers(2000, 2040)) if target is not None else None
    limit = draw(st.one_of(st.none(), finite_positive)) if target is None else None
    window = draw(st.sampled_from(["short", "long", "all"]))
    options = ProgressOptions(
        direction=direction, target=target, target_year=target_year, limit=limit, window=window
    )
    return years, values, options


@settings(max_examples=300, deadline=None)
@given(series_cases())
def test_flipping_direction_and_negating_values_keeps_status(case):
    years, values, options = case
    flipped = ProgressOptions(
        direction="negative" if options.direction == "positive" else "positive",
        target=None if options.target is None else -options.target,
        target_year=options.target_year,
        limit=None if options.limit is None else -options.limit,
        window=options.window,
    )
    a = assess_series(years, values, options)
    b = assess_series(years, [-v for v in values], flipped)
    assert a.status == b.status
    assert a.method == b.method
    assert (a.score is None) == (b.score is None)
    if a.score is not None:
        assert_allclose(a.score, b.score, rtol=1e-9, atol=1e-12)


@settings(max_examples=300, deadline=None)
@given(series_cases(), st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_values_and_target_keeps_status_and_ratio(case, c):
    years, values, options = case
    scaled_options = ProgressOptions(
        direction=options.direction,
        target=None if options.target is None else options.target * c,
        target_year=options.target_year,
        limit=None if options.limit is None else options.limit * c,
        window=options.window,
    )
    a = assess_series(years, values, options)
    b = assess_series(years, [v * c for v in values], scaled_options)
    # A ratio sitting on a threshold may round to either side once scaled.
    if a.ratio is not None:
        assume(min(abs(a.ratio - x) for x in (0.95, 0.6, 0.0)) > 1e-9)
    if a.observed_growth is not None:
        assume(
            min(
                abs(a.observed_growth),
                abs(abs(a.observed_growth) - 0.015),
                abs(abs(a.observed_growth) - 0.005),
            )
            > 1e-9
        )
    if options.target is not None and a.latest_value is not None:
        assume(abs(a.latest_value - options.target) > 1e-9 * max(1.0, abs(options.target)))
    assert a.status == b.status
    assert (a.ratio is None) == (b.ratio is None)
    if a.ratio is not None:
        assert_allclose(a.ratio, b.ratio, rtol=1e-7, atol=1e-12)


@st.composite
def panels(draw):
    n_units = draw(st.integers(1, 3))
    n_ind = draw(st.integers(1, 3))
    n_years = draw(st.integers(1, 7))
    first = draw(st.integers(1995, 2020))
    steps = draw(st.lists(st.integers(1, 6), min_size=n_years - 1, max_size=n_years - 1))
    years = np.cumsum([first, *steps])
    magnitude = draw(
        st.lists(
            finite_positive, min_size=n_units * n_ind * n_years, max_size=n_units * n_ind * n_years
        )
    )
    kind = draw(
        st.lists(
            st.sampled_from(["pos", "pos", "pos", "neg", "zero", "nan", "nan"]),
            min_size=len(magnitude),
            max_size=len(magnitude),
        )
    )
    sign = {"pos": 1.0, "neg": -1.0, "zero": 0.0, "nan": math.nan}
    values = np.array([m * sign[k] for m, k in zip(magnitude, kind, strict=True)]).reshape(
        n_units, n_ind, n_years
    )
    directions = np.array(draw(st.lists(st.sampled_from([1, -1]), min_size=n_ind, max_size=n_ind)))
    targets = np.array(
        draw(
            st.lists(
                st.one_of(st.just(math.nan), finite_positive, st.just(0.0)),
                min_size=n_units * n_ind,
                max_size=n_units * n_ind,
            )
        )
    ).reshape(n_units, n_ind)
    target_years = np.array(
        draw(st.lists(st.integers(1995, 2045), min_size=n_ind, max_size=n_ind)), dtype=float
    )
    limits = np.array(
        draw(
            st.lists(st.one_of(st.just(math.nan), finite_positive), min_size=n_ind, max_size=n_ind)
        )
    )
    window = draw(st.sampled_from(["short", "long", "all"]))
    return values, years, directions, targets, target_years, limits, window


@settings(max_examples=300, deadline=None)
@given(panels())
def test_panel_gives_what_series_give_on_every_cell(panel):
    values, years, directions, targets, target_years, limits, window = panel
    result = assess_panel(values, years, directions, targets, target_years, limits, window)
    n_units, n_ind, _ = values.shape
    for u in range(n_units):
        for i in range(n_ind):
            keep = ~np.isnan(values[u, i])
            target = targets[u, i]
            options = ProgressOptions(
                direction="positive" if directions[i] > 0 else "negative",
                target=None if np.isnan(target) else float(target),
                target_year=None if np.isnan(target) else int(target_years[i]),
                limit=None if np.isnan(limits[i]) else float(limits[i]),
                window=window,
            )
            one = assess_series(years[keep], values[u, i, keep], options)
            assert STATUSES[result.status_code[u, i]] == one.status

            def same(panel_value, series_value):
                if series_value is None:
                    assert np.isnan(panel_value)
                else:
                    assert_allclose(panel_value, series_value, rtol=1e-12)

            same(result.score[u, i], one.score)
            same(result.observed_growth[u, i], one.observed_growth)
            same(result.required_growth[u, i], one.required_growth)
            same(result.ratio[u, i], one.ratio)


# ---------------------------------------------------------------------------------------------
# Panels


def test_panel_result_shapes_and_codes():
    rng = np.random.default_rng(7)
    values = rng.uniform(1, 100, size=(4, 3, 6))
    values[0, 0, :] = np.nan
    result = assess_panel(values, np.arange(2015, 2021), np.array([1, -1, 1]))
    assert result.score.shape == result.status_code.shape == (4, 3)
    assert result.status_code.dtype == np.int8
    assert STATUSES[result.status_code[0, 0]] == "not_enough_data"
    assert np.isnan(result.score[0, 0])


def test_panel_hand_computed_cell():
    values = np.array([[[20.0, np.nan, 25.0]]])
    result = assess_panel(
        values,
        np.array([2015, 2018, 2020]),
        np.array([1]),
        targets=np.array([40.0]),
        target_years=np.array([2030]),
    )
    # as in test_target_series_compares_observed_with_required_growth
    assert STATUSES[result.status_code[0, 0]] == "substantial_progress"
    assert_allclose(result.ratio[0, 0], 0.965015309922781, rtol=1e-12)
    assert_allclose(result.score[0, 0], 2.60725221373415, rtol=1e-12)


def test_panel_rejects_infinity_naming_the_cell():
    values = np.ones((2, 2, 3))
    values[1, 0, 2] = np.inf
    with pytest.raises(ValueError, match="unit 1, indicator 0, year index 2"):
        assess_panel(values, np.array([2015, 2016, 2017]), np.array([1, 1]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"years": np.array([2015, 2015, 2017])}, "strictly increasing"),
        ({"years": np.array([2015, 2016])}, "years has 2 items"),
        ({"directions": np.array([1, 0])}, "directions must be"),
        ({"directions": np.array([1])}, "directions has 1 items"),
        ({"targets": np.array([1.0, 2.0])}, "has a target but no target year"),
        (
            {"targets": np.array([1.0, 2.0, 3.0]), "target_years": np.array([1, 2, 3])},
            "targets has shape",
        ),
        ({"window": "medium"}, "window must be"),
        ({"limits": np.array([np.inf, 1.0])}, "limits must be finite"),
    ],
)
def test_panel_rejects_bad_arguments(kwargs, message):
    arguments = {
        "values": np.ones((2, 2, 3)),
        "years": np.array([2015, 2016, 2017]),
        "directions": np.array([1, -1]),
    }
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        assess_panel(**arguments)


def test_panel_does_not_modify_its_input():
    values = np.array([[[1.0, np.nan, 3.0]]])
    copy = values.copy()
    assess_panel(values, np.array([2015, 2016, 2017]), np.array([1]))
    assert_array_equal(values, copy)


def test_docstring_examples_run():
    failures, tried = doctest.testmod(progress)
    assert tried > 0
    assert failures == 0
