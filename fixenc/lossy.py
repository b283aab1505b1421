"""Decode UTF-8 bytes in which some bytes were lost, letting the language model fill holes.

The wrong decoder wrote U+FFFD (or ``?``) where it could not read a byte.  Those bytes are
gone, but the structure of UTF-8 says how many are missing and what range each lies in (a
continuation byte is 80-BF), and the characters around a hole say which of the few dozen
possible characters it was: ``鍙戦€佹垚鍔?`` is E5 8F 91 E9 80 81 E6 88 90 E5 8A ?? and after
发送成 the only likely E5 8A xx character is 功 (E5 8A 9F).

:func:`decode_holes` runs a beam search over the slots from :mod:`fixenc.bytemaps`:
known bytes extend the current character, a hole stands for one or two unknown bytes, a
``?`` is either itself or a hole, and a gap (a Private Use character deleted after a
GB18030 decoder wrote it, :mod:`fixenc.gaps`) for exactly two bytes that GB18030 reads as
Private Use.  A character with unknown bytes is chosen among the
characters the bytes allow, scored by the language model with two characters of context
(:func:`fixenc.lm.next_logprob`: trigrams backed off to bigrams); when none is plausible
the character is lost and stays U+FFFD.  The result carries the bytes chosen for each hole, so that the fix
can be replayed exactly (``Step("fill", ...)``).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

from fixenc import lm
from fixenc.bytemaps import GAP, HOLE, QMARK, UNKNOWN, Slot, gap_pairs, is_gap_pair
from fixenc.script import Script, mismatch_logprob

BEAM = 12
"""Hypotheses kept after each slot."""

PER_CHAR = 6
"""Candidate characters kept for one character with unknown bytes."""

MAX_HOLE_SHARE = 0.25
"""Above this share of holes among the slots of UTF-8, nothing is guessed (characters are
lost): a hole there is one or two bytes of a three-byte character, and guesses would rest on
guesses."""

MAX_HOLE_SHARE_DBCS = 0.5
"""The same for the double-byte codecs.  A hole in their text is mostly one lost lead byte:
Python's decoders replace the byte they fail on and read its trail byte as the start of the
next character (Big5 ``料庫`` AE C6 AE 77 read as GBK is ``�飘w``), so each hole sits
between known bytes that, with the pair the decoder rejected, leave a few candidates."""

ALTERNATIVES = 16
"""Alternatives remembered per guess, for its posterior given both neighbours."""

CANDIDATES = 32
"""Most frequent characters (by unigram) considered for a character with unknown bytes."""

LOST_LOGPROB = -13.0
"""Log-probability charged for giving a character up as lost (U+FFFD): roughly that of a
character seen once in the tables, so a guess wins only when the context supports it."""

HOLE2_LOGPROB = -1.5
"""Extra cost of reading a hole as two bytes rather than one (most decoders replace one
byte per U+FFFD; WHATWG Big5 and some editors swallow two)."""

SINGLE_BYTE_HOLES = frozenset({"cp1252"})
"""Single-byte decoders that fail on some bytes: each U+FFFD they write is exactly one of
those bytes (Python's cp1252: 81, 8D, 8F, 90 and 9D), whatever follows it."""

VOCAB_FLOOR = -15.0
"""Characters below this unigram log-probability are never proposed as guesses."""

_SPECIALS = "\ufff0"
"""Nor are the Specials (U+FFF0-U+FFFF: U+FFFC OBJECT REPLACEMENT CHARACTER, U+FFFD),
which are no text: 锟 (EF BF) with its last byte lost, the trace of a U+FFFD read as GBK
twice, would otherwise come back as U+FFFC, sure of itself at the end of a line."""


@dataclass(frozen=True, slots=True)
class Structure:
    """How a codec builds characters from bytes, as far as hole filling needs it.

    ``needs[b]`` is how many more bytes a character starting with byte ``b`` takes (-1:
    cannot start one); ``conts`` are the bytes allowed after the first; ``unknown_leads``
    lists, for a character whose first byte was lost, (bytes still needed, possible first
    bytes).
    """

    codec: str
    needs: tuple[int, ...]
    conts: frozenset[int]
    unknown_leads: tuple[tuple[int, tuple[int, ...]], ...]


def _utf8() -> Structure:
    needs = [-1] * 256
    for b in range(0x80):
        needs[b] = 0
    for b in range(0xC2, 0xE0):
        needs[b] = 1
    for b in range(0xE0, 0xF0):
        needs[b] = 2
    for b in range(0xF0, 0xF5):
        needs[b] = 3
    return Structure("utf-8", tuple(needs), frozenset(range(0x80, 0xC0)),
                     ((2, tuple(range(0xE0, 0xF0))), (1, tuple(range(0xC2, 0xE0)))))


# Lead and trail bytes of the double-byte codecs (cp936/GBK, cp950/Big5, cp932/Shift-JIS,
# cp949/UHC, EUC-JP).  A lost byte in their text is either a lead or a trail.
_DBCS: dict[str, tuple[range | tuple[int, ...], tuple[int, ...], tuple[int, ...]]] = {
    # codec: (lead bytes, trail bytes, single bytes above 0x7F)
    "gbk": (range(0x81, 0xFF), (*range(0x40, 0x7F), *range(0x80, 0xFF)), ()),
    "big5": (range(0x81, 0xFF), (*range(0x40, 0x7F), *range(0xA1, 0xFF)), ()),
    "cp950": (range(0x81, 0xFF), (*range(0x40, 0x7F), *range(0xA1, 0xFF)), ()),
    "cp932": ((*range(0x81, 0xA0), *range(0xE0, 0xFD)), (*range(0x40, 0x7F), *range(0x80, 0xFD)),
              tuple(range(0xA1, 0xE0))),
    "cp949": (range(0x81, 0xFF), (*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0x81, 0xFF)),
              ()),
    "euc_jp": ((0x8E, *range(0xA1, 0xFF)), tuple(range(0xA1, 0xFF)), ()),
}


