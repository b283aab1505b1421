"""Gradient-boosted decision trees for the confidence model, deterministic, numpy only.

``scripts/calibrate.py`` fits a logistic regression per kind of repair; its linear score
cannot say "a high gain is convincing only when the span is long and no byte was guessed".
Trees can.  This module fits them (logistic loss, Newton leaves, histogram splits) so that
the result is the same number for number on every run: thresholds are quantiles of the
training data rounded to 6 decimals, ties between splits go to the first feature and the
first threshold, and leaves are rounded before the next tree sees them.  The fitted trees
are nested tuples ``(feature, threshold, left, right)`` with float leaves, which the engine
compiles into one expression (``fixenc.confidence._forest``; :func:`fixenc.confidence.tree_score`
walks one tree the same way) with the very same comparisons (``x[feature] <= threshold``
goes left).

>>> import numpy as np
>>> x = np.array([[0.0], [1.0], [2.0], [3.0]] * 20)
>>> y = np.array([0.0, 0.0, 1.0, 1.0] * 20)
>>> base, trees = fit(x, y, trees=5, min_leaf=10)
>>> [round(float(p), 2) for p in predict((base, trees), np.array([[0.5], [2.5]]))]
[0.25, 0.75]
"""

from __future__ import annotations

import numpy as np

Tree = float | tuple[int, float, "Tree", "Tree"]
"""A leaf's additive log-odds, or ``(feature, threshold, left, right)``."""


def _edges(column: np.ndarray, max_bins: int) -> np.ndarray:
    """Candidate thresholds: distinct quantiles of the column, rounded to 6 decimals."""
    qs = np.quantile(column, np.linspace(0.0, 1.0, max_bins + 1)[1:-1], method="lower")
    return np.unique(np.round(qs, 6))


def fit(x: np.ndarray, y: np.ndarray, *, trees: int = 60, depth: int = 4, rate: float = 0.15,
        min_leaf: int = 40, l2: float = 1.0, max_bins: int = 64) -> tuple[float, list[Tree]]:
    """Boost ``trees`` trees of at most ``depth`` levels on features ``x`` and 0/1 labels ``y``.

    Returns the base log-odds and the trees; the model's log-odds for a row is the base
    plus the leaf each tree sends it to.  Every leaf keeps at least ``min_leaf`` rows.
    """
    n, d = x.shape
    edges = [_edges(x[:, j], max_bins) for j in range(d)]
    # Bin k holds edges[k-1] < v <= edges[k], so "v <= edges[k]" sends bins 0..k left.
    binned = np.stack([np.searchsorted(edges[j], x[:, j], side="left") for j in range(d)],
                      axis=1)
    rate_y = min(max(float(y.mean()), 1e-6), 1 - 1e-6)
    base = round(float(np.log(rate_y / (1 - rate_y))), 6)
    score = np.full(n, base)
    fitted: list[Tree] = []
    for _ in range(trees):
        p = 1.0 / (1.0 + np.exp(-score))
        grad, hess = p - y, p * (1.0 - p)
        tree = _grow(np.arange(n), 0, grad, hess, binned, edges, depth=depth, rate=rate,
                     min_leaf=min_leaf, l2=l2)
        fitted.append(tree)
        score = score + _tree_scores(tree, x)
    return base, fitted


def _grow(rows: np.ndarray, level: int, grad: np.ndarray, hess: np.ndarray,
          binned: np.ndarray, edges: list[np.ndarray], *, depth: int, rate: float,
          min_leaf: int, l2: float) -> Tree:
    """The tree for ``rows``: the split with the largest gain, or a Newton leaf."""
    g_all, h_all = float(grad[rows].sum()), float(hess[rows].sum())
    best: tuple[float, int, int] | None = None
    if level < depth and len(rows) >= 2 * min_leaf:
        parent = g_all * g_all / (h_all + l2)
        for j, column_edges in enumerate(edges):
            size = len(column_edges) + 1
            if size < 2:
                continue
            b = binned[rows, j]
            cg = np.cumsum(np.bincount(b, weights=grad[rows], minlength=size))[:-1]
            ch = np.cumsum(np.bincount(b, weights=hess[rows], minlength=size))[:-1]
            cn = np.cumsum(np.bincount(b, minlength=size))[:-1]
            ok = (cn >= min_leaf) & (len(rows) - cn >= min_leaf)
            if not ok.any():
                continue
            gain = cg ** 2 / (ch + l2) + (g_all - cg) ** 2 / (h_all - ch + l2) - parent
            gain[~ok] = -np.inf
            k = int(np.argmax(gain))
            if gain[k] > 1e-9 and (best is None or gain[k] > best[0] + 1e-12):
                best = (float(gain[k]), j, k)
    if best is None:
        return round(-g_all / (h_all + l2) * rate, 6)
    _, j, k = best
    go_left = binned[rows, j] <= k
    settings = {"depth": depth, "rate": rate, "min_leaf": min_leaf, "l2": l2}
    return (j, float(edges[j][k]),
            _grow(rows[go_left], level + 1, grad, hess, binned, edges, **settings),
            _grow(rows[~go_left], level + 1, grad, hess, binned, edges, **settings))


def _tree_scores(tree: Tree, x: np.ndarray) -> np.ndarray:
    out = np.empty(len(x))

    def walk(node: Tree, rows: np.ndarray) -> None:
        if not isinstance(node, tuple):
            out[rows] = node
            return
        feature, threshold, left, right = node
        go_left = x[rows, feature] <= threshold
        walk(left, rows[go_left])
        walk(right, rows[~go_left])

    walk(tree, np.arange(len(x)))
    return out


def predict(model: tuple[float, list[Tree]], x: np.ndarray) -> np.ndarray:
    """The model's probabilities for the rows of ``x``."""
    base, trees = model
    score = np.full(len(x), base)
    for tree in trees:
        score += _tree_scores(tree, x)
    return 1.0 / (1.0 + np.exp(-score))
