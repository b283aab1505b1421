"""Generate the tables of Traditional → Simplified conversion and of inserted pinyin.

Usage::

    python scripts/build_convert_tables.py           # rewrite both tables (atomically)
    python scripts/build_convert_tables.py --check   # exit 1 if a committed table is stale

``fixenc/_tables/convert.py`` (for :mod:`fixenc.convert`), from the *train* part of
``parallel_ts_bible_cuv.tsv`` and ``parallel_ts_cedict_words.tsv`` (rows whose two sides have
the same length, compared character by character) and of the Japanese and Chinese corpora:

- ``RELIABILITY``: for each Traditional character that OpenCC (``BASE_CONFIG``) changes or
  that is ambiguous, how often its conversion gives the reference Simplified character, in
  per mille, smoothed towards a prior (``PRIOR_AMBIGUOUS`` / ``PRIOR_PLAIN``, weight
  ``PRIOR_WEIGHT``), at most ``MAX_PER_MILLE``.  *Ambiguous* is measured, not hand-set: the
  character has more than one Simplified counterpart (each at least ``MIN_SHARE`` of its
  aligned uses), or it is itself written in Simplified text (乾 in 乾隆, 著 in 著作, 瞭 in 瞭望).
- ``WORDS``: CC-CEDICT words of ``2..4`` characters (all rows) that contain a character of
  reliability under ``LEXICON_BELOW``, with their Simplified form.  Where a conversion agrees
  with such a word (瞭解 → 了解), the character's confidence is ``LEXICON_RELIABILITY``: how
  often conversions so confirmed were right on the train part (smoothed the same way).
- ``FOLDS``: variant characters the Simplified standard folds and OpenCC leaves alone
  (牠 → 它, 痲 → 麻), each seen at least ``FOLD_MIN`` times with the same reference in at
  least ``FOLD_SHARE`` of its uses.  Only Han characters; punctuation conventions of one
  corpus are not learnt.
- ``UNKNOWN_TRADITIONAL``: for a line without any character only one script uses (a line
  the script gate calls ``unknown``) that conversion would change, how likely it is
  Traditional: ``r_t / (r_t + r_s)``, the rates of such lines in the Traditional and the
  Simplified corpora (train part), i.e. with even priors.  Conversion of such lines, when
  nothing else in the text says Traditional, has its confidence multiplied by it.
- ``HK_FORMS``: characters OpenCC ``hk2s`` converts and ``tw2s`` leaves alone, one at a time
  (衞, 枱): Hong Kong forms, by which ``auto`` recognises Hong Kong text.
- ``NEVER_SIMPLIFIED``: characters that OpenCC (any of ``ALONE_CONFIGS``) converts on their
  own (這, 覈, 麪), that Traditional text writes at least ``NEVER_MIN`` times and Simplified
  text never (the train parts of the Chinese corpora and both sides of the aligned pairs),
  and whose Simplified forms Simplified text does write (not 輶 → 𬨎, a form no corpus
  uses).  Characters Simplified text also writes are not in it: 乾, 著, 么, and old forms
  kept in names of classical editions (於 of 寿於姚); nor are those OpenCC changes only
  inside a phrase (坏 of 製坏).  In a line that leans Simplified, only these are converted
  (:mod:`fixenc.stages`).
- ``JAPANESE_ONLY``: kanji seen at least ``JA_MIN`` times in the Japanese corpora and at most
  ``JA_TOLERANCE`` times in the Chinese ones (駅, 込, 働): Japanese text without kana still
  shows them.

``fixenc/_tables/pinyin.py`` (for :mod:`fixenc.pinyin`): every reading CC-CEDICT gives each
character (all rows: a dictionary, not evaluation text), as numbered syllables (``ü`` as
``v``).  CC-CEDICT is CC BY-SA 4.0, so that table is too; its header says so.

The conversion table depends on OpenCC's dictionaries, so it records OpenCC's version and
the freshness test skips under another version.
"""

from __future__ import annotations

import collections
import hashlib
import importlib.util
import platform
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import corpus

OUT_CONVERT = ROOT / "fixenc" / "_tables" / "convert.py"
OUT_PINYIN = ROOT / "fixenc" / "_tables" / "pinyin.py"
SCRIPT_TABLE = ROOT / "fixenc" / "_tables" / "script.py"  # made by build_script_table.py
PARALLEL = ("parallel_ts_bible_cuv.tsv", "parallel_ts_cedict_words.tsv")
CEDICT = "parallel_ts_cedict_words.tsv"
BASE_CONFIG = "tw2s"
MIN_SHARE = 0.05
PRIOR_AMBIGUOUS = 0.8
PRIOR_PLAIN = 0.995
PRIOR_WEIGHT = 10
MAX_PER_MILLE = 999
LEXICON_BELOW = 950
LEXICON_MAX_LEN = 4
FOLD_MIN = 5
FOLD_SHARE = 0.9
JA_MIN = 20
ALONE_CONFIGS = ("t2s", "tw2s", "hk2s")
NEVER_MIN = 2
JA_TOLERANCE = 2


