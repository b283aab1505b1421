"""Coverage-guided fuzzing of fixenc with atheris (issue #6).  Not run in CI.

Targets (``--target``):

- ``repair``: text (arbitrary code points, lone surrogates included, or strings made from
  the characters mojibake is made of) through :func:`fixenc.repair`; checks the invariants of
  :func:`check_repair` (offsets, replay, U+FFFD accounting, idempotence).
- ``repair_bytes``: raw bytes through ``fixenc.repair_bytes`` (once issue #5 adds it), with
  the same checks on its result.
- ``cli``: bytes written to a file in a temporary folder, then ``fixenc`` in-process as a
  filter (``-o``), with ``--check`` and with ``--write``; checks :func:`check_cli` (exit status
  0/1/2 with a message, never an internal error, the file kept or rewritten to exactly what
  the filter printed, no temporary file left behind).

Usage, from the repository root::

    pip install atheris                      # a fuzzing tool, not a dependency of fixenc
    nice python bench/fuzz.py --target repair --time 900
    nice python bench/fuzz.py --target cli --time 900
    python bench/fuzz.py --target cli --replay CRASH_FILE   # re-run one input, no fuzzing

The corpus grows in ``bench/.cache/fuzz/<target>/`` (ignored by git) and crashing inputs
land in ``bench/.cache/fuzz/crashers/``; minimize one with ``--minimize CRASH_FILE``, keep it
as a regression test in ``tests/test_hostile.py``, and record the run in ``bench/FUZZING.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache" / "fuzz"
sys.path.insert(0, str(ROOT))

# The characters mojibake is made of (UTF-8 read as GBK, GBK read as Latin-1/cp1252, lost
# bytes), so that random strings reach the repair paths instead of the screen's early exit.
MOJIBAKE = ("浣犲ソ鍙戦€佹垚鍔涓枃鏂囦欢鐨勬槸鎴戜滑鏄庡ぉ瑙侊紒锟斤拷烫屯銆傘€"
            "ÄãºÃÖÐÎÄä¸­æ–‡ÊÀ½ç£¬ｻ瞑偙傫いゅ\ufffd?\ue4c6\x80\x9d \n\r\t中文，。")
ENCODINGS = ("utf-8", "gbk", "gb18030", "big5", "cp1252")


# --- invariants (also imported by tests/test_hostile.py through the crasher files) ---------

def check_repair(text: str) -> None:
    """Everything :func:`fixenc.repair` promises about one input; AssertionError if not."""
    import fixenc

    r = fixenc.repair(text)
    assert r.original == text
    check_result(r)


def check_repair_bytes(data: bytes) -> None:
    """:func:`fixenc.repair_bytes` (issue #5) never raises and keeps the same promises."""
    import fixenc

    repair_bytes = getattr(fixenc, "repair_bytes", None)
    if repair_bytes is None:
        msg = "this fixenc has no repair_bytes yet (issue #5)"
        raise SystemExit(msg)
    check_result(repair_bytes(data))


def check_result(r: Any) -> None:
    """The promises of one :class:`fixenc.Repair`: offsets, replay, U+FFFD, idempotence."""
    import fixenc

    text = r.original
    end = 0
    pieces: list[str] = []
    for f in r.fixes:
        assert end <= f.start <= f.end <= len(text), (f.start, f.end)
        assert text[f.start:f.end] == f.original
        assert 0.0 <= f.confidence <= 1.0
        assert fixenc.apply_steps(f.original, f.steps) == f.replacement, f
        if f.applied:
            gained = f.replacement.count("\ufffd") - f.original.count("\ufffd")
            assert gained <= f.lost, f  # a U+FFFD more is a loss the fix declares
            pieces += [text[end:f.start], f.replacement]
            end = f.end
        else:
            pieces.append(text[end:f.end])
            end = f.end
    pieces.append(text[end:])
    assert "".join(pieces) == r.text
    if fixenc.repair(r.text).text != r.text:
        _soft("not idempotent", text)


SOFT_LOG = CACHE / "soft.txt"


def _soft(what: str, text: str) -> None:
    """Record a failed promise that is the engine's judgement, not a crash, and go on.

    Idempotence is a property of the confidence models (the lead's side); a crash stops
    the fuzzer, this only appends ``what: repr(text)`` to ``bench/.cache/fuzz/soft.txt``.
    """
    SOFT_LOG.parent.mkdir(parents=True, exist_ok=True)
    with SOFT_LOG.open("a", encoding="utf-8") as fh:
        fh.write(f"{what}: {text!r}\n")


def check_cli(data: bytes, encoding: str = "utf-8") -> None:
    """The command on a file holding ``data``: filter, --check and --write."""
    from fixenc import cli

    with tempfile.TemporaryDirectory(prefix="fixenc-fuzz-") as tmp:
        path = os.path.join(tmp, "in.txt")
        out = os.path.join(tmp, "out.txt")
        with open(path, "wb") as fh:
            fh.write(data)
        enc = ["-e", encoding]

        code, err = _main(cli, [path, "-o", out, *enc])
        filtered = _read(out)
        _assert_status(code, err)
        assert _read(path) == data, "the filter changed its input"

        code, err = _main(cli, ["--check", "-q", path, *enc])
        _assert_status(code, err)
        assert _read(path) == data, "--check changed the file"

        code, err = _main(cli, ["--write", "-q", path, *enc])
        _assert_status(code, err)
        after = _read(path)
        if after != data:  # rewritten: to what the filter printed, in the file's encoding
            assert code in (0, 1)
            assert filtered is not None
            assert after == filtered.decode("utf-8").encode(encoding), "write != filter"
            assert after.count(b"\n") == data.count(b"\n"), "lines added or lost"
        leftovers = sorted(set(os.listdir(tmp)) - {"in.txt", "out.txt"})
        assert not leftovers, f"temporary files left: {leftovers}"


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def _assert_status(code: int, err: str) -> None:
    assert code in (0, 1, 2), code
    assert "internal error" not in err, err
    if code == 2:
        assert err.strip(), "exit 2 without a message"


def _main(cli: object, argv: list[str]) -> tuple[int, str]:
    """``cli.main(argv)`` with stdout and stderr captured (as the tests do)."""
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.main(argv)  # type: ignore[attr-defined]
    stderr.flush()
    raw = stderr.buffer.getvalue()  # type: ignore[attr-defined]
    return code, raw.decode("utf-8", "replace")


# --- turning fuzzer bytes into inputs ------------------------------------------------------

def text_from(data: bytes) -> str:
    """A string from fuzzer bytes: arbitrary code points, or mojibake-like characters."""
    import atheris

    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 3)
    if mode == 0:  # lone surrogates possible
        return str(fdp.ConsumeUnicode(fdp.remaining_bytes()))
    if mode == 1:
        return str(fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes()))
    if mode == 2:
        raw = fdp.ConsumeBytes(fdp.remaining_bytes())
        return "".join(MOJIBAKE[b % len(MOJIBAKE)] for b in raw)
    # damaged text: decode bytes the wrong way, as real mojibake is made
    wrong = ENCODINGS[fdp.ConsumeIntInRange(0, len(ENCODINGS) - 1)]
    return bytes(fdp.ConsumeBytes(fdp.remaining_bytes())).decode(wrong, "replace")


