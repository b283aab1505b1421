"""The repair driver: screen, gather candidates from every chain, score, choose, apply.

Per line: the screen (:mod:`fixenc.screen`) finds characters mojibake is made of; lines
without any pass through untouched.  For a line with hits, every configured chain proposes
candidate spans (:mod:`fixenc.candidates`), ftfy proposes its own repair, a candidate whose
result still looks damaged is tried once more through the same chain (two layers of the same
mistake), and each candidate gets evidence (:mod:`fixenc.scoring`) and a calibrated
confidence (:mod:`fixenc.confidence`).  The most confident non-overlapping candidates become
findings; those at or above ``min_confidence`` are applied.  Damage that cannot be undone
(:mod:`fixenc.damage`) is reported alongside.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple, cast

from fixenc import lm
from fixenc.bytemaps import Slot, encode_text
from fixenc.candidates import (
    DOS_PAGES,
    Candidate,
    chain_candidates,
    hole_decoder,
    line_context,
    one_symbol_family,
    runs,
)
from fixenc.chains import CHAINS, Chain
from fixenc.confidence import confidence
from fixenc.config import FixConfig
from fixenc.damage import find_damage
from fixenc.gaps import gap_candidates
from fixenc.lossy import (
    STRICT_WITHIN_STRUCTURE,
    Decoded,
    decode_holes,
    posteriors,
    stops_early,
)
from fixenc.results import Fix, Repair, Step, unchanged
from fixenc.scoring import evidence_for_line, fallback_evidence
from fixenc.screen import (
    familiar,
    ftfy_hits,
    has_suspect,
    signature,
    single_byte_chars,
    suspect_re,
    worth_a_look,
)
from fixenc.steps import apply_steps

DEFAULT_CONFIG = FixConfig()

REPORT_FLOOR = 0.5
"""Candidates less likely than not to be right are not findings at all: clean text that a
chain happens to decode into something is not worth a reviewer's time."""


_MARKS = frozenset("\ufffd?")


@functools.cache
def _signed_by(ch: str) -> frozenset[str]:
    """The chains whose signature (the characters their mojibake is made of) has ``ch``."""
    return frozenset(name for name in CHAINS if ch in signature(name))


def _applicable(config: FixConfig, hit_chars: set[str], rules: set[str]) -> dict[str, int]:
    """The chains the screening hits give a reason to be tried, with how many hit
    characters their signatures cover.

    A chain is tried when a hit character belongs to its signature, when Private Use
    characters or C1 controls point at a decoder that makes them, and, for Korean read as
    GBK, when the spaced-hanzi or hanja rule fired; for Japanese EUC-JP read as GBK, when
    the line has kana and hanzi (GB2312 has the kana of EUC-JP at the same bytes, so only
    the kanji change, into ordinary hanzi that no signature singles out).  Lost bytes
    alone (U+FFFD, ``??``) say nothing about which chain lost them.
    """
    covered: dict[str, int] = {}
    for ch in hit_chars:
        for name in _signed_by(ch):
            covered[name] = covered.get(name, 0) + 1
    gbk_made = any("\ue000" <= c <= "\uf8ff" or c == "\u20ac" for c in hit_chars)
    cp1252_made = any("\x80" <= c <= "\x9f" for c in hit_chars)
    korean = not rules.isdisjoint(("spaced", "hanja"))
    out: dict[str, int] = {}
    for name in config.chains:
        chain = CHAINS[name]
        if (name in covered or (gbk_made and chain.wrong == "gbk")
                or (cp1252_made and chain.wrong == "cp1252")
                or (korean and name == "euc_kr_read_as_gbk")
                or ("kana" in rules and name == "euc_jp_read_as_gbk")):
            out[name] = covered.get(name, 0)
    return out


KANA_LIFT = 1.0
"""How much likelier than chance (natural log) a bigram must be for a kana hit in it to read
as part of a word.  Lower than the screen's :data:`~fixenc.screen.FAMILIAR_LIFT`: particles
(の, は, と) follow almost anything, so their bigrams are only a little likelier than chance."""

