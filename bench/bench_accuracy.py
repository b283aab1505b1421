"""Accuracy, calibration and speed of fixenc on synthetic mojibake of the test corpora.

Usage::

    python bench/bench_accuracy.py [--quick] [--seed N] [--json out.json]
                                   [--engine fixenc|ftfy|identity] [--gate] [--stream-mb N]

Cases are made by :mod:`synth` from the ``test`` part of the corpora only (``train`` builds
the tables, ``calib`` fits the confidence model).  Every table compares the engine with
``ftfy.fix_encoding`` on the same cases in the same run.  The last block checks the targets;
with ``--gate`` the exit status is 1 when one of them fails.  The streaming section (see
:mod:`bench_stream`) pipes N/8 and N MB through the ``fixenc`` CLI filter and compares their
peak memory; ``--stream-mb 1024`` checks the 1 GB claim.  When the corpora are missing (see
``$FIXENC_CORPORA``) the benchmark says so and exits 0.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _p in (ROOT, ROOT / "scripts", BENCH):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import bench_stream
import corpus  # scripts/corpus.py
import synth

CACHE = BENCH / ".cache"
FTFY_VERSION = "6.3.1"
THRESHOLD = 0.9

POOL_OF_LANGUAGE = {"zh-hans": "zh-hans", "zh-hant": "zh-hant", "yue": "zh-hant",
                    "zh-parallel": "zh-parallel", "ja": "ja", "ko": "ko"}
"""Corpus language → pool of damage sources (see :func:`synth.pools_for`)."""


@dataclass(frozen=True)
class Size:
    """How many cases and how much text one run uses."""

    per_cell: int  # whole-line cases per chain × dialect × bucket
    spans: int  # one-span cases per chain × dialect (and as many two-span ones)
    twice: int  # two-layer cases per chain × dialect
    per_file: int  # source lines kept per corpus file (0: all)
    fp_per_file: int  # clean lines per corpus file for false positives (0: all)
    speed_bytes: int  # bytes of clean Chinese for the speed test
    speed_seconds: float  # at most this long per speed measurement


QUICK = Size(per_cell=3, spans=2, twice=2, per_file=400, fp_per_file=60,
             speed_bytes=300_000, speed_seconds=3)
FULL = Size(per_cell=30, spans=20, twice=15, per_file=3000, fp_per_file=3000,
            speed_bytes=4_000_000, speed_seconds=40)


# --- Distance -------------------------------------------------------------------------------


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insert, delete, substitute), bit-parallel (Myers / Hyyrö 2001).

    >>> levenshtein("kitten", "sitting"), levenshtein("", "abc"), levenshtein("发送", "发送")
    (3, 3, 0)
    """
    if a == b:
        return 0
    start, n = 0, min(len(a), len(b))
    while start < n and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    end, n = 0, min(len(a), len(b))
    while end < n and a[-1 - end] == b[-1 - end]:
        end += 1
    if end:
        a, b = a[:-end], b[:-end]
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, char in enumerate(b):
        peq[char] = peq.get(char, 0) | (1 << i)
    full, top = (1 << m) - 1, 1 << (m - 1)
    pv, mv, score = full, 0, m
    for char in a:
        eq = peq.get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
    return score


# --- Engines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One fix as the benchmark sees it."""

    start: int
    end: int
    original: str
    replacement: str
    kind: str
    confidence: float


@dataclass(frozen=True)
class Outcome:
    text: str
    findings: tuple[Finding, ...] | None  # None: the engine reports no findings


