"""Progress of indicator series towards a target or in a desired direction (CAGR method).

The method is the one Statistics Canada designed and Open SDG 2.4 adopted, itself inspired by
Eurostat's EU SDG monitoring report: a compound annual growth rate (CAGR) observed between a base
year and the latest year is compared with the CAGR required to reach a target, or, without a
target, with fixed growth thresholds. Everything here takes arrays and returns dataclasses; it
reads no file and knows nothing of Django.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

Status = Literal[
    "target_achieved",
    "substantial_progress",
    "moderate_progress",
    "limited_progress",
    "deterioration",
    "not_enough_data",
]

#: Statuses in the order of their codes (``PanelResult.status_code``).
STATUSES: tuple[Status, ...] = (
    "target_achieved",
    "substantial_progress",
    "moderate_progress",
    "limited_progress",
    "deterioration",
    "not_enough_data",
)
TARGET_ACHIEVED, SUBSTANTIAL, MODERATE, LIMITED, DETERIORATION, NOT_ENOUGH_DATA = range(6)

#: Thresholds on R = observed CAGR / required CAGR (indicators with a target).
RATIO_THRESHOLDS = (0.95, 0.60, 0.0)
#: Thresholds on the CAGR in the desired direction (indicators without a target).
GROWTH_THRESHOLDS = (0.015, 0.005, 0.0)
#: Exponent of the scaling factor applied near a natural limit.
LIMIT_EXPONENT = 4.44
#: Length, in years, of the short-term and long-term windows (Eurostat).
WINDOW_YEARS = {"short": 5, "long": 15, "all": None}

# Why a series could not be assessed, or how it was; used to write the explanation.
_OK, _NO_DATA, _ONE_YEAR, _BASE_ZERO, _SIGN_CHANGE = 0, 1, 2, 3, 4
_TARGET_SIGN, _TARGET_YEAR, _REQUIRED_ZERO, _OVERFLOW, _ACHIEVED = 5, 6, 7, 8, 9

_LABELS = {
    "target_achieved": "target achieved",
    "substantial_progress": "substantial progress",
    "moderate_progress": "moderate progress",
    "limited_progress": "limited progress",
    "deterioration": "deterioration",
    "not_enough_data": "not enough data",
}


@dataclass(frozen=True, slots=True)
class ProgressOptions:
    """How one series is assessed.

    ``direction`` is the desired direction of the indicator. ``target`` and ``target_year`` go
    together. ``base_year`` is the first year that may serve as base: the base is the first year
    with data at or after it (and inside the window); ``None`` means the first year of the
    window. ``limit`` is the natural bound that the indicator approaches in its desired direction
    (100 for a share that should rise, 0 for a count that should fall); it only scales the
    thresholds of the trend method. ``window`` keeps the last 5 years ("short"), the last 15
    ("long") or every year ("all"), counted back from the latest year with data.
    """

    direction: Literal["positive", "negative"] = "positive"
    target: float | None = None
    target_year: int | None = None
    base_year: int | None = None
    limit: float | None = None
    window: Literal["short", "long", "all"] = "all"

    def __post_init__(self) -> None:
        if self.direction not in ("positive", "negative"):
            raise ValueError(f"direction must be 'positive' or 'negative', not {self.direction!r}")
        if self.window not in WINDOW_YEARS:
            raise ValueError(f"window must be 'short', 'long' or 'all', not {self.window!r}")
        for name in ("target", "limit"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, not {value!r}")
        if (self.target is None) != (self.target_year is None):
            raise ValueError("target and target_year go together: give both or neither")
        for name in ("target_year", "base_year"):
            value = getattr(self, name)
            if value is not None and int(value) != value:
                raise ValueError(f"{name} must be a whole year, not {value!r}")


_DEFAULT_OPTIONS = ProgressOptions()


@dataclass(frozen=True, slots=True)
class SeriesAssessment:
    """The progress of one series: its status, score, the numbers behind them and why."""

    status: Status
    score: float | None
    method: Literal["target", "trend", "none"]
    base_year: int | None
    base_value: float | None
    latest_year: int | None
    latest_value: float | None
    target: float | None
    target_year: int | None
    observed_growth: float | None
    required_growth: float | None
    ratio: float | None
    explanation: str
    #: Why: one of :data:`REASON_CODES`, with the figures its wording needs in ``params``
    #: (``coefficient`` and the ``thresholds`` actually used, ``floor``, ``years``).
    reason: str = "assessed"
    params: dict = field(default_factory=dict, compare=False, hash=False)


#: Reason codes of :class:`SeriesAssessment`, worded by ``patto.monitoring.reasons``.
REASON_CODES = {
    0: "assessed", 1: "no_data", 2: "single_year", 3: "base_zero", 4: "sign_change",
    5: "target_sign", 6: "target_year_not_after_base", 7: "required_zero", 8: "overflow",
    9: "target_achieved",
}


@dataclass(frozen=True, slots=True)
class IndicatorAssessment:
    """The progress of an indicator made of one or more series."""

    status: Status
    score: float | None
    series: tuple[SeriesAssessment, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class PanelResult:
    """Progress of every (unit, indicator) cell of a panel.

    Arrays have shape (units, indicators); NaN where a number is undefined. ``status_code``
    indexes :data:`STATUSES`.
    """

    score: np.ndarray
    status_code: np.ndarray
    observed_growth: np.ndarray
    required_growth: np.ndarray
    ratio: np.ndarray


# --------------------------------------------------------------------------------------------
# The cell-wise core, shared by assess_series and assess_panel so that both give one answer.


def _classify(y0, yi, t0, ti, d, target, target_year, limit) -> dict[str, np.ndarray]:
    """Assess cells given base/latest values and years, direction, target and limit arrays.

    Missing items are NaN: ``yi`` when a cell has no data, ``y0``/``t0`` when it has no base,
    ``target``/``target_year``/``limit`` when there is none.
    """
    y0, yi, t0, ti, d, target, target_year, limit = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (y0, yi, t0, ti, d, target, target_year, limit))
    )
    with np.errstate(all="ignore"):
        has_latest = ~np.isnan(yi)
        has_target = ~np.isnan(target)
        achieved = has_target & np.where(d > 0, yi >= target, yi <= target)
        two_years = has_latest & (ti > t0)
        s = np.sign(y0)
        e = s * d  # the desired direction of |y|: values below 0 flip it
        base_zero = y0 == 0
        sign_change = s * np.sign(yi) < 0
        target_sign = has_target & (np.sign(target) * s < 0)
        late_base = has_target & ~(target_year > t0)

        growth_ok = two_years & ~base_zero & ~sign_change
        log_y0 = np.log(np.abs(y0))
        # expm1(log(|a|/|b|)/n) = (a/b)**(1/n) - 1, without overflowing a/b or losing digits
        observed = np.where(growth_ok, np.expm1((np.log(np.abs(yi)) - log_y0) / (ti - t0)), np.nan)
        required_ok = growth_ok & has_target & ~target_sign & ~late_base
        required = np.where(
            required_ok,
            np.expm1((np.log(np.abs(target)) - log_y0) / (target_year - t0)),
            np.nan,
        )
        required_zero = required_ok & (required == 0)
        ratio = np.where(required_ok & ~required_zero, e * observed / np.abs(required), np.nan)
        overflow = required_ok & ~required_zero & np.isnan(ratio)

        reason = np.select(
            [
                ~has_latest,
                achieved,
                ~two_years,
                base_zero,
                sign_change,
                target_sign,
                late_base,
                required_zero,
                overflow,
            ],
            [
                _NO_DATA,
                _ACHIEVED,
                _ONE_YEAR,
                _BASE_ZERO,
                _SIGN_CHANGE,
                _TARGET_SIGN,
                _TARGET_YEAR,
                _REQUIRED_ZERO,
                _OVERFLOW,
            ],
            _OK,
        ).astype(np.int8)

        # Target method: thresholds on R; score linear from -5 at R = -0.6 to 0 at R = 0.6 and
        # to +5 at R = 1.3, so that R = 0.95 scores 2.5 and R = 0 scores -2.5.
        by_ratio = np.select(
            [ratio >= RATIO_THRESHOLDS[0], ratio >= RATIO_THRESHOLDS[1], ratio >= 0],
            [SUBSTANTIAL, MODERATE, LIMITED],
            DETERIORATION,
        )
        ratio_score = np.where(
            ratio >= 0.6,
            np.minimum(5.0, (ratio - 0.6) * (5.0 / 0.7)),
            np.maximum(-5.0, (ratio - 0.6) * (5.0 / 1.2)),
        )

        # Trend method: thresholds on v, the CAGR in the desired direction, scaled by C near a
        # natural limit; comparing u = v / C with the unscaled thresholds is the same test.
        b = np.abs(y0)
        lim = s * limit  # the limit on the scale of |y|
        coeff = np.where(
            np.isnan(limit) | (b >= 2 * lim),
            1.0,
            np.where(
                b <= lim,
                1 - (b / lim) ** LIMIT_EXPONENT,
                1 - ((2 * lim - b) / lim) ** LIMIT_EXPONENT,
            ),
        )
        v = e * observed
        u = v / coeff
        at_limit = coeff == 0
        by_growth = np.select(
            [
                v < 0,
                at_limit | (u >= GROWTH_THRESHOLDS[0]),
                u >= GROWTH_THRESHOLDS[1],
            ],
            [DETERIORATION, SUBSTANTIAL, MODERATE],
            LIMITED,
        )
        growth_score = np.select(
            [
                v < 0,
                at_limit,
                u >= GROWTH_THRESHOLDS[0],
                u >= GROWTH_THRESHOLDS[1],
            ],
            [
                np.maximum(-5.0, 125.0 * v - 2.5),
                5.0,
                np.minimum(5.0, 500.0 * u - 5.0),
                250.0 * u - 1.25,
            ],
            500.0 * u - 2.5,
        )

        ok = reason == _OK
        status = np.select(
            [
                reason == _ACHIEVED,
                reason == _REQUIRED_ZERO,
                ok & has_target,
                ok,
            ],
            [TARGET_ACHIEVED, DETERIORATION, by_ratio, by_growth],
            NOT_ENOUGH_DATA,
        ).astype(np.int8)
        score = np.select(
            [
                reason == _ACHIEVED,
                reason == _REQUIRED_ZERO,
                ok & has_target,
                ok,
            ],
            [5.0, -5.0, ratio_score, growth_score],
            np.nan,
        )
    return {
        "status": status,
        "score": score,
        "observed": observed,
        "required": required,
        "ratio": ratio,
        "coeff": np.where(has_target, np.nan, coeff),
        "reason": reason,
    }


# --------------------------------------------------------------------------------------------
# One series


def _as_series(years: ArrayLike, values: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Check a series and return its years (int) and values sorted by year."""
    t = np.asarray(years, dtype=np.float64).reshape(-1)
    y = np.asarray(values, dtype=np.float64).reshape(-1)
    if t.shape != y.shape:
        raise ValueError(f"years and values differ in length ({t.size} and {y.size})")
    for name, array in (("years", t), ("values", y)):
        bad = np.flatnonzero(~np.isfinite(array))
        if bad.size:
            raise ValueError(
                f"{name} must be finite numbers: index {bad[0]} is {array[bad[0]]!r}; "
                "leave a missing year out instead"
            )
    bad = np.flatnonzero(t != np.round(t))
    if bad.size:
        raise ValueError(f"years must be whole numbers: index {bad[0]} is {t[bad[0]]!r}")
    order = np.argsort(t, kind="stable")
    t, y = t[order], y[order]
    dup = np.flatnonzero(np.diff(t) == 0)
    if dup.size:
        raise ValueError(
            f"year {int(t[dup[0]])} appears twice (index {order[dup[0] + 1]}): "
            "give one value a year"
        )
    return t.astype(np.int64), y


