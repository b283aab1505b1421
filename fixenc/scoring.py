"""Evidence for a candidate repair: how much more plausible the repaired span is.

Mojibake is deterministic: if ``X`` was damaged into ``M`` by a chain, the probability of
seeing ``M`` is the probability of ``X`` times that of the mistake.  So the evidence that a
span is damage rather than text is the language-model log-likelihood ratio of the candidate
against the span as it stands, in its context, plus what is known about the repair itself
(how many bytes were guessed, how plausible the guesses were).  :mod:`fixenc.confidence`
turns these features into a calibrated probability.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from fixenc import lm
from fixenc.candidates import Candidate

FEATURES: tuple[str, ...] = (
    "gain",
    "gain_per_char",
    "new_avg",
    "old_avg",
    "log_len",
    "guessed_frac",
    "lost_frac",
    "guess_lp_avg",
    "layers2",
    "lossy_chain",
    "single_byte_wrong",
    "nonascii_new",
    "short",
    "from_ftfy",
    "margin",
)
"""Feature names, in the order the confidence model's weights use."""


def _nonascii(text: str) -> int:
    return sum(1 for ch in text if ch >= "\x80")


def features(cand: Candidate, line: str) -> dict[str, float]:
    """The evidence for ``cand`` inside ``line``, by feature name (see :data:`FEATURES`)."""
    left = line[cand.start - 1] if cand.start > 0 else ""
    right = line[cand.end] if cand.end < len(line) else ""
    old = lm.text_logprob(cand.original, left, right)
    new = lm.text_logprob(cand.replacement, left, right)
    n_new = max(len(cand.replacement), 1)
    n_old = max(len(cand.original), 1)
    nonascii = _nonascii(cand.replacement)
    return {
        "gain": new - old,
        "gain_per_char": (new - old) / n_new,
        "new_avg": new / n_new,
        "old_avg": old / n_old,
        "log_len": math.log(1 + nonascii),
        "guessed_frac": cand.guessed / n_new,
        "lost_frac": cand.lost / n_new,
        "guess_lp_avg": cand.guess_logprob / cand.guessed if cand.guessed else 0.0,
        "layers2": 1.0 if cand.layers > 1 else 0.0,
        "lossy_chain": 1.0 if cand.chain.lossy else 0.0,
        "single_byte_wrong": 1.0 if cand.chain.family in ("multibyte_as_single",
                                                           "utf8_as_single") else 0.0,
        "nonascii_new": float(nonascii),
        "short": 1.0 if nonascii <= 2 else 0.0,
        "from_ftfy": 1.0 if cand.source == "ftfy" else 0.0,
        "margin": 0.0,  # filled in by evidence_for_line, which sees the competitors
    }


def evidence_for_line(line: str, cands: Sequence[Candidate]) -> list[tuple[Candidate, dict[str, float]]]:
    """Features of every candidate with positive gain, including its margin.

    The margin is the candidate's gain minus the best gain of any overlapping candidate that
    proposes a different replacement: a repair that beats every other reading of the same
    bytes by a wide margin is much more likely right than one among several near-equals.
    """
    scored = [(c, features(c, line)) for c in cands]
    scored = [(c, ev) for c, ev in scored if ev["gain"] > 0]
    for cand, ev in scored:
        rival = 0.0
        for other, oev in scored:
            if other is cand or other.replacement == cand.replacement:
                continue
            if other.start < cand.end and cand.start < other.end:
                rival = max(rival, oev["gain"])
        ev["margin"] = ev["gain"] - rival
    return scored
