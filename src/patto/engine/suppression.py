"""Small-cell suppression of a two-way table of counts, with its margins.

A figure about fewer than ``threshold`` people may point at someone, so it is not published
(primary suppression). Hiding it is not enough when the table also publishes its row and
column totals: a hidden cell alone in its row is the row total minus the others. Further
cells are then hidden (secondary suppression) until no hidden value can be worked out from
the published ones.

Notes
-----
The table with its margins is an (r+1) x (c+1) grid whose lines obey: every row's cells sum
to its row total, every column's cells to its column total, and both margins to the grand
total. Think of each hidden cell as an edge between its row and its column in a bipartite
graph. The published values fix a hidden cell exactly when its edge lies on no cycle of that
graph (a *bridge*): along a cycle one may add and subtract the same amount alternately
without changing any line sum, and every solution differs from another by such cycles. So
the table is safe from exact recovery when no hidden cell is a bridge.

The method: hide every cell and margin with ``0 < value < threshold``; then, while some
hidden cell is a bridge, hide the cheapest published cell that joins the two sides the
bridge separates (which puts it on a cycle), or when there is none the cheapest published
cell of its row or column (which grows a side); cheapest means an inner cell before a total,
then the smallest value, so that as little as possible is lost. Zero cells are not primary
(no one is counted) but may be hidden as secondary ones. This protects against exact
recovery through the table's own sums; it does not give the hidden values intervals of a
guaranteed width (the audit of a statistical office's tool, such as tau-ARGUS, does), which
for the counts of a pact's programme is a fair trade.

References
----------
Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, ch. 4 (tabular data).

Examples
--------
>>> result = suppress([[1, 10], [8, 12]], threshold=5)
>>> result.hidden == {(0, 0), (0, 1), (1, 0), (1, 1)}
True
>>> result.grid[2]
[9, 22, 31]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Cell = tuple[int, int]


@dataclass(frozen=True)
class Suppressed:
    """A table with its margins, and which of its cells are hidden.

    ``grid`` has ``rows + 1`` rows and ``columns + 1`` columns: the last column holds the row
    totals, the last row the column totals, the corner the grand total. ``primary`` are the
    cells under the threshold, ``secondary`` those hidden to protect them; ``hidden`` both.
    """

    grid: list[list[int]]
    primary: frozenset[Cell]
    secondary: frozenset[Cell]
    threshold: int

    @property
    def hidden(self) -> set[Cell]:
        return set(self.primary | self.secondary)

    def shown(self) -> list[list[int | None]]:
        """The grid as published: None where a value is hidden."""
        return [
            [
                None if (i, j) in self.primary or (i, j) in self.secondary else value
                for j, value in enumerate(row)
            ]
            for i, row in enumerate(self.grid)
        ]


def _grid(table: Sequence[Sequence[int]]) -> list[list[int]]:
    if not table or not table[0]:
        raise ValueError("the table is empty: give at least one row and one column")
    width = len(table[0])
    for i, row in enumerate(table):
        if len(row) != width:
            raise ValueError(f"row {i} has {len(row)} cells, the first has {width}")
        for j, value in enumerate(row):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(
                    f"cell ({i}, {j}) is {value!r}: counts are whole numbers, zero or more"
                )
    grid = [[*row, sum(row)] for row in table]
    grid.append([sum(row[j] for row in grid) for j in range(width + 1)])
    return grid


def _component(hidden: set[Cell], start: tuple[str, int]) -> set[tuple[str, int]]:
    """The line nodes (("r", i) or ("c", j)) joined to ``start`` through hidden cells."""
    seen, todo = {start}, [start]
    while todo:
        kind, index = todo.pop()
        for i, j in hidden:
            if kind == "r" and i == index:
                nxt = ("c", j)
            elif kind == "c" and j == index:
                nxt = ("r", i)
            else:
                continue
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _connected(hidden: set[Cell], start: tuple[str, int], goal: tuple[str, int]) -> bool:
    return goal in _component(hidden, start)


def exposed(hidden: set[Cell]) -> list[Cell]:
    """The hidden cells that the published sums fix exactly (the bridges), in order."""
    return [
        cell
        for cell in sorted(hidden)
        if not _connected(hidden - {cell}, ("r", cell[0]), ("c", cell[1]))
    ]


def suppress(table: Sequence[Sequence[int]], *, threshold: int = 5) -> Suppressed:
    """Hide the cells under ``threshold`` and enough others that none can be recovered.

    Parameters
    ----------
    table
        Counts, one list per row, all rows of the same length; the margins are computed.
    threshold
        The smallest count that may be published (counts from 1 to ``threshold - 1`` are
        hidden).

    Returns
    -------
    Suppressed
        The grid with margins and the hidden cells; the input is not changed.
    """
    if threshold < 1:
        raise ValueError("the threshold must be 1 or more")
    grid = _grid(table)
    cells = [(i, j) for i in range(len(grid)) for j in range(len(grid[0]))]
    primary = {c for c in cells if 0 < grid[c[0]][c[1]] < threshold}
    hidden = set(primary)
    last_row, last_column = len(grid) - 1, len(grid[0]) - 1
    while True:
        bridges = exposed(hidden)
        if not bridges:
            break
        i, j = bridges[0]
        # The two sides the bridge joins: a published cell between them closes a cycle.
        rest = hidden - {(i, j)}
        side_a, side_b = _component(rest, ("r", i)), _component(rest, ("c", j))
        closing = [
            (k, m)
            for k, m in cells
            if (k, m) not in hidden
            and (
                (("r", k) in side_a and ("c", m) in side_b)
                or (("r", k) in side_b and ("c", m) in side_a)
            )
        ]
        # Else grow a side: the cheapest published cell of the bridge's row or column.
        line = [c for c in cells if (c[0] == i or c[1] == j) and c not in hidden]
        if not (closing or line):  # cannot happen on a grid of 2 x 2 or more
            raise ValueError("no cell left to hide")

        def cost(c: Cell) -> tuple:
            # Inner cells before margins (a hidden total hides more), then the smallest.
            return (c[0] == last_row or c[1] == last_column, grid[c[0]][c[1]], c)

        chosen = min(closing or line, key=cost)
        hidden.add(chosen)
    return Suppressed(
        grid=grid,
        primary=frozenset(primary),
        secondary=frozenset(hidden - primary),
        threshold=threshold,
    )