def _dbcs(codec: str) -> Structure:
    leads, trails, singles = _DBCS[codec]
    needs = [-1] * 256
    for b in range(0x80):
        needs[b] = 0
    for b in singles:
        needs[b] = 0
    for b in leads:
        needs[b] = 1
    if codec == "euc_jp":
        needs[0x8F] = 2  # JIS X 0212: 8F and two bytes A1-FE
    return Structure(codec, tuple(needs), frozenset(trails), ((1, tuple(leads)),))


@functools.cache
def structure(codec: str) -> Structure:
    """The :class:`Structure` of ``codec`` (``utf-8`` or a double-byte CJK codec)."""
    return _utf8() if codec == "utf-8" else _dbcs(codec)


@functools.lru_cache(maxsize=8192)
def _candidates(codec: str, template: tuple[int | None, ...]
                ) -> tuple[tuple[str, bytes, float], ...]:
    """Plausible characters whose bytes in ``codec`` match ``template`` (None = unknown)."""
    st = structure(codec)
    choices: list[Sequence[int]] = []
    for pos, byte in enumerate(template):
        if byte is not None:
            choices.append((byte,))
        elif pos == 0:
            choices.append(next((leads for need, leads in st.unknown_leads
                                 if need == len(template) - 1), ()))
        else:
            choices.append(sorted(st.conts))
    found: list[tuple[str, bytes, float]] = []
    for combo in itertools.product(*choices):
        data = bytes(combo)
        try:
            ch = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if len(ch) != 1:
            continue
        logp = lm.char_logprob(ch)
        if logp >= VOCAB_FLOOR and ch.isprintable() and not _SPECIALS <= ch:
            found.append((ch, data, logp))
    found.sort(key=lambda item: -item[2])
    return tuple(found[:64])



@functools.lru_cache(maxsize=65536)
def rejects(wrong: str, data: bytes) -> bool:
    """Whether the decoder ``wrong`` fails on the first byte of ``data``.

    A hole is where a decoder failed, so the byte that was there must be one it rejects
    together with the byte that followed it: in Python's gbk, AA E5 (a user-defined cell)
    fails and so may hide the AA of 个 (E4 B8 AA), while 8B E5 decodes and cannot hide the
    8B of 下 (E4 B8 8B).
    """
    if wrong in SINGLE_BYTE_HOLES:
        data = data[:1]
    elif wrong == "gbk-whatwg":
        # Browsers and Windows read 0x80 as the euro sign and user-defined cells as
        # Private Use characters (Python's gb18030 does the same for the cells).
        if data[0] == 0x80:
            return False
        wrong = "gb18030"
    try:
        text = data.decode(wrong)
    except UnicodeDecodeError as err:
        if err.start == 0:
            return True
        text = data[:err.start].decode(wrong)  # the first byte was read: as what?
    # Python's cp932 reads A0, FD, FE and FF as U+F8F0-F8F3; browsers reject them.  (Also
    # when the byte after fails: A0 E5 is U+F8F0 and a cut-short E5, and the A0 of 你,
    # E4 BD A0, lost by a browser reading UTF-8 as Shift_JIS, is such a hole.)
    return text[:1] == "\ufffd" or (wrong == "cp932" and "\uf8f0" <= text[:1] <= "\uf8f3")


