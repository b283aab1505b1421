"""The ``fixenc`` command, called in-process as ``main([...])``, plus one real subprocess run.

Damaged text is made here with Python's codecs; :func:`test_damaged_fixtures_are_repaired`
checks that the library applies these repairs, so a failure below is about the command.
All files are written under ``tmp_path``.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from clihelp import feed_stdin, main_with_peak, run

import fixenc
from fixenc import cli, fileio

ROOT = Path(__file__).resolve().parent.parent

SENTENCE = "在下周五之前提交你的项目报告"
DAMAGED = SENTENCE.encode("utf-8").decode("gbk")  # UTF-8 read as GBK, lossless
NOTICE = "会议将在下午三点准时开始，请大家不要迟到。"
NOTICE_DAMAGED = NOTICE.encode("gbk").decode("latin-1")  # GBK read as Latin-1
LOST = "数据：锟斤拷锟斤拷"  # pure loss: reported, never changed






def only_fix(text: str) -> fixenc.Fix:
    (fix,) = fixenc.repair(text).fixes
    return fix


def test_damaged_fixtures_are_repaired() -> None:
    for damaged, clean in [(DAMAGED, SENTENCE), (NOTICE_DAMAGED, NOTICE)]:
        result = fixenc.repair(damaged)
        assert result.text == clean
        assert all(f.applied for f in result.fixes)
    assert fixenc.repair("clean 中文 text").fixes == ()
    assert only_fix(LOST).unrecoverable


# --- filter --------------------------------------------------------------------------------

def test_filter_stdin_to_stdout(monkeypatch: pytest.MonkeyPatch,
                                capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    clean_part = "\ufeff标题 title\r\n中文和 ASCII 混排\n\n".encode()
    data = clean_part + f"前缀：{DAMAGED}\r\n".encode() + "最后一行，没有换行".encode()
    feed_stdin(monkeypatch, data)
    code = cli.main([])
    out, err = capsysbinary.readouterr()
    assert code == 0
    assert err == b""
    # clean lines byte for byte (BOM and CRLF included), the damaged one repaired
    assert out == clean_part + f"前缀：{SENTENCE}\r\n".encode() + "最后一行，没有换行".encode()


def test_filter_paths_and_dash_are_concatenated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsysbinary: pytest.CaptureFixture[bytes],
                                                 ) -> None:
    first = tmp_path / "a.txt"
    first.write_bytes(f"{DAMAGED}\n".encode())
    feed_stdin(monkeypatch, f"{NOTICE_DAMAGED}\n".encode())
    code, out, err = run([str(first), "-"], capsysbinary)
    assert (code, out, err) == (0, f"{SENTENCE}\n{NOTICE}\n", "")


def test_filter_explain_readme_command(capsysbinary: pytest.CaptureFixture[bytes],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's first command: repaired samples on stdout, one line per fix on stderr."""
    monkeypatch.chdir(ROOT)
    names = ["samples/subtitles_utf8_as_gbk.srt", "samples/zip_names_gbk_as_cp437.txt",
             "samples/mixed_page.md"]
    code, out, err = run(["--explain", *names], capsysbinary)
    assert code == 0  # findings, suggestions or not, never fail a filter
    texts = [(ROOT / n).read_bytes().decode("utf-8") for n in names]
    repairs = [fixenc.repair(t) for t in texts]
    assert out == "".join(r.text for r in repairs)
    lines = err.splitlines()
    assert len(lines) == sum(len(r.fixes) for r in repairs) > 0
    assert all(line.startswith(tuple(names)) for line in lines)
    assert any("[unrecoverable" in line for line in lines)  # the 锟斤拷 in mixed_page.md