def assess_series(
    years: ArrayLike, values: ArrayLike, options: ProgressOptions = _DEFAULT_OPTIONS
) -> SeriesAssessment:
    """Assess the progress of one indicator series.

    Parameters
    ----------
    years : array_like of int, shape (n,)
        Reference years, in any order, each at most once. Leave out the years without data.
    values : array_like of float, shape (n,)
        The indicator's value in each year. NaN and infinities are rejected.
    options : ProgressOptions
        Desired direction, optional target and target year, base year, natural limit, window.

    Returns
    -------
    SeriesAssessment
        Status, score from -5 to +5 (None when not enough data), the method used ("target",
        "trend" or "none"), base and latest years and values, the growth rates, the ratio,
        and an English paragraph giving the numbers and the rule that decided.

    Raises
    ------
    ValueError
        If a year or value is not finite (the message names its index), a year is not whole,
        or a year appears twice.

    Notes
    -----
    Let the base year :math:`t_0` be the first year with data in the window (and at or after
    ``base_year``), :math:`t_i` the latest year with data, :math:`y_0, y_i` their values,
    :math:`d = \\pm 1` the desired direction and :math:`s` the sign of :math:`y_0`. The observed
    compound annual growth rate is

    .. math:: CAGR_i = (y_i / y_0)^{1/(t_i - t_0)} - 1 .

    *Target achieved*: with a target :math:`y_T`, if :math:`y_i \\ge y_T` (positive direction)
    or :math:`y_i \\le y_T` (negative), whatever the trend; score +5. One year of data suffices.

    *With a target* (method "target"), :math:`CAGR_T = (y_T / y_0)^{1/(t_T - t_0)} - 1` and
    :math:`R = s\\,d\\,CAGR_i / |CAGR_T|`. Status: substantial progress if
    :math:`R \\ge 0.95`, moderate if :math:`0.60 \\le R < 0.95`, limited if
    :math:`0 \\le R < 0.60`, deterioration if :math:`R < 0`. Score:
    :math:`\\min(5, 5 (R - 0.6)/0.7)` for :math:`R \\ge 0.6`, else
    :math:`\\max(-5, 5 (R - 0.6)/1.2)` (Open SDG's 7.1429 R - 4.2857 and 4.1667 R - 2.5,
    written exactly). A natural limit is ignored with a target, as in Open SDG.

    *Without a target* (method "trend"), :math:`v = s\\,d\\,CAGR_i` is compared with
    :math:`1.5\\% \\cdot C` and :math:`0.5\\% \\cdot C` and 0: substantial, moderate, limited,
    deterioration. Near a natural limit :math:`L` (with :math:`b = |y_0|`,
    :math:`\\ell = s L`) the scaling factor is :math:`C = 1 - (b/\\ell)^{4.44}` if
    :math:`b \\le \\ell`, :math:`C = 1 - ((2\\ell - b)/\\ell)^{4.44}` if
    :math:`\\ell < b < 2\\ell`, and 1 otherwise or without a limit. With :math:`u = v / C`,
    the score is :math:`\\max(-5, 125 v - 2.5)` for :math:`v < 0`, :math:`500 u - 2.5` below
    0.5 %, :math:`250 u - 1.25` below 1.5 %, :math:`\\min(5, 500 u - 5)` above; a base value
    exactly at the limit (:math:`C = 0`) with :math:`v \\ge 0` is substantial progress, +5.

    Edge cases, each reported as "not enough data" (method "none") with the reason in the
    explanation, never with a substitute value: fewer than two years with data in the window;
    a base value of 0 (Open SDG replaces it by 0.001, which makes the result depend on the
    unit of measure; we do not); base and latest values of different signs; a target of the
    other sign than the base value; a target year not after the base year. A target of 0 is
    kept: it needs :math:`CAGR_T = -1`. If the target equals the base value and is not
    achieved, :math:`CAGR_T = 0`, R is undefined and the status is deterioration, score -5.
    Only :math:`y_0` and :math:`y_i` enter the CAGR, so intermediate years are not checked
    for sign.

    The short window keeps the years from :math:`t_i - 5` to :math:`t_i` and the long one from
    :math:`t_i - 15` (Eurostat's short-term and long-term trends); "all" keeps every year.

    Sources differ, and we follow Open SDG 2.4 [1]_ [2]_ throughout, since its statuses and
    -5..+5 scores are the ones used here. Eurostat [4]_ uses the same CAGR ratio and the same
    0.95 / 0.60 / 0 thresholds with a target, but without a target it classifies the CAGR in
    the desired direction at +1 % and -1 % a year ("significant" or "moderate" progress or
    movement away), and it has no natural-limit factor and no scores. Open SDG assumes base
    year 2015 and target year 2030 when they are not given; here a missing base year means
    the first year of the window and a target needs its year.

    References
    ----------
    .. [1] Statistics Canada and Open SDG, "Progress Measurement Methodology for the
       Sustainable Development Goals", Open SDG 2.4.0 (October 2025),
       https://github.com/open-sdg/open-sdg/blob/26d2e38700e4fee329fea4823e908c4298064693/docs/progress-methodology.md
    .. [2] open-sdg/sdg-build, ``sdg/ProgressMeasure.py`` (reference implementation of [1]),
       https://github.com/open-sdg/sdg-build/blob/139fede74ba534d2ed8b9eee4cd878b41f54cb67/sdg/ProgressMeasure.py
    .. [3] Statistics Canada, "Progress Measurement for Canada's Sustainable Development
       Goals", https://sdgcif-data-canada-oddcic-donnee.github.io/methodology
    .. [4] Eurostat, "Sustainable development in the European Union - Monitoring report on
       progress towards the SDGs in an EU context", 2021 edition, methodological annex,
       https://ec.europa.eu/eurostat/statistics-explained/index.php?title=SDG_-_Introduction

    Examples
    --------
    >>> result = assess_series(
    ...     [2015, 2020], [20.0, 25.0], ProgressOptions(target=40.0, target_year=2030)
    ... )
    >>> result.status, round(result.ratio, 3), round(result.score, 2)
    ('substantial_progress', 0.965, 2.61)
    >>> assess_series([2020], [5.0]).status
    'not_enough_data'
    """
    t, y = _as_series(years, values)
    opts = options
    d = 1.0 if opts.direction == "positive" else -1.0
    target = np.nan if opts.target is None else float(opts.target)
    target_year = np.nan if opts.target_year is None else float(opts.target_year)
    limit = np.nan if opts.limit is None else float(opts.limit)

    if t.size == 0:
        first = last = None
        floor = None
    else:
        last = t.size - 1
        span = WINDOW_YEARS[opts.window]
        floor = int(t[last]) - span if span is not None else None
        if opts.base_year is not None:
            floor = int(opts.base_year) if floor is None else max(floor, int(opts.base_year))
        eligible = np.flatnonzero(t >= floor) if floor is not None else np.arange(t.size)
        first = int(eligible[0]) if eligible.size else None

    def pick(array: np.ndarray, index: int | None) -> float:
        return float(array[index]) if index is not None else np.nan

    cell = _classify(
        pick(y, first),
        pick(y, last),
        pick(t, first),
        pick(t, last),
        d,
        target,
        target_year,
        limit,
    )
    c = {k: v.item() for k, v in cell.items()}
    status = STATUSES[int(c["status"])]
    reason = int(c["reason"])

    def opt(x: float) -> float | None:
        return None if math.isnan(x) else float(x)

    if reason in (_OK, _REQUIRED_ZERO, _ACHIEVED) and opts.target is not None:
        method = "target"
    elif reason == _OK:
        method = "trend"
    else:
        method = "none"
    base_year = int(t[first]) if first is not None else None
    latest_year = int(t[last]) if last is not None else None
    if t.size == 0:
        n_in_scope = 0
    else:
        n_in_scope = int(np.count_nonzero(t >= floor)) if floor is not None else int(t.size)
    result = SeriesAssessment(
        status=status,
        score=opt(c["score"]),
        method=method,
        base_year=base_year,
        base_value=opt(pick(y, first)),
        latest_year=latest_year,
        latest_value=opt(pick(y, last)),
        target=opts.target,
        target_year=opts.target_year,
        observed_growth=opt(c["observed"]),
        required_growth=opt(c["required"]),
        ratio=opt(c["ratio"]),
        explanation="",
    )
    text = _explain(result, opts, reason, opt(c["coeff"]), n_in_scope, floor)
    code = REASON_CODES[reason]
    if reason == _ONE_YEAR and floor is not None and latest_year is not None \
            and floor > latest_year:
        code = "base_after_data"
    coeff = opt(c["coeff"])
    scale = coeff if coeff is not None else 1.0
    params = {"floor": floor, "years": n_in_scope, "coefficient": coeff,
              "direction": 1 if opts.direction == "positive" else -1,
              "method": 2 if opts.target is not None else 1,
              "thresholds": {"high": RATIO_THRESHOLDS[0], "med": RATIO_THRESHOLDS[1],
                             "low": 0.0} if opts.target is not None else
              {"high": GROWTH_THRESHOLDS[0] * scale, "med": GROWTH_THRESHOLDS[1] * scale,
               "low": 0.0}}
    return replace(result, explanation=text, reason=code, params=params)


