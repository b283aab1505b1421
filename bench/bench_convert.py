"""Traditional → Simplified conversion, script gate and pinyin stripping, against plain OpenCC.

Usage::

    python bench/bench_convert.py [--quick] [--seed N] [--json out.json]

Four sections, every figure from this run:

1. **Accuracy** per parallel corpus, side by side: fixenc (``to_simplified="auto"`` with the
   default thresholds, and with every conversion applied, ``convert_min_confidence=0``) next to
   plain OpenCC ``t2s``, ``tw2s`` and ``hk2s``.  Character accuracy over aligned positions (all
   characters, and Han only: the CUV Bible's Simplified side also changes punctuation,
   ─ → ― and ‧ → ・, which no converter should learn), and the rate of exact lines.
   Corpora: the CUV Bible, *test* part (the tables were built from *train*); OpenCC's own
   test cases for t2s/tw2s/hk2s (the configurations disagree on some, by design); OpenCC's
   golden Constitution outputs (s2t, s2tw, s2hk columns converted back); CC-CEDICT
   headwords, *test* part.
   **1b.** Calibration: the conversion fixes on the held-out Bible and CC-CEDICT lines, by
   confidence bin: mean confidence against the share whose replacement is the reference.
2. **Pass-through**: lines of the Japanese, Korean and Simplified corpora (*test* part) that
   fixenc changes with ``--t2s --strip-pinyin``, next to what ungated OpenCC ``tw2s`` would change.
3. **Pinyin stripping**: readings inserted after random characters of held-out Traditional
   lines (tone marks, as the mirror sites write them, from the generated reading table),
   mixed with genuine parentheticals (Chinese words, numbers, English words, list labels,
   two-syllable glosses, and single toned syllables that are *not* a reading of the
   character before them): precision and recall of the removals, genuine ones kept; and,
   when ``../shared/seed`` is there, the real page's inserted readings.
4. **Throughput** of ``fixenc.repair(line, to_simplified="auto")`` against OpenCC ``tw2s``
   on the same lines.

When the corpora are missing (see ``$FIXENC_CORPORA``) it says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _p in (ROOT, ROOT / "scripts"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import corpus  # scripts/corpus.py

import fixenc

Pair = tuple[str, str]
OPENCC = ("t2s", "tw2s", "hk2s")


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch >= "\U00020000"


# --- corpora -------------------------------------------------------------------------------

def _tsv(name: str) -> Iterator[tuple[int, list[str]]]:
    root = corpus.corpora_dir()
    assert root is not None
    with (root / name).open(encoding="utf-8") as fh:
        for index, raw in enumerate(fh):
            if not raw.startswith("#"):
                yield index, raw.rstrip("\n").split("\t")


def parallel_sets(quick: bool) -> dict[str, list[Pair]]:
    """Name → (Traditional, reference Simplified) pairs."""
    bible = [(c[1], c[2]) for i, c in _tsv("parallel_ts_bible_cuv.tsv") if i % 10 == 9]
    cases = [(c[2], c[3]) for _, c in _tsv("parallel_ts_opencc_testcases.tsv")
             if c[1] in OPENCC]
    golden = [(c[col], c[0]) for _, c in _tsv("parallel_ts_opencc_golden_constitution.tsv")
              for col in (1, 2, 4)]
    words = [(c[0], c[1]) for i, c in _tsv("parallel_ts_cedict_words.tsv")
             if i % 10 == 9 and not c[0].isascii()]
    if quick:
        bible, words = bible[:400], words[:2000]
    return {"CUV Bible (test)": bible, "OpenCC cases t2s/tw2s/hk2s": cases,
            "OpenCC golden constitution": golden, "CC-CEDICT words (test)": words}


def _sample_lines(groups: tuple[str, ...], per_file: int) -> Iterator[tuple[str, str]]:
    for path in corpus.corpus_files():
        if corpus.language(path) in groups:
            for n, line in enumerate(corpus.iter_lines(path, "test")):
                if n >= per_file:
                    break
                yield path.name, line


# --- section 1: accuracy --------------------------------------------------------------------

@dataclass
class Score:
    """Accuracy counters of one system on one corpus."""

    chars: int = 0
    right: int = 0
    han: int = 0
    han_right: int = 0
    lines: int = 0
    exact: int = 0
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)

    def add(self, out: str, ref: str) -> None:
        """Count one converted line against its reference."""
        self.lines += 1
        self.exact += out == ref
        self.outputs.append(out)
        self.chars += len(ref)
        aligned = zip(out, ref) if len(out) == len(ref) else ()
        for o, r in aligned:
            self.right += o == r
            if _is_han(r):
                self.han_right += o == r
        self.han += sum(1 for r in ref if _is_han(r))

    def row(self) -> dict[str, float]:
        """The figures as fractions."""
        return {"char": self.right / max(1, self.chars), "han": self.han_right / max(1, self.han),
                "exact": self.exact / max(1, self.lines), "lines": self.lines}


def _systems() -> dict[str, Callable[[str], str]]:
    import opencc

    plain = {name: opencc.OpenCC(name).convert for name in OPENCC}
    every = fixenc.FixConfig(to_simplified="auto", convert_min_confidence=0.0)
    systems: dict[str, Callable[[str], str]] = {
        "fixenc auto": lambda t: fixenc.repair(t, to_simplified="auto").text,
        "fixenc auto, all applied": lambda t: fixenc.repair(t, every).text,
    }
    systems.update({f"OpenCC {name}": func for name, func in plain.items()})
    return systems


def accuracy(sets: dict[str, list[Pair]]) -> dict[str, dict[str, dict[str, float]]]:
    """Section 1: every system on every corpus."""
    systems = _systems()
    out: dict[str, dict[str, dict[str, float]]] = {}
    print("1. Conversion accuracy (char: all aligned characters; han: Han characters only; "
          "exact: whole lines)")
    for name, pairs in sets.items():
        print(f"\n  {name}: {len(pairs)} lines")
        print(f"    {'system':<28}{'char':>9}{'han':>9}{'exact':>9}")
        out[name] = {}
        scores: dict[str, Score] = {}
        for sysname, func in systems.items():
            score = Score()
            start = time.perf_counter()
            for trad, ref in pairs:
                score.add(func(trad), ref)
            score.seconds = time.perf_counter() - start
            scores[sysname] = score
            row = score.row()
            out[name][sysname] = row
            print(f"    {sysname:<28}{row['char']:>9.4%}{row['han']:>9.4%}{row['exact']:>9.2%}")
        best = max(OPENCC, key=lambda c: scores[f"OpenCC {c}"].right)
        ours, theirs = scores["fixenc auto"], scores[f"OpenCC {best}"]
        won = lost = 0
        for (_, ref), a, b in zip(pairs, ours.outputs, theirs.outputs):
            won += a == ref != b
            lost += b == ref != a
        print(f"    fixenc auto vs OpenCC {best} (best here): lines won {won}, lost {lost}")
        out[name]["_vs_best"] = {"won": won, "lost": lost}
    return out


def calibration(sets: dict[str, list[Pair]]) -> dict[str, dict[str, float]]:
    """Section 1b: are conversion confidences calibrated?  Each conversion fix (applied or
    not) of the held-out parallel lines, right when its replacement is the reference."""
    from fixenc.convert import KIND

    bins = ((0.0, 0.5), (0.5, 0.9), (0.9, 0.99), (0.99, 1.01))
    stats = {b: [0, 0, 0.0] for b in bins}  # fixes, right, summed confidence
    for name in ("CUV Bible (test)", "CC-CEDICT words (test)"):
        for trad, ref in sets[name]:
            if len(trad) != len(ref):
                continue
            for f in fixenc.repair(trad, to_simplified="auto").fixes:
                if f.kind != KIND:
                    continue
                low, high = next(b for b in bins if b[0] <= f.confidence < b[1])
                cell = stats[(low, high)]
                cell[0] += 1
                cell[1] += f.replacement == ref[f.start:f.end]
                cell[2] += f.confidence
    print("\n1b. Calibration of conversion fixes (CUV Bible and CC-CEDICT words, test part)")
    out: dict[str, dict[str, float]] = {}
    for (low, high), (n, right, conf) in stats.items():
        if n:
            label = f"[{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'}"
            print(f"  confidence {label:<13} {n:>6} fixes: mean confidence "
                  f"{conf / n:.4f}, right {right / n:.4f}")
            out[label] = {"fixes": n, "mean_confidence": conf / n, "right": right / n}
    return out


# --- section 2: pass-through ----------------------------------------------------------------

def pass_through(per_file: int) -> dict[str, dict[str, int]]:
    """Section 2: Japanese, Korean and Simplified lines that come back changed."""
    import opencc

    tw2s = opencc.OpenCC("tw2s").convert
    print("\n2. Pass-through (test part): lines changed by fixenc --t2s --strip-pinyin; by "
          "ungated OpenCC tw2s for comparison")
    out: dict[str, dict[str, int]] = {}
    for label, groups in (("Japanese", ("ja",)), ("Korean", ("ko",)),
                          ("Simplified", ("zh-hans",))):
        lines = ours = theirs = 0
        examples: list[str] = []
        for _, line in _sample_lines(groups, per_file):
            lines += 1
            new = fixenc.repair(line, to_simplified="auto", strip_pinyin=True).text
            if new != line:
                ours += 1
                if len(examples) < 3:
                    examples.append(f"{line[:30]!r} -> {new[:30]!r}")
            theirs += tw2s(line) != line
        out[label] = {"lines": lines, "fixenc_changed": ours, "opencc_changed": theirs}
        print(f"  {label:<11} {lines:>6} lines: fixenc changed {ours}, OpenCC tw2s {theirs}")
        for ex in examples:
            print(f"      {ex}")
    return out


# --- section 3: pinyin ----------------------------------------------------------------------

TONES = {"1": "\u0304", "2": "\u0301", "3": "\u030c", "4": "\u0300"}
GENUINE = ("(中)", "(2021)", "(a)", "(b)", "(he)", "(an)", "(Apple)", "(試行)", "(上)",
           "（注）", "(tāotiè)", "(nǐhǎo)")


def marked(syllable: str) -> str:
    """``shu4`` → ``shù`` (the mark on a, e, the o of ou, else the last vowel)."""
    import unicodedata

    base, tone = syllable[:-1].replace("v", "ü"), syllable[-1]
    if tone not in TONES:
        return base
    for vowel in ("a", "e", "ou"):
        if vowel in base:
            i = base.index(vowel)
            break
    else:
        i = max(base.rfind(v) for v in "iuüo")
    return unicodedata.normalize("NFC", base[:i + 1] + TONES[tone] + base[i + 1:])


def pinyin_bench(per_file: int, seed: int) -> dict[str, float]:
    """Section 3: synthetic insertions in held-out Traditional lines."""
    from fixenc import pinyin

    readings = pinyin._readings()  # the table the detector uses
    rng = random.Random(seed)
    syllables = sorted({s for r in readings.values() for s in r})
    inserted = removed_ok = removed = genuine = genuine_kept = decoys = decoys_kept = 0
    for _, line in _sample_lines(("zh-hant",), per_file):
        parts: list[str] = []
        truth: list[tuple[int, str]] = []  # (position in the new line, "ins" | "gen")
        for ch in line:
            parts.append(ch)
            if not (_is_han(ch) and ch in readings):
                continue
            roll = rng.random()
            if roll < 0.08:
                tag, group = "ins", f"({marked(rng.choice(sorted(readings[ch])))})"
            elif roll < 0.10:
                tag, group = "gen", rng.choice(GENUINE)
            elif roll < 0.11:
                wrong = [s for s in syllables if s not in readings[ch] and s[-1] in TONES]
                tag, group = "decoy", f"({marked(rng.choice(wrong))})"
            else:
                continue
            truth.append((sum(map(len, parts)), tag))
            parts.append(group)
        text = "".join(parts)
        r = fixenc.repair(text, strip_pinyin=True)
        gone = {f.start for f in r.applied if f.kind == pinyin.KIND}
        for pos, tag in truth:
            hit = pos in gone
            if tag == "ins":
                inserted += 1
                removed_ok += hit
            elif tag == "gen":
                genuine += 1
                genuine_kept += not hit
            else:
                decoys += 1
                decoys_kept += not hit
        removed += len(gone)
    precision = removed_ok / max(1, removed)
    recall = removed_ok / max(1, inserted)
    print(f"\n3. Pinyin stripping: {inserted} inserted readings, {genuine} genuine parentheticals, "
          f"{decoys} toned syllables that are not the character's reading")
    print(f"  precision {precision:.4f}  recall {recall:.4f}  genuine kept "
          f"{genuine_kept}/{genuine}  non-readings kept {decoys_kept}/{decoys}")
    seed = ROOT.parent / "shared" / "seed" / "web_page_tibet_news.txt"
    if seed.is_file():
        page = seed.read_text(encoding="utf-8")
        groups = len(pinyin.GROUP_RE.findall(page))
        gone = sum(f.applied for f in fixenc.repair(page, strip_pinyin=True).fixes
                   if f.kind == pinyin.KIND)
        print(f"  the real page (seed): {gone} of {groups} one-syllable groups removed; "
              f"its {page.count('(中)')} '(中)' and other genuine parentheses are not such groups")
    return {"inserted": inserted, "precision": precision, "recall": recall,
            "genuine": genuine, "genuine_kept": genuine_kept, "decoys": decoys,
            "decoys_kept": decoys_kept}


# --- section 4: throughput ------------------------------------------------------------------

def throughput(pairs: list[Pair]) -> dict[str, float]:
    """Section 4: characters per second, fixenc auto against OpenCC tw2s, line by line."""
    import opencc

    lines = [t for t, _ in pairs]
    chars = sum(map(len, lines))
    tw2s = opencc.OpenCC("tw2s").convert
    for line in lines[:50]:  # load the tables and converters before timing
        fixenc.repair(line, to_simplified="auto")
    start = time.perf_counter()
    for line in lines:
        tw2s(line)
    theirs = time.perf_counter() - start
    start = time.perf_counter()
    for line in lines:
        fixenc.repair(line, to_simplified="auto")
    ours = time.perf_counter() - start
    print(f"\n4. Throughput on {len(lines)} lines ({chars} characters): fixenc "
          f"{chars / ours:,.0f} chars/s, OpenCC tw2s {chars / theirs:,.0f} chars/s; "
          f"fixenc takes {ours / theirs:.1f}x as long")
    return {"fixenc_cps": chars / ours, "opencc_cps": chars / theirs, "ratio": ours / theirs}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 always (it reports, it does not gate)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer lines")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if corpus.corpora_dir() is None:
        print("corpora not found (../shared/corpora or $FIXENC_CORPORA); nothing to measure")
        return 0
    import opencc

    cfg = fixenc.FixConfig()
    print(f"fixenc {fixenc.__version__}, OpenCC {opencc.__version__}, thresholds: "
          f"{cfg.min_confidence} (pinyin), {cfg.convert_min_confidence} (conversion)\n")
    per_file = 300 if args.quick else 2000
    sets = parallel_sets(args.quick)
    report: dict[str, Any] = {"accuracy": accuracy(sets), "calibration": calibration(sets)}
    report["pass_through"] = pass_through(per_file)
    report["pinyin"] = pinyin_bench(per_file // 2, args.seed)
    report["throughput"] = throughput(sets["CUV Bible (test)"])
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