class Engine:
    """A repair function under test: fixenc, ftfy's ``fix_encoding``, or the identity."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[str] = []
        self._call: Callable[[str, float], Outcome]
        if name == "fixenc":
            import fixenc

            fixenc.repair  # noqa: B018  (fail now, not on every case, if it is missing)
            self._fixenc = fixenc
            self._takes_min_confidence = (
                "min_confidence" in inspect.signature(fixenc.repair).parameters)
            self._call = self._fixenc_call
        elif name == "ftfy":
            import ftfy

            self._call = lambda text, _c: Outcome(ftfy.fix_encoding(text), None)
        elif name == "identity":
            self._call = lambda text, _c: Outcome(text, None)
        else:
            msg = f"unknown engine {name!r}"
            raise ValueError(msg)

    @property
    def reports_findings(self) -> bool:
        return self.name == "fixenc"

    def _fixenc_call(self, text: str, min_confidence: float) -> Outcome:
        if self._takes_min_confidence:
            result = self._fixenc.repair(text, min_confidence=min_confidence)
        else:  # an engine that takes a FixConfig only
            from fixenc.config import FixConfig

            result = self._fixenc.repair(text, config=FixConfig(min_confidence=min_confidence))
        findings = tuple(Finding(f.start, f.end, f.original, f.replacement, str(f.kind),
                                 float(f.confidence)) for f in result.fixes)
        return Outcome(result.text, findings)

    def run(self, text: str, min_confidence: float = THRESHOLD) -> Outcome:
        """Repair ``text``; an exception is recorded and counts as no change."""
        try:
            return self._call(text, min_confidence)
        except Exception as exc:  # noqa: BLE001  (an engine bug must not stop the run)
            self.errors.append(f"{type(exc).__name__}: {exc} on {text[:60]!r}")
            return Outcome(text, None)


def _ftfy_fix_encoding() -> Callable[[str], str]:
    import ftfy

    return ftfy.fix_encoding


# --- Loading --------------------------------------------------------------------------------


def load_pools(rng: random.Random, per_file: int) -> dict[str, list[str]]:
    """Test lines by damage pool, at most ``per_file`` from each file (0: all)."""
    pools: dict[str, list[str]] = defaultdict(list)
    for path in corpus.corpus_files():
        pool = POOL_OF_LANGUAGE.get(corpus.language(path))
        if pool is None:
            continue
        lines = list(corpus.iter_lines(path, "test"))
        if per_file and len(lines) > per_file:
            lines = rng.sample(lines, per_file)
        pools[pool] += lines
    return dict(pools)


def load_clean(rng: random.Random, per_file: int) -> dict[str, list[str]]:
    """Clean test lines of every corpus language, at most ``per_file`` per file (0: all)."""
    clean: dict[str, list[str]] = defaultdict(list)
    for path in corpus.corpus_files():
        lines = list(corpus.iter_lines(path, "test"))
        if per_file and len(lines) > per_file:
            lines = rng.sample(lines, per_file)
        clean[corpus.language(path)] += lines
    return dict(sorted(clean.items()))


# --- Per-case evaluation --------------------------------------------------------------------


@dataclass
class Scored:
    """One case with both repairs and their distances to the truth."""

    case: dict[str, Any]
    out: str
    ftfy_out: str
    d_in: int
    d_out: int
    d_ftfy: int


def score_cases(cases: Sequence[dict[str, Any]], engine: Engine,
                fix_encoding: Callable[[str], str]) -> list[Scored]:
    scored = []
    for case in cases:
        truth, damaged = case["truth"], case["damaged"]
        out = engine.run(damaged).text
        ftfy_out = fix_encoding(damaged)
        d_in = levenshtein(damaged, truth)
        d_out = d_in if out == damaged else levenshtein(out, truth)
        d_ftfy = d_in if ftfy_out == damaged else levenshtein(ftfy_out, truth)
        scored.append(Scored(case, out, ftfy_out, d_in, d_out, d_ftfy))
    return scored


@dataclass
class Agg:
    """Accumulated figures for a group of scored cases."""

    n: int = 0
    chars: int = 0
    exact: int = 0
    ok_chars: int = 0
    in_ok_chars: int = 0
    worse: int = 0
    wrong: int = 0
    f_exact: int = 0
    f_ok_chars: int = 0
    f_worse: int = 0
    f_wrong: int = 0
    lossless: int = 0
    lossless_exact: int = 0

    def add(self, s: Scored) -> None:
        length = len(s.case["truth"])
        self.n += 1
        self.chars += length
        self.exact += s.out == s.case["truth"]
        self.ok_chars += max(0, length - s.d_out)
        self.in_ok_chars += max(0, length - s.d_in)
        self.worse += s.d_out > s.d_in
        # Changed into some third text: Levenshtein can call that "better" even when it has
        # made the damage irreversible (ftfy turns ÖÐÎÄ²âÊÔ into ÖÐÎĲâÊÔ).
        self.wrong += s.out not in (s.case["truth"], s.case["damaged"])
        self.f_exact += s.ftfy_out == s.case["truth"]
        self.f_ok_chars += max(0, length - s.d_ftfy)
        self.f_worse += s.d_ftfy > s.d_in
        self.f_wrong += s.ftfy_out not in (s.case["truth"], s.case["damaged"])
        if not s.case["lossy"]:
            self.lossless += 1
            self.lossless_exact += s.out == s.case["truth"]

    def rate(self, name: str) -> float:
        """``exact``/``worse``... over cases, ``*_ok_chars`` over characters."""
        if name.endswith("ok_chars"):
            return getattr(self, name) / self.chars if self.chars else math.nan
        if name == "lossless_exact":
            return self.lossless_exact / self.lossless if self.lossless else math.nan
        return getattr(self, name) / self.n if self.n else math.nan

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "exact": self.rate("exact"), "char_acc": self.rate("ok_chars"),
                "input_char_acc": self.rate("in_ok_chars"), "worse": self.rate("worse"),
                "wrong_change": self.rate("wrong"), "ftfy_wrong_change": self.rate("f_wrong"),
                "lossless_n": self.lossless, "lossless_exact": self.rate("lossless_exact"),
                "ftfy_exact": self.rate("f_exact"), "ftfy_char_acc": self.rate("f_ok_chars"),
                "ftfy_worse": self.rate("f_worse")}


def group(scored: Iterable[Scored], key: Callable[[Scored], Any]) -> dict[Any, Agg]:
    groups: dict[Any, Agg] = {}
    for s in scored:
        groups.setdefault(key(s), Agg()).add(s)
    return groups


# --- Printing -------------------------------------------------------------------------------


def pct(x: float) -> str:
    return "   n/a" if x is None or math.isnan(x) else f"{100 * x:5.1f}%"


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    print(f"\n== {title} ==")
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i < 2 else h.rjust(w)
                     for i, (h, w) in enumerate(zip(headers, widths)))
    print(line)
    print("-" * len(line))
    for row in cells:
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths))))


AGG_HEADERS = ("n", "exact", "acc", "in_acc", "worse", "wrong", "lossless", "ll_exact",
               "ftfy_exact", "ftfy_acc", "ftfy_worse", "ftfy_wrong")
AGG_LEGEND = ("exact: output == truth; acc: character accuracy 1 - Levenshtein/len (floor 0), "
              "in_acc: the same for the input;\nworse: output further from the truth than the "
              "input; wrong: changed into a third text (neither input nor truth);\n"
              "lossless/ll_exact: cases where the wrong decoder lost no byte, and their exact "
              "rate; ftfy_*: ftfy.fix_encoding on the same cases")


def agg_row(a: Agg) -> list[str]:
    return [str(a.n), pct(a.rate("exact")), pct(a.rate("ok_chars")), pct(a.rate("in_ok_chars")),
            pct(a.rate("worse")), pct(a.rate("wrong")), str(a.lossless),
            pct(a.rate("lossless_exact")), pct(a.rate("f_exact")), pct(a.rate("f_ok_chars")),
            pct(a.rate("f_worse")), pct(a.rate("f_wrong"))]


def _chain_order(key: tuple[str, ...]) -> tuple[int, int, str]:
    chain, dialect = key[0], key[1]
    names = list(synth.CHAINS)
    return (names.index(chain) if chain in names else len(names),
            synth.DIALECTS.index(dialect) if dialect in synth.DIALECTS else 9, str(key[2:]))


def report_accuracy(scored: list[Scored], out: dict[str, Any]) -> None:
    whole = [s for s in scored if s.case["kind"] == "whole"]
    by_cd = group(whole, lambda s: (s.case["chain"], s.case["dialect"]))
    print(f"\n{AGG_LEGEND}")
    print_table("whole-line damage: chain x dialect", ("chain", "dialect", *AGG_HEADERS),
                [[c, d, *agg_row(a)] for (c, d), a in sorted(by_cd.items(),
                                                             key=lambda kv: _chain_order(kv[0]))])
    family = {name: ch.family for name, ch in synth.CHAINS.items()}
    by_fb = group(whole, lambda s: (family[s.case["chain"]], s.case["dialect"], s.case["bucket"]))
    bucket_order = list(synth.BUCKETS)
    print_table("whole-line damage: family x dialect x bucket", ("family", "dialect", "bucket",
                                                                 *AGG_HEADERS),
                [[f, d, b, *agg_row(a)] for (f, d, b), a in sorted(
                    by_fb.items(), key=lambda kv: (kv[0][0], synth.DIALECTS.index(kv[0][1]),
                                                   bucket_order.index(kv[0][2])))])
    gbk = group([s for s in whole if s.case["chain"] == "utf8_read_as_gbk"],
                lambda s: (s.case["dialect"], s.case["bucket"]))
    print_table("utf8_read_as_gbk: dialect x bucket", ("dialect", "bucket", *AGG_HEADERS),
                [[d, b, *agg_row(a)] for (d, b), a in sorted(
                    gbk.items(), key=lambda kv: (synth.DIALECTS.index(kv[0][0]),
                                                 bucket_order.index(kv[0][1])))])
    by_cdb = group(whole, lambda s: (s.case["chain"], s.case["dialect"], s.case["bucket"]))
    out["whole"] = [{"chain": c, "dialect": d, "bucket": b, **a.as_dict()}
                    for (c, d, b), a in sorted(by_cdb.items(), key=lambda kv: _chain_order(kv[0]))]

    spans = [s for s in scored if s.case["kind"] in ("span", "mixed")]
    by_ck = group(spans, lambda s: (s.case["chain"], s.case["kind"]))
    print_table("damaged spans inside clean text (span: one, mixed: two per line)",
                ("chain", "kind", *AGG_HEADERS),
                [[c, k, *agg_row(a)] for (c, k), a in sorted(
                    by_ck.items(), key=lambda kv: (list(synth.CHAINS).index(kv[0][0]), kv[0][1]))])
    by_kd = group(spans, lambda s: (s.case["kind"], s.case["dialect"]))
    print_table("damaged spans: kind x dialect", ("kind", "dialect", *AGG_HEADERS),
                [[k, d, *agg_row(a)] for (k, d), a in sorted(
                    by_kd.items(), key=lambda kv: (kv[0][0], synth.DIALECTS.index(kv[0][1])))])
    out["spans"] = [{"chain": c, "dialect": d, "kind": k, **a.as_dict()} for (c, d, k), a in
                    sorted(group(spans, lambda s: (s.case["chain"], s.case["dialect"],
                                                   s.case["kind"])).items(),
                           key=lambda kv: _chain_order(kv[0]))]

    twice = [s for s in scored if s.case["kind"] == "twice"]
    by_tw = group(twice, lambda s: (s.case["chain"], s.case["dialect"]))
    print_table("two layers (the same mistake twice)", ("chain", "dialect", *AGG_HEADERS),
                [[c, d, *agg_row(a)] for (c, d), a in sorted(by_tw.items(),
                                                             key=lambda kv: _chain_order(kv[0]))])
    out["twice"] = [{"chain": c, "dialect": d, **a.as_dict()} for (c, d), a in
                    sorted(by_tw.items(), key=lambda kv: _chain_order(kv[0]))]
    totals = group(scored, lambda s: s.case["kind"])
    print_table("all damage by kind", ("kind", "", *AGG_HEADERS),
                [[k, "", *agg_row(a)] for k, a in sorted(totals.items())])
    out["by_kind"] = {k: a.as_dict() for k, a in totals.items()}
    worse = [s for s in scored if s.d_out > s.d_in]
    if worse:
        print(f"\nrepairs further from the truth than their input ({len(worse)}), up to 10:")
        for s in worse[:10]:
            c = s.case
            print(f"  {c['chain']}/{c['dialect']}/{c['kind']}: {c['damaged'][:100]!r} -> "
                  f"{s.out[:100]!r} (truth {c['truth'][:100]!r})")


def _around_change(a: str, b: str, before: int = 15, width: int = 60) -> tuple[str, str]:
    """The parts of ``a`` and ``b`` around their first difference, for examples.

    >>> _around_change("x" * 100 + "abc", "x" * 100 + "aXc", 2, 5)
    ('…xabc', '…xaXc')
    """
    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, first - before)
    mark = "…" if start else ""
    return mark + a[start:start + width], mark + b[start:start + width]


def report_false_positives(clean: dict[str, list[str]], engine: Engine,
                           fix_encoding: Callable[[str], str], out: dict[str, Any]) -> None:
    rows: list[list[Any]] = []
    examples: list[tuple[str, str, Outcome]] = []
    total = {"lines": 0, "changed": 0, "confident": 0, "ftfy_changed": 0}
    for lang, lines in clean.items():
        changed = confident = ftfy_changed = 0
        for line in lines:
            outcome = engine.run(line)
            if outcome.text != line:
                changed += 1
                if len(examples) < 10:
                    examples.append((lang, line, outcome))
            if outcome.findings is not None:
                confident += sum(f.confidence >= THRESHOLD for f in outcome.findings)
            ftfy_changed += fix_encoding(line) != line
        rows.append([lang, "", len(lines), changed, pct(changed / len(lines)),
                     confident if engine.reports_findings else "n/a", ftfy_changed])
        for key, value in (("lines", len(lines)), ("changed", changed),
                           ("confident", confident), ("ftfy_changed", ftfy_changed)):
            total[key] += value
    rows.append(["ALL", "", total["lines"], total["changed"],
                 pct(total["changed"] / max(1, total["lines"])),
                 total["confident"] if engine.reports_findings else "n/a",
                 total["ftfy_changed"]])
    print_table(f"false positives on clean test lines (findings: confidence >= {THRESHOLD})",
                ("language", "", "lines", "changed", "rate", "findings", "ftfy_changed"), rows)
    for lang, line, outcome in examples:
        kinds = ",".join(f"{f.kind}:{f.confidence:.2f}" for f in outcome.findings or ())
        before, after = _around_change(line, outcome.text)
        print(f"  [{lang}] {before!r} -> {after!r} {kinds}")
    out["false_positives"] = {"by_language": {r[0]: {"lines": r[2], "changed": r[3],
                                                     "ftfy_changed": r[6]} for r in rows},
                              **total}


def report_calibration(scored: list[Scored], engine: Engine, out: dict[str, Any]) -> None:
    from fixenc.evaluation import fix_is_right  # its part of the truth, up to declared losses

    if not engine.reports_findings:
        print(f"\n== calibration ==\nn/a: engine {engine.name!r} reports no confidences")
        out["calibration"] = None
        return
    points: list[tuple[float, bool]] = []
    cases = [s.case for s in scored
             if s.case["kind"] in ("whole", "span") and len(s.case["spans"]) == 1]
    recalled = 0
    for case in cases:
        damaged, truth = case["damaged"], case["truth"]
        findings = engine.run(damaged, 0.0).findings or ()
        hit = False
        for f in findings:
            if f.replacement == f.original:  # damage reported, not a repair
                continue
            correct = fix_is_right(truth, damaged, case["chain"], tuple(case["spans"][0]),
                                   f.start, f.end, f.replacement)
            points.append((f.confidence, correct))
            hit |= correct and f.confidence >= THRESHOLD
        recalled += hit
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(10)]
    for conf, correct in points:
        bins[min(9, max(0, int(conf * 10)))].append((conf, correct))
    ece = sum(len(b) / len(points) * abs(statistics.fmean(c for c, _ in b)
                                         - sum(k for _, k in b) / len(b))
              for b in bins if b) if points else math.nan
    high = [k for c, k in points if c >= THRESHOLD]
    precision = sum(high) / len(high) if high else math.nan
    recall = recalled / len(cases) if cases else math.nan
    rows = [[f"{i / 10:.1f}-{(i + 1) / 10:.1f}", "", len(b),
             f"{statistics.fmean(c for c, _ in b):.3f}" if b else "",
             pct(sum(k for _, k in b) / len(b)) if b else ""] for i, b in enumerate(bins)]
    print_table("reliability (each fix of single-span cases, min_confidence=0.0; a fix is "
                "correct when it restores exactly its part of the truth, up to the characters "
                "it declares lost)",
                ("confidence", "", "fixes", "mean_conf", "correct"), rows)
    print(f"fixes: {len(points)} on {len(cases)} cases; ECE (10 bins): {ece:.4f}; "
          f"at confidence >= {THRESHOLD}: precision {pct(precision).strip()} "
          f"({len(high)} fixes), recall {pct(recall).strip()} (cases with a correct fix)")
    out["calibration"] = {"fixes": len(points), "cases": len(cases), "ece": ece,
                          "precision": precision, "recall": recall,
                          "bins": [{"low": i / 10, "fixes": len(b),
                                    "mean_conf": statistics.fmean(c for c, _ in b) if b else None,
                                    "correct": sum(k for _, k in b) / len(b) if b else None}
                                   for i, b in enumerate(bins)]}


# --- ftfy's own test cases ------------------------------------------------------------------


def ftfy_test_cases() -> tuple[list[dict[str, Any]] | None, str]:
    """ftfy's ``tests/test_cases.json`` from its sdist, fetched once into ``bench/.cache``."""
    target = CACHE / f"ftfy-{FTFY_VERSION}-test_cases.json"
    if not target.exists():
        sdist = CACHE / f"ftfy-{FTFY_VERSION}.tar.gz"
        if not sdist.exists():
            CACHE.mkdir(parents=True, exist_ok=True)
            try:
                subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                                "--no-binary", ":all:", f"ftfy=={FTFY_VERSION}",
                                "-d", str(CACHE)], capture_output=True, timeout=300,
                               check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                return None, f"pip download failed: {exc}"
        if not sdist.exists():
            return None, f"ftfy {FTFY_VERSION} sdist not available (pip download failed)"
        member = f"ftfy-{FTFY_VERSION}/tests/test_cases.json"
        try:
            with tarfile.open(sdist) as tar:
                data = tar.extractfile(member)
                if data is None:
                    return None, f"{member} missing from the sdist"
                target.write_bytes(data.read())
        except (tarfile.TarError, KeyError) as exc:
            return None, f"cannot read the sdist: {exc}"
    return json.loads(target.read_text(encoding="utf-8")), str(target.relative_to(ROOT))


