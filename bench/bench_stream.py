"""Streaming through the ``fixenc`` CLI filter: throughput and peak memory on a large input.

The section "streaming (CLI filter)" of ``bench_accuracy.py``; also runs alone::

    python bench/bench_stream.py [--mb N] [--quick] [--seed N] [--json out.json]

Inputs of ``N/8`` and ``N`` MB are written, in chunks, to a temporary folder by repeating a
period of the Chinese test lines of the corpora (zh-hans, zh-hant, zh-parallel, yue: the
text of the speed section), every :data:`DAMAGED_EVERY`-th line written as its UTF-8 bytes
read as GBK.  The period is at most ``N/16`` MB, so both inputs hold the same distinct text
and differ only in length.  Each goes through ``python -m fixenc INPUT -o OUTPUT`` in a
child process, started by a small wrapper process that reports ``RUSAGE_CHILDREN`` (its only
child's peak resident memory), or else by GNU ``time -v``.  Peak memory "does not grow with
the file" when the larger input peaks within :data:`FLAT_RATIO` times the smaller one.
``fixenc.repair`` and ``ftfy.fix_encoding`` run line by line, in process, over the same file
for comparison.  ``--mb 1024`` checks the 1 GB claim: it needs about 2.2 GB free under
``$TMPDIR`` and takes some 15-20 minutes at 1-1.5 MB/s.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _p in (ROOT, ROOT / "scripts", BENCH):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import corpus  # scripts/corpus.py

CHINESE = ("zh-hans", "zh-hant", "zh-parallel", "yue")
"""Corpus languages of the input (other languages run 10-100x slower and are not the point)."""
DAMAGED_EVERY = 100
"""One line in this many is damaged (UTF-8 read as GBK)."""
FLAT_RATIO = 1.3
"""Peak memory at N MB within this factor of the one at N/8 MB: it does not grow."""
MB = 1_000_000
CHUNK = 1 << 20
_HANZI = re.compile("[\u4e00-\u9fff]")


# --- the input ------------------------------------------------------------------------------


def load_lines(seed: int) -> list[str]:
    """The clean Chinese test lines of the corpora, shuffled."""
    clean: list[str] = []
    for path in corpus.corpus_files():
        if corpus.language(path) in CHINESE:
            clean += (line for line in corpus.iter_lines(path, "test")
                      if "\x00" not in line and "\n" not in line)
    random.Random(f"{seed}:stream").shuffle(clean)
    return clean


def make_cycle(clean: Sequence[str], nbytes: int) -> list[tuple[str, str]]:
    """(written, truth) lines of one period of the input: up to ``nbytes`` of ``clean``,
    every DAMAGED_EVERY-th line (if it has hanzi) written as its UTF-8 bytes read as GBK."""
    cycle: list[tuple[str, str]] = []
    size = 0
    for index, line in enumerate(clean):
        written = line
        if index % DAMAGED_EVERY == DAMAGED_EVERY // 2 and _HANZI.search(line):
            written = line.encode("utf-8").decode("gbk", "replace")
        cycle.append((written, line))
        size += len(written.encode("utf-8")) + 1
        if size >= nbytes:
            break
    return cycle


def stream_lines(cycle: Sequence[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """(written, truth) of every line of the input: ``cycle`` over and over."""
    return itertools.cycle(cycle)


def write_input(path: Path, nbytes: int, cycle: Sequence[tuple[str, str]]) -> tuple[int, int]:
    """Write at least ``nbytes`` of whole lines in chunks; (bytes, lines) written."""
    size = lines = pending = 0
    parts: list[str] = []
    with path.open("wb") as fh:
        for written, _truth in stream_lines(cycle):
            length = len(written.encode("utf-8")) + 1
            parts.append(written)
            pending += length
            size += length
            lines += 1
            if pending >= CHUNK or size >= nbytes:
                fh.write(("\n".join(parts) + "\n").encode("utf-8"))
                parts.clear()
                pending = 0
            if size >= nbytes:
                break
    return size, lines


def check_output(path: Path, lines: int, cycle: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Compare the filter's output with the input's truth, line by line (streamed)."""
    truths = stream_lines(cycle)
    counts = {"lines_in": lines, "lines_out": 0, "damaged": 0, "restored": 0,
              "clean_changed": 0}
    with path.open("rb") as fh:
        for raw in fh:
            counts["lines_out"] += 1
            if counts["lines_out"] > lines:
                continue
            written, truth = next(truths)
            text = raw.decode("utf-8", "replace").removesuffix("\n")
            if written != truth:
                counts["damaged"] += 1
                counts["restored"] += text == truth
            else:
                counts["clean_changed"] += text != truth
    return counts


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Run:
    """One run of the CLI filter."""

    label: str
    mb: float
    lines: int
    seconds: float
    peak_rss_mb: float | None
    returncode: int
    error: str = ""

    @property
    def mb_per_s(self) -> float:
        return self.mb / self.seconds if self.seconds > 0 else float("nan")