def _num(x: float) -> str:
    return f"{x:.6g}"


def _pct(x: float) -> str:
    return f"{x * 100:.3g}%"


def _explain(
    r: SeriesAssessment,
    opts: ProgressOptions,
    reason: int,
    coeff: float | None,
    n_in_scope: int,
    floor: int | None,
) -> str:
    """One English paragraph: the values, the years and the rule that gave the status."""
    label = _LABELS[r.status]
    wants = "increase" if opts.direction == "positive" else "decrease"
    score = f" (score {r.score:+.2f} on a scale from -5 to +5)" if r.score is not None else ""
    if reason == _NO_DATA:
        return "No value is available, so progress cannot be assessed: not enough data."
    if reason == _ACHIEVED:
        side = "at or above" if opts.direction == "positive" else "at or below"
        text = (
            f"The latest value, {_num(r.latest_value)} in {r.latest_year}, is {side} the "
            f"target of {_num(r.target)} set for {r.target_year} for a series that should "
            f"{wants}, so the status is target achieved whatever the trend (score +5.00)."
        )
        if r.observed_growth is not None:
            text += (
                f" For information, the value went from {_num(r.base_value)} in "
                f"{r.base_year}: a compound annual growth rate of {_pct(r.observed_growth)}."
            )
        return text
    if reason == _ONE_YEAR:
        if floor is not None and floor > r.latest_year:
            return (
                f"No value is available at or after the base year {floor} (the latest is "
                f"{_num(r.latest_value)} in {r.latest_year}), so no compound annual growth "
                f"rate can be computed: not enough data."
            )
        scope = f" from {floor} to {r.latest_year}" if floor is not None else ""
        return (
            f"A compound annual growth rate needs values in at least two different years; "
            f"{n_in_scope} year(s) with data are available{scope}, so progress cannot be "
            f"assessed: not enough data."
        )
    base = f"{_num(r.base_value)} in {r.base_year}"
    latest = f"{_num(r.latest_value)} in {r.latest_year}"
    if reason == _BASE_ZERO:
        return (
            f"The base value is 0 (in {r.base_year}), so the compound annual growth rate "
            f"(latest / base)^(1 / years) - 1 is undefined; no substitute base value is used, "
            f"so the series is reported as not enough data."
        )
    if reason == _SIGN_CHANGE:
        return (
            f"The base value ({base}) and the latest value ({latest}) have different signs, so "
            f"the compound annual growth rate is undefined and the series is reported as not "
            f"enough data; assess a transformed series that keeps one sign (for example the "
            f"level rather than a rate of change)."
        )
    if reason == _TARGET_SIGN:
        return (
            f"The target {_num(r.target)} and the base value ({base}) have different signs, so "
            f"no compound growth rate can reach the target; the series is reported as not "
            f"enough data."
        )
    if reason == _TARGET_YEAR:
        return (
            f"The target year {r.target_year} is not after the base year {r.base_year}, so the "
            f"growth rate required to reach the target is undefined; the series is reported "
            f"as not enough data."
        )
    if reason == _OVERFLOW:
        return (
            f"Between {r.base_year} and {r.latest_year} the value went from "
            f"{_num(r.base_value)} to {_num(r.latest_value)}; the growth rates overflow "
            f"double precision, so the series is reported as not enough data."
        )
    n = r.latest_year - r.base_year
    observed = (
        f"Between {r.base_year} and {r.latest_year} the value went from {_num(r.base_value)} "
        f"to {_num(r.latest_value)}: observed compound annual growth rate (CAGR) = "
        f"({_num(r.latest_value)} / {_num(r.base_value)})^(1/{n}) - 1 = "
        f"{_pct(r.observed_growth)}."
    )
    negative_values = r.base_value < 0
    flip = (
        " Values are negative, so growth of their size counts in the opposite direction."
        if negative_values
        else ""
    )
    if reason == _REQUIRED_ZERO:
        return (
            f"{observed} The target {_num(r.target)} for {r.target_year} equals the base value, "
            f"so the required growth is 0 and the ratio is undefined; the latest value is on "
            f"the wrong side of the target for a series that should {wants}, so the status is "
            f"deterioration{score}."
        )
    if r.method == "target":
        nr = r.target_year - r.base_year
        sd = (-1 if negative_values else 1) * (1 if opts.direction == "positive" else -1)
        rule = {
            "substantial_progress": "at least 0.95",
            "moderate_progress": "at least 0.60 and below 0.95",
            "limited_progress": "at least 0 and below 0.60",
            "deterioration": "below 0",
        }[r.status]
        return (
            f"{observed} Reaching the target of {_num(r.target)} by {r.target_year} needs "
            f"CAGR = ({_num(r.target)} / {_num(r.base_value)})^(1/{nr}) - 1 = "
            f"{_pct(r.required_growth)}. The ratio R = ({sd:+d}) x observed / |required| = "
            f"{r.ratio:.3f}, where {sd:+d} is the desired direction (the series should "
            f"{wants}){' times the sign of the values' if negative_values else ''}; R is "
            f"{rule}, so the status is {label}{score}."
            + (
                " The natural limit is not used when there is a target."
                if opts.limit is not None
                else ""
            )
        )
    sd = (-1 if negative_values else 1) * (1 if opts.direction == "positive" else -1)
    v = sd * r.observed_growth
    high, med = 0.015, 0.005
    scaled = ""
    if coeff is not None and coeff != 1:
        high, med = 0.015 * coeff, 0.005 * coeff
        base, limit = abs(r.base_value), abs(opts.limit)
        formula = (
            "1 - (|base| / |limit|)^4.44"
            if base <= limit
            else "1 - ((2 |limit| - |base|) / |limit|)^4.44"
        )
        scaled = (
            f" The base value is near the natural limit {_num(opts.limit)}, so the positive "
            f"thresholds are scaled by C = {formula} = {coeff:.4f}, to {_pct(high)} and "
            f"{_pct(med)} a year."
        )
    rule = {
        "substantial_progress": f"at least {_pct(high)}",
        "moderate_progress": f"at least {_pct(med)} and below {_pct(high)}",
        "limited_progress": f"at least 0 and below {_pct(med)}",
        "deterioration": "below 0",
    }[r.status]
    if coeff == 0 and r.status == "substantial_progress":
        rule = "not negative while the base value is at the limit"
    return (
        f"{observed}{flip} There is no target, so the CAGR in the desired direction (the "
        f"series should {wants}), {_pct(v)} a year, is compared with thresholds of 1.5% and "
        f"0.5% a year.{scaled} It is {rule}, so the status is {label}{score}."
    )