def report_ftfy_cases(engine: Engine, fix_encoding: Callable[[str], str],
                      out: dict[str, Any]) -> None:
    print("\n== ftfy's own test cases ==")
    cases, where = ftfy_test_cases()
    if cases is None:
        print(f"skipped: {where}")
        out["ftfy_cases"] = None
        return
    fixed_by_ftfy = same = kept_by_ftfy = changed = 0
    differ: list[str] = []
    for case in cases:
        original = case["original"]
        expected = fix_encoding(original)
        got = engine.run(original).text
        if expected != original:
            fixed_by_ftfy += 1
            same += got == expected
            if got != expected and len(differ) < 5:
                differ.append(f"  ftfy fixes, {engine.name} differs: {original!r} -> {got!r} "
                              f"(ftfy {expected!r})")
        else:
            kept_by_ftfy += 1
            changed += got != original
            if got != original and len(differ) < 10:
                differ.append(f"  ftfy keeps, {engine.name} changes: {original!r} -> {got!r}")
    print(f"{len(cases)} cases from {where}")
    print(f"ftfy.fix_encoding changes {fixed_by_ftfy}: {engine.name} gives the same text for "
          f"{same} ({pct(same / max(1, fixed_by_ftfy)).strip()})")
    print(f"ftfy.fix_encoding keeps {kept_by_ftfy}: {engine.name} changes {changed}")
    print("\n".join(differ))
    out["ftfy_cases"] = {"cases": len(cases), "ftfy_changes": fixed_by_ftfy, "same": same,
                         "ftfy_keeps": kept_by_ftfy, "engine_changes": changed}


