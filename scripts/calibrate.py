"""Fit the confidence model: ``fixenc/_tables/calibration.py`` from the calib corpora.

Usage::

    python scripts/calibrate.py            # rewrite fixenc/_tables/calibration.py
    python scripts/calibrate.py --check    # exit 1 if the committed model is stale

Data: synthetic damage (every chain × dialect × length, one damaged span per case, two
layers) made by ``bench/synth.py`` from the *calib* part of the corpora, UTF-8 read as
single-byte code pages in every European language (ftfy's ground), plus clean calib lines
of every language.  Every candidate the engine proposes on those texts is an example:
correct (1) when it restores exactly its part of the truth, up to the characters it
declares lost (``fixenc.evaluation.fix_is_right``; a sound repair of part of a damaged
span is correct), otherwise 0 (all candidates on clean text are 0).

Each kind of repair (``fixenc.confidence.model_name``) first gets an L2-regularised logistic
regression over the standardised features of ``fixenc.scoring`` (Newton's method, so the
result is deterministic; the strength of the penalty chosen for each kind by cross-validated
log loss, ``L2_GRID``) and an isotonic (pool-adjacent-violators) correction fitted on a
separate half of the examples.  Candidates it gives at least ``GATE`` (a quarter of them:
the others are never applied or reported), except repairs that guessed bytes of UTF-8
under GBK (``TREE_MODELS``), are then judged by gradient-boosted trees
(``scripts/boost.py``) over the same features, the kind and the logistic log-odds, fitted
on the first half, each kind with its own isotonic correction fitted on the second half.
The trees see what a sum cannot (a high gain convinces only when nothing was guessed, a
short span only with context).  On three held-out folds of the calib examples (session 9)
they found 6-11% more right full reads at >= 0.9, at a precision of 98.6-99.6% (the
logistic model: 98.3-99.0%), and more right two-layer repairs and guesses of single-byte
code pages; for guesses of UTF-8 bytes under GBK they bought precision with recall, so
those keep their logistic model (under the other decoders they did better, session 12), as
do repairs that put back deleted Private Use characters (``gap``,
fitted only on text that lost some: fitted with everything else, the other dialects of
UTF-8 read as GBK lost up to 2 points of characters on calib text).  Numbers are rounded so the output is byte-stable.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import random
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

import boost
import corpus
import synth

from fixenc.confidence import model_name
from fixenc.evaluation import agrees, fix_is_right
from fixenc.repair import line_candidates
from fixenc.scoring import FEATURES, evidence_for_line, fallback_evidence
from fixenc.screen import has_suspect, worth_a_look

OUT = ROOT / "fixenc" / "_tables" / "calibration.py"
SEED = 20261127
L2_GRID = (1.0, 3.0, 10.0, 30.0, 100.0)
"""The strengths of the L2 penalty tried for each model's logistic regression; each model
takes the one with the least log loss over :data:`FOLDS` folds of its fitting half (a
model of a few hundred examples, such as the guesses under GBK, needs a stronger one than
a model of tens of thousands)."""
FOLDS = 4
FOLD_BLOCK = 25  # examples in a row go to the same fold: a case's candidates stay together
PER_POOL = 4000
CLEAN_SUSPECTS = 3000  # per language group
TWICE = 60  # extra two-layer cases per UTF-8 double-byte chain x dialect
LOSSY = 24  # extra whole (per length bucket) and one-span cases per such chain x dialect
GAPS = 120  # extra whole (per bucket) and one-span cases of UTF-8 read as GBK, PUA deleted
PER_CELL = 24  # damage cases per chain x dialect x length bucket, and one-span cases
MODELS = ("clean", "read", "guessed", "guessed_other", "guessed_double", "guessed_single", "twice",
          "ftfy", "gap")
GATE = 0.1  # the linear models' calibrated probability from which the trees judge
# The kinds the trees judge: not "guessed" (UTF-8 bytes a GBK decoder lost), where on
# held-out calib cases they bought precision with recall and judged a character cut short
# at the end of a line (。 after 联系人) less sure than it is (0.87 for 92% right).  They do
# judge "guessed_other" (the same under Big5, Shift-JIS, EUC-KR): on four held-out folds of
# its calib examples (session 12) they halved the wrong ones at >= 0.9 (102 -> 54) while
# finding 5% more right ones, where the logistic model put a plateau of guesses of
# Shift-JIS decoders at 0.92 that were right 92% of the time.
# Each group of kinds has a forest of its own: the guesses under Big5, Shift-JIS and EUC-KR
# are many (a quarter of the examples past the gate) and a game of their own, and fitted
# into the shared forest they took its capacity from the others (on the benchmark, GBK read
# as Big5 through a browser lost 12 points of characters).
TREE_GROUPS = (("clean", "read", "guessed_double", "guessed_single", "twice", "ftfy"),
               ("guessed_other",))
TREE_MODELS = tuple(name for group in TREE_GROUPS for name in group)
BOOST = {"trees": 60, "depth": 4, "rate": 0.15, "min_leaf": 40, "l2": 1.0, "max_bins": 64}


def _pools() -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {}
    for path in corpus.corpus_files():
        lang = corpus.language(path)
        lines = [ln for ln in corpus.iter_lines(path, "calib") if 2 <= len(ln) <= 400]
        pools.setdefault(lang, []).extend(lines[:PER_POOL])
    return pools


def _utf8_single_cases(pools: dict[str, list[str]], chain: str,
                       rng: random.Random) -> list[dict[str, object]]:
    """Whole-line and one-span damage of European text by one UTF-8→single-byte chain."""
    wrong = synth.CHAINS[chain].wrong
    cases: list[dict[str, object]] = []
    for lang in sorted(pools):
        lines = [ln for ln in pools[lang] if not ln.isascii() and len(ln) <= 200]
        for line in rng.sample(lines, min(len(lines), 40)):
            damaged = synth.damage(line, chain, "python")
            if damaged is None or damaged == line:
                continue
            cases.append({"kind": "whole", "chain": chain, "truth": line, "damaged": damaged,
                          "spans": [(0, len(damaged))]})
            words = line.split(" ")
            k = rng.randrange(len(words))
            if words[k].isascii():
                continue
            try:
                bad = words[k].encode("utf-8").decode(synth._norm(wrong))
            except UnicodeDecodeError:
                continue
            before = " ".join(words[:k]) + (" " if k else "")
            damaged = before + bad + ("" if k == len(words) - 1 else " ") + " ".join(words[k + 1:])
            cases.append({"kind": "span", "chain": chain, "truth": line, "damaged": damaged,
                          "spans": [(len(before), len(before) + len(bad))]})
    return cases


def _clean_suspects() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in corpus.corpus_files():
        lang = corpus.language(path)
        found = out.setdefault(lang, [])
        for line in corpus.iter_lines(path, "calib"):
            if len(found) >= CLEAN_SUSPECTS:
                break
            if len(line) <= 400 and has_suspect(line) and worth_a_look(line):
                found.append(line)
    return out


def _examples(cases: Iterable[dict[str, object]]) -> tuple[list[list[float]], list[int]]:
    """Features and labels of every candidate the engine proposes on ``cases``, in order.

    The cases are shared out among worker processes (one per CPU); each case's examples
    depend on that case alone, and the parts are joined in the cases' order, so the result
    is the same as one process would give.
    """
    todo = list(cases)
    workers = min(os.cpu_count() or 1, max(1, len(todo) // 200))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return _examples_of(todo)
    size = -(-len(todo) // (workers * 8))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    xs: list[list[float]] = []
    ys: list[int] = []
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for cx, cy in pool.imap(_examples_of, chunks):
            xs += cx
            ys += cy
    return xs, ys


def _examples_of(cases: Iterable[dict[str, object]]) -> tuple[list[list[float]], list[int]]:
    xs: list[list[float]] = []
    ys: list[int] = []
    for case in cases:
        if case["kind"] == "mixed":
            continue  # two spans: "exactly right alone" is not defined per candidate
        damaged = str(case["damaged"])
        truth = str(case["truth"])
        if "\n" in damaged:
            continue
        spans = case.get("spans") or []
        # Text whose Private Use characters were deleted teaches the model of gap repairs
        # only: the other models keep the mixture of dialects they were fitted on.
        gaps_only = case.get("dialect") == "pua_dropped"
        for primary, primary_ev in evidence_for_line(damaged, line_candidates(damaged)):
            if gaps_only and primary_ev["gap"] == 0:
                continue
            pairs = [(primary, primary_ev)]
            if primary.fallback is not None:
                pairs.append((primary.fallback,
                              fallback_evidence(primary, primary_ev, damaged)))
            for cand, ev in pairs:
                if case["kind"] in ("whole", "span") and len(spans) == 1:
                    right = fix_is_right(truth, damaged, str(case["chain"]), tuple(spans[0]),
                                         cand.start, cand.end, cand.replacement)
                else:
                    right = agrees(damaged[: cand.start] + cand.replacement
                                   + damaged[cand.end:], truth)
                xs.append([ev[name] for name in FEATURES])
                ys.append(int(right))
    return xs, ys


def _logistic(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (p - y) + reg * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return w[:-1], float(w[-1])


def _chosen_l2(z: np.ndarray, y: np.ndarray) -> float:
    """The strength of :data:`L2_GRID` whose fits predict held-out folds of ``z`` best (the
    least mean log loss; the weaker strength on a tie)."""
    fold = (np.arange(len(y)) // FOLD_BLOCK) % FOLDS
    best: tuple[float, float] | None = None
    for l2 in L2_GRID:
        loss = 0.0
        for k in range(FOLDS):
            train = fold != k
            if not train.any() or train.all():
                continue
            w, b = _logistic(z[train], y[train], l2)
            p = 1.0 / (1.0 + np.exp(-np.clip(z[~train] @ w + b, -30, 30)))
            p = np.clip(p, 1e-6, 1 - 1e-6)
            loss -= float(np.sum(y[~train] * np.log(p) + (1 - y[~train]) * np.log(1 - p)))
        if best is None or loss < best[0] - 1e-9:
            best = (loss, l2)
    assert best is not None
    print(f"  L2 {best[1]:g}", file=sys.stderr)
    return best[1]


def _isotonic(p: np.ndarray, y: np.ndarray, min_block: int = 40) -> tuple[list[float], list[float]]:
    order = np.argsort(p, kind="stable")
    ps, ys = p[order], y[order].astype(float)
    blocks: list[list[float]] = []  # [sum_y, count, sum_p]
    for pv, yv in zip(ps, ys):
        blocks.append([yv, 1.0, pv])
        while len(blocks) > 1 and (
            blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]
            or blocks[-2][1] < min_block
        ):
            a = blocks.pop()
            blocks[-1][0] += a[0]
            blocks[-1][1] += a[1]
            blocks[-1][2] += a[2]
    xs = [round(b[2] / b[1], 6) for b in blocks]
    ys_out = [round(b[0] / b[1], 6) for b in blocks]
    return xs, ys_out


def build() -> tuple[str, dict[str, float]]:
    pools = _pools()
    rng = random.Random(SEED)
    synth_pools = {k: v for k, v in pools.items() if k in ("zh-hans", "zh-hant", "zh-parallel",
                                                             "ja", "ko")}
    # Text that lost deleted Private Use characters teaches only the model of gap repairs,
    # from cases of its own (below): the other models keep the data they were fitted on.
    usual = [d for d in synth.DIALECTS if d != "pua_dropped"]
    cases = synth.make_cases(synth_pools, rng, per_cell=PER_CELL, spans=PER_CELL, mixed=0, twice=12,
                             clean=0, dialects=usual)
    # Two layers of UTF-8 read as a double-byte code page: enough of them for a model of
    # their own (one first undo is judged only through the second).
    utf8_double = [name for name, chain in synth.CHAINS.items()
                   if chain.family == "utf8_as_multibyte"]
    cases += synth.make_cases(synth_pools, random.Random(SEED + 1), chains=utf8_double,
                              per_cell=0, spans=0, mixed=0, twice=TWICE, clean=0, dialects=usual)
    # And more of UTF-8 read as a double-byte code page, usually lossy: the repairs that
    # guess lost bytes are the hardest to judge and the commonest in real text.
    cases += synth.make_cases(synth_pools, random.Random(SEED + 2), chains=utf8_double,
                              per_cell=LOSSY, spans=LOSSY, mixed=0, twice=0, clean=0,
                              dialects=usual)
    # And UTF-8 read as GBK whose Private Use characters were deleted, for the model of gap
    # repairs (fixenc.gaps), which sees no other text.
    cases += synth.make_cases(synth_pools, random.Random(SEED + 3), chains=["utf8_read_as_gbk"],
                              per_cell=GAPS, spans=GAPS, mixed=0, twice=0, clean=0,
                              dialects=["pua_dropped"])
    xs, ys = _examples(cases)
    # ftfy's ground: UTF-8 read as single-byte code pages, in every language (ftfy's own
    # candidates get a model of their own, trained mostly here).
    european = {k: v for k, v in pools.items() if k not in synth_pools and k != "misc"}
    for chain in ("utf8_read_as_latin1", "utf8_read_as_cp1252", "utf8_read_as_macroman",
                  "utf8_read_as_cp437"):
        ex, ey = _examples(_utf8_single_cases(european, chain, rng))
        xs += ex
        ys += ey
    # Clean text: every calib line that the screen lets through (the others can produce no
    # candidate), so that rare characters in real text teach the models what is not damage.
    for lang, lines in sorted(_clean_suspects().items()):
        cx, cy = _examples({"kind": "clean", "damaged": ln, "truth": ln} for ln in lines)
        xs += cx
        ys += cy
    x = np.array(xs, dtype=float)
    y = np.array(ys, dtype=float)
    names = np.array([model_name(dict(zip(FEATURES, row))) for row in x])
    guessed = np.char.startswith(names, "guessed")  # every guessed model
    # Each model's examples alternate between a fitting half and a calibrating half.
    fit_half = np.zeros(len(y), dtype=bool)
    logit = np.zeros(len(y))
    linear = np.zeros(len(y))
    parts = []
    for name in MODELS:
        mask = names == name
        print(f"{name}: {int(mask.sum())} examples, {int(y[mask].sum())} right", file=sys.stderr)
        fit_half[np.flatnonzero(mask)[::2]] = True
        part = _fit(x[mask], y[mask])
        parts.append((name, *part))
        logit[mask] = _logit(x[mask], *part[:4])
        linear[mask] = np.interp(1.0 / (1.0 + np.exp(-logit[mask])), part[4], part[5])
    # The trees judge what passes the gate, from the features, the model and its logit.
    gated = (linear >= GATE) & np.isin(names, TREE_MODELS)
    xb = _boost_features(x, names, logit)
    forests = []
    boosted = np.zeros(len(y))
    for group in TREE_GROUPS:
        member = gated & np.isin(names, group)
        trees = boost.fit(xb[fit_half & member], y[fit_half & member], **BOOST)
        forests.append(trees)
        boosted[member] = boost.predict(trees, xb[member])
    tree_isotonic = []
    for name in MODELS:
        mask = (names == name) & gated & ~fit_half
        tree_isotonic.append(_isotonic(boosted[mask], y[mask]) if name in TREE_MODELS
                             else ([], []))
    stats = {"examples": float(len(y)), "positives": float(y.sum()),
             "guessed": float(guessed.sum()), "gated": float(gated.sum())}
    text = _render(parts, forests, tree_isotonic, stats)
    return text, stats


def _logit(x: np.ndarray, means: np.ndarray, scales: np.ndarray, w: np.ndarray,
           b: float) -> np.ndarray:
    """The logistic model's log-odds, clipped as ``fixenc.confidence._logit`` clips."""
    return np.clip(((x - means) / scales) @ w + b, -30.0, 30.0)


