"""Traditional → Simplified conversion with the official ``opencc`` package, imported lazily.

``import fixenc`` never imports OpenCC: it is loaded on the first conversion, and one
converter per configuration is cached (OpenCC's converters are safe to share between threads).

The OpenCC configurations differ in which Traditional they expect:

- ``t2s``: OpenCC's own standard Traditional, which writes 着 (zhe, zhuó) apart from 著
  (zhù, 著作).  It leaves 著 alone, so Taiwan text, which writes 著 for both, keeps 看著.
- ``tw2s``: Taiwan Traditional: first maps Taiwan forms to the standard ones (著 → 着 unless
  a phrase says 著作/著名, 裡 → 裏, 老么 → 老幺), then ``t2s``.
- ``hk2s``: Hong Kong Traditional (衞, 綫 ...), then ``t2s``; on our corpora it gives what
  ``t2s`` gives except for a few Hong Kong forms.

``auto`` (the default) chooses per line: ``hk2s`` when the line writes 着 (so its 著 means
zhù) or a Hong Kong form (衞), else ``tw2s``.  Measured (``bench/bench_convert.py``): on the CUV Bible ``tw2s`` beats
``t2s``/``hk2s`` (99.7% against 99.5% of characters, mostly 著 → 着), while on OpenCC's own
``t2s`` cases it loses only the case 慰藉著 that the two configurations' own tests disagree on.

After OpenCC, variant characters that the Simplified standard folds and OpenCC keeps
(牠 → 它, 痲 → 麻, 毘 → 毗; learnt from the corpora, ``FOLDS`` of the generated table) are
folded, as the replayable step ``fixenc:fold_variants``.

>>> to_simplified("頭髮乾燥，看著窗外")
'头发干燥，看着窗外'
>>> to_simplified("著作與著名")
'著作与著名'
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from fixenc.results import Step

KIND = "traditional_to_simplified"
CONFIGS = ("auto", "t2s", "tw2s", "hk2s")
"""Configurations :func:`to_simplified` accepts (``auto`` chooses per line)."""
DEFAULT = "auto"
OPENCC_PREFIX = "opencc:"
STRAYS_PREFIX = "fixenc:strays:"
FOLD_STEP = Step("apply", "fixenc:fold_variants")

_lock = threading.Lock()


@functools.cache
def _tables() -> tuple[dict[str, int], dict[str, str], float]:
    from fixenc._tables import convert as table

    return table.RELIABILITY, table.FOLDS, table.PRIOR_PLAIN / 1000


@functools.cache
def _lexicon() -> tuple[dict[str, str], int, float]:
    from fixenc._tables import convert as table

    words = dict(row.split(" ") for row in table.WORDS)
    return words, table.LEXICON_BELOW, table.LEXICON_RELIABILITY / 1000


def unknown_factor() -> float:
    """How likely a line without script evidence that conversion changes is Traditional."""
    from fixenc._tables import convert as table

    return table.UNKNOWN_TRADITIONAL / 1000


def _confirmed(words: dict[str, str], trad: str, out: str, i: int) -> bool:
    """A dictionary word covering ``trad[i]`` converts as ``out`` does (as the generator)."""
    for size in range(2, 5):
        for start in range(max(0, i - size + 1), min(i, len(trad) - size) + 1):
            simp = words.get(trad[start:start + size])
            if simp is not None and simp == out[start:start + size]:
                return True
    return False


@functools.cache
def _converter(config: str) -> Callable[[str], str]:
    if config not in CONFIGS or config == "auto":
        msg = f"unknown OpenCC configuration {config!r}; known: {', '.join(CONFIGS[1:])}"
        raise ValueError(msg)
    import opencc

    converter = opencc.OpenCC(config)
    convert: Callable[[str], str] = converter.convert
    return convert


def opencc_convert(text: str, config: str) -> str:
    """Plain OpenCC with ``config`` (``t2s``, ``tw2s`` or ``hk2s``): the step ``opencc:CONFIG``."""
    with _lock:  # creating a converter loads its dictionaries: once per configuration
        convert = _converter(config)
    return convert(text)


def fold_variants(text: str) -> str:
    """Fold variants that OpenCC keeps: the step ``fixenc:fold_variants``.

    >>> fold_variants("牠的痲瘋")
    '它的麻瘋'
    """
    folds = _tables()[1]
    return "".join(folds.get(ch, ch) for ch in text)


@functools.cache
def _hk_forms() -> frozenset[str]:
    from fixenc._tables import convert as table

    return frozenset(table.HK_FORMS)


@functools.cache
def never_simplified() -> frozenset[str]:
    """Characters OpenCC converts on their own and Simplified text does not write (這, 覈).

    Measured on the corpora (``NEVER_SIMPLIFIED`` of the generated table): 乾, 著 and 么,
    which Simplified text writes too, are not among them.

    >>> sorted(ch for ch in "這乾著覈" if ch in never_simplified())
    ['覈', '這']
    """
    from fixenc._tables import convert as table

    return frozenset("".join(table.NEVER_SIMPLIFIED))


def _in_company(text: str, full: str, j: int, config: str) -> bool:
    """``text[j]`` is converted in ``full`` and either Simplified never writes it, or alone
    it would be kept (坏 of 製坏: OpenCC changes it only inside the phrase)."""
    if text[j] == full[j]:
        return False
    return text[j] in never_simplified() or steps_for(text[j], config)[0] == text[j]


def stray_spans(text: str, full: str, config: str) -> list[tuple[int, int]]:
    """Spans of ``text`` (a line leaning Simplified) to convert into ``full`` (all of
    ``text`` converted with ``config``): each character Simplified text never writes, with
    the changed neighbours that change only in its company, widened until the span
    converted alone gives ``full`` there.  Characters Simplified text writes (乾, 著) that
    OpenCC would change on their own are left out.

    >>> text = "這是张乾的麪坏兒"
    >>> [text[a:b] for a, b in stray_spans(text, steps_for(text, "tw2s")[0], "tw2s")]
    ['這', '麪坏兒']
    """
    if full == text or len(full) != len(text):
        return []  # a conversion that changes the length cannot be split: leave it
    never = never_simplified()
    n = len(text)
    spans: list[tuple[int, int]] = []
    for i in range(n):
        if text[i] == full[i] or text[i] not in never or (spans and i < spans[-1][1]):
            continue
        a, b = i, i + 1
        while a > 0 and _in_company(text, full, a - 1, config):
            a -= 1
        while b < n and _in_company(text, full, b, config):
            b += 1
        while True:
            while spans and a < spans[-1][1]:  # widened into the span before: one span
                a = min(a, spans.pop()[0])
            if steps_for(text[a:b], config)[0] == full[a:b]:
                break
            a, b = max(0, a - 1), min(n, b + 1)
        spans.append((a, b))
    return spans


def convert_strays(text: str, config: str) -> str:
    """``text`` with only its :func:`stray_spans` converted: the step ``fixenc:strays:CONFIG``.

    >>> convert_strays("這是张乾的新书", "tw2s")
    '这是张乾的新书'
    """
    full = steps_for(text, config)[0]
    out, pos = [], 0
    for a, b in stray_spans(text, full, config):
        out += [text[pos:a], full[a:b]]
        pos = b
    return "".join([*out, text[pos:]])


def strays_step(config: str) -> Step:
    """The step that replays :func:`convert_strays` with ``config``."""
    return Step("apply", STRAYS_PREFIX + config)


def choose(config: str, line: str) -> str:
    """The OpenCC configuration for ``line``: ``config`` itself unless it is ``auto``.

    ``auto`` gives ``hk2s`` to a line that writes 着 (so that its 著 means zhù) or a Hong
    Kong form that only ``hk2s`` converts (衞, 枱: ``HK_FORMS`` of the generated table), and
    ``tw2s`` to the others.

    >>> choose("auto", "看著"), choose("auto", "看着與著作"), choose("auto", "大衞"), choose("t2s", "看著")
    ('tw2s', 'hk2s', 'hk2s', 't2s')
    """
    if config != "auto":
        return config
    return "hk2s" if "\u7740" in line or not _hk_forms().isdisjoint(line) else "tw2s"


def steps_for(text: str, config: str) -> tuple[str, tuple[Step, ...]]:
    """Convert ``text`` with a concrete ``config``; return it and the steps that replay it."""
    converted = opencc_convert(text, config)
    folded = fold_variants(converted)
    steps = (Step("apply", OPENCC_PREFIX + config),)
    return folded, steps + (FOLD_STEP,) if folded != converted else steps


def to_simplified(text: str, config: str = DEFAULT) -> str:
    """``text`` in Simplified Chinese: OpenCC ``config``, then the variant folds.

    No script gate here: Japanese given to this function is converted.  Use
    ``fixenc.repair(text, to_simplified=...)`` for gated, reported conversion.
    """
    if config == "auto":
        return "".join(steps_for(line, choose(config, line))[0]
                       for line in text.splitlines(keepends=True))
    return steps_for(text, config)[0]


def reliability(original: str, converted: str, start: int = 0, end: int | None = None) -> float:
    """How likely the conversion of ``original[start:end]`` into ``converted`` is right.

    The product over changed characters of how often each one's conversion matched the
    reference on the parallel corpora (smoothed; ambiguous characters such as 瞭, 夥, 彷
    start from a lower prior).  A character of low reliability whose conversion a
    dictionary word confirms in context (瞭解 → 了解) counts as often as such confirmed
    conversions were right instead.  Texts of different lengths count as one plain change
    per character.

    >>> reliability("頭髮", "头发") > 0.98 > reliability("瞭", "了")
    True
    >>> reliability("瞭", "了") < reliability("瞭解", "了解", 0, 1)
    True
    """
    table, _, plain = _tables()
    end = len(original) if end is None else end
    if len(original) != len(converted):
        return float(plain ** max(1, end - start))
    words, below, confirmed = _lexicon()
    value = 1.0
    for i in range(start, end):
        before = original[i]
        if before == converted[i]:
            continue
        per_mille = table.get(before, 1000 * plain)
        if per_mille < below and _confirmed(words, original, converted, i):
            value *= max(per_mille / 1000, confirmed)
        else:
            value *= per_mille / 1000
    return value