# --- Speed ----------------------------------------------------------------------------------


def _throughput(fn: Callable[[str], object], lines: Sequence[str], budget: float) -> float:
    """MB/s of UTF-8 input over ``lines``, stopping early after ``budget`` seconds."""
    size = 0
    start = time.perf_counter()
    for line in lines:
        fn(line)
        size += len(line.encode("utf-8"))
        if time.perf_counter() - start > budget:
            break
    return size / 1e6 / (time.perf_counter() - start)


def _median_run(code: str, runs: int = 5, pycache: str | None = None) -> float:
    # An installed package has its bytecode (pip compiles it, as it did ftfy's): allow it to
    # be written, into a folder of its own rather than __pycache__ in the tree, even where
    # PYTHONDONTWRITEBYTECODE is set; the first run writes it and is dropped.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = pycache
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                       capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def import_time(module: str) -> float | None:
    """Seconds to ``import module`` in a fresh interpreter, minus a bare start-up."""
    try:  # a half-written package may import as an empty namespace: require its API
        probe = {"fixenc": "import fixenc; fixenc.repair"}.get(module, f"import {module}")
        subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True,
                       capture_output=True)
    except subprocess.CalledProcessError:
        return None
    with tempfile.TemporaryDirectory(prefix="fixenc-pycache-") as pycache:
        return max(0.0, _median_run(f"import {module}", pycache=pycache)
                   - _median_run("pass", pycache=pycache))