@dataclass(frozen=True, slots=True)
class _Ctx:
    st: Structure
    guess: bool
    wrong: str | None
    follow: tuple[int, ...]  # per hole: the known byte after it, or -1
    script: Script | None
    forced: frozenset[int]  # holes whose characters are given up without guessing
    next: Callable[[str, str], float]  # log P(character | the two before it)
    gaps: frozenset[int] = frozenset()  # holes that are deleted Private Use characters


@functools.cache
def _gap_bytes() -> tuple[frozenset[int], frozenset[int]]:
    """The bytes that can start and end a :data:`~fixenc.bytemaps.GAP` pair."""
    pairs = gap_pairs()
    return frozenset(p[0] for p in pairs), frozenset(p[1] for p in pairs)


def _bigram_next(context: str, ch: str) -> float:
    """:func:`fixenc.lm.next_logprob` without the trigrams: for slots with nothing to guess,
    whose choices (GBK's €, cp932's duplicated characters) one neighbour settles, so that
    clean text never loads the trigram table."""
    return lm.pair_logprob(context[-1:], ch)


# A hypothesis is a tuple, for speed:
# (score, context (the last two characters), template, need, out, fills, guessed, lost, guess_lp)
# template: tuple of (byte | None, tag) for the character being built; tag is -1 for a
# known byte, else hole * 4 + 2 * (position in the hole) + (hole length - 1); out: linked list (chunk, parent) of the bytes of each emitted character;
# fills: linked list (hole_id, byte, parent).
_Hyp = tuple[float, str, tuple[tuple[int | None, int], ...], int, object, object, int, int,
             float]


def _consistent(ctx: _Ctx, template: tuple[tuple[int | None, int], ...], data: bytes) -> bool:
    """Whether the wrong decoder would have failed where the holes are, given ``data``."""
    if ctx.gaps:
        firsts, seconds = _gap_bytes()
        for i, (byte, tag) in enumerate(template):
            if byte is not None or (tag >> 2) not in ctx.gaps:
                continue
            if tag & 2:  # a gap's second byte, its first in the character before
                if i == 0 and data[i] not in seconds:
                    return False
            elif i + 1 < len(template):
                if not is_gap_pair(data[i:i + 2]):
                    return False
            elif data[i] not in firsts:
                return False
    if ctx.wrong is None:
        return True
    for i, (byte, tag) in enumerate(template):
        if byte is not None or tag & 2 or (tag >> 2) in ctx.gaps:
            continue  # known, the second byte of a two-byte hole, or a gap (checked above)
        if tag & 1:  # two-byte hole: the pair itself was invalid
            if i + 1 < len(template) and not rejects(ctx.wrong, data[i:i + 2]):
                return False
            continue
        if i + 1 < len(template):
            nxt = template[i + 1][0]
            if nxt is None:
                continue
            if not rejects(ctx.wrong, bytes((data[i], data[i + 1]))):
                return False
        else:
            follow = ctx.follow[tag >> 2]
            if follow >= 0 and not rejects(ctx.wrong, bytes((data[i], follow))):
                return False
    return True


_CONSISTENT_CACHE: dict[tuple[object, ...], object] = {}
"""Memo of candidate characters and ranked guesses (:func:`_memo`), keyed by what they
depend on; cleared when it grows past 200,000 entries."""


def _memo_key(ctx: _Ctx, template: tuple[tuple[int | None, int], ...],
              raw: tuple[int | None, ...]) -> tuple[object, ...]:
    """What the candidates for a character being built depend on (for the memo)."""
    last = template[-1]
    follow = ctx.follow[last[1] >> 2] if last[0] is None else -1
    gaps = ctx.gaps
    return (ctx.st.codec, ctx.wrong, raw,
            tuple((tag & 3) | (4 if tag >= 0 and tag >> 2 in gaps else 0) for _, tag in template),
            follow)


_T = TypeVar("_T")


def _memo(key: tuple[object, ...], compute: Callable[[], _T]) -> _T:
    found = _CONSISTENT_CACHE.get(key, _MISSING)
    if found is _MISSING:
        if len(_CONSISTENT_CACHE) > 200_000:
            _CONSISTENT_CACHE.clear()
        found = _CONSISTENT_CACHE[key] = compute()
    return found  # type: ignore[return-value]


_MISSING = object()


