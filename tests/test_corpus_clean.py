"""False positives on real clean text: repair must apply no fix to the held-out corpus lines.

Takes an evenly spaced, deterministic sample of the ``test`` part of every corpus file in
``../shared/corpora`` (the split of ``scripts/corpus.py``: lines the tables and the
calibration never saw) and repairs each line.  Skips when the corpora are absent.

``FIXENC_CORPUS_SAMPLE`` sets the lines per file (default 300).  Lines longer than
``MAX_CHARS`` are cut, which cannot create mojibake and keeps the run short.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import corpus

SAMPLE = int(os.environ.get("FIXENC_CORPUS_SAMPLE", "300"))
MAX_CHARS = 1000
SHOW = 20

FILES = corpus.corpus_files()


def _sample(path: Path, n: int) -> list[str]:
    lines = list(corpus.iter_lines(path, "test"))
    if len(lines) <= n:
        return lines
    return [lines[i * len(lines) // n] for i in range(n)]


@pytest.mark.parametrize("path", FILES or [None], ids=lambda p: p.name if p else "no-corpora")
def test_corpus_lines_unchanged(path: Path | None) -> None:
    if path is None:
        pytest.skip("corpora not found (set FIXENC_CORPORA or provide ../shared/corpora)")
    from fixenc import repair

    offending = []
    for line in _sample(path, SAMPLE):
        line = line[:MAX_CHARS]
        r = repair(line)
        if r.applied or r.text != line:
            fixes = "; ".join(f"{f.kind} {f.original!r}->{f.replacement!r} ({f.confidence:.2f})"
                              for f in r.applied)
            offending.append(f"{line!r}\n    {fixes}")
    assert not offending, (
        f"{len(offending)} clean line(s) of {path.name} changed; first {SHOW}:\n"
        + "\n".join(offending[:SHOW]))