def _boost_features(x: np.ndarray, names: np.ndarray, logit: np.ndarray) -> np.ndarray:
    """The trees' inputs: the features, one indicator per model, then the model's logit."""
    onehot = np.stack([(names == name).astype(float) for name in MODELS], axis=1)
    return np.hstack([x, onehot, logit[:, None]])


def _rounded(values: np.ndarray) -> np.ndarray:
    """Numbers as the generated module writes them (6 significant digits)."""
    return np.array([float(f"{v:.6g}") for v in np.atleast_1d(values)])


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float,
                                                  list[float], list[float]]:
    """Logistic regression on one half (alternate examples), isotonic map on the other.

    The coefficients are rounded as the generated module writes them before the isotonic
    map is fitted, so that the map corrects exactly the scores the engine will compute.
    """
    idx = np.arange(len(y))
    fit_half = idx % 2 == 0
    scales = x.std(axis=0)
    scales[scales == 0] = 1.0
    means, scales = _rounded(x.mean(axis=0)), _rounded(scales)
    z = (x - means) / scales
    l2 = _chosen_l2(z[fit_half], y[fit_half])
    w, b = _logistic(z[fit_half], y[fit_half], l2)
    w, b = _rounded(w), float(_rounded(np.array([b]))[0])
    raw = 1.0 / (1.0 + np.exp(-_logit(x, means, scales, w, b)))
    iso_x, iso_y = _isotonic(raw[~fit_half], y[~fit_half])
    return means, scales, w, b, iso_x, iso_y


