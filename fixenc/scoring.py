"""Evidence for a candidate repair: how much more plausible the repaired span is.

Mojibake is deterministic: if ``X`` was damaged into ``M`` by a chain, the probability of
seeing ``M`` is the probability of ``X`` times that of the mistake.  So the evidence that a
span is damage rather than text is the language-model log-likelihood ratio of the candidate
against the span as it stands, in its context, plus what is known about the repair itself
(how many bytes were guessed, how plausible the guesses were).  :mod:`fixenc.confidence`
turns these features into a calibrated probability.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Mapping, Sequence

from fixenc import lm
from fixenc.bytemaps import encode_char
from fixenc.candidates import Candidate
from fixenc.chains import Chain
from fixenc.screen import familiar, suspect_re

FEATURES: tuple[str, ...] = (
    "gain_per_char",
    "gain_shortfall",
    "new_avg",
    "old_avg",
    "log_len",
    "guessed_frac",
    "lost_frac",
    "kept_marks_frac",
    "guess_lp_total",
    "guess_min",
    "layers2",
    "lossy_chain",
    "single_byte_wrong",
    "double_byte_true",
    "guessed_gbk",
    "guess_min_gbk",
    "short",
    "from_ftfy",
    "margin_per_char",
    "beaten",
    "context_gain",
    "log_context_len",
    "residual",
    "line_gain",
    "script_fit",
    "script_context",
    "line_end",
    "gap",
    "unknown_share",
)
"""Feature names, in the order the confidence model's weights use.  Every feature is
bounded (clipped), so that no single long line dominates the fit."""


WEAK_GAIN = 5.0
"""Gain per changed character (natural log) below which repairs are seldom right in any
model (calib examples, session 5: 3% of guessed repairs below it, 51% above; 30% of clean
ones, 95% above).  ``gain_shortfall`` measures how far below it a candidate falls, so that a
linear model can refuse a piece whose own evidence is nil even when the longer repair it
comes from reads well (``?酘：`` → ``幾蟆G`` beside a repaired stretch)."""

WORD_LIFT = 1.0
"""A screening hit forming a bigram this much likelier than chance (natural log: about 2.7
times) with a neighbour reads as part of a word, and is not counted as damage left beside a
repair.  Mojibake's pairs are ones the tables never saw (a lift of 0 or below); the kana
pairs of a Japanese sentence lift 1.4-4 (:func:`fixenc.screen.familiar`)."""


def _clip(value: float, lo: float, hi: float) -> float:
    return lo if value < lo else min(value, hi)


def _nonascii(text: str) -> int:
    return sum(1 for ch in text if ch >= "\x80")


def _changed_chars(cand: Candidate) -> int:
    """Non-ASCII characters of the replacement that differ from the original's (position by
    position when both have the same length)."""
    old, new = cand.original, cand.replacement
    if len(old) != len(new):
        return _nonascii(new)
    return sum(1 for a, b in zip(old, new) if a != b and b >= "\x80")


_SCRIPT_BOUNDS = (0x0250, 0x0370, 0x0400, 0x0530, 0x1100, 0x1200, 0x3040, 0x3100, 0x3130,
                  0x3190, 0x3400, 0xA000, 0xAC00, 0xD7B0, 0xF900, 0xFB00, 0xFF66, 0xFFA0)
_SCRIPT_OF_RANGE = (1, 0, 2, 3, 0, 4, 0, 5, 0, 4, 0, 6, 0, 4, 0, 6, 0, 5, 0)
"""Writing systems by code point: 1 Latin (accented), 2 Greek, 3 Cyrillic, 4 Hangul,
5 kana, 6 Han; 0 anything else (symbols, punctuation), which says nothing."""


def _script(ch: str) -> int:
    """The writing system of a non-ASCII character (see :data:`_SCRIPT_OF_RANGE`).

    >>> [_script(ch) for ch in "é중の中—"]
    [1, 4, 5, 6, 0]
    """
    return _SCRIPT_OF_RANGE[bisect.bisect_right(_SCRIPT_BOUNDS, ord(ch))]


def script_fit(old: str, new: str, context: str) -> float | None:
    """How much better the writing systems of ``new`` fit the rest of the line than those of
    ``old`` (mean log share per letter, with add-half smoothing over six systems).

    Mojibake changes the writing system of a span (Korean read as GBK is hanzi, Chinese read
    as Shift-JIS is kana and halfwidth katakana), while the text around a damaged span keeps
    the right one: hanzi inside a Korean sentence that repair into Hangul fit it far better.
    A line with no letters outside the span (a whole line of damage) says nothing: None.

    >>> script_fit("官捞电", "바이든", "조지프 (Joe Biden)") > 1
    True
    >>> script_fit("苟且", "ヌ匣", "他不敢苟且偷生。") < -1
    True
    >>> script_fit("浣犲ソ", "你好", "") is None
    True
    """
    counts = [0] * 7
    for ch in context:
        if ch >= "\x80":
            counts[_script(ch)] += 1
    total = sum(counts) - counts[0]
    if total == 0:
        return None

    def fit(text: str) -> float:
        scripts = [s for ch in text if ch >= "\x80" and (s := _script(ch))]
        if not scripts:
            return 0.0
        return sum(math.log((counts[s] + 0.5) / (total + 3.0)) for s in scripts) / len(scripts)

    return fit(new) - fit(old)


def _script_features(old: str, new: str, context: str) -> dict[str, float]:
    """``script_fit`` and ``script_context``: a line without letters around the span (a
    whole line of damage) gets a fit of 0 that means "unknown", not "fits as well", and
    ``script_context`` tells the two apart."""
    fit = script_fit(old, new, context)
    if fit is None:
        return {"script_fit": 0.0, "script_context": 0.0}
    return {"script_fit": _clip(fit, -6.0, 6.0), "script_context": 1.0}


def _outside(line: str, spans: Sequence[tuple[int, int]]) -> str:
    """``line`` without the characters of the disjoint ``spans``.

    >>> _outside("abcdefg", [(5, 6), (1, 3)])
    'adeg'
    """
    kept, at = [], 0
    for start, end in sorted(spans):
        kept.append(line[at:start])
        at = max(at, end)
    kept.append(line[at:])
    return "".join(kept)


def _known(neighbour: str) -> str:
    """A neighbour to read a span next to; a lost character (U+FFFD) says nothing of it
    (是 before a lost 耶 is not less likely for it)."""
    return "" if neighbour == "\ufffd" else neighbour


def features(cand: Candidate, line: str) -> dict[str, float]:
    """The evidence for ``cand`` inside ``line``, by feature name (see :data:`FEATURES`).

    ``gain`` (total log-likelihood ratio, unbounded) is included for ranking but is not a
    model feature; ``margin_per_char`` and ``beaten`` are set by :func:`evidence_for_line`.
    """
    left = _known(line[cand.start - 1] if cand.start > 0 else "")
    right = _known(line[cand.end] if cand.end < len(line) else "")
    old = lm.text_logprob(cand.original, left, right)
    # A piece of a longer repair is read next to the repaired neighbours, not the damage.
    new = lm.text_logprob(cand.replacement, left if cand.left is None else _known(cand.left),
                          right if cand.right is None else _known(cand.right))
    n_new = max(len(cand.replacement), 1)
    n_old = max(len(cand.original), 1)
    nonascii = _nonascii(cand.replacement)
    # Per changed non-ASCII character: ASCII, and characters both codecs read alike (the
    # kana EUC-JP and GB2312 share), read the same either way and would dilute the evidence.
    per_char = (new - old) / max(_changed_chars(cand), 1)
    gbk_guess = cand.guessed > 0 and cand.chain.wrong == "gbk"
    return {
        "gain": new - old,
        "gain_per_char": _clip(per_char, -10.0, 40.0),
        "gain_shortfall": _clip(WEAK_GAIN - per_char, 0.0, 15.0),
        "new_avg": _clip(new / n_new, -20.0, 0.0),
        "old_avg": _clip(old / n_old, -25.0, 0.0),
        "log_len": math.log(1 + nonascii),
        "guessed_frac": cand.guessed / n_new,
        "lost_frac": cand.lost / n_new,
        "kept_marks_frac": cand.kept_marks / n_new,
        "guess_lp_total": _clip(cand.guess_logprob, -20.0, 0.0),
        "guess_min": cand.guess_min,
        "layers2": 1.0 if cand.layers > 1 else 0.0,
        "lossy_chain": 1.0 if cand.chain.lossy else 0.0,
        "single_byte_wrong": 1.0 if cand.chain.family in ("multibyte_as_single",
                                                           "utf8_as_single") else 0.0,
        "double_byte_true": 0.0 if cand.chain.true == "utf-8" else 1.0,
        # Which decoder made the holes changes how reliable a guess is at the same posterior
        # (calib, session 6: UTF-8 guesses under GBK are right 82% of the time at a mean
        # confidence of 0.74, under Big5 19% at 0.32): GBK, the common case, gets its own say
        # in the models of guesses (constant, so without weight, in the others).
        "guessed_gbk": 1.0 if gbk_guess else 0.0,
        "guess_min_gbk": cand.guess_min if gbk_guess else 0.0,
        "nonascii_new": float(nonascii),
        "short": 1.0 if nonascii <= 2 else 0.0,
        "from_ftfy": 1.0 if cand.source == "ftfy" else 0.0,
        "margin_per_char": _clip(per_char, -30.0, 30.0),
        "beaten": 0.0,
        "residual": 0.0,  # set by evidence_for_line, which sees the whole line
        "line_gain": 0.0,
        "script_fit": 0.0,  # set by evidence_for_line, which sees the other repairs
        "script_context": 0.0,
        # A piece of a longer repair (split at its guesses) carries the evidence of the whole.
        "context_gain": _clip(cand.context_gain if cand.context_len else per_char, -10.0, 40.0),
        "log_context_len": math.log(1 + max(cand.context_len, len(cand.replacement))),
        # Nothing after the span: a character cut short at the end of a line is guessed from
        # its left alone, and is the line's last (。 after 联系人, far likelier than inside a
        # line); calib, session 9: such guesses were right 94% of the time at a mean
        # confidence of 0.89 when no feature told them apart.
        "line_end": 1.0 if cand.end >= len(line) and cand.right is None else 0.0,
        # The repair puts back bytes of characters deleted after the wrong decoding
        # (fixenc.gaps): judged by a model of its own.
        "gap": 1.0 if cand.steps and cand.steps[0].action == "gap" else 0.0,
        # How much of the decoded stretch around the repair was lost (UTF-8 read as Big5
        # loses about half its bytes, as GBK a few): guesses there lean on little.
        "unknown_share": cand.unknown_share,
    }


@functools.lru_cache(maxsize=65536)
def _reads_as_itself(ch: str, chain: Chain) -> bool:
    """Whether ``chain``'s mistake leaves ``ch`` as it was: its bytes in the wrong codec
    decode to it in the true one (the kana EUC-JP and GB2312 share).  A screening hit on
    such a character is the text the repair claims, not damage it fails to explain.

    >>> from fixenc.chains import CHAINS
    >>> _reads_as_itself("の", CHAINS["euc_jp_read_as_gbk"])
    True
    >>> _reads_as_itself("の", CHAINS["utf8_read_as_gbk"])
    False
    """
    slot = encode_char(ch, chain.wrong)
    if not isinstance(slot, bytes):
        return False
    try:
        return slot.decode(chain.true) == ch
    except UnicodeDecodeError:
        return False


def evidence_for_line(line: str, cands: Sequence[Candidate]) -> list[tuple[Candidate, dict[str, float]]]:
    """Features of every candidate with positive gain, including its margin.

    The margin is the candidate's gain minus the best gain of any overlapping candidate that
    proposes a different replacement: a repair that beats every other reading of the same
    bytes by a wide margin is much more likely right than one among several near-equals.
    """
    scored = [(c, features(c, line)) for c in cands]
    scored = [(c, ev) for c, ev in scored if ev["gain"] > 0]
    hits = [m.start() for m in suspect_re().finditer(line)]
    # Hits that read as part of a word (the kana of a Japanese sentence), or that the
    # candidate's mistake leaves as they were, are not damage beside it.
    loose = [h for h in hits if not familiar(line, h, WORD_LIFT)] if scored else []
    base = lm.text_logprob(line) if scored else 0.0
    for cand, ev in scored:
        # How much of the line's damage this repair explains, and how the whole line reads
        # with it: a right repair leaves no mojibake beside it, except mojibake that another
        # repair of the same mistake explains (a zip entry's folder and file names, apart).
        # A piece of a longer repair is judged with the rest of that repair done.
        start, end, text = cand.stretch or (cand.start, cand.end, cand.replacement)
        spans = [(start, end)] + [(o.start, o.end) for o, _ in scored
                                  if o.kind == cand.kind and o is not cand
                                  and (o.end <= start or end <= o.start)]
        ev["residual"] = (sum(1 for h in loose if not any(a <= h < b for a, b in spans)
                              and not _reads_as_itself(line[h], cand.chain))
                          / max(len(hits), 1))
        # The writing systems of the text that stays as it is: not this repair's span, nor
        # what other repairs of the same mistake rewrite (mojibake beside it says nothing).
        # Not for guesses: their models judge how sure the guessed bytes are.
        if not cand.guessed:
            ev.update(_script_features(cand.original, cand.replacement, _outside(line, spans)))
        fixed = line[:start] + text + line[end:]
        ev["line_gain"] = _clip((lm.text_logprob(fixed) - base) / max(len(fixed), 1),
                                -10.0, 40.0)
    for cand, ev in scored:
        rival = 0.0
        for other, oev in scored:
            if other is cand or other.replacement == cand.replacement:
                continue
            if other.start < cand.end and cand.start < other.end:
                rival = max(rival, oev["gain"])
        margin = ev["gain"] - rival
        ev["margin_per_char"] = _clip(margin / max(len(cand.replacement), 1), -30.0, 30.0)
        ev["beaten"] = 1.0 if margin < 0 else 0.0
    return scored


def fallback_evidence(cand: Candidate, evidence: Mapping[str, float],
                      line: str) -> dict[str, float]:
    """Features of ``cand.fallback`` (its guesses declared lost), competing as ``cand`` did."""
    assert cand.fallback is not None
    ev = features(cand.fallback, line)
    ev["margin_per_char"] = evidence["margin_per_char"]
    ev["beaten"] = evidence["beaten"]
    ev["residual"] = evidence["residual"]
    ev.update(_script_features(cand.original, cand.fallback.replacement,
                               _outside(line, [(cand.start, cand.end)])))
    fixed = line[: cand.start] + cand.fallback.replacement + line[cand.end:]
    ev["line_gain"] = _clip((lm.text_logprob(fixed) - lm.text_logprob(line))
                            / max(len(fixed), 1), -10.0, 40.0)
    return ev