def _first_bytes(lines: Iterable[str], limit: int) -> tuple[list[str], int]:
    """The first ``lines`` until ``limit`` bytes of UTF-8 are reached, and their size."""
    picked, total = [], 0
    for line in lines:
        if total >= limit:
            break
        picked.append(line)
        total += len(line.encode("utf-8"))
    return picked, total


def report_speed(clean: dict[str, list[str]], scored: list[Scored], engine: Engine,
                 size: Size, out: dict[str, Any]) -> None:
    import ftfy

    chinese = [line for lang in ("zh-hans", "zh-hant", "zh-parallel", "yue")
               for line in clean.get(lang, ())]
    random.Random(0).shuffle(chinese)  # every source, not just the first files
    picked, total = _first_bytes(chinese, size.speed_bytes)
    damaged = [s.case["damaged"] for s in scored if s.case["kind"] == "whole"]
    def run(text: str) -> Outcome:
        return engine.run(text)

    budget = size.speed_seconds
    figures = {
        "clean_engine": _throughput(run, picked, budget),
        "clean_ftfy_fix_encoding": _throughput(ftfy.fix_encoding, picked, budget),
        "clean_ftfy_fix_text": _throughput(ftfy.fix_text, picked, budget),
        "damaged_engine": _throughput(run, damaged, budget),
        "damaged_ftfy_fix_encoding": _throughput(ftfy.fix_encoding, damaged, budget),
    }
    figures["ratio_clean"] = figures["clean_engine"] / figures["clean_ftfy_fix_encoding"]
    # Japanese and Korean: every kana and Hangul is a screening hit, so their lines take
    # the slow path; measured on the first lines of each (a tenth of the Chinese budget).
    others: dict[str, tuple[list[str], int]] = {}
    for lang in ("ja", "ko"):
        lines, taken = _first_bytes(clean.get(lang, ()), size.speed_bytes // 10)
        if lines:
            others[lang] = lines, taken
            figures[f"clean_{lang}_engine"] = _throughput(run, lines, budget / 4)
            figures[f"clean_{lang}_ftfy_fix_encoding"] = _throughput(ftfy.fix_encoding, lines,
                                                                     budget / 4)
    imports = {m: import_time(m) for m in ("fixenc", "ftfy")}
    damaged_mb = sum(len(t.encode("utf-8")) for t in damaged) / 1e6
    print(f"\n== speed ==\nclean Chinese: {total / 1e6:.2f} MB in {len(picked)} lines; "
          f"damaged: {damaged_mb:.2f} MB in {len(damaged)} lines")
    print(f"clean   {engine.name:>8}: {figures['clean_engine']:8.2f} MB/s   "
          f"ftfy.fix_encoding: {figures['clean_ftfy_fix_encoding']:6.2f} MB/s   "
          f"ftfy.fix_text: {figures['clean_ftfy_fix_text']:6.2f} MB/s   "
          f"ratio {engine.name}/fix_encoding: {figures['ratio_clean']:.2f}x")
    print(f"damaged {engine.name:>8}: {figures['damaged_engine']:8.3g} MB/s   "
          f"ftfy.fix_encoding: {figures['damaged_ftfy_fix_encoding']:6.2f} MB/s")
    for lang, (lines, taken) in others.items():
        mine, theirs = figures[f"clean_{lang}_engine"], figures[f"clean_{lang}_ftfy_fix_encoding"]
        print(f"clean {lang} {engine.name:>8}: {mine:6.2f} MB/s   ftfy.fix_encoding: "
              f"{theirs:6.2f} MB/s   ratio {mine / theirs:.2f}x   "
              f"({taken / 1e6:.2f} MB in {len(lines)} lines)")
    for module, seconds in imports.items():
        shown = "n/a (not importable)" if seconds is None else f"{1000 * seconds:.0f} ms"
        print(f"import {module}: {shown} (median of 5 fresh interpreters with bytecode, minus bare start-up)")
    out["speed"] = {**figures, "import_ms": {m: None if s is None else 1000 * s
                                             for m, s in imports.items()}}


# --- Targets --------------------------------------------------------------------------------


@dataclass
class Target:
    label: str
    measured: str
    passed: bool | None  # None: could not be measured with this engine
    details: list[str] = field(default_factory=list)


def targets(scored: list[Scored], out: dict[str, Any]) -> list[Target]:
    result: list[Target] = []
    whole = [s for s in scored if s.case["kind"] == "whole"]

    lossless = group([s for s in whole if not s.case["lossy"]], lambda s: s.case["chain"])
    rates = {c: a.rate("exact") for c, a in lossless.items()}
    low = sorted((r, c) for c, r in rates.items() if r < 0.95)
    worst = min(rates.items(), key=lambda kv: kv[1]) if rates else ("-", math.nan)
    result.append(Target("lossless damage >= 95% exact, per chain",
                         f"worst {pct(worst[1]).strip()} ({worst[0]}), "
                         f"{len(low)}/{len(rates)} chains below", not low and bool(rates)))

    gbk = group([s for s in whole if s.case["chain"] == "utf8_read_as_gbk"],
                lambda s: s.case["dialect"])
    accs = {d: a.rate("ok_chars") for d, a in gbk.items()}
    result.append(Target("utf8_read_as_gbk character accuracy >= 95%, per dialect",
                         ", ".join(f"{d} {pct(v).strip()}" for d, v in accs.items()),
                         bool(accs) and all(v >= 0.95 for v in accs.values())))

    tw = group([s for s in scored if s.case["kind"] == "twice"], lambda s: 0).get(0, Agg())
    result.append(Target("two layers: character accuracy >= 85%",
                         f"{pct(tw.rate('ok_chars')).strip()} (exact {pct(tw.rate('exact')).strip()},"
                         f" n={tw.n})", tw.n > 0 and tw.rate("ok_chars") >= 0.85))

    mx = group([s for s in scored if s.case["kind"] in ("span", "mixed")],
               lambda s: 0).get(0, Agg())
    result.append(Target("mixed clean+damaged lines >= 90% exact",
                         f"{pct(mx.rate('exact')).strip()} (n={mx.n})",
                         mx.n > 0 and mx.rate("exact") >= 0.90))

    fp = out.get("false_positives") or {}
    result.append(Target("zero changed clean lines",
                         f"{fp.get('changed', 'n/a')} of {fp.get('lines', 'n/a')}",
                         fp.get("changed") == 0 if fp else None))

    worse = [s for s in scored if s.d_out > s.d_in]
    result.append(Target("never worse than the input", f"{len(worse)} of {len(scored)} cases",
                         not worse))

    cal = out.get("calibration")
    result.append(Target("expected calibration error <= 0.05",
                         "n/a" if cal is None else f"{cal['ece']:.4f}",
                         None if cal is None else cal["ece"] <= 0.05))
    result.append(Target(f"precision >= 99% at confidence >= {THRESHOLD}",
                         "n/a" if cal is None else f"{pct(cal['precision']).strip()}",
                         None if cal is None else cal["precision"] >= 0.99))

    speed = out.get("speed")
    if speed is None:
        result += [Target(label, "n/a", None) for label in (
            "clean Chinese >= 5x ftfy.fix_encoding", "damaged text >= 2 MB/s",
            "import fixenc <= 150 ms")]
    else:
        result.append(Target("clean Chinese >= 5x ftfy.fix_encoding",
                             f"{speed['ratio_clean']:.2f}x", speed["ratio_clean"] >= 5))
        result.append(Target("damaged text >= 2 MB/s", f"{speed['damaged_engine']:.3g} MB/s",
                             speed["damaged_engine"] >= 2))
        ms = speed["import_ms"]["fixenc"]
        result.append(Target("import fixenc <= 150 ms", "n/a" if ms is None else f"{ms:.0f} ms",
                             None if ms is None else ms <= 150))
    label, measured, passed = bench_stream.streaming_target(out)
    result.append(Target(label, measured, passed))
    errors = int(out.get("engine_errors", 0))
    result.append(Target("no engine errors", f"{errors} exceptions", errors == 0))
    return result


def report_targets(found: list[Target], engine: Engine, out: dict[str, Any]) -> bool:
    print(f"\n== targets (engine: {engine.name}) ==")
    for t in found:
        status = "SKIP" if t.passed is None else "PASS" if t.passed else "FAIL"
        print(f"{status}  {t.label}: {t.measured}")
    out["targets"] = [{"target": t.label, "measured": t.measured, "passed": t.passed}
                      for t in found]
    return all(t.passed is not False for t in found)


# --- Driver ---------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """``value`` with NaN (a rate over no cases) written as null, which JSON allows."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small samples (about a minute)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the case generator")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--engine", choices=("fixenc", "ftfy", "identity"), default="fixenc",
                        help="the repair under test (default fixenc)")
    parser.add_argument("--gate", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--no-ftfy-cases", action="store_true",
                        help="skip ftfy's test cases (no download)")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed section")
    parser.add_argument("--stream-mb", type=_megabytes, metavar="N",
                        help="streaming section: pipe N/8 and N MB through the CLI filter "
                             "(default 64, 8 with --quick; 1024 checks the 1 GB claim, in "
                             "$TMPDIR; 0 skips the section)")
    return parser


