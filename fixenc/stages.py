"""What runs after mojibake repair, when asked: stripping inserted pinyin, then conversion.

Order matters.  Mojibake is repaired first, since conversion would change the very
characters whose bytes a repair needs (鍙戦 is GBK mojibake and Traditional-looking).  Then
inserted readings are removed, so that 網(wǎng)絡 is converted as 網絡.  Then lines that the
script gate (:mod:`fixenc.gate`) finds Traditional or mixed are converted.

Every change is a :class:`~fixenc.results.Fix` in original offsets, disjoint from the others:

- a mojibake fix that was applied is one unit: when conversion changes its replacement, its
  steps are extended with the conversion steps and its confidence multiplied by the
  conversion's (only if the product still reaches ``min_confidence``; otherwise the repair
  stays as it was and is not converted);
- fixes that were only reported (below the threshold) and unrecoverable damage are left
  untouched by later stages;
- a removed reading is a fix of its own (``inserted_pinyin``); conversion never spans one,
  so each conversion fix replays from its own text;
- conversion fixes cover runs of changed characters, widened until converting the run alone
  gives what converting it in its context gave (OpenCC converts phrases: 著 in 著作);
- in a line that leans Simplified (the gate's ``simplified``, or ``mixed`` with less
  Traditional than Simplified evidence) only characters that Simplified text never writes
  are converted (這 → 这, :func:`fixenc.convert.never_simplified`), together with the
  neighbours OpenCC changes only in their company (製坏 → 制坯); characters Simplified text
  writes too (乾, 著, 么) stay, so a Simplified text with a stray 這 gets 这 and nothing else.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from fixenc import convert, gate, pinyin
from fixenc.config import FixConfig
from fixenc.results import Fix


@dataclass(slots=True)
class _Piece:
    """A stretch of the text being built: plain text, or the place of one fix.

    ``start``/``end`` are original offsets; ``text`` is what stands there now; ``fix``
    indexes the fix list (None for plain text, whose offsets map one to one).
    """

    start: int
    end: int
    text: str
    fix: int | None = None


def _pieces(text: str, fixes: Sequence[Fix]) -> list[_Piece]:
    out: list[_Piece] = []
    pos = 0
    for index, fix in enumerate(fixes):
        if fix.start > pos:
            out.append(_Piece(pos, fix.start, text[pos:fix.start]))
        out.append(_Piece(fix.start, fix.end, fix.replacement if fix.applied else fix.original,
                          index))
        pos = fix.end
    if pos < len(text):
        out.append(_Piece(pos, len(text), text[pos:]))
    return out


def _current(pieces: Sequence[_Piece]) -> tuple[str, list[int]]:
    """The text as it stands, and where each piece begins in it."""
    starts = []
    pos = 0
    for piece in pieces:
        starts.append(pos)
        pos += len(piece.text)
    return "".join(p.text for p in pieces), starts


def _strip_readings(pieces: list[_Piece], fixes: list[Fix], cfg: FixConfig) -> list[_Piece]:
    """Cut each inserted reading out of the plain pieces, as a fix of its own."""
    current, starts = _current(pieces)
    found = pinyin.find_insertions(current)
    if not found:
        return pieces
    out: list[_Piece] = []
    queue = iter(found)
    nxt = next(queue, None)
    for piece, begin in zip(pieces, starts):
        if piece.fix is not None:
            out.append(piece)
            while nxt is not None and nxt.start < begin + len(piece.text):
                nxt = next(queue, None)  # a group inside a fix's text: not ours to cut
            continue
        pos = 0  # within piece.text
        while nxt is not None and nxt.start < begin + len(piece.text):
            s, e = nxt.start - begin, nxt.end - begin
            if s >= pos and e <= len(piece.text):
                if s > pos:
                    out.append(_Piece(piece.start + pos, piece.start + s, piece.text[pos:s]))
                fix = dataclasses.replace(nxt, start=piece.start + s, end=piece.start + e,
                                          applied=nxt.confidence >= cfg.min_confidence)
                fixes.append(fix)
                out.append(_Piece(fix.start, fix.end, "" if fix.applied else fix.original,
                                  len(fixes) - 1))
                pos = e
            nxt = next(queue, None)
        if pos < len(piece.text):
            out.append(_Piece(piece.start + pos, piece.end, piece.text[pos:]))
    return out


def _drop_explained(text: str, fixes: list[Fix], cfg: FixConfig) -> list[Fix]:
    """Drop suggested mojibake repairs that overlap a confident inserted reading.

    Tone marks are Latin letters the mojibake screen suspects (``ǒ`` of ``統(tǒng)籌``); a
    suggestion there, below the threshold, is explained by the reading.  Applied repairs
    and unrecoverable damage are kept.
    """
    suggested = [f for f in fixes if not f.applied and not f.unrecoverable]
    if not suggested:
        return fixes
    pieces = _pieces(text, fixes)
    current, starts = _current(pieces)
    readings: list[tuple[int, int]] = []
    for found in pinyin.find_insertions(current):
        if found.confidence < cfg.min_confidence:
            continue
        index = bisect.bisect_right(starts, found.start) - 1
        piece = pieces[index]
        if piece.fix is not None and fixes[piece.fix].applied:
            continue
        # Plain text and unapplied findings stand in the text as they were: one to one.
        start = piece.start + found.start - starts[index]
        readings.append((start, start + found.end - found.start))
    return [f for f in fixes if f.applied or f.unrecoverable
            or not any(f.start < e and s < f.end for s, e in readings)]


@dataclass(frozen=True, slots=True)
class _Chosen:
    """How one line is converted: OpenCC ``config``, the ``factor`` its confidences take from
    the gate, and whether only what Simplified text never writes is converted (``partial``)."""

    config: str
    factor: float
    partial: bool = False


LEANS_SIMPLIFIED = frozenset({"simplified", "mixed"})
"""Scripts of lines the gate refuses that still get their never-Simplified characters
converted (Japanese and Korean lines are never touched)."""


def _line_gate(current: str, cfg: FixConfig) -> tuple[list[int], list[_Chosen | None]]:
    """Start offset of each line of ``current``, and how it is converted (None: leave the
    line alone)."""
    assert cfg.to_simplified is not None
    lines = current.split("\n")
    own = [gate.detect_script(line) for line in lines]
    context = own[0] if len(lines) == 1 else gate.detect_script(current)
    # In a mostly Japanese or Korean text, a line of kanji alone (午後) is Japanese too.
    foreign = (sum(s in ("japanese", "korean") for s in own)
               > sum(s in gate.CONVERTIBLE for s in own))
    starts: list[int] = []
    configs: list[_Chosen | None] = []
    pos = 0
    for line in lines:
        ok, script = gate.convertible(line, context)
        starts.append(pos)
        pos += len(line) + 1
        if foreign or not (ok or script in LEANS_SIMPLIFIED):
            configs.append(None)
            continue
        factor = convert.unknown_factor() if script == "unknown" else 1.0
        configs.append(_Chosen(convert.choose(cfg.to_simplified, line), factor, partial=not ok))
    return starts, configs


def _runs(seg: str, full: str, config: str, threshold: float) -> list[tuple[int, int]]:
    """Spans of ``seg`` to convert (into ``full``), each replaying alone as in context."""
    if full == seg:
        return []
    if len(full) != len(seg):
        return [(0, len(seg))]
    n = len(seg)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if seg[i] == full[i]:
            i += 1
            continue
        # Changed characters go together while equally sure, so that one doubtful
        # character (諮) is a suggestion of its own instead of holding back its neighbours.
        sure = convert.reliability(seg[i], full[i]) >= threshold
        a, b = i, i + 1
        while (b < n and seg[b] != full[b]
               and (convert.reliability(seg[b], full[b]) >= threshold) == sure):
            b += 1
        while True:
            while spans and a < spans[-1][1]:  # widened into the span before: one span
                a = min(a, spans.pop()[0])
            if convert.steps_for(seg[a:b], config)[0] == full[a:b]:
                break
            a, b = max(0, a - 1), min(n, b + 1)
        spans.append((a, b))
        i = b
    return spans


_Gate = tuple[list[int], list[_Chosen | None]]


def _convert_plain(piece: _Piece, begin: int, gate_lines: _Gate, cfg: FixConfig) -> list[Fix]:
    line_starts, configs = gate_lines
    out: list[Fix] = []
    offset = 0
    for part in piece.text.split("\n"):
        chosen = configs[bisect.bisect_right(line_starts, begin + offset) - 1]
        if chosen is not None and part and not (
                chosen.partial and convert.never_simplified().isdisjoint(part)):
            config = chosen.config
            full = convert.steps_for(part, config)[0]
            spans = (convert.stray_spans(part, full, config) if chosen.partial
                     else _runs(part, full, config, cfg.convert_min_confidence))
            for a, b in spans:
                replacement, steps = convert.steps_for(part[a:b], config)
                conf = round(chosen.factor * convert.reliability(part, full, a, b), 4)
                start = piece.start + offset + a
                out.append(Fix(start=start, end=start + b - a, original=part[a:b],
                               replacement=replacement, kind=convert.KIND, steps=steps,
                               confidence=conf, applied=conf >= cfg.convert_min_confidence,
                               evidence={"reliability": conf}))
        offset += len(part) + 1
    return out


def _convert_fix(fix: Fix, begin: int, gate_lines: _Gate, cfg: FixConfig) -> Fix:
    line_starts, configs = gate_lines
    chosen = configs[bisect.bisect_right(line_starts, begin) - 1]
    if chosen is None or not fix.applied or not fix.replacement:
        return fix
    replacement, steps = convert.steps_for(fix.replacement, chosen.config)
    if chosen.partial:  # a line leaning Simplified: only what the gate allows there
        strays = convert.convert_strays(fix.replacement, chosen.config)
        if strays != replacement:
            replacement, steps = strays, (convert.strays_step(chosen.config),)
    if replacement == fix.replacement:
        return fix
    rel = chosen.factor * convert.reliability(fix.replacement, replacement)
    conf = round(fix.confidence * rel, 4)
    if conf < cfg.min_confidence:
        return fix
    return dataclasses.replace(fix, replacement=replacement, steps=fix.steps + steps,
                               confidence=conf,
                               evidence={**fix.evidence, "converted": 1.0,
                                         "conversion_reliability": round(rel, 4)})


def later_stages(text: str, fixes: Sequence[Fix], cfg: FixConfig) -> list[Fix]:
    """``fixes`` (mojibake repair of ``text``) with pinyin stripping and conversion added."""
    all_fixes = list(fixes)
    if cfg.strip_pinyin:
        all_fixes = _drop_explained(text, all_fixes, cfg)
    pieces = _pieces(text, all_fixes)
    if cfg.strip_pinyin:
        pieces = _strip_readings(pieces, all_fixes, cfg)
    if cfg.to_simplified is not None:
        current, starts = _current(pieces)
        gate_lines = _line_gate(current, cfg)
        added: list[Fix] = []
        for piece, begin in zip(pieces, starts):
            if piece.fix is None:
                added.extend(_convert_plain(piece, begin, gate_lines, cfg))
            elif all_fixes[piece.fix].kind not in (pinyin.KIND,):
                all_fixes[piece.fix] = _convert_fix(all_fixes[piece.fix], begin, gate_lines, cfg)
        all_fixes.extend(added)
    return sorted(all_fixes, key=lambda f: (f.start, -f.end))
