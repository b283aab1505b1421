"""The cheap screening pass: find the characters that mojibake is made of.

Clean text must cost almost nothing.  One compiled regular expression looks for characters
that a wrong decoder produces and clean text rarely contains: U+FFFD, C1 controls, the
Private Use Area, Latin-1 and the upper halves of the single-byte code pages, and the
characters of the double-byte code pages that the language model finds rare (UTF-8 CJK
bytes E4-E9 xx xx read as GBK always yield a level-2 or GBK/4 character such as 浣 or 鍙
every third character).  Only lines with a hit go on to the chains and the scorer.
"""

from __future__ import annotations

import functools
import re

from fixenc import lm

RARE_LOGPROB = -10.0
"""Double-byte characters rarer than this (natural log unigram) are suspects."""

_SINGLE_BYTE = ("latin-1", "cp1252", "mac_roman", "cp437", "cp850", "cp866")
_DOUBLE_BYTE = ("gb18030", "cp950", "cp932", "cp949")


def _double_byte_chars(codec: str) -> set[str]:
    chars: set[str] = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            try:
                ch = bytes((lead, trail)).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                chars.add(ch)
    return chars


def _class(chars: set[str]) -> str:
    """A regex character class matching ``chars``, with runs folded into ranges."""
    points = sorted(ord(c) for c in chars)
    parts: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        lo, hi = chr(points[i]), chr(points[j])
        parts.append(re.escape(lo) if i == j else f"{re.escape(lo)}-{re.escape(hi)}")
        i = j + 1
    return "[" + "".join(parts) + "]"


@functools.cache
def suspect_chars() -> frozenset[str]:
    """Every character the screen treats as a possible piece of mojibake."""
    chars: set[str] = {"\ufffd", "\N{EURO SIGN}"}
    chars.update(chr(c) for c in range(0x80, 0x100))
    chars.update(chr(c) for c in range(0xE000, 0xF900))  # Private Use Area
    chars.update(chr(c) for c in range(0xFF61, 0xFFA0))  # halfwidth katakana
    for codec in _SINGLE_BYTE:
        chars.update(bytes(range(0x80, 0x100)).decode(codec, "replace"))
    for codec in _DOUBLE_BYTE:
        chars.update(c for c in _double_byte_chars(codec) if lm.char_logprob(c) < RARE_LOGPROB)
    chars.discard("\ufeff")
    return frozenset(chars)


@functools.cache
def suspect_re() -> re.Pattern[str]:
    """The compiled screen (built on first use, never at import)."""
    return re.compile(_class(set(suspect_chars())))


def has_suspect(text: str) -> bool:
    """True when ``text`` contains any character mojibake is made of.

    >>> has_suspect("你好，世界。"), has_suspect("浣犲ソ"), has_suspect("plain ASCII")
    (False, True, False)
    """
    if text.isascii():
        return False
    return suspect_re().search(text) is not None
