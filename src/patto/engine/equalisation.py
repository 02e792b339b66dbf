"""Metropolitan equalisation fund: the contribution due, fragility indices and the allocation.

The "Fondo perequativo metropolitano" receives a share of the charges that municipalities
raise on large transformations (:func:`contribution_due`, with the rate in force on the day,
:func:`rate_on`) and shares money among fragile municipalities by a published rule: a
fragility index per municipality (:func:`weighted_index` or :func:`composite_index`), an
eligibility threshold, shares by index and population, floors and caps, and amounts exact to
the cent (:func:`allocate`). Arrays and Decimals in, result dataclasses out; no file, no
Django.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from fractions import Fraction
from itertools import pairwise

import numpy as np

from patto.engine.ampi import AmpiOptions, ampi

CENT = Decimal("0.01")

# Money is only multiplied, added and quantized here, never divided, so a context this wide
# loses no digit: the only rounding is the one a rule prescribes, and no amount, however
# large, trips the 28-digit default context.
_EXACT = Context(
    prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, DivisionByZero, Overflow]
)


# --- Contribution due ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChargeRate:
    """The shares of a large transformation's charges due to the fund, in force from a date.

    ``secondary_rate`` is the share (0 to 1) of the secondary urbanisation charges and
    ``extraordinary_rate`` the share of the extraordinary contribution, both Decimals. They
    are checked where they are used (:func:`contribution_due`), so that a table of rates can
    be read and versioned as published.
    """

    valid_from: date
    secondary_rate: Decimal
    extraordinary_rate: Decimal


def rate_on(rates: Sequence[ChargeRate], on: date) -> ChargeRate:
    """The rate in force on a date: the one with the latest ``valid_from`` on or before it.

    Parameters
    ----------
    rates : sequence of ChargeRate
        The versions of the rate, in any order.
    on : date
        The day of the transformation (e.g. when it was declared).

    Returns
    -------
    ChargeRate
        The version in force on ``on``; a version applies from its ``valid_from`` day
        included until the day before the next one.

    Raises
    ------
    ValueError
        If no rate is given, if two rates have the same ``valid_from`` (the rate in force on
        that day would be ambiguous), or if ``on`` comes before the earliest ``valid_from``
        (the message names both dates).

    Examples
    --------
    >>> rates = [ChargeRate(date(2024, 1, 1), Decimal("0.6"), Decimal("0.5")),
    ...          ChargeRate(date(2021, 6, 1), Decimal("0.5"), Decimal("0.5"))]
    >>> rate_on(rates, date(2023, 12, 31)).secondary_rate
    Decimal('0.5')
    >>> rate_on(rates, date(2024, 1, 1)).secondary_rate
    Decimal('0.6')
    """
    if not rates:
        raise ValueError(f"no charge rate is given, so none is in force on {on.isoformat()}")
    ordered = sorted(rates, key=lambda rate: rate.valid_from)
    starts = [rate.valid_from for rate in ordered]
    for before, after in pairwise(starts):
        if before == after:
            raise ValueError(
                f"two charge rates are valid from {after.isoformat()}: the rate in force on "
                "that day would be ambiguous"
            )
    position = bisect_right(starts, on)
    if position == 0:
        raise ValueError(
            f"no charge rate is in force on {on.isoformat()}: the earliest is valid from "
            f"{starts[0].isoformat()}"
        )
    return ordered[position - 1]


def contribution_due(
    *, secondary_charges: Decimal, extraordinary_contribution: Decimal, rate: ChargeRate
) -> Decimal:
    """The contribution a transformation owes to the fund, in euro to the cent.

    Parameters
    ----------
    secondary_charges : Decimal
        The secondary urbanisation charges the transformation raised, in euro, >= 0.
    extraordinary_contribution : Decimal
        The extraordinary contribution it raised, in euro, >= 0.
    rate : ChargeRate
        The rate in force (see :func:`rate_on`); both shares between 0 and 1.

    Returns
    -------
    Decimal
        The contribution due, with 2 decimals.

    Raises
    ------
    TypeError
        If an amount or a share is not a Decimal (a float would carry binary rounding into
        money).
    ValueError
        If an amount is negative or not finite, or a share is outside [0, 1] or not finite;
        the message names the argument (``rate.secondary_rate`` for a share).

    Notes
    -----
    With :math:`C_s` the secondary charges, :math:`C_x` the extraordinary contribution and
    :math:`r_s`, :math:`r_x` the shares,

    .. math:: D = [C_s\\,r_s]_{0.01} + [C_x\\,r_x]_{0.01}

    where :math:`[\\cdot]_{0.01}` rounds to the cent, half up (0.005 becomes 0.01): each
    product is rounded on its own, as each charge is a separate entry of the municipality's
    books, and the products are exact before rounding.

    References
    ----------
    .. [1] Città metropolitana di Bologna, Piano Territoriale Metropolitano (PTM) and the
       regulation of the Fondo perequativo metropolitano, in force from 26 May 2021: 50% of
       the extraordinary contribution and of the secondary urbanisation charges of large
       transformations of metropolitan relevance go to the fund (reported at
       https://www.reggio2000.it/2021/05/26/piano-territoriale-metropolitano-approvato-oggi-dal-consiglio-il-regolamento-per-la-gestione-del-fondo-perequativo/).

    Examples
    --------
    >>> rate = ChargeRate(date(2021, 6, 1), Decimal("0.5"), Decimal("0.5"))
    >>> contribution_due(secondary_charges=Decimal("1000.01"),
    ...                  extraordinary_contribution=Decimal("250000"), rate=rate)
    Decimal('125500.01')
    """
    for name, value in (
        ("secondary_charges", secondary_charges),
        ("extraordinary_contribution", extraordinary_contribution),
    ):
        _check_decimal(name, value)
        if value < 0:
            raise ValueError(f"{name} must not be negative, not {value}")
    for name, value in (
        ("rate.secondary_rate", rate.secondary_rate),
        ("rate.extraordinary_rate", rate.extraordinary_rate),
    ):
        _check_decimal(name, value)
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must be a share between 0 and 1, not {value}")
    secondary = _EXACT.multiply(secondary_charges, rate.secondary_rate).quantize(
        CENT, rounding=ROUND_HALF_UP, context=_EXACT
    )
    extraordinary = _EXACT.multiply(extraordinary_contribution, rate.extraordinary_rate).quantize(
        CENT, rounding=ROUND_HALF_UP, context=_EXACT
    )
    # copy_abs: a charge written as -0 would otherwise make the contribution print as -0.00
    return _EXACT.add(secondary, extraordinary).copy_abs()


def _check_decimal(name: str, value: object) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{name} must be finite, not {value}")
    return value


# --- Fragility indices -----------------------------------------------------------------------


def weighted_index(values: np.ndarray, weights: np.ndarray, polarity: np.ndarray) -> np.ndarray:
    """A simple weighted fragility index: min-max scores averaged with weights.

    Parameters
    ----------
    values : ndarray, shape (units, indicators)
        Indicator values per municipality; NaN where missing. Infinities are rejected. Not
        modified.
    weights : ndarray, shape (indicators,)
        One positive, finite weight per indicator; only their ratios matter.
    polarity : ndarray, shape (indicators,)
        +1 when a higher value means a more fragile unit, -1 otherwise.

    Returns
    -------
    ndarray, shape (units,)
        The index, from 0 (least fragile on every indicator) to 100 (most fragile on every
        indicator); NaN for a unit with no value at all.

    Raises
    ------
    ValueError
        If ``values`` is not 2-D or holds an infinity (the message names the cell), the
        weights or the polarity do not have one item per indicator, a weight is not positive
        and finite, a polarity is not +1 or -1, or an indicator's range overflows a float.

    Notes
    -----
    For indicator :math:`j`, with :math:`\\mathrm{Min}_j` and :math:`\\mathrm{Max}_j` taken
    over the units that have a value, the score points the fragile way:

    .. math:: s_{ij} = 100\\,\\frac{x_{ij} - \\mathrm{Min}_j}{\\mathrm{Max}_j - \\mathrm{Min}_j}
              \\quad\\text{or}\\quad
              s_{ij} = 100\\,\\frac{\\mathrm{Max}_j - x_{ij}}{\\mathrm{Max}_j - \\mathrm{Min}_j}

    for polarity +1 or -1, so 100 is the most fragile unit and 0 the least. An indicator
    with the same value in every unit that has it (range 0) tells the units apart in no way
    and scores 50 for each of them. With :math:`A_i` the indicators unit :math:`i` has,

    .. math:: I_i = \\frac{\\sum_{j \\in A_i} w_j\\,s_{ij}}{\\sum_{j \\in A_i} w_j}

    i.e. the weights are renormalised over the indicators present, and :math:`I_i` is NaN
    when :math:`A_i` is empty. This is compensatory (a good score offsets a bad one) and
    renormalising lets the indicators present stand in for a missing one; use
    :func:`composite_index` when neither is acceptable. An indicator no unit has is
    harmless: it enters no unit's mean.

    References
    ----------
    .. [1] OECD and JRC, "Handbook on Constructing Composite Indicators: Methodology and
       User Guide", OECD Publishing (2008), sections 5 (min-max normalisation) and 6
       (linear aggregation), https://doi.org/10.1787/9789264043466-en

    Examples
    --------
    >>> values = np.array([[10.0, 20.0], [6.0, 30.0], [12.0, np.nan]])
    >>> weighted_index(values, np.array([3.0, 1.0]), np.array([1, -1]))
    array([ 75.,   0., 100.])
    """
    x = np.asarray(values)
    if x.ndim != 2:
        raise ValueError(f"values must have shape (units, indicators), not {x.shape}")
    x = x.astype(np.float64, copy=False)
    n_ind = x.shape[1]
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape != (n_ind,):
        raise ValueError(f"weights has {w.size} items but values has {n_ind} indicators")
    bad = np.flatnonzero(~(np.isfinite(w) & (w > 0)))
    if bad.size:
        raise ValueError(
            f"weights must be positive and finite: indicator {bad[0]} has {float(w[bad[0]])!r}"
        )
    sign = _polarity(polarity, n_ind)
    if np.isinf(x).any():
        bad = np.argwhere(np.isinf(x))[0]
        raise ValueError(
            f"values must be finite or NaN (missing): unit {bad[0]}, indicator {bad[1]} is "
            f"{float(x[tuple(bad)])!r}"
        )

    present = ~np.isnan(x)
    has_data = present.any(axis=0)
    # An indicator no unit has gets goalposts 0 and 0 so that nothing below warns; it is
    # masked out of every mean anyway.
    low = np.where(has_data, np.where(present, x, np.inf).min(axis=0), 0.0)
    high = np.where(has_data, np.where(present, x, -np.inf).max(axis=0), 0.0)
    with np.errstate(over="ignore"):  # an overflow is reported just below, by indicator
        span = high - low
    overflow = np.flatnonzero(np.isinf(span))
    if overflow.size:
        j = overflow[0]
        raise ValueError(
            f"indicator {j} goes from {float(low[j])!r} to {float(high[j])!r}: its range "
            "overflows a float; rescale it"
        )
    flat = span == 0
    towards_fragile = np.where(sign > 0, x - low, high - x)
    # Divide before scaling by 100: the ratio is then at most 1 exactly, so no score exceeds
    # 100 by a rounding error.
    score = np.where(flat, 50.0, towards_fragile / np.where(flat, 1.0, span) * 100.0)
    weighted = np.where(present, score * w, 0.0).sum(axis=1)
    weight = np.where(present, w, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = weighted / weight  # 0 / 0 = NaN for a unit with no value
    # A weighted mean of scores in [0, 100] can land an ulp outside it after the sums.
    return np.clip(index, 0.0, 100.0)


def composite_index(values: np.ndarray, polarity: np.ndarray, reference_unit: int) -> np.ndarray:
    """Fragility as the Adjusted Mazziotta-Pareto Index of one year, the reference at 100.

    Parameters
    ----------
    values : ndarray, shape (units, indicators)
        Indicator values per municipality; NaN where missing. Infinities are rejected. Not
        modified.
    polarity : ndarray, shape (indicators,)
        +1 when a higher value means a more fragile unit, -1 otherwise.
    reference_unit : int
        The row that scores 100 (e.g. the metropolitan city, or a median municipality).

    Returns
    -------
    ndarray, shape (units,)
        The index: above 100 means more fragile than the reference. NaN for a unit that
        misses any indicator.

    Raises
    ------
    ValueError
        If ``values`` is not 2-D, and everything :func:`patto.engine.ampi.ampi` rejects: an
        infinity, a polarity that is not +1 or -1 for each indicator, a reference out of
        range or missing a value, an indicator with no value or the same value in every unit.

    Notes
    -----
    ``values`` is read as a panel of one year, shape (units, indicators, 1), and normalised
    as in :func:`patto.engine.ampi.ampi`, :math:`r_{ij} = 100 \\pm 60\\,(x_{ij} -
    \\mathrm{Ref}_j) / (\\mathrm{Max}_j - \\mathrm{Min}_j)`, + for polarity +1, so that every
    :math:`r` grows with fragility. With :math:`M_i`, :math:`S_i` and :math:`cv_i` the mean,
    population standard deviation and coefficient of variation of the unit's :math:`r`,
    the index is

    .. math:: \\mathrm{AMPI}^{+}_i = M_i + S_i\\,cv_i

    the variant for a composite whose increase is bad (poverty, vulnerability, here
    fragility): an unbalanced unit is penalised upwards, i.e. counted as more fragile, since
    a good value on one indicator does not offset a bad one on another. It is
    ``result.mean + result.penalty`` of :func:`~patto.engine.ampi.ampi`, not its ``index``
    (:math:`\\mathrm{AMPI}^{-}`, for well-being). The reference unit has every :math:`r` at
    100, so it scores exactly 100.

    Missing values follow :func:`~patto.engine.ampi.ampi`: the goalposts are taken over the
    values present, and a unit missing any indicator gets NaN, because the AMPI is not
    computed from fewer components (that would let the ones present stand in for the one
    missing); :func:`allocate` then reports it as "no-index". Impute upstream if needed. The
    reference unit itself must have every value.

    References
    ----------
    .. [1] M. Mazziotta and A. Pareto, "Measuring Well-Being Over Time: The Adjusted
       Mazziotta-Pareto Index Versus Other Non-compensatory Indices", Social Indicators
       Research 136(3), 967-976 (2018), https://link.springer.com/10.1007/s11205-017-1577-5
    .. [2] Istat, "Indici compositi per il BES" (methodological note on the BES composite
       indices), https://docplayer.it/amp/2188268-Indici-compositi-per-il-bes.html

    Examples
    --------
    >>> values = np.array([[10.0, 20.0], [6.0, 30.0], [12.0, 10.0], [np.nan, 15.0]])
    >>> np.round(composite_index(values, np.array([1, -1]), reference_unit=0), 4)
    array([100.    ,  65.3846, 125.2   ,      nan])
    """
    x = np.asarray(values)
    if x.ndim != 2:
        raise ValueError(f"values must have shape (units, indicators), not {x.shape}")
    x = x.astype(np.float64, copy=False)
    options = AmpiOptions(reference_unit=reference_unit, base_year_index=0, polarity=polarity)
    result = ampi(x[:, :, np.newaxis], options)
    return (result.mean + result.penalty)[:, 0]


def _polarity(polarity: np.ndarray, n_ind: int) -> np.ndarray:
    sign = np.asarray(polarity, dtype=np.float64).reshape(-1)
    if sign.shape != (n_ind,):
        raise ValueError(f"polarity has {sign.size} items but values has {n_ind} indicators")
    if not np.all((sign == 1) | (sign == -1)):
        raise ValueError("polarity must hold +1 or -1 for each indicator")
    return sign


# --- Allocation ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AllocationRule:
    """A published rule that shares money among fragile municipalities.

    ``total`` is the money to share, in euro with at most 2 decimals. A unit is eligible
    when its index is at or above ``threshold`` (a higher index is more fragile).
    ``population_weight`` :math:`w` mixes the shares: :math:`(1 - w)` by index and :math:`w`
    by population. Every eligible unit gets at least ``floor`` and at most ``cap`` (no cap
    when None), both in euro with at most 2 decimals. Checked on construction (ValueError
    naming the field; TypeError when a sum of money is not a Decimal); ``threshold`` and
    ``population_weight`` are kept as floats.
    """

    total: Decimal
    threshold: float
    population_weight: float
    floor: Decimal = Decimal("0")
    cap: Decimal | None = None

    def __post_init__(self) -> None:
        _check_money("total", self.total)
        _check_money("floor", self.floor)
        if self.cap is not None:
            _check_money("cap", self.cap)
            if self.cap < self.floor:
                raise ValueError(f"cap ({self.cap}) must not be below floor ({self.floor})")
        threshold = float(self.threshold)
        if not math.isfinite(threshold):
            raise ValueError(f"threshold must be finite, not {self.threshold!r}")
        weight = float(self.population_weight)
        if not 0 <= weight <= 1:  # also False for NaN
            raise ValueError(
                f"population_weight must be between 0 and 1, not {self.population_weight!r}"
            )
        object.__setattr__(self, "threshold", threshold)
        object.__setattr__(self, "population_weight", weight)


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """One unit's part of an allocation.

    ``unit`` is the position in the input arrays; ``index`` is None when the unit has none.
    ``reason`` is "eligible", "below-threshold" or "no-index". ``share`` is the combined share
    before floors and caps (0 when not eligible); ``amount`` is in euro with 2 decimals.
    ``floored`` and ``capped`` tell that the floor or the cap binds: the unit's share of the
    money would have been below the floor or above the cap.
    """

    unit: int
    index: float | None
    population: int
    eligible: bool
    reason: str
    share: float
    amount: Decimal
    floored: bool
    capped: bool


@dataclass(frozen=True, slots=True)
class Allocation:
    """The lines, one per unit in input order, and what was and was not allocated.

    ``allocated`` is the exact sum of the amounts and ``unallocated`` is ``total -
    allocated``, non-zero only when nobody is eligible or every eligible unit with a
    positive share is capped.
    """

    lines: tuple[AllocationLine, ...]
    allocated: Decimal
    unallocated: Decimal


def allocate(
    index: Sequence[float] | np.ndarray,
    population: Sequence[int] | np.ndarray,
    rule: AllocationRule,
) -> Allocation:
    """Share the rule's total among eligible units, with floors and caps, exact to the cent.

    Parameters
    ----------
    index : sequence of float, shape (units,)
        The fragility index of each unit (higher is more fragile); NaN when it has none.
        Infinities are rejected.
    population : sequence of int, shape (units,)
        Each unit's population, non-negative integers (integral floats are accepted).
    rule : AllocationRule
        Total, threshold, population weight, floor and cap.

    Returns
    -------
    Allocation
        One line per unit in input order; ``allocated + unallocated == rule.total``.

    Raises
    ------
    ValueError
        If the lengths differ, an index is infinite, a population is negative or not an
        integer, an eligible unit has a negative index (possible only with a threshold below
        0), the eligible units' indices add up to 0 while :math:`w < 1` or their population
        adds up to 0 while :math:`w > 0` (the shares are then undefined), or the floors
        cannot all be met (the message says by how much).

    Notes
    -----
    **Eligibility.** Unit :math:`i` is eligible when its index :math:`I_i` is a number and
    :math:`I_i \\ge` ``threshold``. The index must then be non-negative, or its share would
    be; an eligible index of 0 is allowed and gets no index share. Indices from
    :func:`weighted_index` (0 to 100) and :func:`composite_index` (around 100) are
    non-negative.

    **Shares.** Over the set :math:`E` of eligible units, with :math:`P_i` the population,

    .. math:: s_i = (1 - w)\\,\\frac{I_i}{\\sum_{k \\in E} I_k}
              + w\\,\\frac{P_i}{\\sum_{k \\in E} P_k}

    so the shares add up to 1. They, and everything up to the cents, are computed in exact
    rational arithmetic (every float is a binary fraction), so no rounding error can break a
    tie, an order, a floor or a cap.

    **Floors and caps.** With :math:`T` the total, :math:`f` the floor and :math:`c` the cap,
    the amounts are

    .. math:: a_i = \\min(\\max(\\lambda s_i, f), c)

    with the level :math:`\\lambda` such that :math:`\\sum_{i \\in E} a_i = T`: units whose
    share of the money falls below the floor get the floor, those above the cap get the
    cap, and what remains is shared among the others in proportion to their shares. If even
    with every unit with :math:`s_i > 0` at the cap (and each unit with :math:`s_i = 0` at the
    floor, which is all it can get) the sum stays below :math:`T`, that is the allocation
    and the rest is ``unallocated``. If :math:`|E|\\,f > T` there is no allocation and a
    ValueError says how much is missing.

    It is reached by iteration. Units with :math:`s_i = 0` are fixed at the floor first.
    Then, with :math:`F` the units not yet fixed and :math:`R` the money not yet assigned,
    each round sets :math:`\\lambda = R / \\sum_{i \\in F} s_i`, and finds the units of
    :math:`F` below the floor (:math:`B`, deficit :math:`D = \\sum_B (f - \\lambda s_i)`) and
    above the cap (:math:`A`, excess :math:`X = \\sum_A (\\lambda s_i - c)`). If both are
    empty, the units of :math:`F` get :math:`\\lambda s_i` and the iteration stops. Otherwise,
    if :math:`A` is not empty and :math:`X \\ge D`, the units of :math:`A` are fixed at the
    cap; else those of :math:`B` are fixed at the floor; and the next round redistributes
    what remains. When :math:`F` runs empty, :math:`R` is the money left over.

    Fixing only one side per round is what keeps every fix final. Let
    :math:`G(\\mu) = \\sum_F \\min(\\max(\\mu s_i, f), c)`, non-decreasing in :math:`\\mu`;
    :math:`G(\\lambda) = R - X + D`. If :math:`X \\ge D`, :math:`G(\\lambda) \\le R`, so the
    solution level is at least :math:`\\lambda` and the units of :math:`A` are capped there
    too; if :math:`D > X`, :math:`G(\\lambda) > R`, so the solution level is below
    :math:`\\lambda` and the units of :math:`B` get the floor there too. (The clamped amounts
    are the same at every solution level, so "the solution" is well defined.) Fixing both
    sides at once can go wrong either way: with shares 0.7, 0.15, 0.15, :math:`T = 100`,
    :math:`f = 20`, :math:`c = 40` it would give 40, 20, 20 and leave 20 unallocated, where
    the rule gives 40, 30, 30; with shares 0.45, 0.35, 0.2 and :math:`f = 30` (:math:`T` and
    :math:`c` as before) it would cap the first unit, which gets 39.375 once the third has
    its floor. The invariant
    :math:`R \\ge |F|\\,f` holds throughout (a floor round takes :math:`f` per unit fixed; a
    cap round leaves :math:`R' = X + \\sum_{F \\setminus A} \\lambda s_i \\ge D + \\sum_{F
    \\setminus A} \\lambda s_i \\ge |F \\setminus A|\\,f`), so no round overspends.

    Termination: each round that does not stop fixes at least one unit for good, so there
    are at most :math:`|E| + 1` rounds, each linear in :math:`|E|`.

    **Cents.** All amounts are now exact rationals adding up to :math:`T - U` (:math:`U` the
    unallocated money, a whole number of cents as it is :math:`T` less floors and caps).
    They are rounded to cents by the largest-remainder (Hamilton) method: every amount is
    rounded down to the cent, and the :math:`k` cents missing from :math:`T - U` go one each
    to the units with the largest remainders, ties broken by unit order (the lower position
    first), so the result is deterministic and the amounts add up exactly. Since the
    remainders are each below one cent and add up to :math:`k` cents, at least :math:`k`
    units have a positive remainder, so only units strictly between two whole cents are
    rounded up: an amount at the floor or the cap (whole cents) is never moved, and one
    rounded up from strictly below the cap stays at or below it.

    References
    ----------
    .. [1] M. L. Balinski and H. P. Young, "Fair Representation: Meeting the Ideal of One
       Man, One Vote", 2nd ed., Brookings Institution Press (2001): Hamilton's method of
       largest remainders.
    .. [2] Città metropolitana di Bologna, regulation of the Fondo perequativo
       metropolitano (2021), reported at
       https://www.reggio2000.it/2021/05/26/piano-territoriale-metropolitano-approvato-oggi-dal-consiglio-il-regolamento-per-la-gestione-del-fondo-perequativo/

    Examples
    --------
    >>> rule = AllocationRule(total=Decimal("1000.00"), threshold=30.0, population_weight=0.5)
    >>> result = allocate([60.0, 30.0, 10.0, float("nan")], [1000, 3000, 500, 200], rule)
    >>> for line in result.lines:
    ...     print(line.unit, line.reason, f"{line.share:.4f}", line.amount)
    0 eligible 0.4583 458.33
    1 eligible 0.5417 541.67
    2 below-threshold 0.0000 0.00
    3 no-index 0.0000 0.00
    >>> result.allocated, result.unallocated
    (Decimal('1000.00'), Decimal('0.00'))
    """
    values = np.asarray(index, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"index must be one-dimensional, not of shape {values.shape}")
    people = _population(population)
    if len(people) != values.size:
        raise ValueError(f"index has {values.size} items but population has {len(people)}")
    if np.isinf(values).any():
        unit = int(np.flatnonzero(np.isinf(values))[0])
        raise ValueError(
            f"index must be finite or NaN (no index): unit {unit} is {float(values[unit])!r}"
        )

    indices = [float(v) for v in values]
    eligible = [
        u for u, v in enumerate(indices) if not math.isnan(v) and v >= rule.threshold
    ]
    for u in eligible:
        if indices[u] < 0:
            raise ValueError(
                f"unit {u} is eligible with a negative index ({indices[u]!r}), which would get "
                f"a negative share: raise the threshold ({rule.threshold!r}) to 0 or more, or "
                "shift the index"
            )

    total = _cents(rule.total)
    floor = _cents(rule.floor)
    cap = None if rule.cap is None else _cents(rule.cap)
    needed = len(eligible) * floor
    if needed > total:
        raise ValueError(
            f"the floor of {_euro(floor)} for each of the {len(eligible)} eligible units "
            f"needs {_euro(needed)}, {_euro(needed - total)} more than the total of "
            f"{_euro(total)}: lower the floor or the number of eligible units, or raise the total"
        )

    shares = _shares(eligible, indices, people, rule.population_weight)
    exact, floored, capped, unallocated = _floors_and_caps(
        [shares[u] for u in eligible], Fraction(total), floor, cap
    )
    cents = _largest_remainder(exact, total - unallocated)
    by_unit = {u: k for k, u in enumerate(eligible)}

    lines = []
    for u, value in enumerate(indices):
        line = {"unit": u, "index": None if math.isnan(value) else value, "population": people[u]}
        k = by_unit.get(u)
        if k is None:
            reason = "no-index" if math.isnan(value) else "below-threshold"
            lines.append(AllocationLine(**line, eligible=False, reason=reason, share=0.0,
                                        amount=_euro(0), floored=False, capped=False))
        else:
            lines.append(AllocationLine(**line, eligible=True, reason="eligible",
                                        share=float(shares[u]), amount=_euro(cents[k]),
                                        floored=floored[k], capped=capped[k]))
    allocated = sum(cents)
    return Allocation(
        lines=tuple(lines), allocated=_euro(allocated), unallocated=_euro(total - allocated)
    )


def _check_money(name: str, value: object) -> None:
    value = _check_decimal(name, value)
    if value < 0:
        raise ValueError(f"{name} must not be negative, not {value}")
    if value != value.quantize(CENT, context=_EXACT):
        raise ValueError(f"{name} must be in euro with at most 2 decimals, not {value}")


def _cents(amount: Decimal) -> int:
    return int(_EXACT.multiply(amount, 100))


def _euro(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2, context=_EXACT)


def _population(population: Sequence[int] | np.ndarray) -> list[int]:
    counts = np.asarray(population)
    if counts.ndim != 1:
        raise ValueError(f"population must be one-dimensional, not of shape {counts.shape}")
    if counts.size and counts.dtype.kind not in "iuf":
        raise ValueError(f"population must hold integers, not {counts.dtype}")
    if counts.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(counts) | (counts != np.round(counts)))
        if bad.size:
            raise ValueError(
                f"population must hold integers: unit {bad[0]} has {float(counts[bad[0]])!r}"
            )
    people = [int(p) for p in counts.tolist()]
    for u, p in enumerate(people):
        if p < 0:
            raise ValueError(f"population must not be negative: unit {u} has {p}")
    return people


def _shares(
    eligible: list[int], indices: list[float], people: list[int], population_weight: float
) -> dict[int, Fraction]:
    if not eligible:
        return {}
    w = Fraction(population_weight)
    by_index = {u: Fraction(0) for u in eligible}
    by_population = {u: Fraction(0) for u in eligible}
    if w < 1:
        index_sum = sum(Fraction(indices[u]) for u in eligible)
        if index_sum == 0:
            raise ValueError(
                "the eligible units' indices add up to 0, so they give no index shares: raise "
                "the threshold above 0 or set population_weight to 1"
            )
        by_index = {u: Fraction(indices[u]) / index_sum for u in eligible}
    if w > 0:
        population_sum = sum(people[u] for u in eligible)
        if population_sum == 0:
            raise ValueError(
                f"the eligible units have no population, so population_weight "
                f"{population_weight!r} shares nothing: set it to 0 or fill the population"
            )
        by_population = {u: Fraction(people[u], population_sum) for u in eligible}
    return {u: (1 - w) * by_index[u] + w * by_population[u] for u in eligible}


def _floors_and_caps(
    shares: list[Fraction], total: Fraction, floor: int, cap: int | None
) -> tuple[list[Fraction], list[bool], list[bool], int]:
    """Clamp ``level * share`` to [floor, cap] with the level that spends ``total``.

    Amounts in cents. Returns the exact amounts, which bind at the floor or the cap, and the
    money left over (whole cents). The algorithm and why it ends are in :func:`allocate`.
    """
    amounts = [Fraction(0)] * len(shares)
    floored = [False] * len(shares)
    capped = [False] * len(shares)
    remaining = total
    free = []
    for k, share in enumerate(shares):
        if share == 0:
            # Whatever the level, 0 * level is below the floor: the floor is all it can get.
            amounts[k] = Fraction(floor)
            floored[k] = floor > 0
            remaining -= floor
        else:
            free.append(k)
    while free:
        level = remaining / sum(shares[k] for k in free)
        below = [k for k in free if level * shares[k] < floor]
        above = [] if cap is None else [k for k in free if level * shares[k] > cap]
        if not below and not above:
            for k in free:
                amounts[k] = level * shares[k]
            return amounts, floored, capped, 0
        deficit = sum((floor - level * shares[k] for k in below), Fraction(0))
        if cap is not None and above and sum(level * shares[k] - cap for k in above) >= deficit:
            fixed, bound, flags = above, cap, capped
        else:
            fixed, bound, flags = below, floor, floored
        for k in fixed:
            amounts[k] = Fraction(bound)
            flags[k] = True
        remaining -= len(fixed) * bound
        fixed_set = set(fixed)
        free = [k for k in free if k not in fixed_set]
    # Every unit with a positive share is capped: what remains is whole cents, as it is the
    # total less floors and caps.
    assert remaining.denominator == 1
    return amounts, floored, capped, int(remaining)


def _largest_remainder(amounts: list[Fraction], target: int) -> list[int]:
    """Whole cents adding up to ``target`` (the exact sum of ``amounts``), by Hamilton's method."""
    whole = [math.floor(a) for a in amounts]
    missing = target - sum(whole)
    # Largest remainder first; among equal remainders the lower position, so that the result
    # does not depend on how the sort treats ties.
    order = sorted(range(len(amounts)), key=lambda k: (-(amounts[k] - whole[k]), k))
    for k in order[:missing]:
        whole[k] += 1
    return whole
