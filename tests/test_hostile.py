"""Hostile input (issue #6): repair never raises, never loses text it does not report, and
files are left intact whatever goes wrong around them.

``test_properties.py`` covers the basic properties on short strings; here the inputs are
wider (every plane, line separators, real mojibake of every chain, long lines cut into
windows) and the promises stronger (U+FFFD accounting, a configuration that applies
nothing).  ``CRASHERS`` keeps every input the fuzzer (``bench/fuzz.py``) found, with what
it broke.  The file tests simulate what a test cannot do for real (a full disk, a
read-only folder as root, a concurrent writer) by patching the file functions fixenc calls.
All files are written under ``tmp_path``.
"""

from __future__ import annotations

import errno
import importlib
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import fixenc
from fixenc import cli, fileio, hook
from fixenc.config import FixConfig

repair_module = importlib.import_module("fixenc.repair")  # fixenc.repair is also the function

SENTENCE = "在下周五之前提交你的项目报告"
DAMAGED = SENTENCE.encode("utf-8").decode("gbk")  # UTF-8 read as GBK, lossless
CLEAN = "会议将在下午三点准时开始，请大家不要迟到。"

PROPS = settings(max_examples=100, deadline=None, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                        HealthCheck.data_too_large])

# --- strategies ---------------------------------------------------------------------------

# One range per plane (0-2, 3, 14-16) and the blocks where trouble lives.
PLANES = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0xFFFF),
    st.characters(min_codepoint=0x10000, max_codepoint=0x2FFFF),
    st.characters(min_codepoint=0x30000, max_codepoint=0x3FFFF),
    st.characters(min_codepoint=0xE0000, max_codepoint=0x10FFFF),
    st.characters(categories=["Cs"]),  # lone surrogates
    st.characters(categories=["Cc", "Cf", "Zl", "Zp"]),  # NUL, controls, BOM, U+2028...
    st.sampled_from("\r\n\x85\u2028\u2029\x0b\x0c\x1c\ufeff\ufffd\ufffe\uffff?"),
)
WRONG = ("gbk", "gb18030", "big5", "latin-1", "cp1252", "cp932", "cp949", "cp437", "mac_roman")


@st.composite
def mojibake_alphabet(draw: Any) -> str:
    """Random bytes read with a wrong decoder: text made only of mojibake's characters."""
    data = draw(st.binary(min_size=1, max_size=80))
    return str(data.decode(draw(st.sampled_from(WRONG)), "replace"))


@st.composite
def real_mojibake(draw: Any) -> str:
    """Chinese text damaged one of the ways fixenc repairs, with odd characters around."""
    text = draw(st.text(st.sampled_from(CLEAN + SENTENCE + "abc 123"), min_size=1, max_size=30))
    true = draw(st.sampled_from(("utf-8", "gbk", "big5")))
    wrong = draw(st.sampled_from(WRONG))
    damaged = text.encode(true, "replace").decode(wrong, "replace")
    return str(draw(st.text(PLANES, max_size=4)) + damaged + draw(st.text(PLANES, max_size=4)))


hostile_text = st.one_of(st.text(PLANES, max_size=80), mojibake_alphabet(), real_mojibake(),
                         st.lists(st.one_of(mojibake_alphabet(), real_mojibake(),
                                            st.text(PLANES, max_size=5)),
                                  max_size=6).map("".join))


def check_promises(text: str, r: fixenc.Repair) -> None:
    """What every result promises: offsets, replay, text rebuilt from the applied fixes,
    and no U+FFFD more in the output than the applied fixes declare lost."""
    assert r.original == text
    pieces: list[str] = []
    end = 0
    for f in r.fixes:
        assert end <= f.start < f.end <= len(text)
        assert text[f.start:f.end] == f.original
        assert 0.0 <= f.confidence <= 1.0
        assert fixenc.apply_steps(f.original, f.steps) == f.replacement
        added = f.replacement.count("\ufffd") - f.original.count("\ufffd")
        if f.applied:
            assert added <= f.lost, f
        pieces += [text[end:f.start], f.replacement if f.applied else f.original]
        end = f.end
    pieces.append(text[end:])
    assert "".join(pieces) == r.text
    lost = sum(f.lost for f in r.applied)
    assert r.text.count("\ufffd") <= text.count("\ufffd") + lost


