"""Turn the evidence for a candidate into a calibrated probability that it is exactly right.

Each kind of repair (see :func:`model_name`) has a logistic regression over the features of
:mod:`fixenc.scoring` with an isotonic correction.  Where that says at least
``GATE`` (0.1), gradient-boosted trees over the same features, the kind and the logistic
log-odds judge instead, through an isotonic correction of their own for each kind (a sum of
weights cannot say "a high gain convinces only when nothing was guessed"; trees can),
except for guesses of UTF-8 bytes under GBK, where the trees did worse (``TREE_MODELS``;
each group of kinds, ``TREE_GROUPS``, has a forest of its own).  All
of it is fitted by ``scripts/calibrate.py`` on synthetic damage made from the *calib* part
of the corpora (never the text that built the tables, never the text the benchmark
evaluates on) together with the candidates that clean calib lines give rise to, which teach
it what clean text looks like.  The fitted numbers live in the generated module
``fixenc/_tables/calibration.py``; nothing here is a hand-set constant.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_right
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

MAX_CONFIDENCE = 0.9999
"""No repair is certain: a top isotonic block where every example was right says 1.0, but
finitely many examples cannot, so confidences stop here (and ``min_confidence=1`` applies
nothing)."""


class Model(NamedTuple):
    """One kind's fitted numbers (see ``scripts/calibrate.py``)."""

    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    isotonic_x: tuple[float, ...]
    isotonic_y: tuple[float, ...]
    tree_isotonic_x: tuple[float, ...]
    tree_isotonic_y: tuple[float, ...]
    indicators: tuple[float, ...]  # this kind's one-hot inputs of the trees
    trees: bool  # whether the trees judge this kind past the gate


class _Tables(NamedTuple):
    features: tuple[str, ...]
    models: dict[str, Model]
    gate: float
    # The trees' total log-odds for their inputs, by model: each group of models
    # (TREE_GROUPS of the generated table) has a forest of its own.
    forests: dict[str, Callable[[list[float]], float]]


def _forest(base: float, trees: tuple[Any, ...]) -> Callable[[list[float]], float]:
    """The trees as one compiled expression: ``base + tree_1(x) + ... + tree_n(x)``, each
    tree a nested conditional, added in the same order as :func:`tree_score` would (a walk
    per tree costs five times as much).  The source is made here from the generated table's
    numbers alone.

    >>> _forest(0.5, ((0, 1.0, -1.0, 2.0), 0.25))([3.0])
    2.75
    """
    def expression(node: Any) -> str:
        if node.__class__ is not tuple:
            return repr(float(node))
        feature, threshold, left, right = node
        return (f"({expression(left)} if x[{int(feature)}] <= {float(threshold)!r} "
                f"else {expression(right)})")

    source = "lambda x: " + " + ".join([repr(float(base))] + [expression(t) for t in trees])
    return eval(source)  # type: ignore[no-any-return]  # numbers only


@functools.cache
def _tables() -> _Tables:
    from fixenc._tables import calibration as cal

    order = cal.MODEL_ORDER
    models = {
        name: Model(m["means"], m["scales"], m["weights"], m["bias"],  # type: ignore[arg-type]
                    m["isotonic_x"], m["isotonic_y"],  # type: ignore[arg-type]
                    m["tree_isotonic_x"], m["tree_isotonic_y"],  # type: ignore[arg-type]
                    tuple(float(other == name) for other in order),
                    name in cal.TREE_MODELS)
        for name, m in cal.MODELS.items()}
    forests: dict[str, Callable[[list[float]], float]] = {}
    for group, (base, trees) in zip(cal.TREE_GROUPS, cal.FORESTS):
        forest = _forest(base, trees)
        forests.update((name, forest) for name in group)
    return _Tables(cal.FEATURES, models, cal.GATE, forests)