def test_filter_output_file_and_refusal(tmp_path: Path,
                                        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    src = tmp_path / "in.txt"
    src.write_bytes(f"{DAMAGED}\n".encode())
    dst = tmp_path / "out.txt"
    assert run([str(src), "-o", str(dst)], capsysbinary) == (0, "", "")
    assert dst.read_text(encoding="utf-8") == f"{SENTENCE}\n"

    code, _, err = run([str(src), "-o", str(src)], capsysbinary)
    assert code == 2
    assert "refusing to write over the input" in err
    assert src.read_bytes() == f"{DAMAGED}\n".encode()  # not even truncated

    link = tmp_path / "hard.txt"
    os.link(src, link)
    assert run([str(src), "-o", str(link)], capsysbinary)[0] == 2


def test_filter_undecodable_input_says_what_to_try(monkeypatch: pytest.MonkeyPatch,
                                                   capsysbinary: pytest.CaptureFixture[bytes],
                                                   ) -> None:
    data = "中文测试\n".encode("gbk")
    feed_stdin(monkeypatch, data)
    code, _, err = run(["-e", "utf-8"], capsysbinary)  # forced; auto-detection: test_cli_bytes
    assert code == 2
    assert "not valid UTF-8" in err and "try -e gbk" in err

    feed_stdin(monkeypatch, data)
    assert run(["-e", "gbk"], capsysbinary) == (0, "中文测试\n", "")


def test_filter_streams_in_constant_memory(tmp_path: Path,
                                           capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    block = ("clean line 中文 " * 4 + "\n").encode() * 1000 + f"{DAMAGED}\n".encode()
    src = tmp_path / "big.txt"
    with src.open("wb") as fh:
        for _ in range(100):  # about 8 MB
            fh.write(block)
    dst = tmp_path / "out.txt"
    code, peak = main_with_peak([str(src), "-o", str(dst)])
    assert code == 0
    assert peak < 2_000_000, f"peak {peak} bytes for an 8 MB input"
    assert dst.stat().st_size == src.stat().st_size - 100 * (
        len(DAMAGED.encode()) - len(SENTENCE.encode()))
    repaired = block.replace(DAMAGED.encode(), SENTENCE.encode())
    with dst.open("rb") as fh:
        assert fh.read(len(repaired)) == repaired


def test_filter_refuses_folders(tmp_path: Path,
                                capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, _, err = run([str(tmp_path)], capsysbinary)
    assert code == 2
    assert "is a folder" in err and "-w" in err


# --- check ---------------------------------------------------------------------------------

def test_check_output_and_exit_codes(tmp_path: Path,
                                     capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    damaged = tmp_path / "damaged.txt"
    content = f"第一行\n注意：{DAMAGED}\n".encode()
    damaged.write_bytes(content)
    clean = tmp_path / "clean.txt"
    clean.write_bytes("一切正常\n".encode())
    before = damaged.stat().st_mtime_ns

    fix = only_fix(DAMAGED)
    code, out, err = run(["--check", str(damaged), str(clean)], capsysbinary)
    assert code == 1
    conf = cli.format_confidence(fix.confidence)
    assert out == f"{damaged}:2:4: {fix.kind} ({conf}) '{DAMAGED}' -> '{SENTENCE}'\n"
    assert err == "2 files scanned, 1 to fix, 0 need review\n"
    assert damaged.read_bytes() == content and damaged.stat().st_mtime_ns == before

    assert run(["--check", str(clean)], capsysbinary) == (
        0, "", "1 file scanned, 0 to fix, 0 need review\n")
    assert run(["--check", "-q", str(clean)], capsysbinary) == (0, "", "")


def test_check_suggestions_and_unrecoverable_count(tmp_path: Path,
                                                   capsysbinary: pytest.CaptureFixture[bytes],
                                                   ) -> None:
    path = tmp_path / "a.txt"
    path.write_text(f"{DAMAGED}\n", encoding="utf-8")
    code, out, _ = run(["--check", "--min-confidence", "1", str(path)], capsysbinary)
    assert code == 1
    assert out.endswith("[suggestion: below --min-confidence]\n")

    path.write_text(f"{LOST}\n", encoding="utf-8")
    code, out, _ = run(["--check", str(path)], capsysbinary)
    assert code == 1
    assert f"{path}:1:4: fffd_read_as_gbk" in out and "[unrecoverable" in out


def test_check_explain_shows_steps(tmp_path: Path,
                                   capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "a.txt"
    path.write_text(f"{DAMAGED}\n", encoding="utf-8")
    _, out, _ = run(["--check", "--explain", str(path)], capsysbinary)
    steps = " ".join(f"{s.action}:{s.arg}" for s in only_fix(DAMAGED).steps)
    assert out.rstrip("\n").endswith(f"[steps: {steps}]")


def test_errors_win_and_the_run_goes_on(tmp_path: Path,
                                        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    damaged = tmp_path / "damaged.txt"
    damaged.write_text(f"{DAMAGED}\n", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    code, out, err = run(["--check", str(missing), str(damaged)], capsysbinary)
    assert code == 2
    assert f"{damaged}:1:1:" in out
    assert f"{missing}: No such file or directory" in err
    assert err.rstrip("\n").endswith("1 file scanned, 1 to fix, 0 need review, 1 error")


@pytest.mark.parametrize("argv", [
    ["--bogus"],
    ["--min-confidence", "2", "x"],
    ["--min-confidence", "high", "x"],
    ["-e", "no-such-codec"],
    ["-e", "utf-16"],
    ["--check", "-o", "out.txt", "x"],
    ["--check", "--diff", "x"],
    ["-w"],
    ["-w", "-"],
    ["-j", "0", "x"],
])
def test_bad_options_exit_2(argv: list[str], capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, err = run(argv, capsysbinary)
    assert code == 2
    assert out == ""
    assert "error:" in err


def test_help_and_version(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, _ = run(["--help"], capsysbinary)
    assert code == 0 and "--check" in out and "Exit status" in out
    code, out, _ = run(["--version"], capsysbinary)
    assert (code, out) == (0, f"fixenc {fixenc.__version__}\n")


# --- diff ----------------------------------------------------------------------------------

def test_diff_matches_difflib_and_writes_nothing(tmp_path: Path,
                                                 capsysbinary: pytest.CaptureFixture[bytes],
                                                 ) -> None:
    lines = [f"clean line {i}\n" for i in range(30)]
    lines[2] = f"{DAMAGED}\n"  # two changes close together: one hunk ...
    lines[8] = f"引用：{NOTICE_DAMAGED}\n"
    lines[25] = f"{DAMAGED}\r\n"  # ... and one far away
    path = tmp_path / "a.txt"
    content = "".join(lines).encode()
    path.write_bytes(content)

    code, out, err = run(["--diff", str(path)], capsysbinary)
    assert code == 1
    new = [fixenc.repair(line).text for line in lines]
    expected = "".join(difflib.unified_diff(lines, new, str(path), str(path)))
    assert out == expected
    assert out.count("@@ -") == 2
    assert path.read_bytes() == content
    assert err == "1 file scanned, 1 to fix, 0 need review\n"


def test_diff_shows_missing_final_newline(tmp_path: Path,
                                          capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "a.txt"
    path.write_text(DAMAGED, encoding="utf-8")
    _, out, _ = run(["--diff", str(path)], capsysbinary)
    assert out.endswith(f"-{DAMAGED}\n\\ No newline at end of file\n"
                        f"+{SENTENCE}\n\\ No newline at end of file\n")


def test_diff_color(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "a.txt"
    path.write_text(f"{DAMAGED}\n", encoding="utf-8")
    assert "\x1b[" not in run(["--diff", str(path)], capsysbinary)[1]  # not a terminal
    assert "\x1b[31m-" in run(["--diff", "--color", "always", str(path)], capsysbinary)[1]

    monkeypatch.setattr(cli, "_isatty", lambda stream: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[32m+" in run(["--diff", str(path)], capsysbinary)[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run(["--diff", str(path)], capsysbinary)[1]


# --- write ---------------------------------------------------------------------------------

@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("bom", [False, True], ids=["no-BOM", "BOM"])
def test_write_keeps_line_endings_bom_and_mode(tmp_path: Path, newline: str, bom: bool,
                                               capsysbinary: pytest.CaptureFixture[bytes],
                                               ) -> None:
    def document(middle: str) -> bytes:
        text = f"标题{newline}{middle}{newline}中文 clean{newline}{newline}last, no newline"
        return (fileio.BOM_UTF8 if bom else b"") + text.encode()

    path = tmp_path / "doc.txt"
    path.write_bytes(document(DAMAGED))
    os.chmod(path, 0o640)
    code, out, err = run(["-w", str(path)], capsysbinary)
    assert code == 0
    assert out == f"Fixing {path}\n"
    assert err == "1 file scanned, 1 fixed, 0 need review\n"
    assert path.read_bytes() == document(SENTENCE)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.txt"]  # no temporary file left


def test_write_leaves_clean_files_untouched(tmp_path: Path,
                                            capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "clean.txt"
    path.write_bytes("没有问题\r\n".encode())
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    inode = path.stat().st_ino
    assert run(["-w", str(path)], capsysbinary) == (
        0, "", "1 file scanned, 0 fixed, 0 need review\n")
    assert path.stat().st_mtime_ns == 1_000_000_000 and path.stat().st_ino == inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.txt"]


def test_write_leaves_suggestions_and_exits_1(tmp_path: Path,
                                              capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "a.txt"
    path.write_text(f"{DAMAGED}\n{LOST}\n", encoding="utf-8")
    code, out, _ = run(["-w", "--min-confidence", "1", str(path)], capsysbinary)
    assert code == 1
    assert path.read_text(encoding="utf-8") == f"{DAMAGED}\n{LOST}\n"
    assert "[suggestion" in out and "[unrecoverable" in out

    code, out, _ = run(["-w", str(path)], capsysbinary)  # applied, but 锟斤拷 needs a person
    assert code == 1
    assert path.read_text(encoding="utf-8") == f"{SENTENCE}\n{LOST}\n"
    assert out.startswith(f"Fixing {path}\n") and "[unrecoverable" in out
    assert SENTENCE not in out  # applied fixes are listed only with -v or --explain


def test_write_other_encoding_keeps_it(tmp_path: Path,
                                       capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(f"标题\n{DAMAGED}\n".encode("gbk"))
    assert run(["-w", "-e", "gbk", str(path)], capsysbinary)[0] == 0
    assert path.read_bytes() == f"标题\n{SENTENCE}\n".encode("gbk")


def test_write_through_symlink_keeps_the_link(tmp_path: Path,
                                              capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    target = tmp_path / "target.txt"
    target.write_text(f"{DAMAGED}\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    try:
        link.symlink_to(target)
    except OSError:
        pytest.skip("cannot create symbolic links here")
    assert run(["-w", str(link)], capsysbinary)[0] == 0
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == f"{SENTENCE}\n"


# --- skipped files -------------------------------------------------------------------------

def test_binary_and_undecodable_files_are_skipped(tmp_path: Path,
                                                  capsysbinary: pytest.CaptureFixture[bytes],
                                                  ) -> None:
    binary = tmp_path / "data.txt"
    binary.write_bytes(b"\x00\x01\x02" + DAMAGED.encode())
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("中文测试\n".encode("gbk"))
    for mode in ("--check", "-w", "--diff"):
        code, out, err = run([mode, "-e", "utf-8", str(binary), str(gbk)], capsysbinary)
        assert code == 0, mode
        assert out == ""
        assert f"{binary}: skipped: binary file" in err
        assert f"{gbk}: skipped: not valid UTF-8" in err and "try -e gbk" in err
        assert err.rstrip("\n").endswith("0 need review, 2 skipped")
    assert binary.read_bytes() == b"\x00\x01\x02" + DAMAGED.encode()
    assert run(["--check", "-e", "gbk", str(gbk)], capsysbinary)[0] == 0


# --- reports -------------------------------------------------------------------------------

FIX_KEYS = {"line", "column", "start", "end", "kind", "original", "replacement", "steps",
            "confidence", "applied", "suggested", "unrecoverable", "lossy", "lost", "guessed",
            "evidence"}
SUMMARY_KEYS = {"files", "scanned", "changed", "review", "skipped", "errors", "findings",
                "applied", "suggested", "unrecoverable", "exit_code"}


def test_json_report(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    damaged = tmp_path / "damaged.txt"
    damaged.write_text(f"第一行\n注意：{DAMAGED}\n{LOST}\n", encoding="utf-8")
    clean = tmp_path / "clean.txt"
    clean.write_text("一切正常\n", encoding="utf-8")
    code, out, _ = run(["--check", "--format", "json", str(damaged), str(clean)], capsysbinary)
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == 1 and doc["mode"] == "check" and doc["min_confidence"] == 0.9
    first, second = doc["files"]
    assert first["path"] == str(damaged) and first["status"] == "fixable"
    assert first["changed"] is True and first["written"] is False and first["needs_review"]
    assert second == {"path": str(clean), "status": "clean", "changed": False,
                      "written": False, "needs_review": False, "message": None, "fixes": []}
    fix, lost = first["fixes"]
    assert FIX_KEYS <= set(fix)
    assert (fix["line"], fix["column"], fix["start"], fix["end"]) == (2, 4, 3, 3 + len(DAMAGED))
    assert (fix["original"], fix["replacement"]) == (DAMAGED, SENTENCE)
    assert fix["applied"] is True and fix["suggested"] is False
    steps = [fixenc.Step(s["action"], s["arg"]) for s in fix["steps"]]
    assert fixenc.apply_steps(fix["original"], steps) == fix["replacement"]
    assert lost["unrecoverable"] is True and lost["kind"] == "fffd_read_as_gbk"
    summary = doc["summary"]
    assert set(summary) == SUMMARY_KEYS
    assert summary["files"] == summary["scanned"] == 2
    assert (summary["findings"], summary["applied"], summary["unrecoverable"]) == (2, 1, 1)
    assert summary["exit_code"] == 1


def test_jsonl_report(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "a.txt"
    path.write_text(f"{DAMAGED}\n", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    code, out, _ = run(["--check", "--format", "jsonl", str(path), str(missing)], capsysbinary)
    assert code == 2
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["type"] for r in records] == ["fix", "file", "file", "summary"]
    assert records[0]["path"] == str(path) and FIX_KEYS <= set(records[0])
    assert records[2]["status"] == "error" and records[2]["message"]
    assert records[3]["errors"] == 1 and records[3]["exit_code"] == 2


def test_github_annotations(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "a.txt"
    path.write_text(f"注意：{DAMAGED}\n{LOST}\n", encoding="utf-8")
    code, out, _ = run(["--check", "--format", "github", str(path)], capsysbinary)
    assert code == 1
    fix_line, lost_line = out.splitlines()
    assert fix_line.startswith(f"::error file={path},line=1,col=4,title=fixenc utf8_read_as_gbk::")
    assert lost_line.startswith(f"::warning file={path},line=2,col=4,")


def test_filter_json_report_goes_to_stderr(monkeypatch: pytest.MonkeyPatch,
                                           capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    feed_stdin(monkeypatch, f"{DAMAGED}\n".encode())
    code, out, err = run(["--format", "json"], capsysbinary)
    assert (code, out) == (0, f"{SENTENCE}\n")
    doc = json.loads(err)
    assert doc["files"][0]["path"] == "<stdin>" and len(doc["files"][0]["fixes"]) == 1


# --- folders and many files ----------------------------------------------------------------

def make_tree(root: Path) -> None:
    for rel in ["a.txt", "sub/b.md", "sub/deeper/c.srt", ".hidden/d.txt",
                "node_modules/e.txt", "skip/f.txt", "image.bin", "sub/g.log"]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{DAMAGED}\n", encoding="utf-8")


def checked(out: str, root: Path) -> list[str]:
    return sorted(Path(line.split(":", 1)[0]).relative_to(root).as_posix()
                  for line in out.splitlines())


def test_folders_are_walked_with_include_and_exclude(tmp_path: Path,
                                                     capsysbinary: pytest.CaptureFixture[bytes],
                                                     ) -> None:
    make_tree(tmp_path)
    code, out, _ = run(["--check", str(tmp_path)], capsysbinary)
    assert code == 1
    assert checked(out, tmp_path) == ["a.txt", "skip/f.txt", "sub/b.md", "sub/deeper/c.srt",
                                      "sub/g.log"]

    _, out, _ = run(["--check", "--exclude", "skip", "--exclude", "*.log", str(tmp_path)],
                    capsysbinary)
    assert checked(out, tmp_path) == ["a.txt", "sub/b.md", "sub/deeper/c.srt"]

    _, out, _ = run(["--check", "--include", "*.bin", "--include", "sub/deeper/*",
                     str(tmp_path)], capsysbinary)
    assert checked(out, tmp_path) == ["image.bin", "sub/deeper/c.srt"]

    # a file named on the command line is always taken, and only once
    _, out, _ = run(["--check", str(tmp_path / "image.bin"), str(tmp_path / "image.bin")],
                    capsysbinary)
    assert checked(out, tmp_path) == ["image.bin"]


def test_parallel_run_matches_serial(tmp_path: Path,
                                     capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    make_tree(tmp_path)
    serial = run(["--check", "-j", "1", "--format", "json", str(tmp_path)], capsysbinary)
    parallel = run(["--check", "-j", "2", "--format", "json", str(tmp_path)], capsysbinary)
    assert parallel == serial
    assert run(["-w", "-j", "2", str(tmp_path)], capsysbinary)[0] == 0
    assert (tmp_path / "sub/b.md").read_text(encoding="utf-8") == f"{SENTENCE}\n"
    assert (tmp_path / ".hidden/d.txt").read_text(encoding="utf-8") == f"{DAMAGED}\n"


def test_choose_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_cpu_count", lambda: 4)
    assert cli.choose_jobs(None, 1) == 1
    assert cli.choose_jobs(None, 3) == 1  # a pool would cost more than it saves
    assert cli.choose_jobs(None, 100) == 4
    assert cli.choose_jobs(8, 5) == 5
    assert cli.choose_jobs(2, 100) == 2


# --- reading and writing -------------------------------------------------------------------

def test_long_lines_are_read_in_pieces_at_safe_points() -> None:
    line = ("中文，" * 30 + DAMAGED + " ") * 20 + "\n"
    segments = list(fileio.read_segments(io.BytesIO(line.encode() * 2), max_segment=500))
    assert all(len(s.raw) <= 500 for s in segments)
    assert len(segments) > 20
    assert b"".join(s.raw for s in segments) == line.encode() * 2
    assert [s.line for s in segments if s.ends_line] == [1, 2]
    for seg in segments:  # columns place each piece in its line
        start = seg.column
        assert line[start:start + len(seg.text)] == seg.text
    # no byte below 0x30 within the limit: cut between two characters, never beyond the
    # limit (waiting for one would keep a whole line in memory)
    text = "中文" * 300 + " " + "中文" * 10
    pieces = [s.text for s in fileio.read_segments(io.BytesIO(text.encode()), max_segment=100)]
    assert "".join(pieces) == text
    assert all(len(p.encode()) <= 100 for p in pieces)
    assert pieces[0] == "中文" * 16 + "中"
    for codec, sample in [("gbk", "中文测试"), ("big5", "中文測試"), ("gb18030", "中文测试")]:
        data = sample.encode(codec) * 100
        segments = list(fileio.read_segments(io.BytesIO(data), codec, max_segment=99))
        assert b"".join(s.raw for s in segments) == data
        assert all(len(s.raw) <= 99 for s in segments)


def test_rewriter_touches_nothing_without_changes(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"one\ntwo\n")
    with fileio.Rewriter(path) as out:
        out.write(b"one\n", b"one\n")
        out.write(b"two\n", b"two\n")
        assert out.commit() is False
    with fileio.Rewriter(path) as out:
        out.write(b"one\n", b"one\n")
        out.write(b"two\n", b"2\n")
        # leaving without commit() discards the change
    assert path.read_bytes() == b"one\ntwo\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


# --- a real process ------------------------------------------------------------------------

def test_python_dash_m_fixenc_streams(tmp_path: Path) -> None:
    """``python -m fixenc`` as a pipe: each line comes out before the input ends."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.Popen([sys.executable, "-m", "fixenc"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=tmp_path)
    timer = threading.Timer(60, proc.kill)
    timer.start()
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(f"{DAMAGED}\n".encode())
        proc.stdin.flush()
        assert proc.stdout.readline() == f"{SENTENCE}\n".encode()  # stdin still open
        out, err = proc.communicate(f"{NOTICE_DAMAGED}\r\nclean".encode())
    finally:
        timer.cancel()
    assert (proc.returncode, out, err) == (0, f"{NOTICE}\r\nclean".encode(), b"")

    path = tmp_path / "a.txt"
    path.write_text(f"{DAMAGED}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "fixenc", "--check", "a.txt"],
                          capture_output=True, env=env, cwd=tmp_path, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stdout.decode("utf-8").startswith("a.txt:1:1: utf8_read_as_gbk (")