_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa]")
_HANZI = re.compile("[\u4e00-\u9fff]")


def _layer_steps(chain: Chain, fills: Sequence[bytes]) -> tuple[Step, ...]:
    encode = Step("encode", f"fixenc:{chain.wrong}")
    if fills:
        return (encode, Step("fill", "|".join(f.hex() for f in fills)),
                Step("decode", chain.true))
    return (encode, Step("decode", chain.true))


class _Layer(NamedTuple):
    """The inner undo of a double mistake."""

    text: str
    steps: tuple[Step, ...]
    guessed: int
    lost: int
    guess_logprob: float
    guess_min: float  # the least posterior of a guess, given the text around it


def _whole_layer(text: str, chain: Chain, guess: bool = True, prev: str = "\n",
                 after: str = "\n") -> _Layer | None:
    """Undo ``chain`` on all of ``text`` (the inner layer of a double mistake), whose
    neighbours in the line are ``prev`` and ``after`` (a newline at the line's ends)."""
    slots = encode_text(text, chain.wrong)
    if any(s is None for s in slots):
        return None
    decoded = decode_holes(slots, chain.true, prev, after, guess=guess,
                           wrong=hole_decoder(chain, text))
    if decoded is None or decoded.used != len(slots) or decoded.text == text:
        return None
    if lm.text_logprob(decoded.text) <= lm.text_logprob(text):
        return None
    post = [p for p, tag in zip(posteriors(decoded, prev, after), decoded.tags) if tag == 1]
    return _Layer(decoded.text, _layer_steps(chain, decoded.fills), decoded.tags.count(1),
                  decoded.tags.count(2), sum(decoded.guess_lps), min(post, default=1.0))


def _twice_candidates(line: str, hits: Sequence[int], chain: Chain,
                      slots: Sequence[Slot] | None = None) -> list[Candidate]:
    """The same mistake made twice, undone over each whole run of the line.

    The first undo's text is itself mojibake, in which the language model cannot guess
    lost bytes; so it is also tried with lost characters left as U+FFFD, which the second
    undo then treats as holes.  The better-scoring result wins.  A result that guessed
    characters carries a fallback with every guess of both layers given up (U+FFFD,
    counted as lost): two layers of lost bytes make guesses far less sure than the text
    around them, which a right repair recovers in full.
    """
    if slots is None:
        slots = encode_text(line, chain.wrong)
    out: list[Candidate] = []
    for i, j in runs(slots, hits):
        original = line[i:j]
        if one_symbol_family(original, symbols_only=chain.wrong not in DOS_PAGES):
            continue  # a table's border is no mojibake, in one layer or two
        wrong = hole_decoder(chain, original)
        # The line's text around the run (the model's boundary at its ends) is the inner
        # undo's context: a 。 cut short at the end of a line is told from 、 by the end.
        prev, after = line_context(line, i, j)
        best: tuple[float, Candidate] | None = None
        firsts: dict[bool, Decoded | None] = {}
        known = all(isinstance(slot, bytes) for slot in slots[i:j])
        if known and _no_first_layer(slots[i:j], chain):
            continue
        for guess in (True, False):
            if known and not guess:  # no hole: guessing or not decodes the same
                firsts[False] = firsts[True]
                break
            first = firsts[guess] = decode_holes(slots[i:j], chain.true, guess=guess,
                                                 wrong=wrong)
            if first is None or first.used != j - i or not has_suspect(first.text):
                continue
            steps1 = _layer_steps(chain, first.fills)
            inner = _whole_layer(first.text, chain, prev=prev, after=after)
            if inner is None:
                continue
            score = lm.text_logprob(inner.text)
            if best is None or score > best[0]:
                best = (score, Candidate(
                    i, j, original, inner.text, f"{chain.name}_twice", chain,
                    steps1 + inner.steps, guessed=first.tags.count(1) + inner.guessed,
                    lost=inner.lost, guess_logprob=sum(first.guess_lps) + inner.guess_logprob,
                    guess_min=inner.guess_min, layers=2))
        if best is None or not _recovers(best[1].replacement, original):
            continue
        cand = best[1]
        if cand.guessed:
            first = firsts[False]
            inner = (_whole_layer(first.text, chain, guess=False, prev=prev, after=after)
                     if first is not None and first.used == j - i else None)
            if first is not None and inner is not None and _recovers(inner.text, original):
                cand = dataclasses.replace(cand, fallback=dataclasses.replace(
                    cand, replacement=inner.text,
                    steps=_layer_steps(chain, first.fills) + inner.steps,
                    guessed=0, lost=inner.lost, guess_logprob=0.0, guess_min=1.0))
        out.append(cand)
    return out


