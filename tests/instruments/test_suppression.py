"""Small-cell suppression (patto.engine.suppression): primary cells, secondary cells, and no
hidden value recoverable from the published cells and totals, checked by linear algebra."""

from __future__ import annotations

import random

import numpy as np
import pytest

from patto.engine.suppression import exposed, suppress


def recoverable(result) -> set[tuple[int, int]]:
    """Hidden cells that the published values fix exactly, found by linear algebra alone.

    Unknowns are the hidden cells; equations are every row and column of the grid with its
    margin (cells sum to the total). A hidden cell is fixed when its unit vector lies in the
    row space of the equations' matrix.
    """
    grid, hidden = result.grid, sorted(result.hidden)
    if not hidden:
        return set()
    index = {cell: n for n, cell in enumerate(hidden)}
    rows, columns = len(grid), len(grid[0])
    equations = []
    for i in range(rows):  # row i: inner cells minus its total
        line = np.zeros(len(hidden))
        for j in range(columns):
            if (i, j) in index:
                line[index[(i, j)]] = -1 if j == columns - 1 else 1
        equations.append(line)
    for j in range(columns):
        line = np.zeros(len(hidden))
        for i in range(rows):
            if (i, j) in index:
                line[index[(i, j)]] = -1 if i == rows - 1 else 1
        equations.append(line)
    matrix = np.array(equations)
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for cell, n in index.items():
        unit = np.zeros(len(hidden))
        unit[n] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(cell)
    return found


def test_cells_under_the_threshold_are_hidden_and_others_shown():
    result = suppress([[20, 30], [40, 50]])
    assert result.hidden == set()
    assert result.grid == [[20, 30, 50], [40, 50, 90], [60, 80, 140]]
    assert result.shown() == result.grid


def test_a_lone_small_cell_takes_secondary_cells_in_its_row_and_column():
    result = suppress([[3, 10, 12], [9, 11, 14]])
    assert result.primary == {(0, 0)}
    assert (0, 0) in result.hidden and len(result.secondary) >= 3
    # Its row total minus the other published cells would give it away otherwise.
    assert recoverable(result) == set()
    shown = result.shown()
    assert shown[0][0] is None and shown[2][3] == 59


def test_small_totals_are_hidden_too():
    result = suppress([[1, 1], [20, 30]], threshold=5)
    assert {(0, 0), (0, 1), (0, 2)} <= result.primary
    assert recoverable(result) == set()


def test_zero_is_published_but_may_hide_a_neighbour():
    result = suppress([[0, 2], [10, 10]])
    assert (0, 0) not in result.primary
    assert recoverable(result) == set()


def test_a_bridge_between_two_protected_blocks_is_detected():
    # Two 2x2 blocks of hidden cells joined by one more hidden cell: that cell is fixed.
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}
    assert exposed(hidden) == [(1, 2)]


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_leave_nothing_recoverable(seed):
    rng = random.Random(seed)
    rows, columns = rng.randint(1, 5), rng.randint(1, 6)
    table = [
        [rng.choice([0, 1, 2, 3, 4, 5, 7, 12, 30]) for _ in range(columns)] for _ in range(rows)
    ]
    result = suppress(table, threshold=5)
    # Every primary cell is hidden, totals are right, nothing hidden can be worked out.
    assert {c for c in result.primary if result.grid[c[0]][c[1]] >= 5} == set()
    assert all(0 < result.grid[i][j] < 5 for i, j in result.primary)
    assert all(
        (i, j) in result.hidden
        for i, row in enumerate(result.grid)
        for j, v in enumerate(row)
        if 0 < v < 5
    )
    assert result.grid[-1][-1] == sum(map(sum, table))
    assert recoverable(result) == set()
    assert table == [row[:-1] for row in result.grid[:-1]]  # the input is not changed


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([], "empty"),
        ([[1, 2], [3]], "row 1"),
        ([[1, -2]], r"cell \(0, 1\)"),
        ([[1.5]], r"cell \(0, 0\)"),
    ],
)
def test_bad_tables_are_refused_with_their_place(table, message):
    with pytest.raises(ValueError, match=message):
        suppress(table)
