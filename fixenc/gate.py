"""Which script a text is written in, and whether Traditional → Simplified may touch it.

Japanese and Korean share Han characters with Chinese, and OpenCC converts whatever it is
given (午後 becomes 午后), so conversion is gated line by line:

- any kana (except ``・`` and ``ー``, which Chinese texts use too) makes a line Japanese, and
  so do kanji that only Japanese writes (駅, 込, 働; measured on the corpora, see
  ``scripts/build_convert_tables.py``), when they outnumber the Chinese evidence;
- any Hangul makes it Korean (Korean may write Hanja, in their Traditional forms);
- otherwise the characters that only one Chinese script uses (the generated tables of
  :mod:`fixenc.script`) decide: one script at least four times as often as the other wins,
  else the line is ``mixed``; without any such character it is ``unknown``.

:func:`convertible` turns this into the gate (mixed and unknown lines need more care).

Cantonese written in Hong Kong is Traditional Chinese here: its own characters (嘅, 咗, 冇)
have no Simplified form and pass through conversion unchanged.

>>> detect_script("这是简体中文。"), detect_script("這是繁體中文。")
('simplified', 'traditional')
>>> detect_script("午後の予定"), detect_script("대한민국(大韓民國)"), detect_script("中文")
('japanese', 'korean', 'unknown')
"""

from __future__ import annotations

import functools
import re
from typing import Literal

Script = Literal["simplified", "traditional", "mixed", "japanese", "korean", "unknown"]

CONVERTIBLE: frozenset[Script] = frozenset({"traditional", "mixed"})
"""Scripts whose lines Traditional → Simplified conversion may change."""

DOMINANCE = 4
"""One Chinese script wins over the other when it has this many times its evidence."""


KANA_RE = re.compile("[\u3041-\u3096\u30a1-\u30fa\u31f0-\u31ff\uff66-\uff9d]")
HANGUL_RE = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3131-\u318e]")


@functools.cache
def _tables() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    from fixenc._tables import convert as conv
    from fixenc._tables import script as table

    return (frozenset("".join(table.SIMPLIFIED_ONLY)), frozenset("".join(table.TRADITIONAL_ONLY)),
            frozenset("".join(conv.JAPANESE_ONLY)))


def _evidence(text: str) -> tuple[int, int, int]:
    """How many characters only Simplified, only Traditional, only Japanese writes."""
    simp, trad, japanese = _tables()
    s = t = j = 0
    for ch in text:
        if ch < "\u3400":
            continue
        s += ch in simp
        t += ch in trad
        j += ch in japanese
    return s, t, j


def detect_script(text: str) -> Script:
    """``simplified``, ``traditional``, ``mixed``, ``japanese``, ``korean`` or ``unknown``.

    Judged from characters only one script uses; text without any (``中文``, ASCII) is
    ``unknown``.

    >>> detect_script("臺灣的简体字"), detect_script("駅前で")
    ('mixed', 'japanese')
    """
    if KANA_RE.search(text):
        return "japanese"
    if HANGUL_RE.search(text):
        return "korean"
    s, t, j = _evidence(text)
    if j and j >= s + t:
        return "japanese"
    if not s and not t:
        return "unknown"
    if s >= DOMINANCE * t:
        return "simplified"
    if t >= DOMINANCE * s:
        return "traditional"
    return "mixed"


def convertible(line: str, context: Script = "unknown") -> tuple[bool, Script]:
    """Whether ``line`` may be converted to Simplified, and the script that decided it.

    Traditional lines are converted, and mixed ones with at least as much Traditional as
    Simplified evidence (a page half converted by a mirror; not a Simplified text that keeps
    a few old forms, as editions of classical poetry do).  Of a refused line that is
    ``simplified`` or ``mixed``, :mod:`fixenc.stages` still converts the characters that
    Simplified text never writes (a stray 這), and nothing else.  A line with no evidence of its own
    takes the verdict of its ``context`` (the whole text), so that ``乾燥`` in a Japanese
    text is left alone; when the context says nothing either, the line is converted, and
    the caller should lower its confidence: such lines that conversion changes are almost
    all Traditional on the corpora (``UNKNOWN_TRADITIONAL`` of the generated table).

    >>> convertible("乾燥"), convertible("乾燥", "traditional"), convertible("乾燥", "japanese")
    ((True, 'unknown'), (True, 'traditional'), (False, 'japanese'))
    """
    script = detect_script(line)
    if script == "mixed":
        s, t, _ = _evidence(line)
        return t >= s, script
    if script == "unknown":
        script = context
    return script in CONVERTIBLE or script == "unknown", script