def bytes_from(data: bytes) -> tuple[bytes, str]:
    """A file's bytes and the encoding to read it with."""
    if not data:
        return b"", "utf-8"
    encoding = ENCODINGS[data[0] % 4]  # the four ASCII-compatible encodings a file is read in
    body = data[1:]
    if data[0] & 0x80:  # damaged text, saved in the file's encoding
        body = body.decode("utf-8", "replace").encode("utf-8").decode(
            "gbk", "replace").encode(encoding, "replace")
    return body, encoding


TARGETS: dict[str, Callable[[bytes], None]] = {
    "repair": lambda data: check_repair(text_from(data)),
    "repair_bytes": check_repair_bytes,
    "cli": lambda data: check_cli(*bytes_from(data)),
}


@contextlib.contextmanager
def _instrumented(enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    import atheris

    with atheris.instrument_imports(include=["fixenc"]):
        yield


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=sorted(TARGETS), default="repair")
    parser.add_argument("--time", type=int, default=600, help="seconds to fuzz (default 600)")
    parser.add_argument("--max-len", type=int, default=4096, help="largest input in bytes")
    parser.add_argument("--timeout", type=int, default=60,
                        help="seconds after which one input counts as a hang")
    parser.add_argument("--replay", metavar="FILE", help="run one input and exit")
    parser.add_argument("--minimize", metavar="FILE", help="shrink a crashing input")
    args, extra = parser.parse_known_args(argv)
    import atheris

    with _instrumented(args.replay is None):
        import fixenc.cli  # noqa: F401 - instrumented for coverage
    target = TARGETS[args.target]
    if args.replay:
        target(Path(args.replay).read_bytes())
        print(f"{args.replay}: no failure")
        return 0
    corpus = CACHE / args.target
    crashers = CACHE / "crashers"
    corpus.mkdir(parents=True, exist_ok=True)
    crashers.mkdir(parents=True, exist_ok=True)
    lib_args = [sys.argv[0], f"-timeout={args.timeout}", f"-max_len={args.max_len}",
                f"-artifact_prefix={crashers}/{args.target}-", "-print_final_stats=1"]
    if args.minimize:
        lib_args += ["-minimize_crash=1", f"-max_total_time={args.time}", args.minimize]
    else:
        lib_args += [f"-max_total_time={args.time}", str(corpus)]
    atheris.Setup(lib_args + extra, target)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