@contextmanager
def small_windows(size: int) -> Iterator[None]:
    """Cut lines into windows of ``size`` characters, so short strings cross windows."""
    old = repair_module.MAX_LINE
    repair_module.MAX_LINE = size
    try:
        yield
    finally:
        repair_module.MAX_LINE = old


# --- properties ---------------------------------------------------------------------------

@PROPS
@given(hostile_text)
def test_promises_hold_on_hostile_text(text: str) -> None:
    check_promises(text, fixenc.repair(text))


def _straddling(first: fixenc.Repair, second: fixenc.Repair) -> bool:
    """Whether a fix of ``second`` (a repair of ``first.text``) overlaps the replacement of
    an applied fix of ``first``: the known limitation of :func:`test_straddling_second_look`."""
    spans, delta = [], 0
    for fix in first.fixes:
        if fix.applied:
            start = fix.start + delta
            spans.append((start, start + len(fix.replacement)))
            delta += len(fix.replacement) - (fix.end - fix.start)
    return any(f.applied and f.start < e and s < f.end for f in second.fixes for s, e in spans)


@PROPS
@given(hostile_text)
def test_idempotent_on_hostile_text(text: str) -> None:
    first = fixenc.repair(text)
    second = fixenc.repair(first.text)
    assume(not _straddling(first, second))  # strict xfail below: test_straddling_second_look
    assert second.text == first.text


NOTHING = FixConfig(chains=(), use_ftfy=False)
"""A configuration under which no repair can be found: only damage is reported."""


@PROPS
@given(hostile_text)
def test_applying_nothing_returns_the_input(text: str) -> None:
    r = fixenc.repair(text, NOTHING)
    assert r.text == text
    assert not r.applied
    assert all(f.unrecoverable for f in r.fixes)
    # At the highest threshold only fixes at confidence 1 may apply; without them, nothing.
    strict = fixenc.repair(text, min_confidence=1.0)
    assert all(f.confidence >= 1.0 for f in strict.applied)
    if not strict.applied:
        assert strict.text == text


@settings(PROPS, max_examples=40)
@given(st.lists(st.one_of(hostile_text, st.sampled_from([DAMAGED, CLEAN, " ", "。"])),
                min_size=1, max_size=12).map("".join))
def test_windows_keep_the_promises(text: str) -> None:
    with small_windows(16):
        r = fixenc.repair(text)
        check_promises(text, r)