def _no_first_layer(known: Sequence[Slot], chain: Chain) -> bool:
    """Whether known bytes (no hole) are surely no first layer of a double mistake: the hole
    decoder would stop short of their end (:func:`fixenc.lossy.stops_early`), or they decode
    strictly into text without a screening hit, or with a character the wrong codec cannot
    write (the inner undo re-encodes it).

    The tests :func:`_twice_candidates` makes after its decoder, found with the strict
    decoder in C (for the codecs whose decoder accepts nothing their structure rejects, its
    text is the hole decoder's): a Korean line read back as GBK is hanzi that EUC-KR mostly
    cannot write, and this spared the beam decoder a third of a Korean line's time.
    """
    if chain.true not in STRICT_WITHIN_STRUCTURE:
        return False
    data = b"".join(cast("Sequence[bytes]", known))
    try:
        text = data.decode(chain.true)
    except UnicodeDecodeError as err:
        return stops_early(data, chain.true, err.start)
    return not has_suspect(text) or None in encode_text(text, chain.wrong)


def _recovers(replacement: str, original: str) -> bool:
    """Whether undoing two layers gives back more text than it declares lost: at least two
    characters, and more than U+FFFD (an undo that loses most of a span is no repair)."""
    known = sum(1 for ch in replacement if ch >= "\x80" and ch != "\ufffd")
    return (replacement != original and known >= 2
            and known > 2 * replacement.count("\ufffd"))


TWICE_DENSITY = 0.2
"""Share of a line's non-ASCII characters that must be screening hits before two layers are
undone (two-layer UTF-8→GBK damage has about half)."""


SETTLED_GAIN = 3.0
"""Nats per character above which a chain's repair of every screening hit settles a line.

A speed knob, not a decision: when the most likely group of chains (by signature overlap)
already repairs every hit with a gain this large, the remaining groups are not tried.  The
calibration data goes through the same procedure, so confidences stay calibrated."""


def _chain_groups(config: FixConfig, hit_chars: set[str], rules: set[str]) -> list[list[Chain]]:
    """Applicable chains grouped by the decoder that was wrongly used, best group first.

    Chains that share a wrong decoder read the same bytes (GBK, Big5, Shift-JIS and EUC-KR
    text read as Latin-1 all give Latin-1 letters), so they are always tried together; the
    groups whose signatures cover most hit characters come first.
    """
    groups: dict[str, list[Chain]] = {}
    best: dict[str, int] = {}
    for name, covered in _applicable(config, hit_chars, rules).items():
        chain = CHAINS[name]
        groups.setdefault(chain.wrong, []).append(chain)
        best[chain.wrong] = max(best.get(chain.wrong, 0), covered)
    return sorted(groups.values(), key=lambda g: -best[g[0].wrong])


def _settled(line: str, cands: Sequence[Candidate], hits: Sequence[int]) -> bool:
    """Whether strong candidates explain every hit, and leave no single-byte code page
    character beside them (``夜泉發清í‘，``: Latin-1 stops at ``‘``, which cp1252 reads)."""
    strong = [c for c in cands
              if lm.text_logprob(c.replacement) - lm.text_logprob(c.original)
              >= SETTLED_GAIN * max(len(c.replacement), 1)]
    if not strong or not all(any(c.start <= h < c.end for c in strong)
                             for h in hits if line[h] != "\ufffd"):
        return False
    pages = single_byte_chars()
    for c in strong:
        for pos in (c.start - 1, c.end):
            if 0 <= pos < len(line) and line[pos] in pages and line[pos] >= "\x80" and not any(
                    o.start <= pos < o.end for o in strong):
                return False
    return True


