"""Turn the evidence for a candidate into a calibrated probability that it is exactly right.

The models (see :func:`model_name`) are logistic regressions over the features of :mod:`fixenc.scoring`, each followed by an
isotonic correction, all fitted by ``scripts/calibrate.py`` on synthetic damage made from
the *calib* part of the corpora (never the text that built the tables, never the text the
benchmark evaluates on) together with the candidates that clean calib lines give rise to,
which teach it what clean text looks like.  The fitted numbers live in the generated module
``fixenc/_tables/calibration.py``; nothing here is a hand-set constant.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_right
from collections.abc import Mapping

MAX_CONFIDENCE = 0.9999
"""No repair is certain: a top isotonic block where every example was right says 1.0, but
finitely many examples cannot, so confidences stop here (and ``min_confidence=1`` applies
nothing)."""

Model = tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...], float,
              tuple[float, ...], tuple[float, ...]]


@functools.cache
def _models() -> tuple[tuple[str, ...], dict[str, Model]]:
    from fixenc._tables import calibration as cal

    models: dict[str, Model] = {
        name: (m["means"], m["scales"], m["weights"], m["bias"],  # type: ignore[misc]
               m["isotonic_x"], m["isotonic_y"])
        for name, m in cal.MODELS.items()}
    return cal.FEATURES, models


def model_name(evidence: Mapping[str, float]) -> str:
    """Which fitted model judges a candidate.

    - ``ftfy``: ftfy's own repairs;
    - ``twice``: repairs that undo the same mistake twice (the first undo is judged only
      through the second, so their evidence means something else);
    - ``guessed``: repairs that guessed bytes of UTF-8 that a double-byte decoder lost
      (dozens of choices per hole);
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
    if evidence["guessed_frac"] > 0:
        if evidence["single_byte_wrong"] > 0:
            return "guessed_single"
        return "guessed_double" if evidence["double_byte_true"] > 0 else "guessed"
    if (evidence["lost_frac"] == 0 and evidence["kept_marks_frac"] == 0
            and evidence["beaten"] == 0 and evidence["residual"] == 0):
        return "clean"
    return "read"


def _model_for(evidence: Mapping[str, float]) -> Model:
    _, models = _models()
    return models[model_name(evidence)]


def raw_score(evidence: Mapping[str, float]) -> float:
    """The logistic model's probability before the isotonic correction."""
    names, _ = _models()
    means, scales, weights, bias, _, _ = _model_for(evidence)
    z = bias
    for name, mean, scale, weight in zip(names, means, scales, weights):
        z += weight * (evidence[name] - mean) / scale
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


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
    fitted model (see :func:`model_name`).
    """
    *_, xs, ys = _model_for(evidence)
    p = calibrate(raw_score(evidence), xs, ys)
    return min(MAX_CONFIDENCE, max(0.0, p))