def is_han(ch: str) -> bool:
    """CJK Unified Ideographs, Extension A, and the compatibility block."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch


def _aligned(part: str = "train") -> Iterator[tuple[str, str]]:
    keep = range(8) if part == "train" else range(10)
    for path in corpus.corpus_files("parallel_ts_*.tsv"):
        if path.name not in PARALLEL or (part != "train" and path.name == CEDICT):
            continue
        with path.open(encoding="utf-8") as fh:
            for index, raw in enumerate(fh):
                if index % 10 not in keep or raw.startswith("#"):
                    continue
                cells = raw.rstrip("\n").split("\t")
                t, s = (cells[1], cells[2]) if path.name.endswith("cuv.tsv") else cells[:2]
                if len(t) == len(s):
                    yield t, s


def _conversion_stats() -> tuple[dict[str, int], dict[str, str], str]:
    import opencc

    converter = opencc.OpenCC(BASE_CONFIG)
    pairs: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    seen: dict[str, int] = collections.Counter()
    correct: dict[str, int] = collections.Counter()
    outputs: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    simp_side: collections.Counter[str] = collections.Counter()
    for trad, simp in _aligned():
        out = converter.convert(trad)
        if len(out) != len(trad):
            continue
        simp_side.update(ch for ch in simp if is_han(ch))
        for t, o, s in zip(trad, out, simp):
            if not is_han(t):
                continue
            pairs[t][s] += 1
            outputs[t][o] += 1
            seen[t] += 1
            correct[t] += o == s
    folds: dict[str, str] = {}
    for t, refs in pairs.items():
        ref, n = refs.most_common(1)[0]
        out = outputs[t].most_common(1)[0][0]
        if (n >= FOLD_MIN and n >= FOLD_SHARE * seen[t] and ref not in (out, t)
                and is_han(ref) and outputs[t][out] == seen[t]):
            folds[t] = ref
    reliability: dict[str, int] = {}
    for t, refs in pairs.items():
        counterparts = [s for s, n in refs.items() if n >= MIN_SHARE * seen[t]]
        ambiguous = len(counterparts) > 1 or (simp_side[t] > 0 and refs[t] < seen[t])
        changes = any(o != t for o in outputs[t]) or t in folds
        if not (ambiguous or changes):
            continue
        right = correct[t] if t not in folds else refs[folds[t]]
        prior = PRIOR_AMBIGUOUS if ambiguous else PRIOR_PLAIN
        value = (right + PRIOR_WEIGHT * prior) / (seen[t] + PRIOR_WEIGHT)
        # Never 1000: the corpora are not all text, and a confidence of 1 would claim so.
        reliability[t] = min(MAX_PER_MILLE, round(1000 * value))
    return reliability, folds, opencc.__version__


def _words(reliability: dict[str, int]) -> dict[str, str]:
    """CC-CEDICT words holding a character of low reliability, Traditional → Simplified."""
    low = {ch for ch, value in reliability.items() if value < LEXICON_BELOW}
    path = next(p for p in corpus.corpus_files("parallel_ts_*.tsv") if p.name == CEDICT)
    words: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            if raw.startswith("#"):
                continue
            trad, simp = raw.rstrip("\n").split("\t")[:2]
            if (len(trad) == len(simp) and 2 <= len(trad) <= LEXICON_MAX_LEN
                    and not low.isdisjoint(trad)):
                words.setdefault(trad, simp)
    return words


def confirmed(words: dict[str, str], trad: str, out: str, i: int) -> bool:
    """Whether a word of ``words`` covering ``trad[i]`` converts as ``out`` does there.

    (:func:`fixenc.convert.reliability` applies the same rule.)
    """
    for size in range(2, LEXICON_MAX_LEN + 1):
        for start in range(max(0, i - size + 1), min(i, len(trad) - size) + 1):
            simp = words.get(trad[start:start + size])
            if simp is not None and simp == out[start:start + size]:
                return True
    return False


def _lexicon_reliability(words: dict[str, str]) -> int:
    import opencc

    converter = opencc.OpenCC(BASE_CONFIG)
    seen = right = 0
    for trad, simp in _aligned():
        out = converter.convert(trad)
        if len(out) != len(trad):
            continue
        for i, (t, o, s) in enumerate(zip(trad, out, simp)):
            if t != o and confirmed(words, trad, out, i):
                seen += 1
                right += o == s
    value = (right + PRIOR_WEIGHT * PRIOR_AMBIGUOUS) / (seen + PRIOR_WEIGHT)
    return min(MAX_PER_MILLE, round(1000 * value))


def _unknown_traditional() -> int:
    import opencc

    spec = importlib.util.spec_from_file_location("_script_table", SCRIPT_TABLE)
    assert spec is not None and spec.loader is not None
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)

    converter = opencc.OpenCC(BASE_CONFIG)
    one_script = frozenset("".join(table.SIMPLIFIED_ONLY) + "".join(table.TRADITIONAL_ONLY))
    rates = {}
    for group in ("zh-hant", "zh-hans"):
        lines = changed = 0
        for path in corpus.corpus_files():
            if corpus.language(path) != group:
                continue
            for line in corpus.iter_lines(path, "train"):
                if one_script.isdisjoint(line):
                    lines += 1
                    changed += converter.convert(line) != line
        rates[group] = (changed + 1) / (lines + 2)
    value = rates["zh-hant"] / (rates["zh-hant"] + rates["zh-hans"])
    return min(MAX_PER_MILLE, round(1000 * value))


def _han_counts(groups: tuple[str, ...], part: corpus.Part) -> collections.Counter[str]:
    counts: collections.Counter[str] = collections.Counter()
    for path in corpus.corpus_files():
        if corpus.language(path) in groups:
            for line in corpus.iter_lines(path, part):
                counts.update(ch for ch in line if is_han(ch))
    return counts


def _japanese_only() -> list[str]:
    ja = _han_counts(("ja",), "train")
    zh = _han_counts(("zh-hans", "zh-hant", "yue"), "all")
    for trad, simp in _aligned("all"):
        zh.update(trad + simp)
    # Not CC-CEDICT, which lists Japanese forms (駅, 込) as variants.  A Chinese text that
    # quotes a Japanese name may use one: a few uses are tolerated.
    return sorted(ch for ch, n in ja.items() if n >= JA_MIN and zh[ch] <= JA_TOLERANCE)


def _sources(names: set[str] | None, groups: tuple[str, ...] = ()) -> str:
    return "\n".join(f"#   {p.name} sha256={corpus.sha256(p)}" for p in corpus.corpus_files()
                     if (names is not None and p.name in names) or corpus.language(p) in groups)


def _hk_forms() -> str:
    import opencc

    tw2s = opencc.OpenCC("tw2s").convert
    hk2s = opencc.OpenCC("hk2s").convert
    blocks = (range(0x3400, 0xA000), range(0xF900, 0xFB00), range(0x20000, 0x2EE60))
    return "".join(ch for block in blocks for ch in map(chr, block)
                   if tw2s(ch) == ch and hk2s(ch) != ch)


def _never_simplified() -> str:
    import opencc

    converters = [opencc.OpenCC(config).convert for config in ALONE_CONFIGS]
    simp = _han_counts(("zh-hans",), "train")
    trad = _han_counts(("zh-hant", "yue"), "train")
    for t, s in _aligned():
        trad.update(ch for ch in t if is_han(ch))
        simp.update(ch for ch in s if is_han(ch))
    blocks = (range(0x3400, 0xA000), range(0xF900, 0xFB00), range(0x20000, 0x2EE60))
    chars = []
    for ch in (ch for block in blocks for ch in map(chr, block)):
        if simp[ch] or trad[ch] < NEVER_MIN:
            continue
        outs = {out for out in (convert(ch) for convert in converters) if out != ch}
        if outs and all(simp[c] for out in outs for c in out):
            chars.append(ch)
    return "".join(chars)


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _chunk(text: str, width: int = 60) -> str:
    return "\n".join(f"    {text[i:i + width]!r}" for i in range(0, len(text), width))


def build_convert() -> str:
    reliability, folds, version = _conversion_stats()
    words = _words(reliability)
    lexicon = _lexicon_reliability(words)
    word_lines = "\n".join(f"    {t + ' ' + s!r}," for t, s in sorted(words.items()))
    japanese = "".join(_japanese_only())
    rel_lines = "\n".join(f"    {ch!r}: {value}," for ch, value in sorted(reliability.items()))
    fold_lines = "\n".join(f"    {t!r}: {s!r}," for t, s in sorted(folds.items()))
    return (
        '"""GENERATED by scripts/build_convert_tables.py, do not edit; run '
        '`python scripts/build_convert_tables.py`.\n\n'
        "Traditional -> Simplified conversion: reliability per character, variant folds, words\n"
        "confirming conversions, and kanji only Japanese uses.  See the generator's docstring.\n"
        "WORDS are derived from CC-CEDICT (https://cc-cedict.org/, MDBG), licensed CC BY-SA 4.0\n"
        "(https://creativecommons.org/licenses/by-sa/4.0/); this table is shared alike.\n"
        '"""\n\n'
        f"# python {platform.python_version()}, unicodedata {unicodedata.unidata_version}\n"
        f"# base config {BASE_CONFIG}; prior ambiguous {PRIOR_AMBIGUOUS}, plain {PRIOR_PLAIN}, "
        f"weight {PRIOR_WEIGHT}; min share {MIN_SHARE}; folds >= {FOLD_MIN} at {FOLD_SHARE}; "
        f"japanese >= {JA_MIN}, <= {JA_TOLERANCE} in Chinese\n"
        "# sources (part 'train' of the parallel and Japanese files; all of the Chinese ones):\n"
        f"{_sources(set(PARALLEL), ('ja', 'zh-hans', 'zh-hant', 'yue'))}\n"
        f"# and fixenc/_tables/script.py sha256={_file_sha(SCRIPT_TABLE)}\n\n"
        f"OPENCC_VERSION = {version!r}\n"
        f"BASE_CONFIG = {BASE_CONFIG!r}\n"
        f"PRIOR_PLAIN = {round(PRIOR_PLAIN * 1000)}\n\n"
        "# per mille: how often converting the character gives the reference Simplified one\n"
        f"RELIABILITY = {{\n{rel_lines}\n}}\n\n"
        f"FOLDS = {{\n{fold_lines}\n}}\n\n"
        "# CC-CEDICT (CC BY-SA 4.0) words confirming conversions of low-reliability characters\n"
        f"LEXICON_BELOW = {LEXICON_BELOW}\n"
        f"LEXICON_RELIABILITY = {lexicon}\n"
        f"WORDS = (\n{word_lines}\n)\n\n"
        f"UNKNOWN_TRADITIONAL = {_unknown_traditional()}\n\n"
        f"HK_FORMS = {_hk_forms()!r}\n\n"
        f"# converted on their own by {', '.join(ALONE_CONFIGS)}; Traditional text writes them "
        f"at least {NEVER_MIN} times, Simplified text never\n"
        f"NEVER_SIMPLIFIED = (\n{_chunk(_never_simplified())}\n)\n\n"
        f"JAPANESE_ONLY = (\n{_chunk(japanese)}\n)\n"
    )