def screen_line(line: str) -> tuple[list[int], set[str], set[str]]:
    """A line's screening hits: where they are, the characters among them that say which
    chains are worth trying (:func:`_chain_groups`), and the rules that fired.

    >>> hits, chars, rules = screen_line("明日の朝九時に啡掠排厦を")
    >>> sorted(rules), "の" in chars    # の reads as part of a word: no evidence
    (['char', 'kana'], False)
    """
    # ftfy's detector speaks only where no rule of ours did (lines it finds are European
    # text: what our rules find is judged as it was before the rule).
    matches = list(suspect_re().finditer(line)) or ftfy_hits(line)
    hits = [m.start() for m in matches]
    # Kana that read as part of a word (の in 日本の, ます) say nothing about which chain
    # made the line: Japanese text would otherwise try every chain whose mojibake has kana.
    hit_chars = {ch for m in matches for ch in m.group() if ch >= "\x80"
                 and not (_KANA.match(ch) and familiar(line, m.start(), KANA_LIFT))}
    rules = {m.lastgroup or "ftfy" for m in matches}
    if matches and _KANA.search(line) and _HANZI.search(line):
        rules.add("kana")
    return hits, hit_chars, rules


def line_candidates(line: str, config: FixConfig = DEFAULT_CONFIG) -> list[Candidate]:
    """Every candidate repair for one line (no newline inside), before any choice."""
    hits, hit_chars, rules = screen_line(line)
    if not hits:
        return []
    nonascii = sum(1 for ch in line if ch >= "\x80")
    # Mojibake of mojibake is as dense with screening hits as mojibake; a rare character in
    # clean text is not (and is not worth undoing two layers over).
    dense = len(hits) >= TWICE_DENSITY * nonascii
    found: list[Candidate] = []
    # Every chain's repair changes two characters or more that are not ASCII, and each of
    # them comes from a byte of a character of the line that is not ASCII either (or from
    # lost bytes written as "?"): a line with a single such character (a word list's 摠,
    # 45% of the clean lines that get a look) has no repair to find but ftfy's.
    groups = _chain_groups(config, hit_chars, rules) if nonascii + line.count("?") >= 2 else []
    for group in groups:
        batch: list[Candidate] = []
        slots = encode_text(line, group[0].wrong)  # a group shares its wrong decoder
        for chain in group:
            cands = chain_candidates(line, hits, chain, slots)
            # For UTF-8 read as GBK, also repairs that put back the Private Use characters
            # a GB18030 decoder wrote and something deleted (涓枃 for 中文): fixenc.gaps.
            cands += gap_candidates(line, hits, chain, slots)
            batch.extend(cands)
            # Two layers: the first undo gives mojibake again (so it is often no candidate
            # at all: its text may hold the Private Use characters of the first layer, and
            # reads no better than the second).  Every family but UTF-8 read as a
            # single-byte code page, which ftfy undoes layer by layer: GBK read as cp437
            # twice (zip names unpacked twice) was left alone until session 6.
            if chain.family != "utf8_as_single" and (dense or any(
                    not signature(chain.name).isdisjoint(c.replacement) for c in cands)):
                batch.extend(_twice_candidates(line, hits, chain, slots))
        found.extend(batch)
        if _settled(line, batch, hits):
            break
    # ftfy's detector also calls it: Cyrillic read as cp1251 (вЂ“) hits only the pair rule.
    if config.use_ftfy and (any("\x80" <= ch <= "\xff" or "\u0152" <= ch <= "\u2122"
                                for ch in hit_chars) or ftfy_hits(line)):
        from fixenc.ftfy_bridge import ftfy_candidate

        cand = ftfy_candidate(line)
        if cand is not None and not _said_with_guesses(cand, found):
            found.append(cand)
    return found


