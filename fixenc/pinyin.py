"""Readings that a converter inserted after characters: ``數(shù)字`` → ``數字``.

Some mirror sites salt converted pages with the pinyin of single characters.  A
parenthesised group is such a reading only when it is one pinyin syllable and a reading of
the character just before it, according to a table generated from CC-CEDICT
(``fixenc/_tables/pinyin.py``, Traditional and Simplified forms alike).  Genuine
parentheses stay: ``區(qū)(中)直機關(guān)`` keeps ``(中)``, and ``饕餮(tāotiè)``, a gloss of
two syllables, is not touched.

Confidence, from the form of the group (the reading check itself is exact):

- a tone mark (``shù``) or tone number (``shu4``) in ASCII parentheses: converters write
  these, people rarely write them after one character (``TONED``);
- in fullwidth parentheses, which Chinese authors use for their own asides: a little lower;
- without any tone (``ma``) the syllable may be a word or a list label (``(a)``): below the
  default threshold, unless the same text also has toned insertions (``TONELESS_SUPPORTED``).

>>> [(f.original, f.confidence) for f in find_insertions("區(qū)(中)直機關(guān)")]
[('(qū)', 0.97), ('(guān)', 0.97)]
>>> strip_pinyin("網(wǎng)(wǎng)絡")
'網絡'
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from fixenc.results import Fix, Step

KIND = "inserted_pinyin"
STEP = Step("apply", "fixenc:strip_pinyin")

TONED = 0.97
TONED_FULLWIDTH = 0.93
TONELESS = 0.8
TONELESS_SUPPORTED = 0.92
FULLWIDTH_PENALTY = TONED - TONED_FULLWIDTH

_MARKS = {"\u0304": "1", "\u0301": "2", "\u030c": "3", "\u0300": "4"}
GROUP_RE = re.compile(
    r"[(（]([a-zA-Z\u00fc\u00dc\u0101-\u01dc\u00e0-\u00fa:]{1,7}[1-5]?)[)）]")


@functools.cache
def _readings() -> dict[str, frozenset[str]]:
    from fixenc._tables import pinyin as table

    out: dict[str, frozenset[str]] = {}
    for row in table.READINGS:
        ch, *syllables = row.split(" ")
        out[ch] = frozenset(syllables)
    return out


@functools.cache
def _syllables() -> frozenset[str]:
    """Every toneless syllable of the table (``shu``, ``lv``)."""
    return frozenset(s[:-1] for r in _readings().values() for s in r)


def numbered(syllable: str) -> tuple[str, bool] | None:
    """``shù`` → ``('shu4', True)``; ``ma`` → ``('ma', False)`` (no tone); None if not pinyin.

    ``ü`` is written ``v`` (``lǜ`` → ``lv4``; also ``u:``), as in the table.

    >>> numbered("lǜ"), numbered("guan1"), numbered("ma"), numbered("xyz")
    (('lv4', True), ('guan1', True), ('ma', False), None)
    """
    tone = ""
    base: list[str] = []
    for ch in unicodedata.normalize("NFD", syllable.lower()):
        if ch in _MARKS:
            if tone:
                return None
            tone = _MARKS[ch]
        elif ch == "\u0308":  # the dots of ü
            if not base or base[-1] != "u":
                return None
            base[-1] = "v"
        elif "a" <= ch <= "z" or ch in "12345:":
            base.append(ch)
        else:
            return None
    text = "".join(base).replace("u:", "v")
    if text[-1:].isdigit():
        if tone:
            return None
        text, tone = text[:-1], text[-1]
    if text not in _syllables():
        return None
    return (text + tone, True) if tone else (text, False)


def _is_reading(ch: str, syllable: str, toned: bool) -> bool:
    readings = _readings().get(ch, frozenset())
    if toned:
        return syllable in readings or (syllable.endswith("5") and syllable[:-1] + "5" in readings)
    return any(r[:-1] == syllable for r in readings)


def _candidates(text: str) -> Iterator[tuple[int, int, bool, bool]]:
    """(start, end, toned, fullwidth) of each inserted reading, left to right.

    The character a group follows is the one before any groups already taken, so that a
    repeated reading (``數(shù)(shù)``) goes at once and stripping stays idempotent.
    """
    last_end = -1
    prev_index = -1
    for match in GROUP_RE.finditer(text):
        start = match.start()
        before = prev_index if start == last_end else start - 1
        if before < 0:
            continue
        parsed = numbered(match.group(1))
        if parsed is None or not _is_reading(text[before], *parsed):
            continue
        yield start, match.end(), parsed[1], match.group()[0] == "（"
        last_end, prev_index = match.end(), before


def find_insertions(text: str, offset: int = 0) -> list[Fix]:
    """Each inserted reading in ``text`` as a fix that removes it (not yet applied).

    ``offset`` is added to the positions, for text that is part of a larger one.
    """
    found = list(_candidates(text))
    any_toned = any(toned for _, _, toned, _ in found)
    fixes = []
    for start, end, toned, fullwidth in found:
        if toned:
            conf = TONED_FULLWIDTH if fullwidth else TONED
        else:
            conf = (TONELESS_SUPPORTED if any_toned else TONELESS) - (
                FULLWIDTH_PENALTY if fullwidth else 0.0)
        fixes.append(Fix(start=offset + start, end=offset + end, original=text[start:end],
                         replacement="", kind=KIND, steps=(STEP,), confidence=round(conf, 4),
                         evidence={"toned": float(toned), "fullwidth": float(fullwidth)}))
    return fixes


def strip_pinyin(text: str) -> str:
    """Remove every parenthesised single pinyin syllable that reads the character before it.

    This is the replayable step ``fixenc:strip_pinyin``; on a fix's own span (the group
    alone) it removes any group shaped like one pinyin syllable.
    """
    if GROUP_RE.fullmatch(text) and numbered(text[1:-1]) is not None:
        return ""
    parts = []
    pos = 0
    for start, end, _, _ in _candidates(text):
        parts.append(text[pos:start])
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