# --------------------------------------------------------------------------------------------
# Indicators made of several series


def _status_from_score(score: float) -> Status:
    if score >= 2.5:
        return "substantial_progress"
    if score >= 0:
        return "moderate_progress"
    if score >= -2.5:
        return "limited_progress"
    return "deterioration"


def assess_indicator(series: Sequence[SeriesAssessment]) -> IndicatorAssessment:
    """Combine the assessments of an indicator's series into one.

    Parameters
    ----------
    series : sequence of SeriesAssessment
        The assessed series of the indicator, each weighted equally.

    Returns
    -------
    IndicatorAssessment
        The mean score of the series that have one, the status read from that mean, the
        series themselves and an English explanation.

    Notes
    -----
    Following Open SDG, series without a score (not enough data) are left out; the indicator's
    score is the arithmetic mean of the others and its status is read from the score:
    substantial progress for :math:`2.5 \\le s \\le 5`, moderate for :math:`0 \\le s < 2.5`,
    limited for :math:`-2.5 \\le s < 0`, deterioration for :math:`s < -2.5`. The status is
    "target achieved" only when every scored series achieved its target. With no scored series
    the status is "not enough data" and the score None.

    References
    ----------
    .. [1] Statistics Canada and Open SDG, "Progress Measurement Methodology for the
       Sustainable Development Goals", section "Aggregated progress status", Open SDG 2.4.0,
       https://github.com/open-sdg/open-sdg/blob/26d2e38700e4fee329fea4823e908c4298064693/docs/progress-methodology.md
    .. [2] open-sdg/sdg-build, ``sdg/ProgressMeasure.py``, ``get_progress_status_from_score``,
       https://github.com/open-sdg/sdg-build/blob/139fede74ba534d2ed8b9eee4cd878b41f54cb67/sdg/ProgressMeasure.py

    Examples
    --------
    >>> a = assess_series([2018, 2023], [100.0, 105.0])
    >>> b = assess_series([2018, 2023], [100.0, 90.0])
    >>> combined = assess_indicator([a, b])
    >>> combined.status, round(combined.score, 2)
    ('limited_progress', -1.9)
    """
    items = tuple(series)
    scored = [s for s in items if s.score is not None]
    if not scored:
        return IndicatorAssessment(
            status="not_enough_data",
            score=None,
            series=items,
            explanation=(
                f"None of the {len(items)} series has enough data to be assessed, so the "
                f"indicator's progress cannot be assessed: not enough data."
            ),
        )
    score = float(np.mean([s.score for s in scored]))
    left_out = len(items) - len(scored)
    dropped = (
        f" {left_out} series without enough data {'is' if left_out == 1 else 'are'} left out."
        if left_out
        else ""
    )
    scores = ", ".join(f"{s.score:+.2f}" for s in scored)
    if all(s.status == "target_achieved" for s in scored):
        return IndicatorAssessment(
            status="target_achieved",
            score=score,
            series=items,
            explanation=(
                f"Every assessed series ({len(scored)}) has achieved its target, so the "
                f"indicator's status is target achieved (score {score:+.2f}).{dropped}"
            ),
        )
    status = _status_from_score(score)
    rule = {
        "substantial_progress": "at least 2.5",
        "moderate_progress": "at least 0 and below 2.5",
        "limited_progress": "at least -2.5 and below 0",
        "deterioration": "below -2.5",
    }[status]
    return IndicatorAssessment(
        status=status,
        score=score,
        series=items,
        explanation=(
            f"The indicator's score is the mean of its {len(scored)} assessed series' scores "
            f"({scores}) = {score:+.2f}; a mean score {rule} means {_LABELS[status]}.{dropped}"
        ),
    )


