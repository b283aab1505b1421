"""Candidate repairs: for each chain, the spans of a line that undo cleanly, and their decoding.

For one chain the line is encoded back with the wrong decoder's lenient encoder
(:mod:`fixenc.bytemaps`).  Characters it cannot have produced split the line into runs.
Inside a run the bytes are decoded with the true codec: strictly for lossless chains, with
the hole-filling beam of :mod:`fixenc.lossy` where U+FFFD or ``?`` mark lost bytes.  The
decoded run is cut into blocks at the points where a character boundary of the original and
one of the decoding coincide, and the best contiguous stretch of blocks (largest gain in
language-model score) becomes the candidate, so clean text at the edges stays out of it.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from fixenc import lm
from fixenc.bytemaps import GAP, HOLE, QMARK, UNKNOWN, Slot, encode_text
from fixenc.chains import Chain
from fixenc.lossy import (
    SINGLE_BYTE_HOLES,
    STRICT_WITHIN_STRUCTURE,
    Decoded,
    Structure,
    decode_holes,
    posteriors,
    structure,
)
from fixenc.results import Step
from fixenc.script import Script, mismatch_logprob, script_of


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible repair of ``line[start:end]`` by one chain (one or two layers)."""

    start: int
    end: int
    original: str
    replacement: str
    kind: str
    chain: Chain
    steps: tuple[Step, ...]
    guessed: int = 0
    lost: int = 0
    guess_logprob: float = 0.0
    guess_min: float = 1.0
    # "?" kept as itself where the wrong decoder may have written it for lost bytes.
    kept_marks: int = 0
    context_gain: float = 0.0
    context_len: int = 0
    left: str | None = None  # the repaired neighbours, when they differ from the line's
    right: str | None = None
    fallback: Candidate | None = None  # the same repair with its guesses declared lost
    layers: int = 1
    source: str = "chain"
    # A piece of a longer repair that was split at its guesses: the whole stretch it came
    # from, (start, end, replacement), which explains the damage around the piece.
    stretch: tuple[int, int, str] | None = None
    # Share of the slots of the decoded segment that were unknown (U+FFFD, "?", a gap):
    # the more of its neighbourhood was lost, the less a guess can lean on.
    unknown_share: float = 0.0


_TOTAL_DECODERS = frozenset({"latin-1", "mac-roman", "cp437", "cp850", "cp866"})

GUESS_FLOOR = 0.5
"""A guessed character is kept only when it is more likely than all its alternatives
together, given the characters on both sides; otherwise it stays U+FFFD (lost)."""


def hole_decoder(chain: Chain, text: str = "") -> str | None:
    """The codec whose failures made the holes in ``text``, for checking guesses against it.

    Double-byte decoders are checked (they fail on specific byte pairs, which rules out most
    guesses), and the single-byte decoders of :data:`~fixenc.lossy.SINGLE_BYTE_HOLES`.
    Python's codecs reject a superset of what browsers reject (browsers map user-defined
    cells to the Private Use Area), so they stand for every dialect, except in GBK
    mojibake that shows ``€`` or a Private Use character: only a browser or Windows decoder
    writes those, and it read what Python's would have rejected (``gbk-whatwg``).

    >>> from fixenc.chains import CHAINS
    >>> hole_decoder(CHAINS["utf8_read_as_gbk"], "鍙戦€佹垚鍔?")
    'gbk-whatwg'
    """
    if chain.family in ("utf8_as_multibyte", "multibyte_as_multibyte"):
        if chain.wrong == "gbk" and any(ch == "\u20ac" or "\ue000" <= ch <= "\uf8ff"
                                        for ch in text):
            return "gbk-whatwg"  # see lossy.rejects
        return chain.wrong
    # Python's cp1252 fails on five bytes only (81 8D 8F 90 9D), one U+FFFD each: a hole in
    # its output is one of those five, which leaves a guess a handful of choices.
    return chain.wrong if chain.wrong in SINGLE_BYTE_HOLES else None


def _is_ascii_slot(slot: Slot) -> bool:
    return isinstance(slot, bytes) and len(slot) == 1 and slot[0] < 0x80


WINDOW = 24
"""Characters around each screening hit that a run may reach.  Real mojibake has hits every
few characters, so the windows of neighbouring hits merge over the whole damaged span; a
rare character in clean text costs only its window."""