def _fmt(values: Iterable[float]) -> str:
    text = ", ".join(f"{v:.6g}" for v in values)
    return f"({text},)" if text else "()"


def _render(parts: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, float, list[float],
                              list[float]]], forests: list[tuple[float, list[boost.Tree]]],
            tree_isotonic: list[tuple[list[float], list[float]]],
            stats: dict[str, float]) -> str:
    sources = "\n".join(f"#   {p.name} sha256={corpus.sha256(p)}"
                        for p in corpus.corpus_files())
    models = []
    for (name, means, scales, w, b, iso_x, iso_y), (tree_x, tree_y) in zip(parts,
                                                                            tree_isotonic):
        models.append(
            f"    {name!r}: {{\n"
            f"        'means': {_fmt(means)},\n"
            f"        'scales': {_fmt(scales)},\n"
            f"        'weights': {_fmt(w)},\n"
            f"        'bias': {b:.6g},\n"
            f"        'isotonic_x': {_fmt(iso_x)},\n"
            f"        'isotonic_y': {_fmt(iso_y)},\n"
            f"        'tree_isotonic_x': {_fmt(tree_x)},\n"
            f"        'tree_isotonic_y': {_fmt(tree_y)},\n"
            "    },")
    forest_lines = "\n".join(
        f"    ({base!r}, (\n" + "\n".join(f"        {tree!r}," for tree in fitted) + "\n    )),"
        for base, fitted in forests)
    settings = ", ".join(f"{k} {v}" for k, v in BOOST.items())
    return (
        '"""GENERATED by scripts/calibrate.py, do not edit; run `python scripts/calibrate.py`.\n\n'
        "The confidence models of fixenc.confidence (see model_name there): for each, a\n"
        "logistic regression over the standardised features and its isotonic correction\n"
        "points; for TREE_MODELS, where that says at least GATE, gradient-boosted trees over\n"
        "the features,\n"
        "one indicator per model (MODEL_ORDER) and the model's logit judge instead, through\n"
        "the model's tree isotonic points: the forest of the model's group (TREE_GROUPS;\n"
        "FORESTS in the same order, each a base log-odds and its trees).  A tree is\n"
        "(feature, threshold, left, right), a feature <= threshold going left, or a leaf's\n"
        "log-odds.\n"
        '"""\n\n'
        f"# python {platform.python_version()}; seed {SEED}; L2 of {L2_GRID} by {FOLDS}-fold log loss; "
        f"examples {int(stats['examples'])}, positives {int(stats['positives'])}, "
        f"with guesses {int(stats['guessed'])}, past the gate {int(stats['gated'])}\n"
        f"# trees: {settings}\n"
        "# sources (part 'calib'):\n"
        f"{sources}\n\n"
        f"FEATURES = {tuple(FEATURES)!r}\n\n"
        f"MODEL_ORDER = {MODELS!r}\n\n"
        f"GATE = {GATE!r}\n\n"
        f"TREE_GROUPS = {TREE_GROUPS!r}\n\n"
        f"TREE_MODELS = {TREE_MODELS!r}\n\n"
        "MODELS = {\n" + "\n".join(models) + "\n}\n\n"
        "FORESTS = (\n" + forest_lines + "\n)\n"
    )


def main(argv: list[str] | None = None) -> int:
    args = corpus.generator_args(__doc__, argv)
    if args is None:
        return 2
    text, stats = build()
    print(f"examples {int(stats['examples'])}, positives {int(stats['positives'])}",
          file=sys.stderr)
    return corpus.write_or_check(OUT, text, args.check)


if __name__ == "__main__":
    raise SystemExit(main())
