"""The cheap screening pass: find the characters that mojibake is made of.

Clean text must cost almost nothing.  One compiled regular expression looks for

- characters that synthetic mojibake uses far more often than clean Chinese text does
  (generated table ``fixenc/_tables/screen.py``: UTF-8 CJK bytes E4-E9 xx xx read as GBK
  yield a character such as 浣 or 鍙 every third character, and those are rare in text);
- U+FFFD, C1 controls and the Private Use Area (where decoders put bytes they could not
  map);
- two characters in a row from the upper halves of the single-byte code pages, neither
  of them common punctuation (``ÖÐ``, ``ä¸``; a lone ``é`` is ordinary French);
- ``??`` next to non-ASCII text (lost bytes written as question marks);
- hanzi, a space, hanzi: Korean EUC-KR read as GBK makes common hanzi, but keeps the
  spaces between Korean words, which Chinese text rarely has; and two or more such hanzi
  beside Hangul (a Korean word read as GBK inside Korean text);
- damage that cannot be undone (``锟斤拷``, ``烫烫烫``), so that it is reported;
- on a line with a character of the single-byte code pages, whatever ftfy's own detector
  of UTF-8 mojibake finds (``CAMPAÃ‘A``, ``MÃ–BEL``, ``вЂ“``: a lead byte before a
  continuation byte that reads as punctuation, which the pair rule leaves to French
  quotes and dashes).

Only lines with a hit go on to the chains and the scorer, and of those only the lines that
:func:`worth_a_look` keeps: a rare character of clean text usually sits in a word the
character bigram table knows (英镑, 蝙蝠), while mojibake puts its characters beside strangers.
"""

from __future__ import annotations

import functools
import re

_HANGUL = "[\uac00-\ud7a3]"
"""Hangul syllables, as a regex character class."""

_PUNCT = "\u00ab\u00bb\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u2022\u00b7\u00a0\u00d7\u00b0"


@functools.cache
def single_byte_chars() -> frozenset[str]:
    """The characters the upper halves of the single-byte code pages read (``Ö``, ``Ž``, ``╨``)."""
    return frozenset(_single_byte_chars())


def _single_byte_chars() -> set[str]:
    chars: set[str] = set()
    for codec in ("latin-1", "cp1252", "mac_roman", "cp437", "cp850", "cp866"):
        chars.update(bytes(range(0x80, 0x100)).decode(codec, "replace"))
    chars.discard("\ufffd")
    return chars


def _class(chars: set[str], ranges: str = "") -> str:
    r"""A regex character class matching ``chars`` (and the ready-made ``ranges``), with runs
    folded into ranges.

    >>> _class(set("abcxz"), ranges="가-힣"), _class(set("]^"))
    ('[a-cxz가-힣]', '[\\]-\\^]')
    """
    points = sorted(map(ord, chars))
    parts: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        lo, hi = _escaped(points[i]), _escaped(points[j])
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + "".join(parts) + ranges + "]"


def _escaped(point: int) -> str:
    # Only ASCII needs escaping in a class; re.escape on every CJK character costs ~20 ms.
    ch = chr(point)
    return ch if point >= 0x80 or ch.isalnum() else re.escape(ch)


@functools.cache
def suspect_chars() -> frozenset[str]:
    """Characters that are a hit on their own."""
    from fixenc._tables.screen import SUSPECTS

    chars = set("".join(SUSPECTS))
    chars.add("\ufffd")
    chars.update(chr(c) for c in range(0x80, 0xA0))  # C1 controls
    chars.update(chr(c) for c in range(0xE000, 0xF900))  # Private Use Area
    return frozenset(chars)


@functools.cache
def hangul_shaped_chars() -> frozenset[str]:
    """The hanzi GBK reads from the bytes of a Hangul syllable of EUC-KR (lead B0-C8, trail
    A1-FE: the first 25 rows of GB2312's common hanzi)."""
    chars = set()
    for lead in range(0xB0, 0xC9):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gbk"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


