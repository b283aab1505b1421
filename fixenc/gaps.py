"""Gaps: Private Use characters that a GB18030 decoder wrote and something deleted.

Browsers and Windows read GBK with the GB18030 decoder, which turns the user-defined cells
(AAA1-AFFE, F8A1-FEFE, A140-A7A0, ...) into Private Use characters.  No font draws them,
and copy and paste, search snippets and text cleaners drop them, so UTF-8 read as GBK is
often met without them: ``涓枃`` for 中文 (E4 B8 AD E6 96 87, whose AD E6 became U+E15F),
``閿欒`` for 错误, ``淇敼`` for 修改.  Those two bytes are lost, and nothing marks where
they were, except that the UTF-8 around them no longer parses.

:func:`find_gaps` walks the bytes the GBK encoder gives back and, where UTF-8 breaks, looks
for the character boundary at which two missing bytes let it parse on;
:func:`gap_candidates` marks those places (:data:`~fixenc.bytemaps.GAP_CHAR`), lets the
chain decode the marked line, the language model choosing the two bytes among the pairs
that GB18030 reads as Private Use, and puts each repair back onto the line as it is, with a
``gap`` step that replays the marks (:func:`fixenc.steps.apply_steps`).

>>> from fixenc.bytemaps import encode_text
>>> find_gaps(encode_text("涓枃", "gbk"), 0, 2)      # the gap is before 枃
[1]
>>> find_gaps(encode_text("閿欒", "gbk"), 0, 2)      # 误 lost its last two bytes
[2]
>>> find_gaps(encode_text("鏀寔涓枃", "gbk"), 0, 4)  # 支持中文: two gaps
[1, 3]
>>> find_gaps(encode_text("鍙戦€佹垚鍔", "gbk"), 0, 6)  # nothing deleted
[]
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from fixenc.bytemaps import GAP_CHAR, HOLE, QMARK, Slot, encode_text
from fixenc.candidates import Candidate, _after_bytes, _unknown, chain_candidates, runs
from fixenc.chains import Chain
from fixenc.lossy import Structure, structure
from fixenc.results import Step
from fixenc.steps import insert_gaps

AFTER = 2
"""Slots past the break that must parse after a gap (or the run ends first): two missing
bytes that only move the break a character further explain nothing."""


_START = frozenset({0})


def _advance(states: frozenset[int], slot: Slot, st: Structure,
             starts: frozenset[int]) -> frozenset[int]:
    """UTF-8 states (bytes the current character still needs) after one slot."""
    if isinstance(slot, bytes):
        return _after_bytes(states, slot, st)
    if isinstance(slot, tuple):
        return frozenset().union(*(_after_bytes(states, b, st) for b in slot))
    if slot == QMARK:
        literal = _after_bytes(states, b"?", st)
        once = _unknown(states, starts)
        return literal | once | _unknown(once, starts)
    if slot == HOLE:
        once = _unknown(states, starts)
        return once | _unknown(once, starts)
    return frozenset()


def _after_gap(states: frozenset[int], starts: frozenset[int]) -> frozenset[int]:
    """States after a gap's two bytes: the first continues a character (every pair GB18030
    reads as Private Use starts with a byte above A0, never a UTF-8 lead)."""
    inside = frozenset(s for s in states if s)
    return _unknown(_unknown(inside, starts), starts) if inside else frozenset()


def _parses(states: frozenset[int], slots: Sequence[Slot], start: int, stop: int,
            st: Structure, starts: frozenset[int], gaps: int = 1) -> bool:
    """Whether ``slots[start:stop]`` parse from ``states``, with up to ``gaps`` more gaps
    (two neighbouring ones, as in 支持中文 read as ``鏀寔涓枃``)."""
    for k in range(start, stop):
        nxt = _advance(states, slots[k], st, starts)
        if not nxt:
            if not gaps or k == start or not isinstance(slots[k - 1], bytes) \
                    or not isinstance(slots[k], bytes):
                return False
            after = _after_gap(states, starts)
            return bool(after) and _parses(after, slots, k, stop, st, starts, gaps - 1)
        states = nxt
    return True


def find_gaps(slots: Sequence[Slot], i: int, j: int) -> list[int]:
    """Slot indices in ``(i, j]`` before which two deleted bytes make ``slots[i:j]`` parse as
    UTF-8 where it otherwise breaks (``j``: at the end, a character cut short); an index
    twice for two characters deleted in a row.

    Greedy from the left: at each break, a gap just before the slot that broke, else one
    slot earlier (else two gaps there), provided the bytes on both sides are known and
    UTF-8 then parses through the break and :data:`AFTER` slots more; a break no gap
    explains starts the walk afresh.
    """
    st = structure("utf-8")
    starts = frozenset(n for n, _ in st.unknown_leads)
    gaps: list[int] = []
    at: dict[int, frozenset[int]] = {i: _START}  # states before each slot
    floor = i  # gaps go after this
    k = i
    while k < j:
        nxt = _advance(at[k], slots[k], st, starts)
        if nxt:
            at[k + 1] = nxt
            k += 1
            continue
        for b, count in ((k, 1), (k - 1, 1), (k, 2), (k - 1, 2)):
            if b <= floor or not isinstance(slots[b - 1], bytes) or not isinstance(slots[b], bytes):
                continue
            after = _after_gap(at[b], starts)
            if count == 2:  # two Private Use characters in a row (问题已 in 这个问题已经)
                after = _after_gap(after, starts)
            if after and _parses(after, slots, b, min(j, k + 1 + AFTER), st, starts):
                gaps += [b] * count
                floor = b
                at[b] = after
                k = b
                break
        else:  # no gap explains the break: a new stretch starts here (or after it)
            if floor == k and at[k] == _START:
                k += 1  # starting afresh here failed too
            at[k] = _START
            floor = k
    if (j > floor and 0 not in at[j] and isinstance(slots[j - 1], bytes)
            and 0 in _after_gap(at[j], starts)):
        gaps.append(j)  # one only: a character cut short is evidence enough for one
    return gaps


def gap_candidates(line: str, hits: Sequence[int], chain: Chain,
                   slots: Sequence[Slot] | None = None) -> list[Candidate]:
    """Repairs of ``line`` by ``chain`` (UTF-8 read as GBK) that put back Private Use
    characters deleted after the wrong decoding: only those that span a gap, the others
    being :func:`~fixenc.candidates.chain_candidates`' own.

    >>> [(c.original, c.replacement, c.steps[0]) for c in gap_candidates(
    ...     "这是涓枃", [2, 3], __import__("fixenc.chains").chains.CHAINS["utf8_read_as_gbk"])]
    [('涓枃', '中文', Step(action='gap', arg='1'))]
    """
    if chain.true != "utf-8" or chain.wrong != "gbk" or GAP_CHAR in line:
        return []
    if slots is None:
        slots = encode_text(line, chain.wrong)
    found: set[int] = set()
    for i, j in runs(slots, hits):
        found.update(find_gaps(slots, i, j))
    if not found:
        return []
    gaps = sorted(found)
    marked = insert_gaps(line, gaps)
    marks = [g + n for n, g in enumerate(gaps)]  # where the marks are in ``marked``
    moved = [h + bisect_right(gaps, h) for h in hits]
    out = []
    for cand in chain_candidates(marked, moved, chain):
        if bisect_left(marks, cand.start) < bisect_left(marks, cand.end):
            unmarked = _unmark(cand, marks, line)
            if unmarked.replacement != unmarked.original:
                out.append(unmarked)
    return out


def _unmark(cand: Candidate, marks: list[int], line: str) -> Candidate:
    """``cand``, found on the marked line, as a repair of ``line``."""
    def back(x: int) -> int:
        return x - bisect_left(marks, x)

    start, end = back(cand.start), back(cand.end)
    inside = marks[bisect_left(marks, cand.start): bisect_left(marks, cand.end)]
    offsets = ",".join(str(back(m) - start) for m in inside)
    steps = (Step("gap", offsets), *cand.steps) if inside else cand.steps
    stretch = cand.stretch
    if stretch is not None:
        stretch = (back(stretch[0]), back(stretch[1]), stretch[2])
    fallback = cand.fallback
    if fallback is not None:
        fallback = _unmark(fallback, marks, line)
    return dataclasses.replace(cand, start=start, end=end, original=line[start:end],
                               steps=steps, stretch=stretch, fallback=fallback)