def _maxrss_mb(maxrss: int) -> float:
    """ru_maxrss in MB: kilobytes on Linux, bytes on macOS."""
    return maxrss / MB if sys.platform == "darwin" else maxrss * 1024 / MB


# Runs the command as its only child and prints that child's peak RSS.  A child forked from
# the benchmark itself would not do: Linux keeps the high-water RSS of the memory a process
# had before exec (with vfork, the parent's), so the benchmark's own 150 MB would show up as
# the filter's peak.  Forked from this small wrapper, that floor is about 10 MB.
_WRAPPER = """
import json, resource, subprocess, sys, time
cmd, err = json.loads(sys.argv[1]), sys.argv[2]
with open(err, "wb") as fh:
    start = time.perf_counter()
    code = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=fh).returncode
    seconds = time.perf_counter() - start
maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"returncode": code, "seconds": seconds, "maxrss": maxrss}))
"""
GNU_TIME = "/usr/bin/time"
_GNU_MAXRSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def rss_method() -> str | None:
    """How peak memory is measured: ``rusage`` (a wrapper process), ``time`` (GNU time -v)."""
    try:
        import resource  # noqa: F401  (POSIX only)
    except ImportError:
        pass
    else:
        return "rusage"
    if os.path.exists(GNU_TIME):
        probe = subprocess.run([GNU_TIME, "-v", sys.executable, "-c", "pass"],
                               capture_output=True, text=True, check=False)
        if _GNU_MAXRSS.search(probe.stderr):
            return "time"
    return None


def run_filter(label: str, inp: Path, outp: Path, lines: int, method: str | None) -> Run:
    """``python -m fixenc INPUT -o OUTPUT``: wall time, and the child's own peak RSS."""
    cmd = [sys.executable, "-m", "fixenc", str(inp), "-o", str(outp)]
    mb = inp.stat().st_size / MB
    err_path = outp.with_suffix(".stderr")
    peak: float | None = None
    if method == "rusage":
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _WRAPPER, json.dumps(cmd), str(err_path)],
                              cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, check=False)
        seconds = time.perf_counter() - start
        try:
            report = json.loads(proc.stdout.strip().splitlines()[-1])
            code, seconds = report["returncode"], report["seconds"]
            peak = _maxrss_mb(report["maxrss"])
        except (IndexError, ValueError, KeyError):
            code = proc.returncode or 1
            err_path.write_text(f"the wrapper failed: {proc.stderr[-500:]}", encoding="utf-8")
    else:
        time_path = outp.with_suffix(".time")
        prefix = [GNU_TIME, "-v", "-o", str(time_path)] if method == "time" else []
        with err_path.open("wb") as err:
            start = time.perf_counter()
            code = subprocess.run(prefix + cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=err,
                                  check=False).returncode
            seconds = time.perf_counter() - start
        if method == "time":
            found = _GNU_MAXRSS.search(time_path.read_text(encoding="utf-8", errors="replace")
                                       if time_path.exists() else "")
            peak = int(found.group(1)) * 1024 / MB if found else None
            time_path.unlink(missing_ok=True)
    stderr = (err_path.read_text(encoding="utf-8", errors="replace").strip()
              if err_path.exists() else "")
    err_path.unlink(missing_ok=True)
    error = "" if code == 0 else f"exit {code}: {stderr[-500:]}"
    return Run(label, mb, lines, seconds, peak, code, error)


def in_process(path: Path, fn: Callable[[str], object], budget: float) -> dict[str, Any]:
    """MB/s of ``fn`` over the lines of ``path``, stopping after ``budget`` seconds.

    An exception counts as a line done (the benchmark must go on); the first is kept.
    """
    size = errors = 0
    first_error = ""
    start = time.perf_counter()
    with path.open("rb") as fh:
        for raw in fh:
            try:
                fn(raw.decode("utf-8"))
            except Exception as exc:  # noqa: BLE001
                errors += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"
            size += len(raw)
            if time.perf_counter() - start > budget:
                break
    seconds = time.perf_counter() - start
    return {"mb": size / MB, "seconds": seconds, "mb_per_s": size / MB / seconds,
            "errors": errors, "first_error": first_error}


