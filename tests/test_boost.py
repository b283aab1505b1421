"""The boosted trees of the confidence model: the fitter (``scripts/boost.py``) is
deterministic and learns what a linear score cannot, and the engine walks its trees exactly
as the fitter does."""

from __future__ import annotations

import doctest
import importlib.util
import random
from pathlib import Path

import pytest

from fixenc import confidence
from fixenc._tables import calibration

np = pytest.importorskip("numpy")

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _boost():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("_fixenc_scripts_boost", SCRIPTS / "boost.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _xor_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Label 1 exactly when one of two features is high and the other is not: no weighted
    sum of the two separates that."""
    rng = random.Random(seed)
    x = np.array([[rng.random(), rng.random(), rng.random()] for _ in range(n)])
    y = ((x[:, 0] > 0.5) != (x[:, 1] > 0.5)).astype(float)
    return x, y


def test_doctests() -> None:
    result = doctest.testmod(_boost())
    assert result.attempted > 0 and result.failed == 0


def test_learns_an_interaction_a_linear_score_cannot() -> None:
    boost = _boost()
    x, y = _xor_data(2000, 1)
    model = boost.fit(x, y, trees=30, depth=3, min_leaf=20)
    tx, ty = _xor_data(1000, 2)
    accuracy = float(((boost.predict(model, tx) >= 0.5) == (ty == 1)).mean())
    assert accuracy > 0.95


def test_fit_is_deterministic_and_leaves_are_rounded() -> None:
    boost = _boost()
    x, y = _xor_data(600, 3)
    first = boost.fit(x, y, trees=8, depth=3, min_leaf=20)
    assert first == boost.fit(x.copy(), y.copy(), trees=8, depth=3, min_leaf=20)

    def leaves(tree):  # type: ignore[no-untyped-def]
        return leaves(tree[2]) + leaves(tree[3]) if isinstance(tree, tuple) else [tree]

    for tree in first[1]:
        assert all(round(v, 6) == v for v in leaves(tree))


def test_engine_walks_the_trees_as_the_fitter_does() -> None:
    boost = _boost()
    x, y = _xor_data(800, 4)
    base, trees = boost.fit(x, y, trees=10, depth=4, min_leaf=10)
    expected = boost.predict((base, trees), x)
    for row, p in zip(x.tolist(), expected):
        score = base
        for tree in trees:
            score += confidence.tree_score(tree, row)
        assert abs(1.0 / (1.0 + np.exp(-score)) - p) < 1e-12


def test_committed_trees_fit_the_committed_inputs() -> None:
    inputs = len(calibration.FEATURES) + len(calibration.MODEL_ORDER) + 1

    def features(tree):  # type: ignore[no-untyped-def]
        if not isinstance(tree, tuple):
            return set()
        return {tree[0]} | features(tree[2]) | features(tree[3])

    assert len(calibration.FORESTS) == len(calibration.TREE_GROUPS)
    assert set(calibration.TREE_MODELS) == {n for g in calibration.TREE_GROUPS for n in g}
    for _base, trees in calibration.FORESTS:
        used = set().union(*(features(t) for t in trees))
        assert used and max(used) < inputs
    assert set(calibration.MODELS) == set(calibration.MODEL_ORDER)
    assert 0.0 < calibration.GATE < 0.5  # below the report floor: the trees see every finding


def test_compiled_forest_adds_the_committed_trees_as_a_walk_does() -> None:
    rng = random.Random(5)
    inputs = len(calibration.FEATURES) + len(calibration.MODEL_ORDER) + 1
    for base, trees in calibration.FORESTS:
        forest = confidence._forest(base, trees)
        for _ in range(300):
            x = [rng.choice((0.0, 1.0, rng.uniform(-30, 40))) for _ in range(inputs)]
            walked = base
            for tree in trees:
                walked += confidence.tree_score(tree, x)
            assert forest(x) == walked
