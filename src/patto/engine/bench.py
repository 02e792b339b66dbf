"""Synthetic data and timings for `patto bench monitoring`: the panel engine against pandas.

Pure computation and timing, no Django: the command prints what these functions measure.
"""

from __future__ import annotations

import gc
import resource
import time
import tracemalloc
from dataclasses import dataclass

import numpy as np

from .ampi import AmpiOptions, ampi
from .progress import ProgressOptions, assess_panel, assess_series


@dataclass(frozen=True)
class Panel:
    values: np.ndarray      # (units, indicators, years)
    years: np.ndarray
    directions: np.ndarray  # (indicators,)
    targets: np.ndarray     # (indicators,) NaN where none
    target_years: np.ndarray
    goals: np.ndarray       # (indicators,) SDG goal 1..17 of each indicator


def synthetic_panel(units: int = 7900, indicators: int = 300, years: int = 20,
                    seed: int = 2021, missing: float = 0.05) -> Panel:
    """A national-like panel: a level per unit and indicator, a trend, noise, some gaps."""
    rng = np.random.default_rng(seed)
    year_axis = np.arange(2025 - years, 2025)
    values = np.empty((units, indicators, years), dtype=np.float64)
    level = rng.uniform(10, 100, size=(units, indicators, 1))
    trend = rng.normal(0.01, 0.02, size=(1, indicators, 1))
    steps = np.arange(years, dtype=np.float64).reshape(1, 1, years)
    np.multiply(level, np.power(1.0 + trend, steps), out=values)
    values *= rng.normal(1.0, 0.01, size=(units, indicators, years))
    gaps = rng.random(values.shape) < missing
    gaps[0] = False  # the reference unit (like the metropolitan city) has every value
    values[gaps] = np.nan
    del gaps
    directions = np.where(rng.random(indicators) < 0.7, 1, -1).astype(np.int8)
    targets = np.where(rng.random(indicators) < 0.5,
                       np.nanmean(values[:, :, -1], axis=0) * (1 + 0.2 * directions), np.nan)
    return Panel(values=values, years=year_axis, directions=directions, targets=targets,
                 target_years=np.full(indicators, 2030), goals=(np.arange(indicators) % 17) + 1)


@dataclass(frozen=True)
class Timing:
    seconds: float
    peak_bytes: int


def timed(func, *args, **kwargs) -> tuple[object, Timing]:
    """Run once, measuring wall time and the peak of memory traced during the call."""
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    result = func(*args, **kwargs)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, Timing(seconds, peak)


