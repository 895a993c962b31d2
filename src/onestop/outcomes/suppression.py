"""Small-cell suppression of published counts, primary and complementary (pure).

A count of fewer than `THRESHOLD` firms is not published (primary suppression; zero included,
since "no firm" in a small group is as telling as one). Publishing the margins (row, column and
grand totals) would then let a reader solve for a hidden cell, so further cells are hidden
(complementary suppression) until no hidden entry is determined by the published ones.

"Determined" is checked exactly, not by a rule of thumb: the published table gives one linear
equation per row and per column (cells sum to the margin). A hidden entry is derivable iff
its coordinate vanishes on every vector of the null space of those equations restricted to the
hidden entries (then it is a fixed combination of published numbers). The common rule "at least
two hidden entries in every line" is necessary but not sufficient (two blocks of hidden cells
joined by one hidden cell leave that cell derivable); this module hides cells until the exact
test passes. Bounds from non-negativity (a hidden cell is at most its row total) are not
treated as disclosure, as is usual for frequency tables (Statistics Korea, 통계자료 공표 시
비밀보호 지침; Eurostat, Handbook on Statistical Disclosure Control, ch. 5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Fewer firms than this in a cell: not published.
THRESHOLD = 5


@dataclass(frozen=True)
class Table:
    """Counts with margins; `hidden[i][j]` marks suppressed entries of the (r+1)×(c+1) grid
    whose last row holds the column totals and last column the row totals."""

    grid: list[list[int]]
    hidden: list[list[bool]]

    def published(self) -> list[list[int | None]]:
        return [[None if h else v for v, h in zip(row, hrow, strict=True)]
                for row, hrow in zip(self.grid, self.hidden, strict=True)]


def _equations(r: int, c: int) -> list[list[tuple[int, int]]]:
    """Each line of the grid as (cells…, margin): the cells sum to the margin (last entry)."""
    eqs = [[(i, j) for j in range(c)] + [(i, c)] for i in range(r + 1)]
    eqs += [[(i, j) for i in range(r)] + [(r, j)] for j in range(c + 1)]
    return eqs


def derivable(hidden: Sequence[Sequence[bool]]) -> list[tuple[int, int]]:
    """Hidden entries of an (r+1)×(c+1) grid with margins that the published entries determine."""
    rows, cols = len(hidden), len(hidden[0])
    unknown = [(i, j) for i in range(rows) for j in range(cols) if hidden[i][j]]
    if not unknown:
        return []
    index = {cell: k for k, cell in enumerate(unknown)}
    lines = []
    for eq in _equations(rows - 1, cols - 1):
        *cells, margin = eq
        coeffs = np.zeros(len(unknown))
        for cell in cells:
            if cell in index:
                coeffs[index[cell]] += 1.0
        if margin in index:
            coeffs[index[margin]] -= 1.0
        if coeffs.any():
            lines.append(coeffs)
    if not lines:
        return []
    a = np.array(lines)
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9 * max(1.0, s[0])).sum())
    null = vt[rank:]  # rows span the null space
    if null.shape[0] == 0:
        return list(unknown)
    norms = np.abs(null).max(axis=0)
    return [unknown[k] for k in range(len(unknown)) if norms[k] < 1e-9]


def suppress(cells: Sequence[Sequence[int]], threshold: int = THRESHOLD) -> Table:
    """Suppress a table of firm counts (rows × columns, without margins) for publication.

    Margins are computed and suppressed like cells when under the threshold. Then, while a
    hidden entry is derivable, the smallest published entry in its row or column (cells
    before margins) is hidden too. Terminates: each round hides one more entry, and a grid
    with everything hidden discloses nothing."""
    r = len(cells)
    c = len(cells[0]) if r else 0
    if r == 0 or c == 0:
        raise ValueError("a table needs at least one row and one column")
    grid = [[*row, sum(row)] for row in cells]
    grid.append([sum(grid[i][j] for i in range(r)) for j in range(c + 1)])
    hidden = [[v < threshold for v in row] for row in grid]
    while True:
        found = derivable(hidden)
        if not found:
            return Table(grid, hidden)
        i, j = found[0]
        options = [(i, k) for k in range(c + 1) if not hidden[i][k]] + \
                  [(k, j) for k in range(r + 1) if not hidden[k][j]]
        # cells first (margins are what readers want most), then the smallest count
        options.sort(key=lambda rc: (rc[0] == r or rc[1] == c, grid[rc[0]][rc[1]], rc))
        if not options:  # pragma: no cover - a derivable entry always has a published neighbour
            hidden = [[True] * (c + 1) for _ in range(r + 1)]
            continue
        chosen = options[0]
        for a, b in options:  # prefer an entry whose hiding alone protects the one found
            hidden[a][b] = True
            protects = (i, j) not in derivable(hidden)
            hidden[a][b] = False
            if protects:
                chosen = (a, b)
                break
        hidden[chosen[0]][chosen[1]] = True


def suppress_list(counts: Sequence[int], threshold: int = THRESHOLD) -> tuple[list[int | None], int | None]:
    """A one-way table (counts by one dimension) and its total, for publication: (counts, total)
    with None where hidden. One equation links them (the counts sum to the total), so a single
    hidden count would be derivable: the smallest other count is hidden with it. A total under
    the threshold hides everything."""
    total = sum(counts)
    if total < threshold:
        return [None] * len(counts), None
    hidden = [n < threshold for n in counts]
    if sum(hidden) == 1:
        others = sorted((n, k) for k, n in enumerate(counts) if not hidden[k])
        if others:
            hidden[others[0][1]] = True
    return [None if h else n for n, h in zip(counts, hidden, strict=True)], total
