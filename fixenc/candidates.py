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

from collections.abc import Sequence
from dataclasses import dataclass

from fixenc import lm
from fixenc.bytemaps import HOLE, QMARK, Slot, encode_text
from fixenc.chains import Chain
from fixenc.lossy import Structure, decode_holes, structure
from fixenc.results import Step


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
    layers: int = 1
    source: str = "chain"


def _is_ascii_slot(slot: Slot) -> bool:
    return isinstance(slot, bytes) and len(slot) == 1 and slot[0] < 0x80


def runs(slots: Sequence[Slot], hits: Sequence[int]) -> list[tuple[int, int]]:
    """Maximal runs of encodable slots that contain a screening hit, trimmed of ASCII."""
    out: list[tuple[int, int]] = []
    n = len(slots)
    last_end = -1
    for hit in hits:
        if hit < last_end or slots[hit] is None:
            continue
        i = hit
        while i > 0 and slots[i - 1] is not None:
            i -= 1
        j = hit + 1
        while j < n and slots[j] is not None:
            j += 1
        while i < j and _is_ascii_slot(slots[i]):
            i += 1
        # Trailing ASCII stays: it may be the trail byte of a double-byte character
        # (係 in GBK is 82 53, "\x82S" in Latin-1); the stretch choice drops what is clean.
        last_end = j
        if j > i:
            out.append((i, j))
    return out


def extent(slots: Sequence[Slot], i: int, j: int, st: Structure) -> int:
    """Largest k ≤ j such that ``slots[i:k]`` could be text of ``st`` (holes are wildcards)."""
    need = 0
    flexible = False
    last_ok = i
    max_need = max(n for n, _ in st.unknown_leads)
    for k in range(i, j):
        slot = slots[k]
        if isinstance(slot, bytes):
            for byte in slot:
                if need and byte in st.conts:
                    need -= 1
                    continue
                if need and not flexible:
                    return last_ok
                lead = st.needs[byte]
                if lead < 0:
                    return last_ok
                need, flexible = lead, False
        elif slot == QMARK and not need:
            pass
        else:
            # A hole: one or two unknown bytes, continuing or starting a character.
            need, flexible = (max(need - 1, 1) if need else max_need), True
        if not need or flexible:
            last_ok = k + 1
    return last_ok


def _strict_extent(data: bytes, offsets: Sequence[int], true: str) -> tuple[int, str]:
    """Longest char-aligned prefix (in slots) of ``data`` that decodes strictly."""
    try:
        return len(offsets) - 1, data.decode(true)
    except UnicodeDecodeError as err:
        bad = err.start
    k = max(i for i, off in enumerate(offsets) if off <= bad)
    while k > 0:
        try:
            return k, data[: offsets[k]].decode(true)
        except UnicodeDecodeError:
            k -= 1
    return 0, ""


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
        k = slot_ends.get(pos)
        if k is not None and k > s0:
            blocks.append((s0, k, c0, c + 1))
            s0, c0 = k, c + 1
    return blocks


def _best_stretch(line: str, base: int, blocks: list[tuple[int, int, int, int]],
                  pieces: Sequence[str]) -> tuple[int, int, int, int] | None:
    """The contiguous blocks with the largest total gain (Kadane), as slot/piece bounds.

    ``pieces`` is the decoding, one string per decoded character (a lost character may
    decode to more than one U+FFFD).
    """
    best: tuple[float, int, int] | None = None
    run_gain = 0.0
    run_start = 0
    for b, (s0, s1, c0, c1) in enumerate(blocks):
        orig = line[base + s0: base + s1]
        new = "".join(pieces[c0:c1])
        prev_o = line[base + s0 - 1] if base + s0 > 0 else ""
        prev_n = pieces[c0 - 1][-1:] if c0 > 0 else prev_o
        gain = lm.text_logprob(new, prev_n) - lm.text_logprob(orig, prev_o)
        if run_gain <= 0:
            run_gain, run_start = gain, b
        else:
            run_gain += gain
        if best is None or run_gain > best[0]:
            best = (run_gain, run_start, b)
    if best is None or best[0] <= 0:
        return None
    _, first, last = best
    # Blocks that decode to themselves (ASCII) at either edge are not part of the repair.
    def same(b: int) -> bool:
        s0, s1, c0, c1 = blocks[b]
        return line[base + s0: base + s1] == "".join(pieces[c0:c1])

    while first < last and same(first):
        first += 1
    while last > first and same(last):
        last -= 1
    if same(first) and first == last:
        return None
    return blocks[first][0], blocks[last][1], blocks[first][2], blocks[last][3]