def model_name(evidence: Mapping[str, float]) -> str:
    """Which fitted model judges a candidate.

    - ``ftfy``: ftfy's own repairs;
    - ``twice``: repairs that undo the same mistake twice (the first undo is judged only
      through the second, so their evidence means something else);
    - ``gap``: repairs that put back characters deleted after the wrong decoding
      (:mod:`fixenc.gaps`: two bytes missing where nothing marks it), fitted only on text
      that lost them, so that the other models keep the mixture they were fitted on;
    - ``guessed``: repairs that guessed bytes of UTF-8 that a GBK decoder lost (dozens of
      choices per hole), the common case;
    - ``guessed_other``: the same through a Big5, Shift-JIS or EUC-KR decoder, which lose
      far more (UTF-8 read as Big5 loses about half its bytes) and whose guesses are
      right far less often: fitted apart, so that they do not pull down the confidence in
      guesses under GBK;
    - ``guessed_double``: repairs that guessed bytes of double-byte text (Big5, GBK,
      Shift-JIS, EUC-KR) that another double-byte decoder lost: mostly one lead byte before
      a known trail, a different game with its own accuracy;
    - ``guessed_single``: repairs that guessed bytes a single-byte code page could not read
      (Python's cp1252: one of five bytes per hole, a different game);
    - ``clean``: repairs that read every byte, lost none, kept no ``?`` that may stand for
      lost bytes, beat every other reading of the same bytes and explain every screening
      hit of the line (the common, clear case);
    - ``read``: the other repairs that read every byte.
    """
    if evidence["from_ftfy"] > 0:
        return "ftfy"
    if evidence["layers2"] > 0:
        return "twice"
    if evidence["gap"] > 0:
        return "gap"
    if evidence["guessed_frac"] > 0:
        if evidence["single_byte_wrong"] > 0:
            return "guessed_single"
        if evidence["double_byte_true"] > 0:
            return "guessed_double"
        return "guessed" if evidence["guessed_gbk"] > 0 else "guessed_other"
    if (evidence["lost_frac"] == 0 and evidence["kept_marks_frac"] == 0
            and evidence["beaten"] == 0 and evidence["residual"] == 0):
        return "clean"
    return "read"


def _logit(evidence: Mapping[str, float], names: tuple[str, ...], model: Model) -> float:
    z = model.bias
    for name, mean, scale, weight in zip(names, model.means, model.scales, model.weights):
        z += weight * (evidence[name] - mean) / scale
    return min(30.0, max(-30.0, z))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


def tree_score(tree: Any, x: list[float]) -> float:
    """The leaf value one fitted tree gives the inputs ``x``.

    >>> tree_score((0, 0.5, -1.0, (1, 2.0, 0.25, 0.75)), [0.7, 2.0])
    0.25
    """
    node = tree
    while node.__class__ is tuple:
        node = node[2] if x[node[0]] <= node[1] else node[3]
    return node  # type: ignore[no-any-return]


def calibrate(p: float, xs: tuple[float, ...], ys: tuple[float, ...]) -> float:
    """Piecewise-linear interpolation through the isotonic points ``(xs, ys)``.

    >>> calibrate(0.5, (0.0, 1.0), (0.1, 0.9))
    0.5
    """
    if not xs:
        return p
    if p <= xs[0]:
        return ys[0]
    if p >= xs[-1]:
        return ys[-1]
    i = bisect_right(xs, p) - 1
    x0, x1, y0, y1 = xs[i], xs[i + 1], ys[i], ys[i + 1]
    if x1 == x0:
        return y1
    return y0 + (y1 - y0) * (p - x0) / (x1 - x0)


def confidence(evidence: Mapping[str, float]) -> float:
    """Calibrated probability, in [0, :data:`MAX_CONFIDENCE`], that the candidate is exactly
    right.

    Clear-cut repairs, other repairs that read every byte, repairs that guessed lost bytes,
    two-layer repairs and ftfy's repairs behave differently, so each kind has its own
    logistic model and corrections (see :func:`model_name`); the trees of the kind's group
    (a forest shared by the kinds of the group) judge every candidate that its kind's
    logistic model does not rule out.
    """
    tables = _tables()
    names = tables.features
    kind = model_name(evidence)
    model = tables.models[kind]
    z = _logit(evidence, names, model)
    p = calibrate(_sigmoid(z), model.isotonic_x, model.isotonic_y)
    if p >= tables.gate and model.trees:
        x = [evidence[name] for name in names]
        x += model.indicators
        x.append(z)
        p = calibrate(_sigmoid(tables.forests[kind](x)), model.tree_isotonic_x,
                      model.tree_isotonic_y)
    return min(MAX_CONFIDENCE, max(0.0, p))