def _megabytes(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not number >= 0 or math.isinf(number):
        msg = f"must be a number of MB (0 or more), got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return number


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not corpus.corpus_files():
        print("corpora not found (set FIXENC_CORPORA to the corpora folder): "
              "benchmark skipped")
        return 0
    try:
        engine = Engine(args.engine)
    except Exception as exc:  # noqa: BLE001  (a half-written engine fails in many ways)
        print(f"cannot import the {args.engine} engine ({exc}); "
              "try --engine identity or --engine ftfy", file=sys.stderr)
        return 2
    fix_encoding = _ftfy_fix_encoding()
    size = QUICK if args.quick else FULL
    started = time.perf_counter()
    out: dict[str, Any] = {"engine": args.engine, "seed": args.seed, "quick": args.quick,
                           "threshold": THRESHOLD}
    rng = random.Random(args.seed)
    pools = load_pools(random.Random(f"{args.seed}:pools"), size.per_file)
    cases = synth.make_cases(pools, rng, per_cell=size.per_cell, spans=size.spans,
                             mixed=size.spans, twice=size.twice, clean=0)
    print(f"fixenc accuracy benchmark: engine {args.engine}, seed {args.seed}, "
          f"{'quick' if args.quick else 'full'} run, {len(cases)} damage cases from the "
          f"test split of {corpus.corpora_dir()}")
    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], object]) -> None:
        start = time.perf_counter()
        fn()
        timings[name] = time.perf_counter() - start

    scored: list[Scored] = []
    timed("accuracy", lambda: scored.extend(score_cases(cases, engine, fix_encoding)))
    report_accuracy(scored, out)
    clean = load_clean(random.Random(f"{args.seed}:clean"), size.fp_per_file)
    timed("false_positives",
          lambda: report_false_positives(clean, engine, fix_encoding, out))
    timed("calibration", lambda: report_calibration(scored, engine, out))
    if args.no_ftfy_cases:
        print("\n== ftfy's own test cases ==\nskipped (--no-ftfy-cases)")
    else:
        timed("ftfy_cases", lambda: report_ftfy_cases(engine, fix_encoding, out))
    if not args.no_speed:
        speed_clean = load_clean(random.Random(0), 0)
        timed("speed", lambda: report_speed(speed_clean, scored, engine, size, out))
    stream_mb = args.stream_mb if args.stream_mb is not None else 8 if args.quick else 64
    timed("streaming",
          lambda: bench_stream.report_streaming(stream_mb, args.quick, args.seed, out))
    if engine.errors:
        print(f"\n{len(engine.errors)} engine errors (counted as no change), up to 5:")
        for err in engine.errors[:5]:
            print(f"  {err}")
    out["engine_errors"] = len(engine.errors)
    passed = report_targets(targets(scored, out), engine, out)
    out["seconds"] = {**timings, "total": time.perf_counter() - started}
    print("\nseconds: " + ", ".join(f"{k} {v:.1f}" for k, v in out["seconds"].items()))
    if args.json:
        Path(args.json).write_text(json.dumps(_jsonable(out), ensure_ascii=False, indent=1,
                                              default=str) + "\n", encoding="utf-8")
    return 1 if args.gate and not passed else 0


if __name__ == "__main__":
    raise SystemExit(main())