def _plain_segment(line: str, start: int, slots: Sequence[Slot],
                   chain: Chain) -> tuple[Candidate | None, int]:
    """Strictly decode hole-free slots from ``start``; return a candidate and slots used."""
    offsets = [0]
    parts: list[bytes] = []
    for slot in slots:
        if not isinstance(slot, bytes):
            break
        parts.append(slot)
        offsets.append(offsets[-1] + len(slot))
    k, text = _strict_extent(b"".join(parts), offsets, chain.true)
    if k == 0:
        return None, 0
    char_lens = [len(ch.encode(chain.true)) for ch in text]
    slot_lens = [len(s) for s in parts[:k]]
    stretch = _best_stretch(line, start, _blocks(slot_lens, char_lens), list(text))
    if stretch is None:
        return None, k
    s0, s1, c0, c1 = stretch
    a, b = start + s0, start + s1
    cand = Candidate(a, b, line[a:b], text[c0:c1], chain.name, chain,
                     (Step("encode", f"fixenc:{chain.wrong}"), Step("decode", chain.true)))
    return cand, k


def _holey_segment(line: str, start: int, slots: Sequence[Slot],
                   chain: Chain, guess: bool) -> tuple[Candidate | None, int]:
    """Decode slots with holes, filling them, then keep the stretch that gains most."""
    end = start + len(slots)
    prev = line[start - 1] if start > 0 else ""
    after = line[end] if end < len(line) else ""
    decoded = decode_holes(slots, chain.true, prev, after, guess=guess)
    if decoded is None:
        return None, 0
    slots = slots[: decoded.used]
    texts = [c.decode(chain.true, "replace") for c in decoded.chunks]
    if "".join(texts) != decoded.text:
        return None, decoded.used
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
    stretch = _best_stretch(line, start, _blocks(slot_lens, [len(c) for c in decoded.chunks]),
                            texts)
    if stretch is None:
        return None, decoded.used
    s0, s1, c0, c1 = stretch
    holes = [h for h in hole_of_slot[s0:s1] if h >= 0]
    a, b = start + s0, start + s1
    tags = decoded.tags[c0:c1]
    if holes:
        fill = "|".join(decoded.fills[h].hex() for h in holes)
        steps: tuple[Step, ...] = (Step("encode", f"fixenc:{chain.wrong}"), Step("fill", fill),
                                   Step("decode", chain.true))
    else:
        steps = (Step("encode", f"fixenc:{chain.wrong}"), Step("decode", chain.true))
    cand = Candidate(a, b, line[a:b], "".join(texts[c0:c1]), chain.name, chain, steps,
                     guessed=tags.count(1), lost=tags.count(2),
                     guess_logprob=sum(decoded.guess_lps[c0:c1]))
    return cand, decoded.used


def _segments(line: str, base: int, slots: Sequence[Slot], chain: Chain,
              guess: bool) -> list[Candidate]:
    st = structure(chain.true)
    out: list[Candidate] = []
    i = 0
    n = len(slots)
    while i < n:
        if _is_ascii_slot(slots[i]) or slots[i] == QMARK:
            i += 1
            continue
        k = extent(slots, i, n, st)
        if k <= i:
            i += 1
            continue
        seg = slots[i:k]
        if any(s == HOLE or s == QMARK for s in seg):
            cand, used = _holey_segment(line, base + i, seg, chain, guess)
            if cand is not None:
                out.append(cand)
            i += max(used, 1)
        else:
            cand, used = _plain_segment(line, base + i, seg, chain)
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
    out: list[Candidate] = []
    for i, j in runs(slots, hits):
        out.extend(_segments(line, i, slots[i:j], chain, guess))
    return [c for c in out if c.replacement != c.original]