def _lengthen(piece: str) -> str:
    return (piece * (2600 // len(piece) + 1))[:2600]


@settings(PROPS, max_examples=15)
@given(st.one_of(st.text(PLANES, min_size=1, max_size=30), mojibake_alphabet(),
                 real_mojibake()).map(_lengthen))
def test_long_odd_lines(text: str) -> None:
    """Lines longer than a window (:data:`fixenc.repair.MAX_LINE`), without newlines or not."""
    check_promises(text, fixenc.repair(text))


def test_huge_runs_of_one_character() -> None:
    for ch in ("\ufffd", "?", "\x00", "\ud800", "锟", "烫", "\u3000", "\U0010ffff"):
        text = ch * 5000
        check_promises(text, fixenc.repair(text))


# --- inputs the fuzzer found (bench/fuzz.py) ------------------------------------------------

CRASHERS = [
    # a fallback "repair" to three U+FFFD that declared two characters lost
    pytest.param("‡?Ö紒", id="fallback-fffd-unaccounted"),
    # a lost character at the end of a span, replayed without a fill step: strict decode failed
    pytest.param("\ufffdÎ\ufffdæÊ‡囦", id="replay-without-fill"),
]


@pytest.mark.parametrize("text", CRASHERS)
def test_fuzzer_findings(text: str) -> None:
    r = fixenc.repair(text)
    check_promises(text, r)
    assert fixenc.repair(r.text).text == r.text


def test_fuzzer_idempotence_finding() -> None:
    """Found by fuzzing: repairing the output again changed it (passes since the stretch and
    settling changes of the engine; kept as a regression test)."""
    once = fixenc.repair("\ue4c6\ue4c6傫傫傫").text
    assert fixenc.repair(once).text == once


# --- very long lines -----------------------------------------------------------------------

def _long_line() -> tuple[str, str, list[int]]:
    """A line of about 9600 characters with damage in several windows; no newline."""
    filler = CLEAN * 70  # 1470 characters, no character below "0"
    places: list[int] = []
    damaged, clean = [], []
    for i in range(10):
        places.append(sum(len(p) for p in damaged))
        damaged += [DAMAGED, filler[: 500 + 97 * i]]
        clean += [SENTENCE, filler[: 500 + 97 * i]]
    return "".join(damaged), "".join(clean), places


def test_damage_in_every_window_of_a_long_line_is_repaired() -> None:
    damaged, clean, places = _long_line()
    assert len(damaged) > 3 * repair_module.MAX_LINE and "\n" not in damaged
    windows = list(repair_module._windows(damaged))
    assert len(windows) >= 4
    assert "".join(w for _, w in windows) == damaged
    r = fixenc.repair(damaged)
    check_promises(damaged, r)
    assert r.text == clean
    assert [f.start for f in r.applied] == places


def test_windows_cut_at_safe_places() -> None:
    # after a character below "0" when there is one in the second half of the window
    line = ("中文，" * 100 + DAMAGED + " ") * 20
    for start, window in repair_module._windows(line):
        assert len(window) <= repair_module.MAX_LINE
        assert start + len(window) == len(line) or window.endswith(" ")
    # never inside a damaged span while a clean stretch is at hand
    line = (CLEAN * 3 + DAMAGED) * 40
    cuts = [start for start, _ in repair_module._windows(line)][1:]
    spans = [(m, m + len(DAMAGED)) for m in range(len(line)) if line.startswith(DAMAGED, m)]
    assert cuts and not any(a < cut < b for cut in cuts for a, b in spans)


def test_a_damaged_span_across_a_window_edge_is_still_reported() -> None:
    # mojibake throughout: the window ends at its limit, inside the damage
    text = DAMAGED * 400
    with small_windows(100):
        r = fixenc.repair(text)
    check_promises(text, r)
    assert r.fixes and r.text.count(SENTENCE) >= 300


def test_lines_within_the_limit_are_one_window() -> None:
    line = DAMAGED + CLEAN * 20
    assert len(line) <= repair_module.MAX_LINE
    assert list(repair_module._windows(line)) == [(0, line)]


def test_many_fixes_on_one_line() -> None:
    # every sentence is a fix; the second pass maps them back through all the others
    text = (DAMAGED + "，" + "ÄãºÃ£¬ÊÀ½ç" + "。") * 300
    r = fixenc.repair(text)
    check_promises(text, r)
    assert r.text == (SENTENCE + "，" + "你好，世界" + "。") * 300


def test_a_long_line_without_ascii_is_read_in_bounded_pieces() -> None:
    # no byte below 0x30 anywhere: the reader must still cut, between two characters
    line = ("中文测试" * 50_000).encode()  # 600 kB, one line
    for codec in ("utf-8", "gbk"):
        data = line.decode().encode(codec)
        pieces = list(fileio.read_segments(io.BytesIO(data), codec, max_segment=1 << 14))
        assert b"".join(p.raw for p in pieces) == data
        assert max(len(p.raw) for p in pieces) <= 1 << 14
        assert all(p.line == 1 for p in pieces)
        assert [p.ends_line for p in pieces].count(True) == 1


# --- files ---------------------------------------------------------------------------------

def run(argv: list[str], capsysbinary: pytest.CaptureFixture[bytes],
        main: Callable[[list[str]], int] = cli.main) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsysbinary.readouterr()
    return code, captured.out.decode("utf-8"), captured.err.decode("utf-8")


def damaged_file(tmp_path: Path, name: str = "a.txt") -> tuple[Path, bytes]:
    path = tmp_path / name
    data = f"标题\n{DAMAGED}\n结尾\n".encode()
    path.write_bytes(data)
    return path, data


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


file_bytes = st.one_of(
    st.binary(max_size=200),
    hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from([DAMAGED.encode(), CLEAN.encode(), b"\n", b"\r\n", b"\r",
                              b"\xef\xbb\xbf", b"\x00", b"\xff", b"\xe4\xb8"]),
             max_size=12).map(b"".join),
)


def _quiet_main(argv: list[str]) -> tuple[int, bytes]:
    """``cli.main`` with its output captured (hypothesis does not mix with capsys)."""
    out, err = io.BytesIO(), io.BytesIO()
    old = sys.stdout, sys.stderr
    wrappers = io.TextIOWrapper(out), io.TextIOWrapper(err)
    sys.stdout, sys.stderr = wrappers
    try:
        code = cli.main(argv)
    finally:
        sys.stdout, sys.stderr = old
        for wrapper in wrappers:
            wrapper.detach()  # so that collecting it does not close the buffer
    return code, err.getvalue()


@settings(PROPS, max_examples=40)
@given(file_bytes, st.sampled_from(["utf-8", "gbk"]))
def test_any_file_is_kept_or_rewritten_to_what_the_filter_prints(data: bytes,
                                                                 encoding: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp, "in.txt"), Path(tmp, "out.txt")
        path.write_bytes(data)
        code, err = _quiet_main([str(path), "-o", str(out), "-e", encoding])
        assert code in (0, 2) and (code == 0 or err)
        assert b"internal error" not in err
        assert path.read_bytes() == data
        filtered = out.read_bytes()
        code, err = _quiet_main(["-w", "-q", str(path), "-e", encoding])
        assert code in (0, 1, 2) and b"internal error" not in err
        after = path.read_bytes()
        assert after == data or after == filtered.decode("utf-8").encode(encoding)
        assert names(Path(tmp)) == ["in.txt", "out.txt"]


@pytest.mark.skipif(_is_root() or sys.platform == "win32",
                    reason="root (or Windows) reads files whatever their mode")
def test_permission_denied_for_real(tmp_path: Path,
                                    capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path, data = damaged_file(tmp_path)
    path.chmod(0)
    try:
        for mode in ("--check", "-w"):
            code, _, err = run([mode, str(path)], capsysbinary)
            assert code == 2
            assert f"{path}: Permission denied" in err
    finally:
        path.chmod(0o644)
    assert path.read_bytes() == data


def _deny(path: Path, error: int = errno.EACCES) -> Callable[..., Any]:
    """``open`` that refuses ``path``, as an unreadable file would (root reads anything)."""
    real_open = open

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(file) == os.fspath(path):
            raise OSError(error, os.strerror(error), os.fspath(file))
        return real_open(file, *args, **kwargs)

    return fake_open


@pytest.mark.parametrize("mode", ["filter", "--check", "--diff", "-w"])
def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         capsysbinary: pytest.CaptureFixture[bytes], mode: str) -> None:
    path, data = damaged_file(tmp_path)
    other, _ = damaged_file(tmp_path, "b.txt")
    monkeypatch.setattr(cli, "open", _deny(path), raising=False)
    argv = [str(path), str(other)] if mode == "filter" else [mode, str(path), str(other)]
    code, out, err = run(argv, capsysbinary)
    assert code == 2
    assert f"{path}: Permission denied" in err
    assert path.read_bytes() == data
    if mode == "-w":  # the run goes on with the next file
        assert other.read_bytes() == f"标题\n{SENTENCE}\n结尾\n".encode()
    elif mode == "filter":
        assert SENTENCE in out


def test_hook_unreadable_file_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path, data = damaged_file(tmp_path)
    monkeypatch.setattr(cli, "open", _deny(path), raising=False)
    code, out, _ = run([str(path), str(tmp_path)], capsysbinary, hook.main)
    assert code == 2
    assert f"{path}: error: Permission denied" in out
    assert f"{tmp_path}: error: Is a directory" in out
    assert path.read_bytes() == data


def test_a_folder_given_as_a_file(tmp_path: Path,
                                  capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    folder = tmp_path / "notes.txt"
    folder.mkdir()
    code, _, err = run([str(folder)], capsysbinary)  # a filter cannot take a folder
    assert code == 2 and "is a folder" in err
    # the file modes walk it (empty here): nothing to do, nothing broken
    assert run(["--check", str(folder)], capsysbinary)[0] == 0


def test_output_to_a_folder_or_nowhere(tmp_path: Path,
                                       capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path, data = damaged_file(tmp_path)
    for out in (tmp_path, tmp_path / "missing" / "out.txt"):
        code, _, err = run([str(path), "-o", str(out)], capsysbinary)
        assert code == 2 and f"{out}: " in err
    assert path.read_bytes() == data


def test_dangling_and_looping_symlinks(tmp_path: Path,
                                       capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    dangling, loop = tmp_path / "dangling.txt", tmp_path / "loop.txt"
    try:
        dangling.symlink_to(tmp_path / "missing.txt")
        loop.symlink_to(loop)
    except OSError:
        pytest.skip("cannot create symbolic links here")
    for mode in ("--check", "-w"):
        code, _, err = run([mode, str(dangling), str(loop)], capsysbinary)
        assert code == 2
        assert f"{dangling}: No such file or directory" in err
        assert f"{loop}: Too many levels of symbolic links" in err
    assert names(tmp_path) == ["dangling.txt", "loop.txt"]


def test_symlinks_in_folders_are_not_followed(tmp_path: Path,
                                              capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target, data = damaged_file(outside)
    walked = tmp_path / "walked"
    walked.mkdir()
    try:
        (walked / "link.txt").symlink_to(target)
    except OSError:
        pytest.skip("cannot create symbolic links here")
    assert run(["-w", str(walked)], capsysbinary)[0] == 0
    assert target.read_bytes() == data  # only a file named on the command line is followed


def _concurrent_writer(path: Path, extra: bytes) -> Callable[..., fixenc.Repair]:
    """``repair`` that, on its first call, lets another program append to ``path``."""
    real = fixenc.repair
    state = {"done": False}

    def repair(text: str, *args: Any, **kwargs: Any) -> fixenc.Repair:
        if not state["done"]:
            state["done"] = True
            with path.open("ab") as fh:
                fh.write(extra)
        return real(text, *args, **kwargs)

    return repair


def test_a_file_that_changes_while_it_is_read_is_not_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path, data = damaged_file(tmp_path)
    monkeypatch.setattr(cli, "repair", _concurrent_writer(path, b"new line\n"))
    code, _, err = run(["-w", str(path)], capsysbinary)
    assert code == 2
    assert f"{path}: changed while it was being repaired; not written" in err
    assert path.read_bytes() == data + b"new line\n"  # the other program's write is kept
    assert names(tmp_path) == ["a.txt"]


def test_a_file_replaced_while_it_is_read_is_not_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path, _ = damaged_file(tmp_path)
    real = fixenc.repair

    def repair(text: str, *args: Any, **kwargs: Any) -> fixenc.Repair:
        if text.startswith("标题"):
            (tmp_path / "new").write_bytes(b"replaced\n")
            os.replace(tmp_path / "new", path)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(cli, "repair", repair)
    code, _, err = run(["-w", str(path)], capsysbinary)
    assert code == 2 and "changed while it was being repaired" in err
    assert path.read_bytes() == b"replaced\n"
    assert names(tmp_path) == ["a.txt"]


class _FailingFile(io.BufferedWriter):
    """A temporary file whose writes fail after ``limit`` bytes with ``error``."""

    error: BaseException = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    limit = 0

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.limit:
            raise self.error
        return super().write(data)


def _failing_fdopen(error: BaseException, limit: int = 0) -> Callable[..., Any]:
    real_fdopen = os.fdopen

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        raw = real_fdopen(fd, mode, *args, buffering=0, **kwargs)
        failing = _FailingFile(raw)
        failing.error, failing.limit = error, limit
        return failing

    return fdopen


@pytest.mark.parametrize("limit", [0, 8])
def test_disk_full_on_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsysbinary: pytest.CaptureFixture[bytes], limit: int) -> None:
    path, data = damaged_file(tmp_path)
    monkeypatch.setattr(fileio.os, "fdopen",
                        _failing_fdopen(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), limit))
    for main in (cli.main, hook.main):
        argv = ["-w", str(path)] if main is cli.main else [str(path)]
        code, out, err = run(argv, capsysbinary, main)
        assert code == 2
        assert "No space left on device" in err + out
        assert "left as it was" in err + out
        assert path.read_bytes() == data
        assert names(tmp_path) == ["a.txt"]


def test_disk_full_on_flush(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path, data = damaged_file(tmp_path)

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "fsync", fsync)
    code, _, err = run(["-w", str(path)], capsysbinary)
    assert code == 2 and "No space left on device" in err
    assert path.read_bytes() == data
    assert names(tmp_path) == ["a.txt"]


def test_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path, data = damaged_file(tmp_path)

    def mkstemp(*args: Any, dir: str | None = None, **kwargs: Any) -> Any:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), dir)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)  # fileio imports it on use
    code, _, err = run(["-w", str(path)], capsysbinary)
    assert code == 2
    assert "Read-only file system" in err and str(tmp_path) in err
    assert "left as it was" in err
    assert path.read_bytes() == data