def _consistent_candidates(ctx: _Ctx, template: tuple[tuple[int | None, int], ...],
                           raw: tuple[int | None, ...]) -> tuple[tuple[str, bytes, float], ...]:
    """The candidates for ``raw`` that the wrong decoder could have failed on (memoized)."""
    return _memo(_memo_key(ctx, template, raw),
                 lambda: tuple(c for c in _candidates(ctx.st.codec, raw)
                               if _consistent(ctx, template, c[1])))


def _context_candidates(ctx: _Ctx, template: tuple[tuple[int | None, int], ...],
                        raw: tuple[int | None, ...], prev: str,
                        have: Sequence[tuple[str, bytes, float]],
                        ) -> tuple[tuple[str, bytes, float], ...]:
    """Likely successors of ``prev`` (:func:`fixenc.lm.likely_after`) that fit ``raw``
    and the wrong decoder's failures, beyond the commonest characters already in ``have``
    (which the memo key determines too)."""
    if not prev:
        return ()

    def compute() -> tuple[tuple[str, bytes, float], ...]:
        seen = {ch for ch, _, _ in have}
        out = []
        for ch in lm.likely_after(prev[-1:]) + lm.likely_after_pair(prev):
            if ch in seen or _SPECIALS <= ch:
                continue
            try:
                data = ch.encode(ctx.st.codec)
            except UnicodeEncodeError:
                continue
            if len(data) == len(raw) and all(b is None or b == d for b, d in zip(raw, data)) \
                    and _consistent(ctx, template, data):
                out.append((ch, data, lm.char_logprob(ch)))
        return tuple(out)

    return _memo(("after", prev, *_memo_key(ctx, template, raw)), compute)


def _ranked(ctx: _Ctx, template: tuple[tuple[int | None, int], ...],
            raw: tuple[int | None, ...], prev: str,
            ) -> tuple[tuple[tuple[float, str, bytes], ...], float,
                       tuple[tuple[str, bytes], ...]] | None:
    """The guesses for a character with unknown bytes after ``prev``: the best
    :data:`PER_CHAR` as (log-probability, character, bytes), the log of the normalizer (all
    candidates and giving the character up), and the :data:`ALTERNATIVES` remembered for
    its posterior.  Memoized: a span is decoded several times (guessing, in its script, with
    doubtful guesses given up), and its hypotheses share contexts."""
    def compute() -> tuple[tuple[tuple[float, str, bytes], ...], float,
                           tuple[tuple[str, bytes], ...]] | None:
        cands = _consistent_candidates(ctx, template, raw)[:CANDIDATES]
        cands += _context_candidates(ctx, template, raw, prev, cands)
        if not cands:
            return None
        scored = [(ctx.next(prev, ch) + mismatch_logprob(ch, ctx.script), ch, data)
                  for ch, data, _ in cands]
        scored.sort(key=lambda item: -item[0])
        top = scored[0][0]
        norm = top + math.log(sum(math.exp(v - top) for v, _, _ in scored)
                              + math.exp(LOST_LOGPROB - top))
        return (tuple(scored[:PER_CHAR]), norm,
                tuple((c, d) for _, c, d in scored[:ALTERNATIVES]))

    return _memo(("ranked", prev, ctx.script, ctx.next, *_memo_key(ctx, template, raw)),
                 compute)


def _resolve(ctx: _Ctx, hyp: _Hyp, out_hyps: list[_Hyp]) -> None:
    """The current character is complete: emit it (or its candidates) into ``out_hyps``."""
    st = ctx.st
    score, prev, template, _need, out, fills, guessed, lost, guess_lp = hyp
    raw = tuple(b for b, _ in template)
    if None not in raw:
        data = bytes(raw)  # type: ignore[arg-type]
        try:
            ch = data.decode(st.codec)
        except UnicodeDecodeError:
            return
        out_hyps.append((score + ctx.next(prev, ch), (prev + ch)[-2:], (), 0,
                         ((data, 0, 0.0, (), ()), out), fills, guessed, lost, guess_lp))
        return
    unknown = [i for i, b in enumerate(raw) if b is None]
    _lose(st, hyp, out_hyps)
    holes = tuple(sorted({template[i][1] >> 2 for i in unknown}))
    if len(unknown) > 2 or not ctx.guess or not ctx.forced.isdisjoint(holes):
        return
    ranked = _ranked(ctx, template, raw, prev)
    if ranked is None:
        return
    scored, norm, alts = ranked
    split = _split_gap_first(ctx, template, fills)
    for logp, ch, data in scored:
        if split is not None and not is_gap_pair(bytes((split[1], data[split[0]]))):
            continue  # the gap's first byte, chosen with the character before, rules it out
        new_fills = fills
        for i in unknown:
            new_fills = (template[i][1] >> 2, data[i], new_fills)
        out_hyps.append((score + logp, (prev + ch)[-2:], (), 0,
                         ((data, 1, logp - norm, holes, alts), out),
                         new_fills, guessed + 1, lost, guess_lp + (logp - norm)))