# --------------------------------------------------------------------------------------------
# Project indicators


def share_of_target(baseline: float, current: float, target: float) -> float | None:
    """Share of the way from a baseline to a target that has been covered.

    Parameters
    ----------
    baseline, current, target : float
        The value at the start, now, and the value to reach.

    Returns
    -------
    float or None
        :math:`(current - baseline) / (target - baseline)`; None when the target equals the
        baseline (there is no way to cover).

    Raises
    ------
    ValueError
        If an argument is not a finite number.

    Notes
    -----
    The share is not clipped: above 1 the target has been overshot, below 0 the value has
    moved away from the target. Pages that draw a bar should clip for drawing only. The
    direction needs no argument: it is the sign of ``target - baseline``.

    References
    ----------
    .. [1] Eurostat, "Sustainable development in the European Union - Monitoring report",
       2021 edition (distance travelled towards a target),
       https://ec.europa.eu/eurostat/statistics-explained/index.php?title=SDG_-_Introduction

    Examples
    --------
    >>> share_of_target(20.0, 30.0, 40.0)
    0.5
    >>> share_of_target(10.0, 4.0, 6.0)
    1.5
    >>> share_of_target(5.0, 7.0, 5.0) is None
    True
    """
    for name, value in (("baseline", baseline), ("current", current), ("target", target)):
        if not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, not {value!r}")
    if target == baseline:
        return None
    return (float(current) - float(baseline)) / (float(target) - float(baseline))