@functools.cache
def _rules() -> dict[str, str]:
    """The screen's rules as regex sources, by name (the group names of :func:`suspect_re`)."""
    strong = _class(_single_byte_chars() - set(_PUNCT))
    shaped = _class(set(hangul_shaped_chars()))
    return {
        "char": _class(set(suspect_chars())),
        # ... also with one ASCII byte between them: a double-byte trail can be ASCII (§A¤@).
        "pair": f"{strong}[\\x21-\\x7e]?{strong}",
        # Lost bytes written as "?" next to non-ASCII text: "鍔?", "????" from Big5 decoders.
        "qmarks": r"[^\x00-\x7f]\?\?|\?\?[^\x00-\x7f]",
        # Korean EUC-KR read as GBK gives common hanzi, but keeps Korean's spaces between words.
        "spaced": r"[\u4e00-\u9fff]{2} [\u4e00-\u9fff]{2}",
        # ... and a word of them beside Hangul: Korean read as GBK inside Korean text (회의를
        # in 서울에서 雀狼甫 합니다).  Hanja in Korean text are mostly Traditional, outside
        # GB2312.  (The match is the hanzi alone: a hit is where a repair may start.)
        # The class of 2,350 hanzi appears once (its three copies cost ~30 ms of compiling):
        # Hangul before the run is noted in a group, else Hangul must follow it.
        "hanja": (f"(?P<hangul_before>(?<={_HANGUL})|(?<={_HANGUL} ))?{shaped}{{2,}}"
                  f"(?(hangul_before)|(?= ?{_HANGUL}))"),
        # Damage that cannot be undone, reported by fixenc.damage: 锟斤拷, 烫烫烫, 屯屯屯.
        "damage": "锟[斤拷\ufffd?]|烫烫烫|屯屯屯",
        # Not a rule of its own: a strong single-byte character, the pair rule's quick test.
        "strong": strong,
    }


@functools.cache
def suspect_re() -> re.Pattern[str]:
    """The compiled screen (built on first use, never at import)."""
    rules = _rules()
    return re.compile("|".join(f"(?P<{name}>{rules[name]})"
                               for name in ("char", "pair", "qmarks", "spaced", "hanja",
                                            "damage")))


@functools.cache
def signature(chain: str) -> frozenset[str]:
    """The characters the mojibake of ``chain`` is made of (generated table)."""
    from fixenc._tables.screen import SIGNATURES

    return frozenset("".join(SIGNATURES.get(chain, ())))


@functools.cache
def _fast() -> tuple[re.Pattern[str], ...]:
    """The screen split into single scans, each a C-speed search over one character class."""
    rules = _rules()
    # One class for every rule that needs a character of its own: clean text, which has
    # none of them, costs one scan (the "??" and spaced rules are found by substring first).
    first = set(suspect_chars()) | (_single_byte_chars() - set(_PUNCT)) | set("锟烫屯")
    return (re.compile(_class(first, ranges=_HANGUL[1:-1])), re.compile(rules["char"]),
            re.compile(rules["strong"]), re.compile(rules["pair"]),
            re.compile(rules["spaced"]), re.compile(_HANGUL))


@functools.cache
def _hanja_re() -> re.Pattern[str]:
    """The hanja rule alone, compiled on the first line with Hangul (~15 ms)."""
    return re.compile(_rules()["hanja"])


def has_suspect(text: str) -> bool:
    """True when ``text`` contains a screening hit (the same hits as :func:`suspect_re`).

    >>> has_suspect("你好，世界。"), has_suspect("浣犲ソ"), has_suspect("ÖÐÎÄ")
    (False, True, True)
    >>> has_suspect("café, naïve — “quoted”"), has_suspect("plain ASCII")
    (False, False)
    """
    if text.isascii():
        return False
    first, chars, strong, pair, spaced, hangul = _fast()
    if first.search(text) is None:
        return (("??" in text and suspect_re().search(text) is not None)
                or (" " in text and spaced.search(text) is not None))
    if chars.search(text):
        return True
    if strong.search(text) and (pair.search(text) or _ftfy_bad().search(text)):
        return True
    if "??" in text and suspect_re().search(text):
        return True
    if " " in text and spaced.search(text):
        return True
    if hangul.search(text) and _hanja_re().search(text):
        return True
    return "锟" in text or "烫烫烫" in text or "屯屯屯" in text


@functools.cache
def _ftfy_bad() -> re.Pattern[str]:
    """ftfy's detector of UTF-8 read as a single-byte code page (``ftfy.badness``): on the
    test split it finds none of the 103,425 clean lines of any language, and every line of
    ftfy's own test cases that ``ftfy.fix_encoding`` repairs and the other rules miss
    (an accented capital before a quotation mark or a dash, Hebrew read as cp1252).
    Imported on the first line that has a character of the single-byte code pages, never
    for clean Chinese."""
    from ftfy.badness import BADNESS_RE

    return BADNESS_RE


def ftfy_hits(line: str) -> list[re.Match[str]]:
    """Where ftfy's detector finds mojibake in ``line`` (only on a line with a character of
    the single-byte code pages: see :func:`_ftfy_bad`).  The chains consult it only on a
    line that no other rule finds anything in.

    >>> [m.start() for m in ftfy_hits("CAMPAÃ‘A")], ftfy_hits("naïve — “quoted”")
    ([5], [])
    """
    if _fast()[2].search(line) is None:
        return []
    return list(_ftfy_bad().finditer(line))