def runs(slots: Sequence[Slot], hits: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of encodable slots around the screening hits, trimmed of leading ASCII.

    Each hit opens a window of :data:`WINDOW` characters on either side, clipped to the
    slots the wrong decoder can have produced; overlapping windows merge.
    """
    out: list[tuple[int, int]] = []
    n = len(slots)
    # Two windows merge exactly when their hits are at most 2 * WINDOW + 1 apart with no
    # slot the wrong decoder cannot have produced (a wall) between them: so only the first
    # and last hit of each cluster matter, and only a cluster's first hit is placed among
    # the walls.  (Walking every hit's window slot by slot cost a fifth of the time of a
    # Korean or Japanese line, where every Hangul or kana is a hit.)
    walls = [k for k, slot in enumerate(slots) if slot is None]
    reach = 2 * WINDOW + 1
    first = last = -1
    low = high = 0  # the walls around the current cluster
    for hit in hits:
        if last >= 0 and hit < high and hit - last <= reach:
            last = hit
            continue
        if slots[hit] is None:
            continue
        if last >= 0:
            out.append((max(first - WINDOW, low), min(last + WINDOW + 1, high)))
        w = bisect.bisect_left(walls, hit)
        low = walls[w - 1] + 1 if w else 0
        high = walls[w] if w < len(walls) else n
        first = last = hit
    if last >= 0:
        out.append((max(first - WINDOW, low), min(last + WINDOW + 1, high)))
    trimmed: list[tuple[int, int]] = []
    for i, j in out:
        while i < j and _is_ascii_slot(slots[i]):
            i += 1
        # Trailing ASCII stays: it may be the trail byte of a double-byte character
        # (係 in GBK is 82 53, "\x82S" in Latin-1); the stretch choice drops what is clean.
        if j > i:
            trimmed.append((i, j))
    return trimmed


def extent(slots: Sequence[Slot], i: int, j: int, st: Structure) -> int:
    """Largest k ≤ j such that ``slots[i:k]`` could be text of ``st`` (holes are wildcards).

    Tracks the set of possible states (bytes still needed by the current character): a hole
    is one or two unknown bytes, each of which may continue a character or start one.
    """
    starts = frozenset(n for n, _ in st.unknown_leads)
    states = frozenset({0})
    last_ok = i
    for k in range(i, j):
        slot = slots[k]
        if isinstance(slot, bytes):
            states = _after_bytes(states, slot, st)
        elif isinstance(slot, tuple):  # one of several byte sequences
            states = frozenset().union(*(_after_bytes(states, b, st) for b in slot))
        elif slot == QMARK and 0 in states:
            states = states | _unknown(_unknown(states, starts), starts) | _unknown(states, starts)
        elif slot == GAP:  # exactly two unknown bytes
            states = _unknown(_unknown(states, starts), starts)
        else:
            once = _unknown(states, starts)
            states = once | _unknown(once, starts)
        if not states:
            return last_ok
        if 0 in states:
            last_ok = k + 1
    return last_ok


def _after_bytes(states: frozenset[int], data: bytes, st: Structure) -> frozenset[int]:
    """States (bytes still needed by the current character) after known bytes."""
    for byte in data:
        nxt = set()
        for need in states:
            if need:
                if byte in st.conts:
                    nxt.add(need - 1)
            elif st.needs[byte] >= 0:
                nxt.add(st.needs[byte])
        states = frozenset(nxt)
    return states


def _unknown(states: frozenset[int], starts: frozenset[int]) -> frozenset[int]:
    """States after one unknown byte."""
    out: set[int] = set()
    for need in states:
        if need:
            out.add(need - 1)
        else:
            out.update(starts)
    return frozenset(out)


def _strict_extent(data: bytes, offsets: Sequence[int], true: str, first: int = 0
                   ) -> tuple[int, str]:
    """Longest char-aligned prefix of the slots from ``first`` that decodes strictly: the
    slot index it ends at, and its text.  ``offsets[k]`` is where slot ``k`` starts in
    ``data`` (the last entry is the end)."""
    base = offsets[first]
    try:
        return len(offsets) - 1, data[base:].decode(true)
    except UnicodeDecodeError as err:
        bad = base + err.start
    k = bisect.bisect_right(offsets, bad, first) - 1
    while k > first:
        try:
            return k, data[base: offsets[k]].decode(true)
        except UnicodeDecodeError:
            k -= 1
    return first, ""


def _blocks(slot_lens: Sequence[int], char_lens: Sequence[int]
            ) -> list[tuple[int, int, int, int]]:
    """Aligned blocks (slot_start, slot_end, char_start, char_end) covering equal bytes.

    A block ends wherever a slot boundary and a character boundary of the decoding fall on
    the same byte, so each block can be kept or left alone independently.
    """
    slot_ends: dict[int, int] = {}
    pos = 0
    for k, length in enumerate(slot_lens):
        pos += length
        slot_ends[pos] = k + 1
    blocks: list[tuple[int, int, int, int]] = []
    pos = 0
    s0 = c0 = 0
    for c, length in enumerate(char_lens):
        pos += length
        end = slot_ends.get(pos)
        if end is not None and end > s0:
            blocks.append((s0, end, c0, c + 1))
            s0, c0 = end, c + 1
    return blocks


MIN_CONTEXT = 3
"""Non-ASCII characters a repair must span before a piece of it that changes one character
may stand as a candidate of its own (one character alone is not evidence enough)."""


BARRIER = 8
"""Unchanged blocks (ASCII) in a row that separate two repairs: evidence does not carry
across a run of plain text that long, so each side must stand on its own."""


def _best_stretch(line: str, base: int, blocks: list[tuple[int, int, int, int]],
                  pieces: Sequence[str]) -> tuple[int, int] | None:
    """The first stretch of blocks worth repairing: its first and last block index.

    ``pieces`` is the decoding, one string per decoded character (a lost character may
    decode to more than one U+FFFD).  Blocks that decode to themselves are trimmed from both
    ends, and :data:`BARRIER` ASCII ones in a row split the blocks into groups; within
    the first group that has one, the contiguous blocks with the largest total gain win
    (Kadane).  Callers continue after the stretch, so later groups are found in turn.
    """
    def same(b: int) -> bool:
        s0, s1, c0, c1 = blocks[b]
        return line[base + s0: base + s1] == "".join(pieces[c0:c1])

    # The terms of each block's gain, computed once for the whole run (summed per block
    # in the order text_logprob would sum them, so the choice is exactly the same).
    head = line[base - 1] if base > 0 else ""
    old_lps = lm.pair_logprobs(line[base: base + blocks[-1][1]], head) if blocks else []
    new_lps: list[float] | None = None
    starts: list[int] = []
    if all(pieces):
        new_lps = lm.pair_logprobs("".join(pieces), head)
        starts = [0, *accumulate(map(len, pieces))]
    best: tuple[float, int, int] | None = None
    run_gain = 0.0
    run_start = 0
    plain = 0
    for b, (s0, s1, c0, c1) in enumerate(blocks):
        if same(b):
            # Only ASCII separates repairs: characters both codecs write alike (the kana
            # EUC-JP and GB2312 share) sit inside the damage, between its pieces.
            if line[base + s0] < "\x80":
                plain += 1
            if plain >= BARRIER and best is not None and best[0] > 0:
                break  # a stretch was found before this run of plain text: take it
            if plain >= BARRIER:
                run_gain, best = 0.0, None
                continue
        else:
            plain = 0
        if new_lps is not None:
            gain = sum(new_lps[starts[c0]: starts[c1]], 0.0) - sum(old_lps[s0:s1], 0.0)
        else:  # an empty piece: its neighbours' context is not the joined text's
            prev_o = line[base + s0 - 1] if base + s0 > 0 else ""
            prev_n = pieces[c0 - 1][-1:] if c0 > 0 else prev_o
            gain = (lm.text_logprob("".join(pieces[c0:c1]), prev_n)
                    - sum(old_lps[s0:s1], 0.0))
        if run_gain <= 0:
            run_gain, run_start = gain, b
        else:
            run_gain += gain
        if best is None or run_gain > best[0]:
            best = (run_gain, run_start, b)
    if best is None or best[0] <= 0:
        return None
    _, first, last = best
    while first < last and same(first):
        first += 1
    while last > first and same(last):
        last -= 1
    if same(first) and first == last:
        return None

    def span_gain(f: int, l: int) -> float:
        s0, s1 = base + blocks[f][0], base + blocks[l][1]
        left = line[s0 - 1] if s0 > 0 else ""
        right = line[s1] if s1 < len(line) else ""
        new = "".join(pieces[blocks[f][2]: blocks[l][3]])
        return lm.text_logprob(new, left, right) - lm.text_logprob(line[s0:s1], left, right)

    # Block gains count the bigram into a block but not out of it, so a first block whose
    # repair reads worse alone (毛 starts fewer lines than を) but makes its neighbour read
    # far better is left out: extend while the whole stretch, read in context, gains.
    gain = span_gain(first, last)
    while first > 0 and not same(first - 1) and (ext := span_gain(first - 1, last)) > gain:
        first, gain = first - 1, ext
    while last + 1 < len(blocks) and not same(last + 1) and (
            ext := span_gain(first, last + 1)) > gain:
        last, gain = last + 1, ext
    return first, last


def _plain_segment(line: str, start: int, data: bytes, offsets: Sequence[int], first: int,
                   chain: Chain) -> tuple[Candidate | None, int]:
    """Strictly decode the hole-free slots from slot ``first`` (``data`` and ``offsets`` as
    in :func:`_strict_extent`); return a candidate and the slots used."""
    k, text = _strict_extent(data, offsets, chain.true, first)
    if k == first:
        return None, 0
    char_lens = [len(ch.encode(chain.true)) for ch in text]
    slot_lens = [offsets[x + 1] - offsets[x] for x in range(first, k)]
    blocks = _blocks(slot_lens, char_lens)
    stretch = _best_stretch(line, start, blocks, list(text))
    if stretch is None:
        return None, k - first
    s0, c0 = blocks[stretch[0]][0], blocks[stretch[0]][2]
    s1, c1 = blocks[stretch[1]][1], blocks[stretch[1]][3]
    a, b = start + s0, start + s1
    cand = Candidate(a, b, line[a:b], text[c0:c1], chain.name, chain,
                     (Step("encode", f"fixenc:{chain.wrong}"), Step("decode", chain.true)))
    return cand, s1


def _known_bytes(slots: Sequence[Slot]) -> tuple[bytes, list[int]]:
    """The bytes of the leading slots that are known bytes, and where each slot starts."""
    offsets = [0]
    parts: list[bytes] = []
    for slot in slots:
        if not isinstance(slot, bytes):
            break
        parts.append(slot)
        offsets.append(offsets[-1] + len(slot))
    return b"".join(parts), offsets


def line_context(line: str, start: int, end: int) -> tuple[str, str]:
    """Two characters of context on each side of ``line[start:end]``, as the hole decoder
    takes them; a newline is the model's line boundary.

    >>> line_context("你好，世界", 0, 2), line_context("你好，世界", 2, 5)
    (('\\n', '，世'), ('你好', '\\n'))
    """
    return (line[start - 2:start] if start >= 2 else "\n" + line[:start],
            (line[end:end + 2] + "\n")[:2])


def _holey_segment(line: str, start: int, slots: Sequence[Slot], chain: Chain, guess: bool,
                   unbound: frozenset[int] = frozenset()) -> tuple[list[Candidate], int]:
    """Decode slots with holes, filling them, then keep the stretch that gains most."""
    end = start + len(slots)
    prev, after = line_context(line, start, end)
    wrong = hole_decoder(chain, line[start:end])
    decoded = decode_holes(slots, chain.true, prev, after, guess=guess, wrong=wrong,
                           unbound=unbound)
    if decoded is None:
        return [], 0
    script = None
    if decoded.guessed:
        # Guesses should match the script of the text around them: decode again with it.
        known = "".join(c.decode(chain.true, "replace") for c, tag in
                        zip(decoded.chunks, decoded.tags) if tag == 0)
        script = script_of(line[:start] + known + line[end:])
        guesses = [c.decode(chain.true, "replace") for c, tag in
                   zip(decoded.chunks, decoded.tags) if tag == 1]
        if script is not None and any(mismatch_logprob(g[:1], script) for g in guesses):
            redone = decode_holes(slots, chain.true, prev, after, guess=guess, wrong=wrong,
                                  script=script, unbound=unbound)
            if (redone is not None and redone.used >= decoded.used
                    and _replays(redone, chain.true)):
                decoded = redone
    post = posteriors(decoded, prev, after, script)
    # A guess that is not clearly the likeliest reading given both neighbours is given up:
    # U+FFFD, declared lost, is better than a confident-looking wrong character.
    weak = frozenset(h for p, holes in zip(post, decoded.holes) if p < GUESS_FLOOR
                     for h in holes)
    if weak:
        redone = decode_holes(slots, chain.true, prev, after, guess=guess, wrong=wrong,
                              script=script, forced=weak, unbound=unbound)
        # Giving a guess up can let the lost bytes merge with a known neighbour into a
        # character of their own (庰 from a lost lead and the known B0): that reading does
        # not replay, so the guesses stay, judged by their own posteriors.
        if (redone is not None and redone.used >= decoded.used
                and _replays(redone, chain.true)):
            decoded = redone
            post = posteriors(decoded, prev, after, script)
    slots = slots[: decoded.used]
    texts = [c.decode(chain.true, "replace") for c in decoded.chunks]
    if "".join(texts) != decoded.text:  # as _replays, keeping the pieces
        # Two characters given up as lost read as one when their bytes are joined (E4 B8,
        # then 98 A8, read as 丘): no repair across that join replays.  The slots before
        # it are repaired alone, and the caller goes on after them.
        cut = _replay_cut(slots, decoded, chain.true)
        if cut <= 0:
            return [], decoded.used
        return _holey_segment(line, start, slots[:cut], chain, guess,
                              frozenset(h for h in unbound if h < cut - 1))
    slot_lens, hole_of_slot = _layout(slots, decoded)
    blocks = _blocks(slot_lens, [len(c) for c in decoded.chunks])
    stretch = _best_stretch(line, start, blocks, texts)
    if stretch is None:
        return [], decoded.used
    # Split the stretch where guesses are: each run of blocks without a guess, and each
    # block with one, becomes its own candidate, so that one doubtful character does not
    # hold back the certain text around it (nor ride on its evidence).
    first, last = blocks[stretch[0]], blocks[stretch[1]]
    whole_old = line[start + first[0]: start + last[1]]
    whole_new = "".join(texts[first[2]:last[3]])
    # ... unless the stretch is too short for its pieces to stand alone (a piece of one
    # character needs a context of three): 谨慎 from 隹ｨ諷� is one repair, not two
    # single characters that would each be dropped.
    short = _nonascii(whole_new) < MIN_CONTEXT
    groups: list[list[tuple[int, int, int, int]]] = []
    for block in blocks[stretch[0]: stretch[1] + 1]:
        guessy = 1 in decoded.tags[block[2]:block[3]]
        if groups and (short or (not guessy and not groups[-1][-1][4])):  # type: ignore[misc]
            groups[-1].append((*block, guessy))  # type: ignore[arg-type]
        else:
            groups.append([(*block, guessy)])  # type: ignore[list-item]
    context = (lm.text_logprob(whole_new) - lm.text_logprob(whole_old)) / max(len(whole_new), 1)
    whole = (start + first[0], start + last[1], whole_new) if len(groups) > 1 else None
    unknown = sum(1 for slot in slots if slot in UNKNOWN) / max(len(slots), 1)
    out: list[Candidate] = []
    lost_view = _lost_view(slots, chain, prev, after, wrong, script, decoded, groups, guess,
                           unbound)
    for group in groups:
        s0, c0 = group[0][0], group[0][2]
        s1, c1 = group[-1][1], group[-1][3]
        a, b = start + s0, start + s1
        if line[a:b] == "".join(texts[c0:c1]):
            continue
        tags = decoded.tags[c0:c1]
        kept = [p for p, tag in zip(post[c0:c1], tags) if tag == 1]
        cand = Candidate(a, b, line[a:b], "".join(texts[c0:c1]), chain.name, chain,
                         _steps(chain, decoded.fills, hole_of_slot[s0:s1],
                                "".join(texts[c0:c1])),
                         guessed=tags.count(1), lost=tags.count(2),
                         kept_marks=sum(1 for k in range(s0, s1) if slots[k] == QMARK
                                        and decoded.fills[hole_of_slot[k]] == b"?"),
                         guess_logprob=sum(math.log(max(p, 1e-9)) for p in kept),
                         guess_min=min(kept, default=1.0), context_gain=context,
                         context_len=_nonascii(whole_new),
                         left=texts[c0 - 1][-1:] if c0 > first[2] else None,
                         right=texts[c1][:1] if c1 < last[3] else None, stretch=whole,
                         unknown_share=unknown)
        if kept and lost_view is not None:
            fallback = lost_view.get((s0, s1))
            # Declaring characters lost must not lengthen the text (a lost double-byte
            # character decodes to two U+FFFD).
            if (fallback is not None and fallback[0] != line[a:b] and len(fallback[0]) <= b - a
                    and not _IMPLAUSIBLE_RE.search(fallback[0])):
                text, steps, lost = fallback
                cand = dataclasses.replace(cand, fallback=dataclasses.replace(
                    cand, replacement=text, steps=steps, guessed=0, lost=lost,
                    guess_logprob=0.0, guess_min=1.0))
        out.append(cand)
    return out, min(decoded.used, last[1])


def _replays(decoded: Decoded, codec: str) -> bool:
    """Whether ``decoded``'s chunks, decoded one by one, give its text (they do not when a
    lost byte let its neighbours merge into another character)."""
    return "".join(c.decode(codec, "replace") for c in decoded.chunks) == decoded.text


def _replay_cut(slots: Sequence[Slot], decoded: Decoded, codec: str) -> int:
    """The last slot boundary at or before the first chunk of ``decoded`` whose bytes join
    the chunks before it into another reading than theirs (see :func:`_replays`)."""
    joined = b""
    said = ""
    at = 0  # byte offset of the chunk being added
    for chunk in decoded.chunks:
        said += chunk.decode(codec, "replace")
        joined += chunk
        if joined.decode(codec, "replace") != said:
            break
        at += len(chunk)
    else:
        return len(slots)
    slot_lens, _ = _layout(slots, decoded)
    cut = pos = 0
    for k, length in enumerate(slot_lens):
        if pos > at:
            break
        cut = k
        pos += length
    return cut


def _layout(slots: Sequence[Slot], decoded: Decoded) -> tuple[list[int], list[int]]:
    """Bytes each slot stands for in ``decoded`` (a hole: its fill), and each slot's hole
    number (-1 for known bytes)."""
    slot_lens: list[int] = []
    hole_of_slot: list[int] = []
    hole = 0
    for slot in slots:
        if isinstance(slot, bytes):
            slot_lens.append(len(slot))
            hole_of_slot.append(-1)
        else:
            slot_lens.append(len(decoded.fills[hole]))
            hole_of_slot.append(hole)
            hole += 1
    return slot_lens, hole_of_slot


def _steps(chain: Chain, fills: Sequence[bytes], holes_of_slots: Sequence[int],
           text: str) -> tuple[Step, ...]:
    """The replay of a decoding of slots with holes that gave ``text``.

    Known bytes can be lost too (a continuation byte whose lead the wrong decoder lost:
    U+FFFD in ``text`` without a hole), and only a lenient decode, after a fill (empty
    when there is no hole), reads them as the repair did.
    """
    holes = [h for h in holes_of_slots if h >= 0]
    encode = Step("encode", f"fixenc:{chain.wrong}")
    if holes or "\ufffd" in text:
        fill = "|".join(fills[h].hex() for h in holes)
        return (encode, Step("fill", fill), Step("decode", chain.true))
    return (encode, Step("decode", chain.true))


def _lost_view(slots: Sequence[Slot], chain: Chain, prev: str, after: str, wrong: str | None,
               script: Script | None, decoded: Decoded,
               groups: list[list[tuple[int, int, int, int]]], guess: bool,
               unbound: frozenset[int]) -> dict[tuple[int, int], tuple[str, tuple[Step, ...], int]] | None:
    """The same decoding with every guess given up: for each slot range it covers as whole
    blocks, the text (U+FFFD where the guesses were), the steps, and the characters lost.

    A guess that is not sure enough to apply still tells that its span is damage: applying
    the repair with the character declared lost removes the mojibake and says what is
    missing, rather than leaving ``鍔?`` in the text."""
    guessy = [g for g in groups if any(block[4] for block in g)]  # type: ignore[misc]
    if not guessy:
        return None
    forced = frozenset(h for g in guessy for block in g
                       for holes in decoded.holes[block[2]:block[3]] for h in holes)
    lost = decode_holes(slots, chain.true, prev, after, guess=guess, wrong=wrong,
                        script=script, forced=forced, unbound=unbound)
    if lost is None or lost.used != decoded.used:
        return None
    texts = [c.decode(chain.true, "replace") for c in lost.chunks]
    # Where lost bytes let neighbours merge (E5 BE given up before a stray B7 read as 德),
    # the whole text does not replay, but a piece that ends before the merge still does:
    # each piece is checked on its own bytes below.
    slot_lens, hole_of_slot = _layout(slots[: lost.used], lost)
    view: dict[tuple[int, int], tuple[str, tuple[Step, ...], int]] = {}
    blocks = _blocks(slot_lens, [len(c) for c in lost.chunks])
    starts = {blk[0]: i for i, blk in enumerate(blocks)}
    for g in guessy:
        s0, s1 = g[0][0], g[-1][1]
        i = starts.get(s0)
        if i is None:
            continue
        j = i
        while j < len(blocks) and blocks[j][1] < s1:
            j += 1
        if j == len(blocks) or blocks[j][1] != s1:
            continue
        c0, c1 = blocks[i][2], blocks[j][3]
        text = "".join(texts[c0:c1])
        if b"".join(lost.chunks[c0:c1]).decode(chain.true, "replace") != text:
            continue  # the piece's own bytes merge: it would not replay
        view[(s0, s1)] = (text, _steps(chain, lost.fills, hole_of_slot[s0:s1], text),
                          lost.tags[c0:c1].count(2))
    return view


def _open_holes(line: str, base: int, seg: Sequence[Slot], hit_set: frozenset[int]
                ) -> frozenset[int]:
    """Holes in ``seg`` where the damaged text may have ended: clean text follows them.

    A decoder's U+FFFD or ``?`` ends a span of damage as often as it sits inside one
    (``接受`` with only ``接`` read wrongly: ``鎺?受``).  Then the wrong decoder failed on
    the end of its input, not on the byte of the clean text after it, and the guess must
    not be checked against that byte.  A hole counts when the next two characters are
    non-ASCII and not screening hits.
    """
    out = []
    for p, slot in enumerate(seg[:-1]):
        if (slot == HOLE or slot == QMARK) and isinstance(seg[p + 1], bytes):
            pos = base + p + 1
            if line[pos] >= "\x80" and pos not in hit_set and pos + 1 not in hit_set:
                out.append(p)
    return frozenset(out)


def _segments(line: str, base: int, slots: Sequence[Slot], chain: Chain,
              guess: bool, hit_set: frozenset[int] = frozenset()) -> list[Candidate]:
    st = structure(chain.true)
    out: list[Candidate] = []
    i = 0
    n = len(slots)
    needs = st.needs
    # Past the last hole, the structural walk of extent() is the strict decoder's job: the
    # longest prefix that decodes strictly is the same, found in C.
    known_from = (1 + max((p for p, s in enumerate(slots) if not isinstance(s, bytes)),
                          default=-1)) if chain.true in STRICT_WITHIN_STRUCTURE else n
    tail: tuple[bytes, list[int]] | None = None
    while i < n:
        slot = slots[i]
        if slot == QMARK or (isinstance(slot, bytes) and needs[slot[0]] <= 0):
            i += 1  # a character cannot start here (ASCII, or a continuation byte)
            continue
        if i >= known_from:
            if tail is None:
                tail = _known_bytes(slots[known_from:])
            cand, used = _plain_segment(line, base + i, tail[0], tail[1], i - known_from,
                                        chain)
            if cand is not None:
                out.append(cand)
            i += max(used, 1)
            continue
        k = extent(slots, i, n, st)
        if k <= i:
            i += 1
            continue
        seg = slots[i:k]
        if any(s in UNKNOWN or isinstance(s, tuple) for s in seg):
            cands, used = _holey_segment(line, base + i, seg, chain, guess,
                                         _open_holes(line, base + i, seg, hit_set))
            out.extend(cands)
            i += max(used, 1)
        else:
            data, offsets = _known_bytes(seg)
            cand, used = _plain_segment(line, base + i, data, offsets, 0, chain)
            if cand is not None:
                out.append(cand)
            i += max(used, 1)
    return out


def chain_candidates(line: str, hits: Sequence[int], chain: Chain,
                     slots: Sequence[Slot] | None = None,
                     guess: bool = True) -> list[Candidate]:
    """Every candidate repair of ``line`` by ``chain`` around the screening ``hits``.

    ``guess=False`` gives characters with lost bytes up as U+FFFD instead of guessing.
    """
    if slots is None:
        slots = encode_text(line, chain.wrong)
    if chain.wrong in _TOTAL_DECODERS:
        # These code pages read every byte: they never lost one, so U+FFFD and "?" in their
        # output are what they are, not holes.
        slots = [None if slot == HOLE else b"?" if slot == QMARK else slot for slot in slots]
    out: list[Candidate] = []
    hit_set = frozenset(hits)
    for i, j in runs(slots, hits):
        out.extend(_segments(line, i, slots[i:j], chain, guess, hit_set))
    # A candidate that recovers nothing (only U+FFFD where the text had U+FFFD) is no repair.
    return [c for c in out if c.replacement != c.original
            and c.replacement.strip("\ufffd") and c.replacement.replace("\ufffd", "")
            != c.original.replace("\ufffd", "")
            and not one_symbol_family(c.original, symbols_only=chain.wrong not in DOS_PAGES)
            and (_distinct(_changed(c)) >= 2
                 or ((c.left is not None or c.right is not None)
                     and c.context_len >= MIN_CONTEXT))
            and c.replacement.count("\ufffd") <= _nonascii(c.replacement)
            and not _IMPLAUSIBLE_RE.search(c.replacement)
            and not (chain.true == "big5" and _KANA_RE.search(_changed(c)))]


# A repair must produce text: not Private Use or C1 control characters (signs of yet another
# wrong decode), and not mostly U+FFFD (a "repair" that recovers less than it loses).
_IMPLAUSIBLE_RE = re.compile("[\x80-\x9f\ue000-\uf8ff]")


# Big5's kana (rows C6-C7) are an extension (ETEN) that Chinese text does not use: in a
# Big5 reading they are bytes of something else (い道 in EUC-JP read as GBK is い苹, whose
# A4 A4 C6 BB Big5 reads as 中し).
_KANA_RE = re.compile("[\u3040-\u30ff]")


def _changed(cand: Candidate) -> str:
    """The part of the replacement that differs from the original (common ends dropped)."""
    old, new = cand.original, cand.replacement
    i = 0
    while i < min(len(old), len(new)) and old[i] == new[i]:
        i += 1
    j = 0
    while j < min(len(old), len(new)) - i and old[-1 - j] == new[-1 - j]:
        j += 1
    return new[i: len(new) - j]


def _nonascii(text: str) -> int:
    # One character alone (Á¦ is 力 in GBK and 제 in EUC-KR) is not evidence enough, unless
    # it is a piece of a longer repair (its neighbours repaired too).
    return sum(1 for ch in text if ch >= "\x80" and ch != "\ufffd")


# Runs of one family of symbols are written on purpose far more often than they arise as
# mojibake: progress bars and tables (░▒▓█, ─│┌), arrows and stars (↓↓↓, ★☆), Japanese
# in halfwidth katakana (ｺﾝﾋﾟｭｰﾀ) or in kana alone (さらに), and Korean jamo on their own
# (ㅋㅋㅋ, ㄲㄲ, ㅠㅠ).  Real mojibake mixes families (╧ε─┐, ｻ瞑鮠ﾍ)
# and contains letters, so a span made of one family, or of symbols alone, is never repaired.
_SYMBOL_FAMILIES = (("\u2500", "\u259f"), ("\uff61", "\uff9f"), ("\u3130", "\u318f"),
                    ("\u3040", "\u30ff"))


DOS_PAGES = frozenset({"cp437", "cp850", "cp866"})
"""Code pages whose upper half is mostly box drawing and symbols: Chinese read through them
can be symbols alone (新建文件夹 in cp437 is ``╨┬╜¿╬─╝■╝╨``, a zip entry name)."""


def _distinct(text: str) -> int:
    # A character repeated is one piece of evidence: 煦煦 (a word) is 分分 in GBK read as
    # Big5, and one character cannot tell the two apart.
    return len({ch for ch in text if ch >= "\x80" and ch != "\ufffd"})


def one_symbol_family(text: str, symbols_only: bool = True) -> bool:
    chars = [ch for ch in text if ch >= "\x80"]
    if not chars:
        return False
    if any(all(lo <= ch <= hi for ch in chars) for lo, hi in _SYMBOL_FAMILIES):
        return True
    # Symbols and punctuation alone (↓↓↓, ★☆): mojibake of text always has letters, except
    # through the DOS code pages (``symbols_only=False``), where the mix of families (box
    # drawing of both styles, ¿, ■) is left to the scoring.  U+FFFD is a lost byte, not a
    # symbol: 、 in Shift-JIS read by Python's cp1252 is "\ufffdA".
    known = [ch for ch in chars if ch != "\ufffd"]
    return symbols_only and bool(known) and all(unicodedata.category(ch)[0] in "SP"
                                                for ch in known)