TONE_MARKS = {"a": "āáǎà", "e": "ēéěè", "i": "īíǐì", "o": "ōóǒò", "u": "ūúǔù", "v": "ǖǘǚǜ"}


def _readings() -> dict[str, set[str]]:
    path = next(p for p in corpus.corpus_files("parallel_ts_*.tsv") if p.name == CEDICT)
    readings: dict[str, set[str]] = collections.defaultdict(set)
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            if raw.startswith("#"):
                continue
            trad, simp, pinyin = raw.rstrip("\n").split("\t")[:3]
            syllables = pinyin.lower().replace("u:", "v").split()
            if not (len(trad) == len(simp) == len(syllables)):
                continue
            for t, s, syl in zip(trad, simp, syllables):
                if is_han(t) and syl[:-1].isalpha() and syl[-1] in "12345":
                    readings[t].add(syl)
                    readings[s].add(syl)
    return readings


def build_pinyin() -> str:
    readings = _readings()
    lines = "\n".join(f"    {ch + ' ' + ' '.join(sorted(r))!r},"
                      for ch, r in sorted(readings.items()))
    return (
        '"""GENERATED by scripts/build_convert_tables.py, do not edit; run '
        '`python scripts/build_convert_tables.py`.\n\n'
        "Readings of Han characters: each row is a character and its numbered pinyin\n"
        "syllables (``v`` for ``ü``, tone 5 neutral), Traditional and Simplified forms alike.\n\n"
        "Derived from CC-CEDICT (https://cc-cedict.org/, MDBG), licensed CC BY-SA 4.0\n"
        "(https://creativecommons.org/licenses/by-sa/4.0/); this table is a derived work under\n"
        "the same licence.\n"
        '"""\n\n'
        f"# python {platform.python_version()}\n"
        f"# source (all rows):\n{_sources({CEDICT})}\n\n"
        f"READINGS = (\n{lines}\n)\n"
    )


def build() -> dict[Path, str]:
    """Both tables, by output path."""
    return {OUT_CONVERT: build_convert(), OUT_PINYIN: build_pinyin()}


def main(argv: list[str] | None = None) -> int:
    args = corpus.generator_args(__doc__, argv)
    if args is None:
        return 2
    status = 0
    for out, text in build().items():
        status |= corpus.write_or_check(out, text, args.check)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
