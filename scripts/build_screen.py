"""Generate ``fixenc/_tables/screen.py``: the characters the cheap screening pass looks for.

Usage::

    python scripts/build_screen.py           # rewrite the table (atomically)
    python scripts/build_screen.py --check   # exit 1 if the committed table is stale
    python scripts/build_screen.py --report  # also print recall / clean hit rates

A character is a *suspect* when the synthetic mojibake of some chain (each decoder dialect
of ``bench/synth.py`` applied to the *train* part of the corpora) uses it at least
``RATIO`` times more often than clean CJK text does (all of the train part of the
Simplified, Traditional and parallel groups; the most frequent group counts), and clean CJK
text uses it less than ``CLEAN_MAX`` of the time.  Characters made by single-byte code pages (Latin-1, cp1252 ...) are left to a
separate rule in :mod:`fixenc.screen` (two such characters in a row), since each one alone
is ordinary in European text.  Counts only; deterministic (seeded, sorted).
"""

from __future__ import annotations

import collections
import platform
import random
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402
import synth  # noqa: E402

OUT = ROOT / "fixenc" / "_tables" / "screen.py"
SEED = 7
LINES_PER_POOL = 6000
RATIO = 100.0
CLEAN_MAX = 2.5e-5
CLEAN_GROUPS = ("zh-hans", "zh-hant", "zh-parallel")


def _pools() -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {}
    for path in corpus.corpus_files():
        lang = corpus.language(path)
        pools.setdefault(lang, []).extend(
            ln for ln in corpus.iter_lines(path, "train") if 2 <= len(ln) <= 300)
    rng = random.Random(SEED)
    return {k: rng.sample(v, min(len(v), LINES_PER_POOL)) for k, v in sorted(pools.items())}


def _single_byte_chars() -> set[str]:
    chars: set[str] = set()
    for codec in ("latin-1", "cp1252", "mac_roman", "cp437", "cp850", "cp866"):
        chars.update(bytes(range(0x80, 0x100)).decode(codec, "replace"))
    return chars


def build(report: bool = False) -> str:
    pools = _pools()
    clean: dict[str, collections.Counter[str]] = {g: collections.Counter() for g in CLEAN_GROUPS}
    for path in corpus.corpus_files():
        group = corpus.language(path)
        if group in clean:
            for ln in corpus.iter_lines(path, "train"):
                clean[group].update(ln)
    totals = {g: sum(clean[g].values()) or 1 for g in CLEAN_GROUPS}
    suspect_set: set[str] = set()
    signatures: dict[str, str] = {}
    for name in sorted(synth.CHAINS):
        chain_pools = synth.pools_for(name)
        lines = [ln for p in chain_pools for ln in pools.get(p, ())][:3000]
        moj: collections.Counter[str] = collections.Counter()
        for dialect in synth.dialects_for(name):
            for ln in lines:
                out = synth.damage(ln, name, dialect)
                if out is not None and out != ln:
                    moj.update(ch for ch in out if ch not in ln)
        signatures[name] = "".join(sorted(_select(moj, clean, totals, keep_single=True)))
        suspect_set.update(_select(moj, clean, totals, keep_single=False))
    single = _single_byte_chars()
    suspects = sorted(c for c in suspect_set if c not in single)
    if report:
        _report(pools, set(suspects))
    return _render(suspects, signatures)


def _select(moj: collections.Counter[str], clean: dict[str, collections.Counter[str]],
            totals: dict[str, int], keep_single: bool) -> set[str]:
    """Characters this mojibake uses far more often than clean CJK text does."""
    moj_total = sum(moj.values()) or 1
    out: set[str] = set()
    for ch, count in moj.items():
        if ch.isascii() or ch == "\ufffd" or count < 2:
            continue
        rate_clean = max(clean[g][ch] / totals[g] for g in CLEAN_GROUPS)
        if rate_clean < CLEAN_MAX and count / moj_total >= RATIO * rate_clean:
            out.add(ch)
        elif keep_single and (ch < "\u0500" or "\u2500" <= ch <= "\u25ff"):
            out.add(ch)  # Latin, Greek, Cyrillic, box drawing: the pair rule screens them
    return out


def _report(pools: dict[str, list[str]], suspects: set[str]) -> None:
    for group, lines in pools.items():
        hit = sum(1 for ln in lines if any(ch in suspects for ch in ln))
        print(f"clean {group:12s} lines hit {hit / max(len(lines), 1):.3f}", file=sys.stderr)


def _chunked(text: str) -> str:
    lines = [text[i:i + 60] for i in range(0, len(text), 60)] or [""]
    return "\n".join(f"    {line!r}" for line in lines)


def _render(suspects: list[str], signatures: dict[str, str]) -> str:
    sources = "\n".join(f"#   {p.name} sha256={corpus.sha256(p)}" for p in corpus.corpus_files())
    sigs = "\n".join(f"    {name!r}: (\n    {_chunked(chars)}\n    ),"
                     for name, chars in sorted(signatures.items()))
    return (
        '"""GENERATED by scripts/build_screen.py, do not edit; run `python scripts/build_screen.py`.\n\n'
        "Characters that synthetic mojibake uses far more often than clean CJK text.\n"
        '"""\n\n'
        f"# python {platform.python_version()}, unicodedata {unicodedata.unidata_version}; "
        f"seed {SEED}; ratio {RATIO}; clean max {CLEAN_MAX}\n"
        "# sources (part 'train'):\n"
        f"{sources}\n\n"
        f"SUSPECTS = (\n{_chunked(''.join(suspects))}\n)\n\n"
        "# Per chain: the characters its mojibake is made of (for choosing which chains to try).\n"
        f"SIGNATURES = {{\n{sigs}\n}}\n"
    )


def main(argv: list[str] | None = None) -> int:
    args = corpus.generator_args(__doc__, argv, "--report")
    if args is None:
        return 2
    return corpus.write_or_check(OUT, build(args.report), args.check)


if __name__ == "__main__":
    raise SystemExit(main())