def _said_with_guesses(cand: Candidate, found: Sequence[Candidate]) -> bool:
    """Whether candidates of ``cand``'s own chain tile its span and say the same text,
    except that they guess characters it leaves as U+FFFD.

    ftfy cannot fill a byte its decoder lost (Python's cp1252 reads 8D as U+FFFD, so 前,
    E5 89 8D, comes back as U+FFFD), while the chain's pieces can; the pieces carry their
    own confidences, and a guess not sure enough falls back to U+FFFD by itself.
    """
    if "\ufffd" not in cand.replacement:
        return False
    pieces = sorted((c for c in found if c.kind == cand.kind and c.layers == 1
                     and cand.start <= c.start and c.end <= cand.end), key=lambda c: c.start)
    at, said = cand.start, []
    for piece in pieces:
        if piece.start != at:
            return False
        said.append(piece.replacement)
        at = piece.end
    text = "".join(said)
    return (at == cand.end and len(text) == len(cand.replacement) and text != cand.replacement
            and all(a == b or b == "\ufffd" for a, b in zip(text, cand.replacement)))


def _scored(line: str, offset: int, cands: Iterable[Candidate],
            threshold: float) -> list[Fix]:
    scored = [(confidence(ev), ev["gain"], cand, ev)
              for cand, ev in evidence_for_line(line, list(cands))]
    scored.sort(key=lambda item: (-item[0], -item[1], item[2].start))
    chosen: list[Fix] = []
    taken: list[tuple[int, int]] = []
    for conf, _gain, cand, evidence in scored:
        if any(cand.start < e and s < cand.end for s, e in taken):
            continue
        if conf < threshold and cand.fallback is not None and _sound(cand.fallback):
            # Not sure of the guess, but sure of the damage: apply the repair with the
            # guessed characters declared lost (U+FFFD) if that is confident enough.
            fb_evidence = fallback_evidence(cand, evidence, line)
            fb_conf = confidence(fb_evidence)
            if fb_conf >= threshold:
                conf, cand, evidence = fb_conf, cand.fallback, fb_evidence
        if conf < REPORT_FLOOR or not _sound(cand):
            continue
        taken.append((cand.start, cand.end))
        chosen.append(Fix(
            start=offset + cand.start, end=offset + cand.end, original=cand.original,
            replacement=cand.replacement, kind=cand.kind, steps=cand.steps,
            confidence=round(conf, 4), lossy=bool(cand.guessed or cand.lost),
            lost=cand.lost, guessed=cand.guessed, applied=conf >= threshold,
            evidence={k: round(v, 4) for k, v in evidence.items()},
        ))
    return chosen


def _sound(cand: Candidate) -> bool:
    """Whether a candidate counts every U+FFFD it adds as a lost character, and its steps
    replay.  Both failed on fuzzed input (issue #6): ``‡?Ö`` read back from cp1252 as GBK
    (a fallback) gave three U+FFFD for two characters declared lost, and ``æÊ‡`` read back
    as cp949 gave ``撚\ufffd`` with no fill step, so its strict decode could not be replayed.
    A fix that breaks either promise is dropped rather than applied or reported.
    """
    added = cand.replacement.count("\ufffd") - cand.original.count("\ufffd")
    if added > cand.lost:
        return False
    try:
        return apply_steps(cand.original, cand.steps) == cand.replacement
    except Exception:  # noqa: BLE001 - whatever stops the replay, the fix is not sound
        return False


_DEFINITE_DAMAGE = frozenset({"fffd_read_as_gbk", "uninitialized_memory"})