class Laps:
    """Time per phase of a run: each ``lap(name)`` adds the time since the previous lap (or
    since the start) to ``name``, so that phases met many times (a file read, then parsed,
    150 times) add up. ``seconds`` holds wall time, ``cpu`` this process's processor time
    (steadier on a busy machine; a database server's work is not in it), both keeping the
    phases in the order first met."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._last = time.perf_counter()
        self._last_cpu = time.process_time()

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._last
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu - self._last_cpu
        self._last, self._last_cpu = now, cpu


def engine_full(panel: Panel) -> dict:
    """Assess every unit and indicator, and index every goal by AMPI over units and years."""
    result = assess_panel(panel.values, panel.years, panel.directions.astype(np.float64),
                          targets=panel.targets, target_years=panel.target_years)
    indices = {}
    for goal in np.unique(panel.goals):
        members = np.flatnonzero(panel.goals == goal)
        indices[int(goal)] = ampi(panel.values[:, members, :], AmpiOptions(
            reference_unit=0, base_year_index=0,
            polarity=panel.directions[members].astype(np.float64))).index
    return {"scores": result.score, "indices": indices}


def engine_assess(panel: Panel) -> object:
    """Only the assessment of every unit and indicator: what the pandas baselines compute."""
    return assess_panel(panel.values, panel.years, panel.directions.astype(np.float64),
                        targets=panel.targets, target_years=panel.target_years)


def long_frame(panel: Panel, units: int) -> object:
    """The first ``units`` units of the panel as pandas users hold such data: one row per
    (unit, indicator, year) with a value, sorted by unit, indicator and year."""
    import pandas as pd

    u, i, y = np.meshgrid(np.arange(units), np.arange(panel.values.shape[1]), panel.years,
                          indexing="ij")
    return pd.DataFrame({"unit": u.ravel(), "indicator": i.ravel(), "year": y.ravel(),
                         "value": panel.values[:units].ravel()}).dropna()


def pandas_baseline(panel: Panel, units: int) -> object:
    """The engine's own per-series function called for each group: a long table, group by,
    apply. It flatters the engine, since Python runs once per series."""
    frame = long_frame(panel, units)

    def one(group):
        k = int(group["indicator"].iloc[0])
        target = panel.targets[k]
        options = ProgressOptions(
            direction="positive" if panel.directions[k] > 0 else "negative",
            target=None if np.isnan(target) else float(target),
            target_year=int(panel.target_years[k]) if not np.isnan(target) else None)
        return assess_series(group["year"].to_numpy(), group["value"].to_numpy(),
                             options).score

    return frame.groupby(["unit", "indicator"], sort=False)[["indicator", "year", "value"]] \
        .apply(one)


def pandas_vectorised(panel: Panel, units: int) -> object:
    """The same method as a fair pandas program would write it, with no Python per series.

    Base and latest year and value of each (unit, indicator) come from group-wise first and
    last (cythonised in pandas); the Open SDG rules (target achieved, too few years, zero base,
    sign changes, the ratio to the required growth with a target, the growth thresholds
    without) are then whole-column operations. It covers what the benchmark's panel needs
    (every year in the window, no natural limit), so it is the engine's method on that panel.

    Returns
    -------
    pandas.DataFrame
        Indexed by (unit, indicator) for the cells with at least one value; columns
        ``status`` (an index into :data:`patto.engine.progress.STATUSES`) and ``score``
        (NaN without enough data).
    """
    import pandas as pd

    from .progress import (
        DETERIORATION,
        GROWTH_THRESHOLDS,
        LIMITED,
        MODERATE,
        NOT_ENOUGH_DATA,
        RATIO_THRESHOLDS,
        SUBSTANTIAL,
        TARGET_ACHIEVED,
    )

    frame = long_frame(panel, units)
    ends = frame.groupby(["unit", "indicator"], sort=False).agg(
        t0=("year", "first"), y0=("value", "first"), ti=("year", "last"),
        yi=("value", "last"))
    k = ends.index.get_level_values("indicator").to_numpy()
    t0, y0 = ends["t0"].to_numpy(np.float64), ends["y0"].to_numpy()
    ti, yi = ends["ti"].to_numpy(np.float64), ends["yi"].to_numpy()
    d = panel.directions[k].astype(np.float64)
    target, target_year = panel.targets[k], panel.target_years[k].astype(np.float64)
    with np.errstate(all="ignore"):
        has_target = ~np.isnan(target)
        s = np.sign(y0)
        achieved = has_target & np.where(d > 0, yi >= target, yi <= target)
        measurable = (ti > t0) & (y0 != 0) & (s * np.sign(yi) >= 0)
        observed = (yi / y0) ** (1 / (ti - t0)) - 1
        with_target = measurable & has_target & (np.sign(target) * s >= 0) & (target_year > t0)
        required = (target / y0) ** (1 / (target_year - t0)) - 1
        ratio = s * d * observed / np.abs(required)
        v = s * d * observed
        trend = measurable & ~has_target
        status = np.select(
            [achieved, with_target & (required == 0),
             with_target & (ratio >= RATIO_THRESHOLDS[0]),
             with_target & (ratio >= RATIO_THRESHOLDS[1]), with_target & (ratio >= 0),
             with_target, trend & (v >= GROWTH_THRESHOLDS[0]),
             trend & (v >= GROWTH_THRESHOLDS[1]), trend & (v >= 0), trend],
            [TARGET_ACHIEVED, DETERIORATION, SUBSTANTIAL, MODERATE, LIMITED, DETERIORATION,
             SUBSTANTIAL, MODERATE, LIMITED, DETERIORATION],
            NOT_ENOUGH_DATA)
        # Open SDG's scores: linear in R with a target, in v without, both from -5 to +5.
        score = np.select(
            [achieved, with_target & (required == 0), with_target & (ratio >= 0.6),
             with_target, trend & (v < 0), trend & (v >= GROWTH_THRESHOLDS[0]),
             trend & (v >= GROWTH_THRESHOLDS[1]), trend],
            [5.0, -5.0, np.minimum(5.0, (ratio - 0.6) * 5 / 0.7),
             np.maximum(-5.0, (ratio - 0.6) * 5 / 1.2), np.maximum(-5.0, 125 * v - 2.5),
             np.minimum(5.0, 500 * v - 5), 250 * v - 1.25, 500 * v - 2.5],
            np.nan)
    return pd.DataFrame({"status": status.astype(np.int8), "score": score}, index=ends.index)


def process_peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
