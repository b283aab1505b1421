"""Encoding detection on short and long input: fixenc vs charset-normalizer vs chardet.

Samples are cut from the held-out part of the clean corpora (``scripts/corpus.py``,
part="test" by default; tune on ``--part calib``), at character boundaries, as the longest
run of whole characters that fits in 10, 20, 40 and 200 bytes, and encoded in GBK, Big5,
Shift-JIS, EUC-JP, EUC-KR, cp1252 and UTF-8.  Each sample has at least one non-ASCII
byte.  A pick is right when it decodes the bytes to the same text (gb18030 for GBK bytes
is right; cp949 for GBK bytes that happen to decode is wrong unless the text comes out the
same).  chardet is optional: it is measured when it can be imported (``pip install
chardet``), and the output says so when it cannot.

Then line accuracy on synthetic mixed-encoding files (UTF-8 with GBK or Big5 lines
spliced in, as logs, CSV exports and concatenated subtitles get), and throughput.

Run from the repository root::

    python bench/bench_detect.py [--samples 300] [--part test]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import corpus

from fixenc import detect
from fixenc.bytes_in import decode_bytes
from fixenc.detect import detect_encoding

LENGTHS = (10, 20, 40, 200)
# codec -> corpus file globs whose text it encodes
SOURCES: dict[str, tuple[str, ...]] = {
    "gbk": ("zh_hans_*", "classical_zh_hans_*"),
    "big5": ("zh_hant_tw_*", "classical_zh_hant_*"),
    "shift_jis": ("ja_*",),
    "euc_jp": ("ja_*",),
    "euc_kr": ("ko_*",),
    "cp1252": ("de_*", "fr_*", "pt_*"),
    "cp1251": ("ru_*",),  # outside fixenc's CJK candidates: the fallback
    "koi8-r": ("ru_*",),
    "cp1253": ("el_*",),
    "utf-8": ("zh_hans_*", "zh_hant_*", "ja_*", "ko_*"),
}

Detector = Callable[[bytes], "str | None"]


def _lines(globs: tuple[str, ...], part: corpus.Part) -> list[str]:
    out: list[str] = []
    for pattern in globs:
        for path in corpus.corpus_files(pattern):
            for i, line in enumerate(corpus.iter_lines(path, part)):
                if i >= 2000:
                    break
                out.append(line)
    return out


def _cut(line: str, start: int, limit: int, codec: str) -> tuple[str, bytes] | None:
    """The longest run of whole characters from ``start`` that fits in ``limit`` bytes."""
    chars: list[str] = []
    size = 0
    for ch in line[start:]:
        try:
            width = len(ch.encode(codec))
        except UnicodeEncodeError:
            return None
        if size + width > limit:
            break
        chars.append(ch)
        size += width
    text = "".join(chars)
    if size < limit * 0.7 or text.isascii():
        return None
    return text, text.encode(codec)


def samples(codec: str, limit: int, count: int, part: corpus.Part,
            seed: int = 5) -> list[tuple[str, bytes]]:
    """``count`` texts and their bytes in ``codec``, each at most ``limit`` bytes."""
    rng = random.Random(f"{seed}:{codec}:{limit}")
    lines = [line for line in _lines(SOURCES[codec], part) if len(line.encode("utf-8")) > limit]
    out: list[tuple[str, bytes]] = []
    tries = 0
    while lines and len(out) < count and tries < count * 50:
        tries += 1
        line = rng.choice(lines)
        cut = _cut(line, rng.randrange(len(line)), limit, codec)
        if cut is not None:
            out.append(cut)
    return out


def right(data: bytes, text: str, pick: str | None) -> bool:
    """Whether ``pick`` decodes ``data`` to ``text``."""
    if not pick:
        return False
    try:
        return data.decode(pick) == text
    except (LookupError, UnicodeDecodeError):
        return False


def fixenc_pick(data: bytes) -> str | None:
    return detect_encoding(data).encoding


def fixenc_cn_pick(data: bytes) -> str | None:
    """fixenc with charset-normalizer's pick also scored in the fallback (off by default)."""
    detect.USE_CHARSET_NORMALIZER = True
    try:
        return detect_encoding(data).encoding
    finally:
        detect.USE_CHARSET_NORMALIZER = False


def detectors() -> tuple[dict[str, Detector], list[str]]:
    """The detectors to compare, and notes on those that are missing."""
    found: dict[str, Detector] = {"fixenc": fixenc_pick}
    notes: list[str] = []
    try:
        import charset_normalizer

        def cn_pick(data: bytes) -> str | None:
            best = charset_normalizer.from_bytes(data).best()
            return None if best is None else best.encoding

        found[f"charset-normalizer {charset_normalizer.__version__}"] = cn_pick
        found["fixenc+cn fallback"] = fixenc_cn_pick
    except ImportError:
        notes.append("charset-normalizer: not installed, not measured")
    try:
        import chardet

        def chardet_pick(data: bytes) -> str | None:
            result = chardet.detect(data)
            encoding = result.get("encoding")
            return encoding if isinstance(encoding, str) else None

        found[f"chardet {chardet.__version__}"] = chardet_pick
    except ImportError:
        notes.append("chardet: not installed, not measured (pip install chardet)")
    return found, notes


