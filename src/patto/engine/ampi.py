"""Adjusted Mazziotta-Pareto Index (AMPI): a non-compensatory composite index over units and years.

The normalisation and aggregation that ISTAT uses for the composite indices of its BES report
(Benessere equo e sostenibile) and ASviS for its SDG composites. Arrays in, a result dataclass
out; no file, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class AmpiOptions:
    """Where 100 lies and which way each indicator points.

    ``reference_unit`` is the index of the unit (e.g. the metropolitan city or the country)
    whose values in the year of index ``base_year_index`` score 100. ``polarity`` holds +1 for
    an indicator whose increase improves the phenomenon and -1 otherwise. The polarity is kept
    as a read-only copy.
    """

    reference_unit: int
    base_year_index: int
    polarity: np.ndarray

    def __post_init__(self) -> None:
        polarity = np.array(self.polarity, dtype=np.float64).reshape(-1)
        if not np.all((polarity == 1) | (polarity == -1)):
            raise ValueError("polarity must hold +1 or -1 for each indicator")
        polarity.setflags(write=False)
        object.__setattr__(self, "polarity", polarity)


@dataclass(frozen=True, slots=True)
class AmpiResult:
    """The composite index and its parts.

    ``index`` and ``mean``, ``std``, ``cv``, ``penalty`` have shape (units, years);
    ``normalised`` has shape (units, indicators, years).
    """

    index: np.ndarray
    normalised: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    cv: np.ndarray
    penalty: np.ndarray


def ampi(values: np.ndarray, options: AmpiOptions) -> AmpiResult:
    """Compute the Adjusted Mazziotta-Pareto Index of every unit in every year.

    Parameters
    ----------
    values : ndarray, shape (units, indicators, years)
        Indicator values; NaN where missing. Infinities are rejected. Not modified.
    options : AmpiOptions
        The reference unit and base year that score 100, and each indicator's polarity.

    Returns
    -------
    AmpiResult
        ``index`` (the AMPI with the penalty subtracted), ``normalised`` (the r values),
        and the per-unit, per-year ``mean``, ``std``, ``cv`` and ``penalty`` of the r values.

    Raises
    ------
    ValueError
        If ``values`` is not 3-D or holds an infinity (the message names the cell), the
        polarity does not have one item per indicator, the reference unit or base year is out
        of range, the reference unit has no value for an indicator in the base year, or an
        indicator has no data or the same value everywhere (its range is 0).

    Notes
    -----
    For indicator :math:`j`, the goalposts are the minimum and maximum over all units and
    years, :math:`\\mathrm{Min}_j` and :math:`\\mathrm{Max}_j`, and the reference is
    :math:`\\mathrm{Ref}_j`, the reference unit's value in the base year. Each value is
    normalised as

    .. math:: r_{ijt} = 100 \\pm 60\\,\\frac{x_{ijt} - \\mathrm{Ref}_j}
              {\\mathrm{Max}_j - \\mathrm{Min}_j}

    with + for positive and - for negative polarity, so the reference scores 100 and every
    value falls between 70 and 130 when the reference lies midway (always within 40 and 160).
    With :math:`M_{it}` the mean and :math:`S_{it}` the population standard deviation (divisor
    :math:`m`, the number of indicators) of :math:`r_{i\\cdot t}`, and
    :math:`cv_{it} = S_{it} / M_{it}`,

    .. math:: \\mathrm{AMPI}^{-}_{it} = M_{it} - S_{it}\\,cv_{it}

    which is the index returned, for a composite whose increase is good (well-being,
    sustainable development): an unbalanced unit is penalised downwards. The superscript is the
    sign of the penalty, as in [1]_ (Compind's ``penalty="NEG"``). For a composite whose
    increase is bad (poverty, vulnerability) the AMPI adds the penalty instead,
    :math:`\\mathrm{AMPI}^{+} = M_{it} + S_{it}\\,cv_{it}`, which is
    ``result.mean + result.penalty``.

    Missing values: the goalposts are taken over the values present; a missing component
    makes the unit's mean, standard deviation, penalty and index NaN in that year. The index
    is not computed from the components present, because a mean over fewer components would
    silently let the others stand in for the missing one, which the non-substitutability that
    the AMPI is built on rules out; impute upstream if needed. This is also what the Compind
    reference implementation does (NA propagates, with a warning).

    With one indicator the index is its r value (no penalty).

    References
    ----------
    .. [1] M. Mazziotta and A. Pareto, "Measuring Well-Being Over Time: The Adjusted
       Mazziotta-Pareto Index Versus Other Non-compensatory Indices", Social Indicators
       Research 136(3), 967-976 (2018), https://link.springer.com/10.1007/s11205-017-1577-5
    .. [2] M. Mazziotta and A. Pareto, "Methods for Constructing Non-Compensatory Composite
       Indices: A Comparative Study", Forum for Social Economics 45(2-3), 213-229 (2016),
       https://EconPapers.repec.org/RePEc:taf:fosoec:v:45:y:2016:i:2-3:p:213-229
    .. [3] P. Massoli, M. Mazziotta, A. Pareto and C. Rinaldelli (Istat), "Metodologie di
       sintesi sperimentali per i domini del BES", XXXIV Conferenza italiana di scienze
       regionali, https://docplayer.it/132052393-Metodologie-di-sintesi-sperimentali-per-i-domini-del-bes.html
    .. [4] F. Vidoli and others, Compind (CRAN R package), ``ci_ampi``,
       https://github.com/cran/Compind/blob/5603eecc05831564f2c8ea9295ffd60b0a43b9d8/R/ci_ampi.R
    .. [5] Istat, "Indici compositi per il BES" (methodological note on the BES composite
       indices), https://docplayer.it/amp/2188268-Indici-compositi-per-il-bes.html

    Examples
    --------
    >>> values = np.array([[[10.0, 14.0], [20.0, 15.0]],
    ...                    [[6.0, 8.0], [30.0, 25.0]],
    ...                    [[12.0, 16.0], [10.0, 20.0]]])
    >>> result = ampi(values, AmpiOptions(0, 0, np.array([1, -1])))
    >>> result.index[0, 0]
    np.float64(100.0)
    >>> np.round(result.index, 3)
    array([[100.   , 119.331],
           [ 72.877,  86.474],
           [120.331, 115.254]])
    """
    x = np.asarray(values)
    if x.ndim != 3:
        raise ValueError(f"values must have shape (units, indicators, years), not {x.shape}")
    x = x.astype(np.float64, copy=False)
    n_units, n_ind, n_years = x.shape
    if options.polarity.shape != (n_ind,):
        raise ValueError(
            f"polarity has {options.polarity.size} items but values has {n_ind} indicators"
        )
    if not 0 <= options.reference_unit < n_units:
        raise ValueError(
            f"reference_unit {options.reference_unit} is out of range for {n_units} units"
        )
    if not 0 <= options.base_year_index < n_years:
        raise ValueError(
            f"base_year_index {options.base_year_index} is out of range for {n_years} years"
        )
    if np.isinf(x).any():
        bad = np.argwhere(np.isinf(x))[0]
        raise ValueError(
            f"values must be finite or NaN (missing): unit {bad[0]}, indicator {bad[1]}, "
            f"year index {bad[2]} is {x[tuple(bad)]!r}"
        )
    present = ~np.isnan(x)
    empty = np.flatnonzero(~present.any(axis=(0, 2)))
    if empty.size:
        raise ValueError(f"indicator {empty[0]} has no value in any unit or year")
    low = np.nanmin(x, axis=(0, 2))
    high = np.nanmax(x, axis=(0, 2))
    flat = np.flatnonzero(high == low)
    if flat.size:
        raise ValueError(
            f"indicator {flat[0]} has the same value ({low[flat[0]]!r}) in every unit and year: "
            "its range is 0, so it cannot be normalised; leave it out"
        )
    ref = x[options.reference_unit, :, options.base_year_index]
    missing_ref = np.flatnonzero(np.isnan(ref))
    if missing_ref.size:
        raise ValueError(
            f"the reference unit {options.reference_unit} has no value for indicator "
            f"{missing_ref[0]} in the base year (index {options.base_year_index}); pick "
            "another reference or base year, or fill the value"
        )

    scale = (60.0 * options.polarity / (high - low))[None, :, None]
    normalised = x - ref[None, :, None]
    normalised *= scale
    normalised += 100.0
    mean = normalised.mean(axis=1)
    std = normalised.std(axis=1)  # population standard deviation, as in the method
    cv = std / mean
    penalty = std * cv
    return AmpiResult(
        index=mean - penalty,
        normalised=normalised,
        mean=mean,
        std=std,
        cv=cv,
        penalty=penalty,
    )