@pytest.mark.skipif(_is_root() or sys.platform == "win32",
                    reason="root (or Windows) writes into read-only folders")
def test_read_only_folder_for_real(tmp_path: Path,
                                   capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path, data = damaged_file(folder)
    folder.chmod(0o555)
    try:
        code, _, err = run(["-w", str(path)], capsysbinary)
    finally:
        folder.chmod(0o755)
    assert code == 2 and "Permission denied" in err
    assert path.read_bytes() == data


@pytest.mark.parametrize("where", ["write", "replace"])
def test_interrupted_write_leaves_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsysbinary: pytest.CaptureFixture[bytes],
                                               where: str) -> None:
    path, data = damaged_file(tmp_path)
    if where == "write":  # Ctrl-C halfway through writing the temporary file
        monkeypatch.setattr(fileio.os, "fdopen", _failing_fdopen(KeyboardInterrupt(), 8))
    else:  # ... or at the very last moment
        def replace(*args: Any) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(fileio.os, "replace", replace)
    code, _, err = run(["-w", str(path)], capsysbinary)
    assert code == 130 and "interrupted" in err
    assert path.read_bytes() == data
    assert names(tmp_path) == ["a.txt"]


def test_rewriter_interrupted_between_pieces(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"one\ntwo\nthree\n")
    with pytest.raises(KeyboardInterrupt), fileio.Rewriter(path) as out:
        out.write(b"one\n", b"1\n")
        out.write(b"two\n", b"2\n")
        raise KeyboardInterrupt
    assert path.read_bytes() == b"one\ntwo\nthree\n"
    assert names(tmp_path) == ["a.txt"]


