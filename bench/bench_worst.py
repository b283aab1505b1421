"""Worst-case inputs: time per MB and peak memory of ``fixenc.repair`` and of the command.

Each input is one line without a newline (issue #6): clean text, clean text with damage every
kilobyte, a million U+FFFD and more, rare CJK characters that all look like mojibake,
clean and damaged characters alternating, nothing but ``?``, and long lines of mojibake
(UTF-8 read as GBK, GBK read as Latin-1).  Each runs at two sizes, so that time growing
faster than the input shows as a rising s/MB (the fast cases run at 1 and 10 MB, the slow
ones, minutes per MB, at 0.05 and 0.5 MB by default); each measurement runs in a fresh process, so
that its peak memory (``ru_maxrss``, less what the process held before the run) is its own.

Usage, from the repository root::

    python bench/bench_worst.py                    # library and command, all cases
    python bench/bench_worst.py --slow-sizes 1,10  # the slow cases larger (minutes per MB)
    python bench/bench_worst.py --big              # adds 100 MB for the fast cases
    python bench/bench_worst.py --cases fffd,qmarks --paths cli

Figures depend on the machine; compare runs made on the same one.  ``ratio`` is s/MB at
the larger size over s/MB at the smaller: about 1 means linear time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000

# Frequent characters, written here (not taken from the corpora): enough for plausible text.
CLEAN = ("的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之"
         "过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如"
         "前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其")
PUNCT = "，。、；：！？"
SENTENCES = ("在下周五之前提交你的项目报告", "会议将在下午三点准时开始", "请大家不要迟到",
             "文件已经发送成功", "我们明天见")
# Characters that UTF-8 read as GBK is made of: each one on its own looks like mojibake.
RARE = "鍙戦€佹垚鍔浣犲ソ涓枃鏂囦欢鐨勬槸鎴戜滑鏄庡ぉ瑙侊紒銆傘鈥滄湁璇濆憡闂鍚庝簡锛屽緢"


def _clean_text(rng: random.Random, n: int) -> str:
    out: list[str] = []
    size = 0
    while size < n:
        words = "".join(rng.choice(CLEAN) for _ in range(rng.randint(8, 30)))
        piece = words + rng.choice(PUNCT)
        out.append(piece)
        size += len(piece.encode())
    return "".join(out)


def clean_line(rng: random.Random, n: int) -> str:
    """Clean text without a newline: nothing to repair, but one line of the whole size."""
    return _clean_text(rng, n)


def single_line(rng: random.Random, n: int) -> str:
    """Clean text without a newline, a damaged sentence (UTF-8 read as GBK) each ~1 KB."""
    out: list[str] = []
    size = 0
    while size < n:
        piece = _clean_text(rng, 1000) + rng.choice(SENTENCES).encode().decode("gbk", "replace")
        out.append(piece)
        size += len(piece.encode())
    return "".join(out)


def fffd(_rng: random.Random, n: int) -> str:
    """U+FFFD only (3 bytes each: 1 MB is 333,333 of them, 3 MB a million)."""
    return "\ufffd" * (n // 3)


def rare_cjk(rng: random.Random, n: int) -> str:
    """Random characters that mojibake is made of, none of it real mojibake."""
    return "".join(rng.choice(RARE) for _ in range(n // 3))


def alternating(rng: random.Random, n: int) -> str:
    """A clean character, then a damaged one, and so on."""
    return "".join(rng.choice(CLEAN) + rng.choice(RARE) for _ in range(n // 6))


def qmarks(_rng: random.Random, n: int) -> str:
    """Nothing but ``?``: every byte lost."""
    return "?" * n


def utf8_as_gbk(rng: random.Random, n: int) -> str:
    """Chinese text, its UTF-8 bytes read as GBK (lost bytes replaced), all one line."""
    return _clean_text(rng, n * 2 // 3).encode().decode("gbk", "replace")


def gbk_as_latin1(rng: random.Random, n: int) -> str:
    """Chinese text, its GBK bytes read as Latin-1, all one line."""
    return _clean_text(rng, n * 3 // 4).encode("gbk").decode("latin-1")[: n // 2]


CASES: dict[str, Callable[[random.Random, int], str]] = {
    "clean_line": clean_line, "single_line": single_line, "fffd": fffd, "rare_cjk": rare_cjk,
    "alternating": alternating, "qmarks": qmarks, "utf8_as_gbk": utf8_as_gbk,
    "gbk_as_latin1": gbk_as_latin1,
}
FAST = ("clean_line", "fffd", "qmarks")
"""Cases that take seconds per MB: run at ``--sizes`` (and 100 MB with ``--big``).  The
others take minutes per MB and run at ``--slow-sizes``."""


def _rss() -> int:
    """Peak resident memory of this process so far, in bytes (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def run_one(case: str, size: int, path: str) -> dict[str, float]:
    """One measurement, in this process: build the input, warm up, run, report."""
    sys.path.insert(0, str(ROOT))
    import fixenc
    from fixenc import cli

    fixenc.repair("浣犲ソ ÄãºÃ")  # load the tables before measuring
    text = CASES[case](random.Random(6), size)
    data = text.encode("utf-8", "surrogatepass")
    nbytes = len(data)
    with tempfile.TemporaryDirectory(prefix="fixenc-worst-") as tmp:
        src, dst = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.txt")
        if path == "cli":
            with open(src, "wb") as fh:
                fh.write(data)
            del text, data
        base = _rss()
        began = time.perf_counter()
        if path == "cli":
            code = cli.main(["-q", src, "-o", dst])
            assert code == 0, code
            findings = -1.0
        else:
            result = fixenc.repair(text)
            findings = float(len(result.fixes))
        seconds = time.perf_counter() - began
        peak = _rss()
    return {"bytes": float(nbytes), "seconds": seconds, "base": float(base),
            "peak": float(peak), "findings": findings}


def _measure(case: str, size: int, path: str) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--one", case, str(size), path],
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        msg = f"{case} {size} {path} failed:\n{proc.stderr}"
        raise RuntimeError(msg)
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10",
                        help="sizes in MB of the fast cases (default 1,10)")
    parser.add_argument("--slow-sizes", default="0.05,0.5",
                        help="sizes in MB of the slow cases (default 0.05,0.5)")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated cases")
    parser.add_argument("--paths", default="repair,cli", help="repair, cli or both")
    parser.add_argument("--big", action="store_true", help="also 100 MB for the fast cases")
    parser.add_argument("--one", nargs=3, metavar=("CASE", "BYTES", "PATH"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        case, size, path = args.one
        print(json.dumps(run_one(case, int(size), path)))
        return 0
    fast = [int(float(s) * MB) for s in args.sizes.split(",")]
    slow = [int(float(s) * MB) for s in args.slow_sizes.split(",")]
    cases = args.cases.split(",")
    header = (f"{'case':<14} {'path':<6} {'MB':>7} {'seconds':>9} {'s/MB':>8} {'ratio':>6} "
              f"{'peak MB':>8} {'+MB':>6} {'findings':>8}")
    print(header)
    print("-" * len(header))
    for case in cases:
        for path in args.paths.split(","):
            runs = [*fast, *([100 * MB] if args.big else [])] if case in FAST else slow
            first: float | None = None
            for size in runs:
                r = _measure(case, size, path)
                mb = r["bytes"] / MB
                per_mb = r["seconds"] / mb if mb else 0.0
                ratio = f"{per_mb / first:6.2f}" if first else "     -"
                first = first or per_mb
                found = "-" if r["findings"] < 0 else f"{r['findings']:.0f}"
                print(f"{case:<14} {path:<6} {mb:7.2f} {r['seconds']:9.2f} {per_mb:8.2f} "
                      f"{ratio} {r['peak'] / MB:8.1f} {(r['peak'] - r['base']) / MB:6.1f} "
                      f"{found:>8}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
