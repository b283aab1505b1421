"""Access to the clean corpora in ``../shared/corpora`` with a fixed train/calib/test split.

Every tool that reads the corpora goes through here, so that text which built the tables is
never used to calibrate or to evaluate:

- ``train``: lines whose index in their file is 0-7 modulo 10 (the statistics tables);
- ``calib``: index 8 modulo 10 (fitting the confidence model);
- ``test``:  index 9 modulo 10 (the benchmark).

Parallel ``.tsv`` files yield each non-ASCII cell (the text columns; ids, config names and
pinyin are ASCII) as a separate line.  Blank lines are skipped but still counted, so the split does not depend on them.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

Part = Literal["train", "calib", "test", "all"]

_PARTS: dict[str, frozenset[int]] = {
    "train": frozenset(range(8)),
    "calib": frozenset({8}),
    "test": frozenset({9}),
    "all": frozenset(range(10)),
}


def corpora_dir() -> Path | None:
    """The corpora folder: ``$FIXENC_CORPORA`` or ``../shared/corpora`` beside the repo."""
    env = os.environ.get("FIXENC_CORPORA")
    if env:
        path = Path(env)
    else:
        path = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
    return path if path.is_dir() else None


def corpus_files(pattern: str = "*") -> list[Path]:
    """Corpus files matching a glob (``.txt`` and ``.tsv``), sorted by name."""
    root = corpora_dir()
    if root is None:
        return []
    return sorted(p for p in root.glob(pattern) if p.suffix in {".txt", ".tsv"})


def language(path: Path) -> str:
    """The language group of a corpus file, from its name.

    ``zh_hans``, ``zh_hant``, ``classical_zh_hans``... map to ``zh-hans`` / ``zh-hant``;
    ``parallel_ts_*`` to ``zh-parallel``; ``ja``, ``ko``, ``yue`` and Latin/Cyrillic/Greek
    languages to their code.
    """
    name = path.name
    if name.startswith("parallel_ts"):
        return "zh-parallel"
    if "zh_hans" in name:
        return "zh-hans"
    if "zh_hant" in name:
        return "zh-hant"
    if name.startswith("misc_"):
        return "misc"
    return name.split("_", 1)[0]


def iter_lines(path: Path, part: Part = "all") -> Iterator[str]:
    """Yield the non-blank lines of ``path`` that belong to ``part`` of the split."""
    keep = _PARTS[part]
    with path.open(encoding="utf-8", newline="\n") as fh:
        for index, raw in enumerate(fh):
            if index % 10 not in keep:
                continue
            line = raw.rstrip("\n")
            if path.suffix == ".tsv":
                if line.startswith("#"):
                    continue
                # Ids, config names and pinyin columns are ASCII; the text columns are not.
                for cell in line.split("\t"):
                    if cell.strip() and not cell.isascii():
                        yield cell
            elif line.strip():
                yield line


def sha256(path: Path) -> str:
    """Hex sha256 of a file, for provenance headers."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_or_check(out: Path, text: str, check: bool) -> int:
    """Write a generated module atomically (``out.new`` then ``os.replace``), or with
    ``check`` compare it with what is committed: 0 when written or fresh, 1 when stale."""
    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            print(f"{out} is stale: regenerate it", file=sys.stderr)
            return 1
        return 0
    tmp = out.with_name(out.name + ".new")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, out)
    return 0


def generator_args(doc: str, argv: list[str] | None,
                   *flags: str) -> argparse.Namespace | None:
    """Parse a generator's options (``--check`` and ``flags``); None, with a message, when
    there are no corpora to generate from."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    for flag in ("--check", *flags):
        parser.add_argument(flag, action="store_true")
    args = parser.parse_args(argv)
    if corpora_dir() is None:
        print("corpora not found; set FIXENC_CORPORA", file=sys.stderr)
        return None
    return args