# --------------------------------------------------------------------------------------------
# Panels: every (unit, indicator) cell at once


def _cell_array(name: str, array, shape: tuple[int, int]) -> np.ndarray:
    """Broadcast a per-indicator or per-cell array to (units, indicators); NaN means none."""
    if array is None:
        return np.full(shape, np.nan)
    a = np.asarray(array, dtype=np.float64)
    try:
        a = np.broadcast_to(a, shape)
    except ValueError:
        raise ValueError(
            f"{name} has shape {a.shape}; give one value per indicator {shape[1:]} or per "
            f"cell {shape}"
        ) from None
    bad = np.argwhere(np.isinf(a))
    if bad.size:
        raise ValueError(f"{name} must be finite or NaN (none): cell {tuple(bad[0])} is infinite")
    return a


def assess_panel(
    values: np.ndarray,
    years: np.ndarray,
    directions: np.ndarray,
    targets: np.ndarray | None = None,
    target_years: np.ndarray | None = None,
    limits: np.ndarray | None = None,
    window: str = "all",
) -> PanelResult:
    """Assess every (unit, indicator) series of a panel at once.

    Parameters
    ----------
    values : ndarray, shape (units, indicators, years)
        Values, NaN where missing. Infinities are rejected.
    years : ndarray of int, shape (years,)
        The years of the last axis, strictly increasing.
    directions : ndarray, shape (indicators,)
        +1 where the indicator should increase, -1 where it should decrease.
    targets, target_years, limits : ndarray, optional
        Shape (indicators,) or (units, indicators); NaN where an indicator or cell has none.
        A cell with a target needs a target year.
    window : {"all", "short", "long"}
        Every year, the last 5 years or the last 15 years before each cell's latest year.

    Returns
    -------
    PanelResult
        ``score``, ``status_code`` (int8 index into :data:`STATUSES`), ``observed_growth``,
        ``required_growth`` and ``ratio``, each of shape (units, indicators).

    Raises
    ------
    ValueError
        On wrong shapes, infinite values (the message names the cell and year index), years
        that are not whole and strictly increasing, directions other than +1/-1, or a target
        without a target year.

    Notes
    -----
    Each cell gets exactly what :func:`assess_series` gives its non-missing values with
    ``ProgressOptions(direction, target, target_year, limit=limit, window=window)``: the same
    core computes both. Only the base and latest values are gathered from the (units,
    indicators, years) array; a few boolean arrays of that shape are the only large
    temporaries, so memory stays near the input's size plus one byte per value.

    References
    ----------
    .. [1] Statistics Canada and Open SDG, "Progress Measurement Methodology for the
       Sustainable Development Goals", Open SDG 2.4.0,
       https://github.com/open-sdg/open-sdg/blob/26d2e38700e4fee329fea4823e908c4298064693/docs/progress-methodology.md

    Examples
    --------
    >>> values = np.array([[[20.0, np.nan, 25.0], [10.0, 9.0, np.nan]]])
    >>> result = assess_panel(values, np.array([2015, 2018, 2020]), np.array([1, -1]))
    >>> [STATUSES[code] for code in result.status_code[0]]
    ['substantial_progress', 'substantial_progress']
    """
    values = np.asarray(values)
    if values.ndim != 3:
        raise ValueError(f"values must have shape (units, indicators, years), not {values.shape}")
    if not np.issubdtype(values.dtype, np.floating):
        values = values.astype(np.float64)
    n_units, n_ind, n_years = values.shape
    shape = (n_units, n_ind)
    t = np.asarray(years, dtype=np.float64).reshape(-1)
    if t.shape != (n_years,):
        raise ValueError(f"years has {t.size} items but values has {n_years} years")
    if not np.all(np.isfinite(t)) or np.any(t != np.round(t)):
        raise ValueError("years must be whole, finite numbers")
    if np.any(np.diff(t) <= 0):
        raise ValueError("years must be strictly increasing")
    if window not in WINDOW_YEARS:
        raise ValueError(f"window must be 'short', 'long' or 'all', not {window!r}")
    d = np.asarray(directions, dtype=np.float64).reshape(-1)
    if d.shape != (n_ind,):
        raise ValueError(f"directions has {d.size} items but values has {n_ind} indicators")
    if not np.all((d == 1) | (d == -1)):
        raise ValueError("directions must be +1 (should increase) or -1 (should decrease)")
    target = _cell_array("targets", targets, shape)
    target_year = _cell_array("target_years", target_years, shape)
    limit = _cell_array("limits", limits, shape)
    missing_year = np.argwhere(~np.isnan(target) & np.isnan(target_year))
    if missing_year.size:
        raise ValueError(f"cell {tuple(missing_year[0])} has a target but no target year")

    if np.isinf(values).any():
        bad = np.argwhere(np.isinf(values))[0]
        raise ValueError(
            f"values must be finite or NaN (missing): unit {bad[0]}, indicator {bad[1]}, "
            f"year index {bad[2]} is {values[tuple(bad)]!r}"
        )

    present = ~np.isnan(values)  # one byte per value
    has_data = present.any(axis=-1)
    last = (n_years - 1) - np.argmax(present[..., ::-1], axis=-1)
    span = WINDOW_YEARS[window]
    if span is None:
        first = np.argmax(present, axis=-1)
    else:
        start = np.searchsorted(t, t[last] - span, side="left")
        in_window = np.arange(n_years) >= start[..., None]
        np.logical_and(in_window, present, out=in_window)
        first = np.argmax(in_window, axis=-1)
        del in_window
    del present
    y0 = np.take_along_axis(values, first[..., None], axis=-1)[..., 0]
    yi = np.take_along_axis(values, last[..., None], axis=-1)[..., 0]
    t0 = np.where(has_data, t[first], np.nan)
    ti = np.where(has_data, t[last], np.nan)
    y0 = np.where(has_data, y0, np.nan)
    yi = np.where(has_data, yi, np.nan)

    cell = _classify(y0, yi, t0, ti, d[None, :], target, target_year, limit)
    return PanelResult(
        score=cell["score"],
        status_code=cell["status"],
        observed_growth=cell["observed"],
        required_growth=cell["required"],
        ratio=cell["ratio"],
    )
