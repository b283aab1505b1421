"""The files in ``samples/``: repairing each line by line gives its expected file exactly.

``NAME.EXT`` is expected to become ``NAME.expected.EXT``; a ``clean_*`` sample is its own
expected file (see samples/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _samples() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir()
                  if p.is_file() and p.name != "README.md" and ".expected." not in p.name)


def _expected(path: Path) -> Path | None:
    stem, dot, ext = path.name.partition(".")
    expected = path.with_name(f"{stem}.expected{dot}{ext}")
    if expected.exists():
        return expected
    return path if path.name.startswith("clean_") else None


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read()


def _repair_lines(text: str) -> str:
    from fixenc import repair

    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append(repair(body).text + line[len(body):])
    return "".join(out)


# Samples the engine does not yet repair completely at the default threshold: a few of their
# lines get confidences just under 0.9 (see tests/cases/known_failures.json for the same
# kind of case).  Strict, so that the day they pass, this list must shrink.
KNOWN_FAILURES: dict[str, str] = {}
# zip_names_gbk_as_cp437.txt left this list in session 6: the file name 周例会 (╓▄└²╗ß) is
# repaired beside its folders.


def _param(path: Path) -> object:
    reason = KNOWN_FAILURES.get(path.name)
    if reason is None:
        return path
    return pytest.param(path, marks=pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.parametrize("path", [_param(p) for p in _samples()], ids=lambda p: p.name)
def test_sample(path: Path) -> None:
    expected_path = _expected(path)
    assert expected_path is not None, f"{path.name} has no expected file"
    got, want = _repair_lines(_read(path)), _read(expected_path)
    pairs = zip(got.splitlines(), want.splitlines(), strict=False)
    bad = [f"line {n}: got {g!r}\n        want {w!r}"
           for n, (g, w) in enumerate(pairs, 1) if g != w]
    assert got == want, "\n".join(bad[:10]) or "line endings or line count differ"


def test_samples_are_small() -> None:
    for path in SAMPLES.iterdir():
        assert path.stat().st_size <= 3 * 1024, f"{path.name} is over 3 KB"