# --- the section ------------------------------------------------------------------------------


def _mb(value: float) -> str:
    return f"{value:g} MB" if value < 1024 else f"{value / 1000:g} GB"


def report_streaming(stream_mb: float, quick: bool, seed: int, out: dict[str, Any]) -> None:
    """Print the section and put its figures in ``out["streaming"]`` (None when skipped)."""
    print("\n== streaming (CLI filter) ==")
    out["streaming"] = None
    if stream_mb <= 0:
        print("skipped (--stream-mb 0)")
        return
    clean = load_lines(seed)
    if not clean:
        print("skipped: no Chinese test lines in the corpora (see $FIXENC_CORPORA)")
        return
    small_mb, big_mb = stream_mb / 8, stream_mb
    # Both inputs repeat one period at least twice, so that they hold the same distinct
    # text: the caches warm up alike, and only the length differs between them.
    cycle = make_cycle(clean, int(small_mb * MB / 2))
    budget = 5.0 if quick else 30.0
    tmp_root = tempfile.gettempdir()
    need = int(2 * big_mb * MB * 1.05) + 50 * MB
    free = shutil.disk_usage(tmp_root).free
    if free < need:
        print(f"skipped: {_mb(need / MB)} needed under {tmp_root}, {_mb(free / MB)} free "
              "(set TMPDIR, or a smaller --stream-mb)")
        return
    period = sum(len(w.encode("utf-8")) + 1 for w, _t in cycle) / MB
    damaged = [(w, t) for w, t in cycle if w != t]
    print(f"input: a period of {len(cycle)} Chinese test lines ({period:.2f} MB of "
          f"{', '.join(CHINESE)}; {len(damaged)} of them UTF-8 read as GBK) repeated to N/8 and "
          f"N MB; under {tmp_root}")
    method = rss_method()
    how = {"rusage": "RUSAGE_CHILDREN of a wrapper process running it alone",
           "time": f"{GNU_TIME} -v", None: "n/a (neither resource nor GNU time here)"}
    print(f"command: {Path(sys.executable).name} -m fixenc INPUT -o OUTPUT; peak RSS of the "
          f"child from {how[method]}", flush=True)
    runs: list[Run] = []
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="fixenc-stream-") as tmp:
        folder = Path(tmp)
        inp, outp = folder / "input.txt", folder / "output.txt"
        # Start-up: one damaged line, so that the tables are loaded as in a real run.
        inp.write_bytes(((damaged or cycle)[0][0] + "\n").encode("utf-8"))
        runs.append(run_filter("start-up (1 line)", inp, outp, 1, method))
        write_time = 0.0
        for label, size in (("N/8", small_mb), ("N", big_mb)):
            start = time.perf_counter()
            _nbytes, lines = write_input(inp, int(size * MB), cycle)
            write_time += time.perf_counter() - start
            runs.append(run_filter(f"{label} = {_mb(size)}", inp, outp, lines, method))
            if label == "N" and runs[-1].returncode == 0:
                figures["output_check"] = check_output(outp, lines, cycle)
            outp.unlink(missing_ok=True)
        figures["write_seconds"] = write_time
        import ftfy  # the anchor

        import fixenc

        anchors = {"fixenc.repair": in_process(inp, fixenc.repair, budget),
                   "ftfy.fix_encoding": in_process(inp, ftfy.fix_encoding, budget)}
        inp.write_bytes("".join(w + "\n" for w, _t in damaged).encode("utf-8"))
        anchors["fixenc.repair, its damaged lines alone"] = in_process(
            inp, fixenc.repair, budget / 2)
    _print_runs(runs)
    start_run, small, big = runs
    failed = [r for r in runs if r.returncode != 0]
    for r in failed:
        print(f"  {r.label}: the filter failed, {r.error}")
    marginal = ((big.mb - small.mb) / (big.seconds - small.seconds)
                if big.seconds > small.seconds else None)
    print("marginal throughput (start-up excluded: extra MB / extra seconds from N/8 to N): "
          + ("n/a" if marginal is None else f"{marginal:.2f} MB/s"))
    print(f"in process, line by line over the N file (at most {budget:g} s each):")
    for name, a in anchors.items():
        print(f"  {name}: {a['mb_per_s']:.2f} MB/s ({a['mb']:.2f} MB in {a['seconds']:.1f} s)"
              + (f"; {a['errors']} lines raised, first: {a['first_error'][:200]}"
                 if a["errors"] else ""))
    check = figures.get("output_check")
    if check:
        same = ("as many as the input" if check["lines_out"] == check["lines_in"]
                else f"BUT {check['lines_in']} in")
        print(f"output of N: {check['lines_out']} lines ({same}); {check['damaged']} damaged "
              f"lines, {check['restored']} restored exactly; {check['clean_changed']} clean "
              f"lines changed")
    ratio = (big.peak_rss_mb / small.peak_rss_mb
             if big.peak_rss_mb and small.peak_rss_mb else None)
    flat = False if failed else None if ratio is None else ratio <= FLAT_RATIO
    if ratio is None:
        print("peak memory: n/a")
    else:
        verdict = "does not grow" if ratio <= FLAT_RATIO else "GROWS"
        print(f"peak memory: {small.peak_rss_mb:.1f} MB at {_mb(small_mb)} -> "
              f"{big.peak_rss_mb:.1f} MB at {_mb(big_mb)} (x{ratio:.2f}): {verdict} with the "
              f"input (flat: within x{FLAT_RATIO})")
    out["streaming"] = {
        "stream_mb": big_mb, "small_mb": small_mb, "damaged_every": DAMAGED_EVERY,
        "period_lines": len(cycle), "period_mb": period, "period_damaged": len(damaged),
        "rss_method": method,
        "runs": [{**asdict(r), "mb_per_s": r.mb_per_s} for r in runs],
        "startup_seconds": start_run.seconds, "marginal_mb_per_s": marginal,
        "in_process_mb_per_s": {k: v["mb_per_s"] for k, v in anchors.items()},
        "in_process": anchors, "peak_rss_ratio": ratio, "flat_ratio": FLAT_RATIO,
        "flat": flat, **figures}