# --- bytes in (issue #5) --------------------------------------------------------------------

_BYTES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=80).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(["utf-8", "gbk", "big5", "shift_jis", "euc_kr", "cp1252", "utf-16"]).flatmap(
        lambda codec: st.text(alphabet=st.characters(codec="utf-8"), max_size=60).map(
            lambda t, c=codec: t.encode(c, "ignore"))),
    st.lists(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", "浣犲ソ".encode(), "中文".encode("gbk"),
                              b"\n", b"\r\n", b"\x00", b"\x80", b"\xe4\xbd", b"abc "]),
             max_size=20).map(b"".join),
)


@settings(PROPS, max_examples=150)
@given(_BYTES)
def test_repair_bytes_keeps_every_promise(data: bytes) -> None:
    r = fixenc.repair_bytes(data)
    check_promises(r.original, r)
    if r.detection is None or r.detection.method != "binary":
        # What was decoded is what repair() sees: the same text and the same mojibake fixes.
        plain = fixenc.repair(r.original)
        assert plain.text == r.text
    # Read as clean UTF-8, written back and read again, nothing more changes.  (With stray
    # bytes kept, the bytes written back can read otherwise: FF FE is a UTF-16 mark.)
    if r.encoding == "utf-8" and not any(f.kind == "undecodable_bytes" for f in r.fixes):
        again = fixenc.repair_bytes(r.text.encode("utf-8"))
        assert again.text == r.text