def accuracy_table(count: int, part: corpus.Part) -> None:
    found, notes = detectors()
    names = list(found)
    for note in notes:
        print(f"note: {note}")
    print(f"\n## Detection accuracy (part={part}, up to {count} samples per cell)\n")
    header = "| codec | bytes | n | " + " | ".join(names) + " |"
    print(header)
    print("|" + "---|" * (3 + len(names)))
    totals: dict[tuple[str, int], list[int]] = {}
    for codec in SOURCES:
        for limit in LENGTHS:
            cases = samples(codec, limit, count, part)
            hits = [sum(right(data, text, found[name](data)) for text, data in cases)
                    for name in names]
            for name, hit in zip(names, hits, strict=True):
                tot = totals.setdefault((name, limit), [0, 0])
                tot[0] += hit
                tot[1] += len(cases)
            cells = " | ".join(f"{100 * h / max(len(cases), 1):.1f}%" for h in hits)
            print(f"| {codec} | {limit} | {len(cases)} | {cells} |")
    print("\n| all codecs | bytes | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for limit in LENGTHS:
        cells = " | ".join(f"{100 * totals[(n, limit)][0] / max(totals[(n, limit)][1], 1):.1f}%"
                           for n in names)
        print(f"| all | {limit} | {cells} |")


MIXED_LEGACY = ("gbk", "gbk", "big5", "shift_jis", "euc_kr")


def confidence_table(count: int, part: corpus.Part) -> None:
    """How often fixenc's pick is right, by the confidence it gave (all codecs, lengths)."""
    bins = ((0.99, 1.01), (0.9, 0.99), (0.5, 0.9), (0.0, 0.5))
    tally = {b: [0, 0] for b in bins}
    for codec in SOURCES:
        if codec == "utf-8":
            continue
        for limit in LENGTHS:
            for text, data in samples(codec, limit, count, part):
                d = detect_encoding(data)
                for lo, hi in bins:
                    if lo <= d.confidence < hi:
                        tally[(lo, hi)][0] += right(data, text, d.encoding)
                        tally[(lo, hi)][1] += 1
    print(f"\n## fixenc's detection confidence (part={part}, legacy codecs only)\n")
    print("| confidence | picks | right |")
    print("|---|---|---|")
    for (lo, hi), (ok, n) in tally.items():
        share = f"{100 * ok / n:.1f}%" if n else "-"
        print(f"| {lo:.2f}-{min(hi, 1.0):.2f} | {n} | {share} |")


def mixed_files(part: corpus.Part, files: int = 120, seed: int = 7
                ) -> Iterator[tuple[list[str], list[str], bytes]]:
    """Synthetic mixed files: texts of the lines, their codecs, and the file's bytes.

    UTF-8 lines with lines of one legacy codec (GBK twice as often as Big5, Shift-JIS and
    EUC-KR), in three shapes: a block appended at the end (a log, a CSV export), lines
    interleaved at random, and very short lines (1-5 characters: subtitles, CSV cells).
    """
    rng = random.Random(seed)
    pools = {codec: _lines(SOURCES[codec], part) for codec in set(MIXED_LEGACY)}
    for n in range(files):
        legacy = MIXED_LEGACY[n % len(MIXED_LEGACY)]
        pool = pools[legacy]
        texts: list[str] = []
        codecs_: list[str] = []
        size = rng.randrange(20, 80)
        shape = n % 3  # 0: appended block, 1: interleaved log, 2: short lines (subtitles)
        for i in range(size):
            line = rng.choice(pool)
            if shape == 2:
                line = line[:rng.randrange(1, 6)]
            use_legacy = i >= size // 2 if shape == 0 else rng.random() < 0.3
            codec = legacy if use_legacy else "utf-8"
            try:
                line.encode(codec)
            except UnicodeEncodeError:
                codec = "utf-8"
            texts.append(line)
            codecs_.append(codec)
        data = b"".join(t.encode(c) + b"\n" for t, c in zip(texts, codecs_, strict=True))
        yield texts, codecs_, data


def mixed_accuracy(part: corpus.Part) -> None:
    lines = right_lines = files = right_files = legacy_lines = legacy_right = 0
    for texts, codecs_, data in mixed_files(part):
        got = decode_bytes(data).text.split("\n")
        ok = [a == b for a, b in zip(got, texts, strict=False)]
        files += 1
        right_files += all(ok) and len(got) == len(texts) + 1
        lines += len(texts)
        right_lines += sum(ok)
        for good, codec in zip(ok, codecs_, strict=False):
            if codec != "utf-8":
                legacy_lines += 1
                legacy_right += good
    print(f"\n## Mixed-encoding files (part={part})\n")
    print(f"lines right: {right_lines}/{lines} ({100 * right_lines / lines:.2f}%); "
          f"legacy lines right: {legacy_right}/{legacy_lines}; "
          f"files with every line right: {right_files}/{files}")


def throughput(part: corpus.Part) -> None:
    print("\n## Throughput (language model already loaded)\n")
    detect_encoding("预热".encode("gbk"))
    text = "\n".join(_lines(("zh_hans_news_*", "zh_hans_wiki_*"), part)[:3000]) + "\n"
    for codec in ("utf-8", "gbk"):
        data = text.encode(codec, "ignore")
        start = time.perf_counter()
        decode_bytes(data)
        seconds = time.perf_counter() - start
        print(f"decode_bytes, {len(data) / 1e6:.2f} MB of {codec}: "
              f"{len(data) / 1e6 / seconds:.1f} MB/s")
    cases = samples("gbk", 40, 300, part)
    for name, pick in detectors()[0].items():
        start = time.perf_counter()
        for _, data in cases:
            pick(data)
        per = (time.perf_counter() - start) / len(cases) * 1e3
        print(f"{name}: {per:.2f} ms per 40-byte sample")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--part", choices=("calib", "test"), default="test")
    parser.add_argument("--skip-mixed", action="store_true")
    args = parser.parse_args(argv)
    if corpus.corpora_dir() is None:
        print("corpora not found; set FIXENC_CORPORA", file=sys.stderr)
        return 1
    accuracy_table(args.samples, args.part)
    confidence_table(args.samples, args.part)
    if not args.skip_mixed:
        mixed_accuracy(args.part)
        throughput(args.part)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