def _split_gap_first(ctx: _Ctx, template: tuple[tuple[int | None, int], ...],
                     fills: object) -> tuple[int, int] | None:
    """When the character being built starts with the second byte of a gap whose first byte
    was filled with the character before: (its index in the template, that first byte)."""
    if not ctx.gaps or not template:
        return None
    byte, tag = template[0]
    if byte is not None or not tag & 2 or tag >> 2 not in ctx.gaps:
        return None
    hole = tag >> 2
    for hole_id, filled in _pairs(fills):
        if hole_id == hole:
            return 0, filled
    return None


def _lose(st: Structure, hyp: _Hyp, out_hyps: list[_Hyp]) -> None:
    """Give the current character up as lost: it will decode to U+FFFD.

    In UTF-8 the known bytes of a truncated character decode to one U+FFFD by themselves
    (the next character starts with a lead byte); a character with no known byte gets 0xFF
    in its first hole.  In a double-byte codec a lone lead byte would pair with whatever
    follows, so its trail hole gets 0xFF, which no double-byte codec accepts as a trail.
    """
    score, prev, template, _need, out, fills, guessed, lost, guess_lp = hyp
    known = any(b is not None for b, _ in template)
    fill_ff = not known or st.codec != "utf-8"
    # Python's cp932 reads FF as U+F8F3 (Private Use): its unassigned row 85 fails instead.
    filler = 0x85 if st.codec == "cp932" else 0xFF
    chunk = bytearray()
    for byte, hole in template:
        if byte is not None:
            chunk.append(byte)
        elif fill_ff:
            chunk.append(filler)
            fills = (hole >> 2, filler, fills)
            fill_ff = False
    out_hyps.append((score + LOST_LOGPROB, prev[-1:] + "\ufffd", (), 0,
                     ((bytes(chunk), 2, 0.0, (), ()), out), fills, guessed, lost + 1, guess_lp))


def _continue(ctx: _Ctx, hyp: _Hyp, entry: tuple[int | None, int],
              out_hyps: list[_Hyp]) -> None:
    """Add one byte (known, or a hole's) to the character being built; resolve it when
    complete."""
    score, prev, template, need, out, fills, guessed, lost, guess_lp = hyp
    hyp = (score, prev, (*template, entry), need - 1, out, fills, guessed, lost, guess_lp)
    if need == 1:
        _resolve(ctx, hyp, out_hyps)
    else:
        out_hyps.append(hyp)


def _feed_known(ctx: _Ctx, hyp: _Hyp, byte: int, out_hyps: list[_Hyp]) -> None:
    st = ctx.st
    score, prev, template, need, out, fills, guessed, lost, guess_lp = hyp
    if need:
        if byte in st.conts:
            _continue(ctx, hyp, (byte, -1), out_hyps)
        return
    lead = st.needs[byte]
    if lead < 0:
        return
    if lead == 0:
        ch = bytes([byte]).decode(st.codec, "replace")
        out_hyps.append((score + ctx.next(prev, ch), (prev + ch)[-2:], (), 0,
                         ((bytes([byte]), 0, 0.0, (), ()), out), fills, guessed, lost, guess_lp))
        return
    out_hyps.append((score, prev, ((byte, -1),), lead, out, fills, guessed, lost, guess_lp))


def _feed_bytes(ctx: _Ctx, hyp: _Hyp, data: bytes) -> list[_Hyp]:
    """The hypotheses after feeding the known bytes ``data`` to ``hyp``."""
    stage = [hyp]
    for byte in data:
        step: list[_Hyp] = []
        for h in stage:
            _feed_known(ctx, h, byte, step)
        stage = step
    return stage


def _feed_unknown(ctx: _Ctx, hyp: _Hyp, hole: int, out_hyps: list[_Hyp]) -> None:
    """Feed one unknown byte; ``hole`` is its tag (see the hypothesis layout)."""
    st = ctx.st
    score, prev, template, need, out, fills, guessed, lost, guess_lp = hyp
    if need:
        _continue(ctx, hyp, (None, hole), out_hyps)
        return
    # An unknown first byte: a character of each possible length starts here.
    for lead_need, _leads in st.unknown_leads:
        out_hyps.append((score, prev, ((None, hole),), lead_need, out, fills, guessed, lost,
                         guess_lp))