def test_repair_bytes_refuses_str() -> None:
    with pytest.raises(TypeError, match="repair"):
        fixenc.repair_bytes("中文")  # type: ignore[arg-type]


@pytest.mark.xfail(strict=True, reason="engine: after the session-5 refit the first pass "
                   "applies 銆傗� → 。” at 0.91 but leaves the Latin-1 mojibake ã\x80\x80 beside "
                   "it, which the second call then repairs (not idempotent)")
def test_second_look_replaces_an_unapplied_finding() -> None:
    """Found by hypothesis in CI: 銆傗� was a finding below 0.9 beside Latin-1 mojibake, and
    clear once that was repaired; the second pass now replaces the finding (idempotence)."""
    once = fixenc.repair("ã\x80\x80ã\x80\x80銆傗\ufffd").text
    assert once == "\u3000\u3000。”"
    assert fixenc.repair(once).text == once


def test_straddling_second_look() -> None:
    """Found by hypothesis 6.170 and by the pinned hypothesis after the cp1252 hole guesses:
    a second-pass repair straddled the replacement of a first-pass fix (a strict xfail
    through session 4; passes since the session-5 refit)."""
    once = fixenc.repair("蠑\x8021荳\ufffd2莠､").text
    assert fixenc.repair(once).text == once


def test_first_straddling_example_is_idempotent() -> None:
    """hypothesis 6.170's straddling example: its first pass now finds the whole repair.

    A strict xfail from the session-5 refit (the second call read the fuzzed ``”ß‚€‚€``
    left beside ``。”`` as GBK in cp1252, 斶個個 at 0.96) to session 11, whose refit no
    longer makes that wrong repair of junk."""
    once = fixenc.repair("銆傗\ufffd\ufffdß‚€‚€").text
    assert fixenc.repair(once).text == once
