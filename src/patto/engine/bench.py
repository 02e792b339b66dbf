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


def pandas_baseline(panel: Panel, units: int) -> object:
    """The same method the straightforward way: a long table, group by, apply per series."""
    import pandas as pd

    u, i, y = np.meshgrid(np.arange(units), np.arange(panel.values.shape[1]), panel.years,
                          indexing="ij")
    frame = pd.DataFrame({"unit": u.ravel(), "indicator": i.ravel(), "year": y.ravel(),
                          "value": panel.values[:units].ravel()}).dropna()

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


def process_peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