def _print_runs(runs: Sequence[Run]) -> None:
    headers = ("run", "lines", "wall s", "MB/s", "peak RSS MB")
    rows = [(r.label, str(r.lines), f"{r.seconds:.2f}", f"{r.mb_per_s:.2f}" if r.mb >= 0.01
             else "-", "n/a" if r.peak_rss_mb is None else f"{r.peak_rss_mb:.1f}")
            for r in runs]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                     for i, (h, w) in enumerate(zip(headers, widths)))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths))))


def streaming_target(out: dict[str, Any]) -> tuple[str, str, bool | None]:
    """(label, measured, passed) for the targets block; passed None when not measured."""
    s = out.get("streaming")
    if not s:
        return "streaming peak memory flat (N/8 -> N MB)", "n/a", None
    small, big = s["runs"][1], s["runs"][2]
    label = f"streaming peak memory flat ({_mb(s['small_mb'])} -> {_mb(s['stream_mb'])})"
    errors = "; ".join(f"{r['label']}: {r['error'][:200]}" for r in s["runs"] if r["error"])
    if errors or s["peak_rss_ratio"] is None:
        return label, errors or "n/a (no peak RSS)", s["flat"]
    measured = (f"{small['peak_rss_mb']:.1f} -> {big['peak_rss_mb']:.1f} MB peak RSS "
                f"(x{s['peak_rss_ratio']:.2f}), CLI {big['mb_per_s']:.2f} MB/s, "
                f"fixenc.repair {s['in_process_mb_per_s']['fixenc.repair']:.2f} MB/s, "
                f"ftfy.fix_encoding {s['in_process_mb_per_s']['ftfy.fix_encoding']:.2f} MB/s")
    return label, measured, s["flat"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=64, help="input size in MB (default 64)")
    parser.add_argument("--quick", action="store_true", help="shorter in-process runs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {}
    report_streaming(args.mb, args.quick, args.seed, out)
    label, measured, passed = streaming_target(out)
    status = "SKIP" if passed is None else "PASS" if passed else "FAIL"
    print(f"\n{status}  {label}: {measured}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=str) + "\n",
                                   encoding="utf-8")
    return 1 if passed is False else 0


if __name__ == "__main__":
    raise SystemExit(main())