FAMILIAR_LIFT = 3.0
"""How much likelier (natural log: about 20 times) than chance a bigram must be for a hit
character in it to count as explained by its neighbour.  Measured on the *train* split
(scripts/corpus.py): about half the clean Chinese lines with a hit have every hit explained,
while synthetic damage in any chain almost never does (it places its characters beside
characters they do not go with); lines a chain could still repair are not skipped, because
a damaged span always has a hit of its own that is not explained."""


def _ideograph(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _lift(a: str, b: str) -> float:
    from fixenc import lm

    return lm.pair_logprob(a, b) - lm.char_logprob(b)


def familiar(line: str, pos: int, min_lift: float = FAMILIAR_LIFT) -> bool:
    """Whether the character at ``pos`` forms a bigram at least ``min_lift`` likelier than
    chance (natural log) with a neighbour: a screening hit that reads as part of a word (the
    kana of a Japanese sentence, Hangul in Korean) rather than as damage.  Mojibake puts its
    characters beside strangers: pairs the tables never saw, a lift of 0 or below.

    >>> familiar("英国的市场规模是28亿英镑。", 11), familiar("错误：鍙戦€佹垚鍔?", 3)
    (True, False)
    >>> familiar("わたしはわが家", 3, min_lift=1.0), familiar("わたしはわが家", 3)
    (True, False)
    """
    ch = line[pos]
    left = line[pos - 1] if pos > 0 else ""
    right = line[pos + 1] if pos + 1 < len(line) else ""
    return ((left >= "\x80" and left != "\ufffd" and _lift(left, ch) >= min_lift)
            or (right >= "\x80" and right != "\ufffd" and _lift(ch, right) >= min_lift))


def _hangul_shaped(ch: str) -> bool:
    """Whether ``ch`` is what GBK reads from the bytes of a Hangul syllable of EUC-KR."""
    return ch in hangul_shaped_chars()


def _familiar_words(spaced: str) -> bool:
    """Whether the two two-hanzi words of a ``spaced`` hit (``大小 高度``) cannot be Korean
    read as GBK: a character that no Hangul syllable reads as, or both words familiar
    bigrams (Korean read as GBK makes common hanzi in unfamiliar pairs: ``傍瘤 荤亲``)."""
    left, right = spaced.split(" ")
    if not all(_hangul_shaped(ch) for ch in left + right):
        return True
    return (suspect_chars().isdisjoint(spaced) and _lift(left[0], left[1]) >= FAMILIAR_LIFT
            and _lift(right[0], right[1]) >= FAMILIAR_LIFT)


def worth_a_look(line: str) -> bool:
    """Whether a line with screening hits needs the chains (the second, slower screen).

    A line is passed over when every hit is a single suspect character that forms a
    familiar bigram (:data:`FAMILIAR_LIFT`) with a neighbouring ideograph that is not a hit
    itself, or two familiar two-hanzi words around a space (measured on the train split:
    30% of clean lines with only such hits, none of 554 lines of Korean read as GBK), or
    two words around a space holding a character that no EUC-KR Hangul syllable reads as
    (27% fewer clean Chinese lines looked at; 1 more of 3,738 calib damage cases passed
    over).  Any other kind of hit (``ÖÐ``, ``??``, U+FFFD, 锟斤拷, :func:`ftfy_hits`)
    always gets a look.

    >>> worth_a_look("英国的市场规模是28亿英镑。")     # 镑 is a screening hit; 英镑 a word
    False
    >>> worth_a_look("错误：鍙戦€佹垚鍔?")
    True
    >>> worth_a_look("字体的大小 高度的倍数"), worth_a_look("傍瘤荤亲 磊蜡霸矫魄")
    (False, True)
    >>> worth_a_look("春眠不觉晓 处处闻啼鸟")   # no Hangul syllable reads as 晓 in GBK
    False
    """
    matches = list(suspect_re().finditer(line))
    if any(m.lastgroup not in ("char", "spaced") for m in matches):
        return True
    if not matches:
        return bool(ftfy_hits(line))
    if not all(_familiar_words(m.group()) for m in matches if m.lastgroup == "spaced"):
        return True
    hits = {m.start() for m in matches if m.lastgroup == "char"}
    for h in hits:
        ch = line[h]
        left = line[h - 1] if h > 0 and h - 1 not in hits else ""
        right = line[h + 1] if h + 1 < len(line) and h + 1 not in hits else ""
        if not ((_ideograph(left) and _lift(left, ch) >= FAMILIAR_LIFT)
                or (_ideograph(right) and _lift(ch, right) >= FAMILIAR_LIFT)):
            return True
    return False
