"""The benchmark's pandas baselines compute the engine's method, so its ratios compare like
with like."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from patto.engine import bench
from patto.engine.progress import NOT_ENOUGH_DATA, STATUSES, assess_panel

pytest.importorskip("pandas")


def random_panel(seed: int, units: int = 40, indicators: int = 15, years: int = 8) -> bench.Panel:
    """A small panel with what the synthetic one lacks: gaps that leave one or no year,
    negative values, sign changes, zero bases, targets already reached, on the other side of
    zero, or equal to zero."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(1, 100, size=(units, indicators, years))
    values[rng.random(values.shape) < 0.1] *= -1
    values[rng.random(values.shape) < 0.03] = 0.0
    values[rng.random(values.shape) < 0.35] = np.nan
    values[0, 0] = np.nan           # a cell with no value at all
    values[1, 0, 1:] = np.nan       # a cell with one year only
    directions = np.where(rng.random(indicators) < 0.5, 1, -1).astype(np.int8)
    targets = rng.uniform(-20, 150, size=indicators)
    targets[rng.random(indicators) < 0.3] = np.nan
    targets[-1] = 0.0
    return bench.Panel(values=values, years=np.arange(2015, 2015 + years),
                       directions=directions, targets=targets,
                       target_years=np.full(indicators, 2030),
                       goals=(np.arange(indicators) % 17) + 1)


def engine_cells(panel: bench.Panel):
    return assess_panel(panel.values, panel.years, panel.directions.astype(np.float64),
                        targets=panel.targets, target_years=panel.target_years)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_pandas_gives_the_engine_statuses_and_scores(seed):
    panel = random_panel(seed)
    units = panel.values.shape[0]
    engine = engine_cells(panel)
    frame = bench.pandas_vectorised(panel, units)
    u = frame.index.get_level_values("unit").to_numpy()
    i = frame.index.get_level_values("indicator").to_numpy()
    # Every status occurs, so each rule of the method is compared.
    assert set(frame["status"]) == set(range(len(STATUSES)))
    assert_array_equal(frame["status"].to_numpy(), engine.status_code[u, i])
    assert_allclose(frame["score"].to_numpy(), engine.score[u, i], rtol=1e-9, atol=1e-12)
    # Cells left out of the long table are those without any value.
    left_out = np.ones(engine.score.shape, dtype=bool)
    left_out[u, i] = False
    assert np.all(np.isnan(panel.values[left_out]))
    assert np.all(engine.status_code[left_out] == NOT_ENOUGH_DATA)


def test_vectorised_pandas_runs_on_the_first_units_only():
    panel = random_panel(4)
    frame = bench.pandas_vectorised(panel, 7)
    assert set(frame.index.get_level_values("unit")) == set(range(7))


def test_apply_baseline_gives_the_engine_scores_on_the_synthetic_panel():
    panel = bench.synthetic_panel(units=12, indicators=10, years=6)
    scores = bench.pandas_baseline(panel, 12)
    engine = engine_cells(panel)
    u = scores.index.get_level_values("unit").to_numpy()
    i = scores.index.get_level_values("indicator").to_numpy()
    assert_allclose(scores.to_numpy(dtype=float), engine.score[u, i], rtol=1e-12)


def test_vectorised_pandas_gives_the_engine_statuses_on_the_synthetic_panel():
    panel = bench.synthetic_panel(units=30, indicators=20, years=10)
    frame = bench.pandas_vectorised(panel, 30)
    engine = engine_cells(panel)
    u = frame.index.get_level_values("unit").to_numpy()
    i = frame.index.get_level_values("indicator").to_numpy()
    assert_array_equal(frame["status"].to_numpy(), engine.status_code[u, i])
    assert_allclose(frame["score"].to_numpy(), engine.score[u, i], rtol=1e-9)
