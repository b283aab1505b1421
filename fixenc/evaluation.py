"""What "right" means for a repair, shared by the calibration script and the benchmark.

A fix's confidence is the probability that its replacement is exactly what the text was,
*except for the characters it declares lost*: those stay U+FFFD and are counted in
``Fix.lost``.  So a repaired text agrees with the truth when they are equal once each
U+FFFD of the repaired text is allowed to stand for any one character (a lost UTF-8
continuation byte can leave two U+FFFD for one character, hence "one or two").

>>> agrees("发送成\\ufffd", "发送成功"), agrees("发送成攻", "发送成功")
(True, False)
"""

from __future__ import annotations

from fixenc.bytemaps import QMARK, alternatives, encode_text, is_gap_pair
from fixenc.chains import CHAINS


def agrees(fixed: str, truth: str) -> bool:
    """True when ``fixed`` equals ``truth`` up to its U+FFFD characters (see module doc)."""
    if fixed == truth:
        return True
    if "\ufffd" not in fixed:
        return False
    reach = {0}  # positions in truth that the prefix of fixed can end at
    for ch in fixed:
        if ch == "\ufffd":
            reach = {j + k for j in reach for k in (0, 1, 2) if j + k <= len(truth)}
        else:
            reach = {j + 1 for j in reach if j < len(truth) and truth[j] == ch}
        if not reach:
            return False
    return len(truth) in reach


def _gapped(data: bytes, pos: int, wrong: str) -> list[int]:
    """``pos`` and the offsets after each pair of bytes there that a GB18030 decoder reads as
    a Private Use character: characters that may have been deleted from GBK mojibake."""
    out = [pos]
    while wrong == "gbk" and is_gap_pair(data[out[-1]:out[-1] + 2]):
        out.append(out[-1] + 2)
    return out


def _alignment(damaged: str, data: bytes, wrong: str) -> list[int] | None:
    """Byte offset in ``data`` of every character boundary of ``damaged``, or None.

    ``damaged`` is ``data`` read with the decoder ``wrong``; replacement characters stand
    for one or two bytes, so the offsets are found by a search over those choices.  Read as
    GBK, the Private Use characters may have been deleted (``涓枃`` for 中文): their bytes
    may lie between two characters, and the offset is the one before them.
    """
    slots = encode_text(damaged, wrong)
    reach: list[dict[int, int]] = [{0: -1}]  # per boundary: byte offset -> previous offset
    for ch, slot in zip(damaged, slots):
        nxt: dict[int, int] = {}
        # Read from after any gaps; record the boundary before them.
        for at, pos in [(p, q) for p in reach[-1] for q in _gapped(data, p, wrong)]:
            if isinstance(slot, (bytes, tuple)):
                for option in alternatives(ch, wrong):
                    if data[pos:pos + len(option)] == option:
                        nxt.setdefault(pos + len(option), at)
                continue
            if slot is None:
                continue
            if slot == QMARK and data[pos:pos + 1] == b"?":
                nxt.setdefault(pos + 1, at)
            for length in (1, 2):
                if pos + length <= len(data):
                    nxt.setdefault(pos + length, at)
        if not nxt:
            return None
        reach.append(nxt)
    last = next((p for p in reach[-1] if len(data) in _gapped(data, p, wrong)), None)
    if last is None:
        return None
    offsets = [last]
    for step in range(len(reach) - 1, 0, -1):
        offsets.append(reach[step][offsets[-1]])
    offsets.reverse()
    return offsets


def fix_is_right(truth: str, damaged: str, chain: str, span: tuple[int, int],
                 start: int, end: int, replacement: str) -> bool:
    """Whether a fix of ``damaged[start:end]`` restores exactly its part of ``truth``.

    ``damaged`` is ``truth`` with ``damaged[span[0]:span[1]]`` made by ``chain`` from the
    corresponding part of the truth, and the text around it unchanged.  The fix is right when
    it lies inside the damaged span, its ends fall on character boundaries of the truth, and
    its replacement agrees (up to declared losses) with the truth between them.  A fix that
    repairs only part of a span can be right: that is a sound fix of that part.
    """
    # Only what the fix changes counts (ftfy's fixes cover a whole line, but change only
    # the damaged part of it).  Trimming can cut a character of the damage in two (the
    # `·` ending `Â·`, the UTF-8 of `·` read as Latin-1, is also the repaired text's last
    # character): then the fix is judged as it stands.
    trimmed_start, trimmed_end, trimmed = start, end, replacement
    original = damaged[start:end]
    while trimmed_start < trimmed_end and trimmed and original[:1] == trimmed[:1] != "\ufffd":
        trimmed_start, original, trimmed = trimmed_start + 1, original[1:], trimmed[1:]
    while trimmed_start < trimmed_end and trimmed and original[-1:] == trimmed[-1:] != "\ufffd":
        trimmed_end, original, trimmed = trimmed_end - 1, original[:-1], trimmed[:-1]
    verdict = _part_is_right(truth, damaged, chain, span, trimmed_start, trimmed_end, trimmed)
    if verdict is None and (trimmed_start, trimmed_end) != (start, end):
        verdict = _part_is_right(truth, damaged, chain, span, start, end, replacement)
    return bool(verdict)


def _part_is_right(truth: str, damaged: str, chain: str, span: tuple[int, int],
                   start: int, end: int, replacement: str) -> bool | None:
    """:func:`fix_is_right` for a fix already trimmed; None when its ends do not fall on
    character boundaries of the truth."""
    lo, hi = span
    if start < lo or end > hi:
        return False
    truth_part = truth[lo: len(truth) - (len(damaged) - hi)]
    cut = CHAINS.get(chain)
    if cut is None:
        return agrees(damaged[:start] + replacement + damaged[end:], truth)
    try:
        data = truth_part.encode(cut.true)
    except UnicodeEncodeError:
        return False
    offsets = _alignment(damaged[lo:hi], data, cut.wrong)
    if offsets is None:
        return agrees(damaged[:start] + replacement + damaged[end:], truth)
    bounds = [0]
    for ch in truth_part:
        bounds.append(bounds[-1] + len(ch.encode(cut.true)))
    # Deleted characters' bytes at an end belong to the fix where that makes the end a
    # character boundary (误 of 閿欒 is E8 and the two bytes deleted after it).
    on = set(bounds)
    b1, b2 = (next((q for q in _gapped(data, p, cut.wrong) if q in on), p)
              for p in (offsets[start - lo], offsets[end - lo]))
    a = max(i for i, b in enumerate(bounds) if b <= b1)
    b = min(i for i, b in enumerate(bounds) if b >= b2)
    if (bounds[a] != b1 and not replacement.startswith("\ufffd")) or (
            bounds[b] != b2 and not replacement.endswith("\ufffd")):
        return None
    return agrees(replacement, truth_part[a:b])