def _reaches_beyond(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether ``start:end`` covers characters outside every one of the disjoint ``spans``."""
    inside = sum(max(0, min(e, end) - max(s, start)) for s, e in spans)
    return inside < end - start


def _line_fixes(line: str, offset: int, config: FixConfig) -> list[Fix]:
    damage = list(find_damage(line, offset))
    # 锟斤拷 and 烫烫烫 are what they are: no chain may "repair" them into something else.
    # Undoing two layers is the exception: there 锟 is the first layer's U+FFFD read again,
    # and the repair either gives it back as U+FFFD or, inside a longer repaired span, lets
    # the language model fill the byte the first layer lost (发送成功 twice: 閸欐垿鈧�焦鍨氶崝锟�).
    vetoed = [(d.start - offset, d.end - offset) for d in damage if d.kind in _DEFINITE_DAMAGE]
    cands = [c for c in line_candidates(line, config)
             if not any(c.start < e and s < c.end for s, e in vetoed)
             or (c.layers > 1 and ("\ufffd" in c.replacement
                                   or _reaches_beyond(c.start, c.end, vetoed)))]
    fixes = _scored(line, offset, cands, config.min_confidence)
    if config.report_damage:
        applied = [(f.start, f.end) for f in fixes if f.applied]
        for dmg in damage:
            if not any(dmg.start < e and s < dmg.end for s, e in applied):
                fixes.append(dmg)
    # Findings stay disjoint: an applied fix wins over a finding it overlaps, and otherwise
    # the earlier, longer finding is kept.
    fixes.sort(key=lambda f: (f.start, -f.end))
    disjoint: list[Fix] = []
    for fix in fixes:
        if disjoint and fix.start < disjoint[-1].end:
            if fix.applied and not disjoint[-1].applied:
                disjoint[-1] = fix
            continue
        disjoint.append(fix)
    return disjoint


_SURROGATES = re.compile("[\ud800-\udfff]+")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Lines without their line ending (LF, or CR LF), with their offsets.

    Lone surrogates (bytes kept by ``surrogateescape``: they are not text) end a line too,
    so that a stray byte beside mojibake does not spoil the evidence for its repair.
    """
    offset = 0
    for line in text.split("\n"):
        body = line.removesuffix("\r")
        if _SURROGATES.search(body) is None:
            yield offset, body
        else:
            start = 0
            for m in _SURROGATES.finditer(body):
                yield offset + start, body[start:m.start()]
                start = m.end()
            yield offset + start, body[start:]
        offset += len(line) + 1


def _resolve_config(config: FixConfig | None, min_confidence: float | None,
                    to_simplified: str | bool | None = None,
                    strip_pinyin: bool | None = None) -> FixConfig:
    cfg = config if config is not None else DEFAULT_CONFIG
    # Replacing a field costs more than screening a clean line: only when it changes.
    if min_confidence is not None and min_confidence != cfg.min_confidence:
        cfg = dataclasses.replace(cfg, min_confidence=min_confidence)
    if to_simplified is not None:
        name = "auto" if to_simplified is True else to_simplified or None
        if name != cfg.to_simplified:
            cfg = dataclasses.replace(cfg, to_simplified=name)
    if strip_pinyin is not None and strip_pinyin != cfg.strip_pinyin:
        cfg = dataclasses.replace(cfg, strip_pinyin=strip_pinyin)
    return cfg


def repair(text: str, config: FixConfig | None = None, *,
           min_confidence: float | None = None, to_simplified: str | bool | None = None,
           strip_pinyin: bool | None = None) -> Repair:
    """Find and repair mojibake in ``text``; report what could not be repaired.

    Only fixes whose calibrated confidence reaches ``min_confidence`` (default 0.9) change
    the text; the others are reported in :attr:`Repair.fixes` with ``applied=False``.

    >>> repair("浣犲ソ").text                       # UTF-8 bytes of 你好 read as GBK
    '你好'
    >>> r = repair("错误：鍙戦€佹垚鍔?")              # ... with the last byte lost
    >>> r.text
    '错误：发送成功'
    >>> [(f.kind, f.replacement, f.guessed) for f in r.fixes]   # 功 was a guess
    [('utf8_read_as_gbk', '发送成', 0), ('utf8_read_as_gbk', '功', 1)]
    >>> repair("ÄãºÃ£¬ÊÀ½ç").text                   # GBK bytes read as Latin-1
    '你好，世界'
    >>> repair("涓涓细流，汇成江海。").changed       # clean text is left alone
    False

    ``to_simplified`` (``True`` for ``"auto"``, or an OpenCC configuration name, ``False``
    for none) and ``strip_pinyin`` override the same fields of ``config``:

    >>> repair("數(shù)字網(wǎng)絡", to_simplified=True, strip_pinyin=True).text
    '数字网络'
    """
    if not isinstance(text, str):
        msg = (f"repair() takes str, not {type(text).__name__}; decode bytes first "
               "(for example data.decode('utf-8', 'surrogateescape'))")
        raise TypeError(msg)
    cfg = _resolve_config(config, min_confidence, to_simplified, strip_pinyin)
    if text.isascii() or not has_suspect(text):
        return _finish(text, [], cfg)
    fixes = _pass(text, cfg)
    for _ in range(cfg.max_passes - 1):
        more = _next_pass(text, fixes, cfg)
        if not more:
            break
        starts, ends = [m.start for m in more], [m.end for m in more]
        kept = [f for f in fixes if f.applied or not _overlaps(starts, ends, f.start, f.end)]
        fixes = sorted([*kept, *more], key=lambda f: (f.start, -f.end))
    return _finish(text, fixes, cfg)


def _finish(text: str, fixes: list[Fix], cfg: FixConfig) -> Repair:
    """The repair, after the optional later stages (:mod:`fixenc.stages`)."""
    if (cfg.strip_pinyin or cfg.to_simplified is not None) and not text.isascii():
        from fixenc.stages import later_stages

        fixes = later_stages(text, fixes, cfg)
    if not fixes:
        return unchanged(text)  # the common case: nothing to apply
    return Repair(original=text, text=_apply(text, fixes), fixes=tuple(fixes))


def _pass(text: str, cfg: FixConfig) -> list[Fix]:
    fixes: list[Fix] = []
    for offset, line in _lines(text):
        for start, window in _windows(line):
            if (window and not window.isascii() and has_suspect(window)
                    and worth_a_look(window)):
                fixes.extend(_line_fixes(window, offset + start, cfg))
    return fixes


# --- very long lines (issue #6) ------------------------------------------------------------

MAX_LINE = 2000
"""Lines longer than this many characters are repaired in windows of at most this many.

Finding candidates costs more than linear time in the length of a line (a run of mojibake
is decoded again from each place a repair may start), so a 100 MB line without a newline
would never finish.  Windows bound that cost, and the time of :func:`repair` grows linearly
with the size of its input.  Lines up to this length, almost all real ones, are repaired
whole, exactly as before."""

# A character below "0" (ASCII controls, space, punctuation) is a byte below 0x30 in every
# code page a chain decodes with, and such a byte is a character of its own in UTF-8 and in
# the double-byte Chinese, Japanese and Korean code pages (their trail bytes are 0x40 or
# more; GB18030's four-byte form uses 0x30-0x39): mojibake never spans it.
_SAFE_BELOW = "0"
_MIN_GAP = 8
"""Clean characters in a row (no screening hit) that make a cut safe enough when no
character below "0" is at hand: as many as break the evidence between repairs
(:data:`fixenc.candidates.BARRIER`)."""


def _windows(line: str) -> Iterator[tuple[int, str]]:
    """``line`` in windows of at most :data:`MAX_LINE` characters, with their offsets.

    >>> [(start, len(w)) for start, w in _windows("中文" * 1500)]
    [(0, 1996), (1996, 1004)]
    >>> [(start, len(w)) for start, w in _windows(("中文。" * 300 + " ") * 3)]
    [(0, 1802), (1802, 901)]
    """
    start = 0
    while len(line) - start > MAX_LINE:
        cut = _cut_point(line, start)
        yield start, line[start:cut]
        start = cut
    yield start, line[start:]


def _cut_point(line: str, start: int) -> int:
    """Where the window from ``start`` ends, in its second half, by preference: after the
    last character below "0"; half of :data:`_MIN_GAP` before the end of the last stretch
    of that many characters without a screening hit; after the last fullwidth stop that is
    no hit; between the last two characters that are no hit; else (mojibake throughout)
    at the limit."""
    low, high = start + MAX_LINE // 2, start + MAX_LINE
    for pos in range(high, low, -1):
        if line[pos - 1] < _SAFE_BELOW:
            return pos
    hit = bytearray(high - low + 1)  # 1: a character of a screening hit (the last: beyond)
    hit[-1] = 1
    gaps: list[tuple[int, int]] = []
    clean_from = low
    for match in suspect_re().finditer(line, low, high):
        gaps.append((clean_from, match.start()))
        clean_from = max(clean_from, match.end())
        hit[match.start() - low: match.end() - low] = b"\x01" * (match.end() - match.start())
    gaps.append((clean_from, high))
    for gap_start, gap_end in reversed(gaps):
        if gap_end - gap_start >= _MIN_GAP:
            return gap_end - _MIN_GAP // 2
    for pos in range(high - 1, low, -1):
        if line[pos - 1] in _STOPS and not hit[pos - 1 - low]:
            return pos
    for pos in range(high - 1, low, -1):
        if not hit[pos - 1 - low] and not hit[pos - low]:
            return pos
    return high


_STOPS = frozenset("，。、；：！？）》」』】")


def _next_pass(text: str, fixes: Sequence[Fix], cfg: FixConfig) -> list[Fix]:
    """Fixes that become clear once the first ones are applied, in original offsets.

    A repair changes the context of the text next to it (``在ÄÄ`` reads better than
    ``湪ÄÄ``), so a second look can find more, and repairing must be idempotent.  Only
    applied fixes that touch neither an earlier applied fix nor each other are taken (the
    caller drops the unapplied findings they replace); their offsets are mapped back
    through the earlier replacements.
    """
    applied = [f for f in fixes if f.applied]
    if not applied:
        return []
    current = _apply(text, fixes)
    # Spans in text order, disjoint: an overlap test and the shift before a place are
    # binary searches, so the pass stays linear with many fixes (issue #6).
    shift_starts: list[int] = []  # of each applied replacement, in current
    shift_ends: list[int] = []
    deltas: list[int] = []  # length change up to and including each applied fix
    delta = 0
    for fix in applied:
        start = fix.start + delta
        delta += len(fix.replacement) - (fix.end - fix.start)
        shift_starts.append(start)
        shift_ends.append(start + len(fix.replacement))
        deltas.append(delta)
    # A finding left unapplied may be replaced by an applied fix of the second look.
    taken_starts = [f.start for f in applied]
    taken_ends = [f.end for f in applied]
    out: list[Fix] = []
    for new in _pass(current, cfg):
        if not new.applied or _overlaps(shift_starts, shift_ends, new.start, new.end):
            continue
        k = bisect.bisect_right(shift_ends, new.start)
        back = deltas[k - 1] if k else 0
        start, end = new.start - back, new.end - back
        if (_overlaps(taken_starts, taken_ends, start, end)
                or (out and start < out[-1].end) or text[start:end] != new.original):
            continue
        out.append(dataclasses.replace(new, start=start, end=end))
    return out


def _overlaps(starts: Sequence[int], ends: Sequence[int], start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps one of the sorted, disjoint spans given."""
    k = bisect.bisect_left(starts, end)
    return k > 0 and ends[k - 1] > start


def _apply(text: str, fixes: Sequence[Fix]) -> str:
    parts: list[str] = []
    pos = 0
    for fix in fixes:
        if fix.applied:
            parts.append(text[pos:fix.start])
            parts.append(fix.replacement)
            pos = fix.end
    parts.append(text[pos:])
    return "".join(parts)


def fix(text: str, config: FixConfig | None = None, *,
        min_confidence: float | None = None) -> str:
    """The repaired text alone: ``repair(text, ...).text``.

    >>> fix("ÖÐÎÄ")
    '中文'
    """
    return repair(text, config, min_confidence=min_confidence).text


def repair_lines(lines: Iterable[str], config: FixConfig | None = None, *,
                 min_confidence: float | None = None) -> Iterator[Repair]:
    """Repair each line of a stream; constant memory whatever its length.

    >>> [r.text for r in repair_lines(["ÖÐÎÄ\\n", "clean\\n"])]
    ['中文\\n', 'clean\\n']
    """
    cfg = _resolve_config(config, min_confidence)
    for line in lines:
        yield repair(line, cfg)