def _prune(hyps: list[_Hyp]) -> list[_Hyp]:
    """Keep the best hypotheses, merging those whose futures are the same.

    Two hypotheses that are between characters (nothing pending) and end in the same
    character score every continuation identically, so only the better one can win.
    """
    if len(hyps) <= 1:
        return hyps
    hyps.sort(key=lambda h: -h[0])
    seen: set[object] = set()
    kept: list[_Hyp] = []
    for hyp in hyps:
        key = (hyp[1], hyp[2], hyp[3])
        if key in seen:
            continue
        seen.add(key)
        kept.append(hyp)
        if len(kept) == BEAM:
            break
    return kept


def _unlink(items: object) -> list[object]:
    out: list[object] = []
    while items is not None:
        head: object
        head, items = items  # type: ignore[misc]
        out.append(head)
    out.reverse()
    return out


def _pairs(fills: object) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    while fills is not None:
        hole_id: int
        byte: int
        hole_id, byte, fills = fills  # type: ignore[misc]
        out.append((hole_id, byte))
    out.reverse()
    return out


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoding of slots: the text, the bytes put in each hole, and what was guessed.

    ``chunks`` are the bytes of each emitted character in order, so callers can align the
    text with the slots; ``tags`` say for each whether it was read (0), guessed (1) or lost
    (2), and ``guess_lps`` the log posterior of each guess.
    """

    text: str
    codec: str
    used: int
    fills: tuple[bytes, ...]
    chunks: tuple[bytes, ...]
    tags: tuple[int, ...]
    guess_lps: tuple[float, ...]
    holes: tuple[tuple[int, ...], ...]
    alternatives: tuple[tuple[tuple[str, bytes], ...], ...]
    guessed: int
    lost: int
    guess_logprob: float
    score: float


STRICT_WITHIN_STRUCTURE = frozenset({"utf-8", "gbk", "big5", "cp949", "euc_jp"})
"""Codecs whose strict decoder accepts nothing that their :class:`~fixenc.lossy.Structure`
rejects (checked for every byte and byte pair, and EUC-JP's 8F triples).  Not cp932, which
reads 80, A0 and FD-FF alone: there the structural walk decides where a segment ends."""


def _decode_known(data: bytes, slots: int, st: Structure, prev: str, after: str
                  ) -> Decoded | None:
    """What :func:`decode_holes` makes of known bytes (no hole) that decode strictly as a
    codec of :data:`STRICT_WITHIN_STRUCTURE`, without its beam: every character read, none
    guessed, the same score summed in the same order; None when they do not decode.
    ``slots`` is how many slots the bytes came in (all are used).

    Clean Japanese and Korean lines are decoded whole this way by the two-layer test.
    """
    try:
        text = data.decode(st.codec)
    except UnicodeDecodeError:
        return None
    chunks: list[bytes] = []
    pos, needs = 0, st.needs
    while pos < len(data):
        length = needs[data[pos]] + 1
        if length <= 0:
            return None
        chunks.append(data[pos: pos + length])
        pos += length
    if pos != len(data) or len(chunks) != len(text):
        return None
    score = 0.0
    context = prev[-2:] or "\n"
    for ch in text:
        score = score + _bigram_next(context, ch)
        context = (context + ch)[-2:]
    if after:
        end = _bigram_next(context, after[0])
        if len(after) > 1:
            end += _bigram_next(context[-1:] + after[0], after[1])
        score = score + end
    n = len(text)
    return Decoded(text=text, codec=st.codec, used=slots, fills=(), chunks=tuple(chunks),
                   tags=(0,) * n, guess_lps=(0.0,) * n, holes=((),) * n,
                   alternatives=((),) * n, guessed=0, lost=0, guess_logprob=0.0, score=score)


def stops_early(data: bytes, codec: str, at: int | None = None) -> bool:
    """Whether :func:`decode_holes` surely stops before the end of the known bytes
    ``data`` (``Decoded.used`` short of all its slots), told by the strict decoder (``at``:
    where it failed, when the caller has already tried it).

    For a codec of :data:`STRICT_WITHIN_STRUCTURE`: where the strict decoder fails on a
    byte that the structure says cannot start a character, or on a whole character (its
    bytes all there) that the structure or the codec rejects, the hole decoder's only
    reading dies too.  Not where it fails on a single byte the structure reads (as U+FFFD)
    or on a character cut short by the end (the hole decoder gives it up as lost).

    >>> stops_early("日本語".encode("gbk"), "euc_jp"), stops_early("你".encode()[:2], "utf-8")
    (True, False)
    """
    if codec not in STRICT_WITHIN_STRUCTURE:
        return False
    if at is None:
        try:
            data.decode(codec)
        except UnicodeDecodeError as err:
            at = err.start
        else:
            return False
    need = structure(codec).needs[data[at]]
    return need < 0 or (need > 0 and at + need < len(data))


def decode_holes(
    slots: Sequence[Slot],
    codec: str = "utf-8",
    prev: str = "",
    after: str = "",
    hole_lengths: tuple[int, ...] = (1, 2),
    guess: bool = True,
    wrong: str | None = None,
    script: Script | None = None,
    forced: frozenset[int] = frozenset(),
    unbound: frozenset[int] = frozenset(),
) -> Decoded | None:
    """Decode ``slots`` as ``codec``, filling holes from context.

    ``wrong`` names the decoder whose failures made the holes (guesses it would have read
    without failing are ruled out); ``script`` penalises guesses from the other Chinese
    script.  With ``guess=False`` every character with a lost byte is given up as U+FFFD (the
    first layer of a double mistake, whose text is itself mojibake, cannot be guessed from
    a model of real text).  Decodes the longest prefix of whole characters that parses (``Decoded.used`` slots);
    None when not even the first slot does.  A hole is checked against the byte after it
    (the wrong decoder failed on the pair), except for the slot indices in ``unbound``:
    holes where the damaged text may have ended, so that the decoder saw no next byte.

    >>> from fixenc.bytemaps import encode_text
    >>> decode_holes(encode_text("鍙戦€佹垚鍔?", "gbk")).text
    '发送成功'
    """
    st = structure(codec)
    if codec in STRICT_WITHIN_STRUCTURE and slots and all(
            isinstance(slot, bytes) for slot in slots):
        known = _decode_known(b"".join(cast("Sequence[bytes]", slots)), len(slots), st, prev,
                              after)
        if known is not None:
            return known
    single = wrong in SINGLE_BYTE_HOLES
    if single:
        hole_lengths = (1,)  # one U+FFFD per byte
    holes_total = sum(1 for slot in slots if slot in UNKNOWN)
    share = MAX_HOLE_SHARE if codec == "utf-8" else MAX_HOLE_SHARE_DBCS
    if holes_total > max(share * len(slots), 4):
        # So much was lost that guesses would rest on guesses: give lost characters up.
        guess = False
    follow: list[int] = []
    for k, slot in enumerate(slots):
        if slot == HOLE or slot == QMARK:
            following = slots[k + 1] if k + 1 < len(slots) else None
            if single:
                follow.append(0x20)  # the byte alone decides; any byte may follow it
            elif k in unbound:
                follow.append(-1)
            elif isinstance(following, bytes):
                follow.append(following[0])
            elif following is None and after and after[0] < "\x80":
                follow.append(ord(after[0]))
            else:
                follow.append(-1)  # end of text, or unknown: no constraint
        elif isinstance(slot, tuple) or slot == GAP:
            follow.append(-1)  # numbered like a hole, for its fill; not checked by `follow`
    gaps = frozenset(h for h, slot in enumerate(s for s in slots if not isinstance(s, bytes))
                     if slot == GAP)
    ctx = _Ctx(st, guess, wrong, tuple(follow), script, forced,
               lm.next_logprob if guess and holes_total else _bigram_next, gaps)
    hyps: list[_Hyp] = [(0.0, prev[-2:] or "\n", (), 0, None, None, 0, 0, 0.0)]
    hole = 0
    complete: tuple[int, int, list[_Hyp]] = (0, 0, hyps)  # slots used, holes, hypotheses
    for index, slot in enumerate(slots):
        nxt: list[_Hyp] = []
        if isinstance(slot, bytes):
            for hyp in hyps:
                nxt.extend(_feed_bytes(ctx, hyp, slot))
        elif isinstance(slot, tuple):
            # Known bytes, one of several sequences (GBK's €, cp932's duplicated
            # characters): each is read, the context decides, and the choice is recorded as
            # this slot's fill so that the fix replays.
            for hyp in hyps:
                for option in slot:
                    for h in _feed_bytes(ctx, hyp, option):
                        fills = h[5]
                        for byte in option:
                            fills = (hole, byte, fills)
                        nxt.append((h[0], h[1], h[2], h[3], h[4], fills, h[6], h[7], h[8]))
            hole += 1
        elif slot == HOLE or slot == QMARK:
            if slot == QMARK:
                # A "?" may be the text's own question mark, except between two characters
                # that are not ASCII: there it is a character the decoder could not write
                # (我们一?吃饭 for 我们一起吃饭), which is guessed or declared lost, never kept as
                # a "?" that a repair would pass off as recovered text.
                following = slots[index + 1] if index + 1 < len(slots) else None
                inside = following == HOLE or (isinstance(following, bytes)
                                               and following[0] >= 0x80)
                for hyp in hyps:
                    if inside and hyp[1][-1:] >= "\x80":
                        continue
                    # Record the literal reading so that replay fills this hole with "?".
                    nxt.extend((h[0], h[1], h[2], h[3], h[4], (hole, 0x3F, h[5]), h[6], h[7],
                                h[8]) for h in _feed_bytes(ctx, hyp, b"?"))
            for hyp in hyps:
                for length in hole_lengths:
                    stage = [hyp] if length == 1 else [(hyp[0] + HOLE2_LOGPROB, *hyp[1:])]
                    for pos in range(length):
                        step: list[_Hyp] = []
                        for h in stage:
                            _feed_unknown(ctx, h, hole * 4 + 2 * pos + length - 1, step)
                        stage = step
                    nxt.extend(stage)
            hole += 1
        elif slot == GAP:
            # Exactly the two bytes of a Private Use character, deleted after decoding.
            for hyp in hyps:
                stage = [hyp]
                for pos in range(2):
                    step = []
                    for h in stage:
                        _feed_unknown(ctx, h, hole * 4 + 2 * pos + 1, step)
                    stage = step
                nxt.extend(stage)
            hole += 1
        else:
            return None
        if not nxt:
            break
        hyps = _prune(nxt)
        done = [h for h in hyps if not h[3]]
        if done:
            complete = (index + 1, hole, done)
    else:
        complete = (len(slots), hole, hyps)
    used, hole, hyps = complete
    if not used:
        return None
    finals: list[_Hyp] = []
    for hyp in hyps:
        if hyp[3]:
            # Bytes missing at the very end: the character is lost.
            lost_end: list[_Hyp] = []
            _lose(st, hyp, lost_end)
            hyp = lost_end[0]
        if after and used == len(slots):
            end = ctx.next(hyp[1], after[0])
            if len(after) > 1:
                end += ctx.next(hyp[1][-1:] + after[0], after[1])
            hyp = (hyp[0] + end, *hyp[1:])
        finals.append(hyp)
    best = max(finals, key=lambda h: h[0])
    score, _prev, _t, _n, out, fills, guessed, lost, guess_lp = best
    entries: list[tuple[bytes, int, float, tuple[int, ...], tuple[tuple[str, bytes], ...]]]
    entries = _unlink(out)  # type: ignore[assignment]
    chunks = tuple(e[0] for e in entries)
    groups: list[bytearray] = [bytearray() for _ in range(hole)]
    for hole_id, byte in _pairs(fills):
        groups[hole_id].append(byte)
    return Decoded(
        text=b"".join(chunks).decode(codec, "replace"),
        codec=codec,
        used=used,
        fills=tuple(bytes(g) for g in groups),
        chunks=chunks,
        tags=tuple(e[1] for e in entries),
        guess_lps=tuple(e[2] for e in entries),
        holes=tuple(e[3] for e in entries),
        alternatives=tuple(e[4] for e in entries),
        guessed=guessed,
        lost=lost,
        guess_logprob=guess_lp,
        score=score,
    )


def posteriors(decoded: Decoded, prev: str = "", after: str = "",
               script: Script | None = None) -> list[float]:
    """For each character of ``decoded``: 1.0 if read, else the probability of the guess
    among its alternatives given two characters on each side (``prev`` and ``after`` hold
    the text around ``decoded``, nearest last and first; 0.0 for a lost character)."""
    texts = [c.decode(decoded.codec, "replace") for c in decoded.chunks]
    chars = [*prev[-2:], *(t[-1:] if t else "" for t in texts), *after[:2]]
    base = len(prev[-2:])
    out: list[float] = []
    for i, tag in enumerate(decoded.tags):
        if tag != 1:
            out.append(1.0 if tag == 0 else 0.0)
            continue
        k = base + i
        left = "".join(chars[max(0, k - 2):k])
        right = chars[k + 1:k + 3]
        scores = {}
        for ch, _ in decoded.alternatives[i]:
            value = lm.next_logprob(left, ch) + mismatch_logprob(ch, script)
            if right and right[0]:
                value += lm.next_logprob(left[-1:] + ch, right[0])
                if len(right) > 1 and right[1]:
                    value += lm.next_logprob(ch + right[0], right[1])
            scores[ch] = value
        top = max(scores.values())
        total = sum(math.exp(v - top) for v in scores.values())
        out.append(math.exp(scores.get(texts[i], -1e9) - top) / total)
    return out
