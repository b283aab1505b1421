"""The command and the hook on files that are not (all) UTF-8, called in-process.

Encodings are guessed by default (``-e auto``); ``-e CODEC`` forces one.  Files that are
not UTF-8 are reported by ``--check`` (kind ``legacy_encoding``) and converted to UTF-8 only
by ``--write --transcode``; a filter always writes UTF-8.  All files live under ``tmp_path``.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import pytest
from clihelp import feed_stdin, main_with_peak, run

from fixenc import cli, hook

NOTICE = "会议将在下午三点准时开始，请大家不要迟到。"
TRAD = "會議將在下午三點準時開始，請大家不要遲到。"
SENTENCE = "在下周五之前提交你的项目报告"
DAMAGED = SENTENCE.encode("utf-8").decode("gbk")  # UTF-8 read as GBK






def test_filter_guesses_the_encoding_and_writes_utf8(monkeypatch: pytest.MonkeyPatch,
                                                     capsysbinary: pytest.CaptureFixture[bytes],
                                                     ) -> None:
    for text, codec in [(NOTICE, "gbk"), (TRAD, "big5"), ("日本語のテキストです。", "shift_jis"),
                        ("한국어 텍스트입니다.", "euc_kr")]:
        feed_stdin(monkeypatch, f"{text}\r\nok\n".encode(codec))
        assert run([], capsysbinary) == (0, f"{text}\r\nok\n", "")


def test_filter_of_a_mixed_file_is_clean_utf8(tmp_path: Path,
                                              capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    lines = [("2024-05-01 启动服务\n", "utf-8"), ("2024-05-02 连接数据库失败\n", "gbk"),
             ("重试\n", "gbk"), (f"注意：{DAMAGED}\n", "utf-8"), ("好\n", "gbk")]
    path = tmp_path / "app.log"
    path.write_bytes(b"".join(text.encode(codec) for text, codec in lines))
    code, out, _ = run([str(path)], capsysbinary)
    assert code == 0
    assert out == ("2024-05-01 启动服务\n2024-05-02 连接数据库失败\n重试\n"
                   f"注意：{SENTENCE}\n好\n")


def test_a_mixed_file_streams_in_bounded_memory(tmp_path: Path,
                                                capsysbinary: pytest.CaptureFixture[bytes],
                                                ) -> None:
    utf8_block = ("UTF-8 line 中文测试 " * 4 + "\n").encode() * 500
    gbk_block = ("GBK line 中文测试 " * 4 + "\n").encode("gbk") * 500
    src = tmp_path / "big.log"
    with src.open("wb") as fh:
        for _ in range(40):  # 3.4 MB, the encodings alternating every 500 lines
            fh.write(utf8_block)
            fh.write(gbk_block)
    dst = tmp_path / "out.txt"
    # One small run first: modules, the language model's tables and its caches are loaded
    # once per process, not per line.
    small = tmp_path / "small.log"
    small.write_bytes(utf8_block[:1000] + gbk_block[:1000])
    assert cli.main([str(small), "-o", str(tmp_path / "small.out")]) == 0
    code, peak = main_with_peak([str(src), "-o", str(dst)])
    capsysbinary.readouterr()
    assert code == 0
    assert peak < 2_000_000, f"peak {peak} bytes for a 3.4 MB input"
    expected = utf8_block + gbk_block.decode("gbk").encode()
    with dst.open("rb") as fh:
        for _ in range(40):
            assert fh.read(len(expected)) == expected
        assert fh.read() == b""


def test_forced_encoding(monkeypatch: pytest.MonkeyPatch,
                         capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    feed_stdin(monkeypatch, "Привет, мир\n".encode("koi8-r"))  # not among the guesses
    assert run(["-e", "koi8-r"], capsysbinary) == (0, "Привет, мир\n", "")
    data = "中文".encode("gbk") + b"\n"
    feed_stdin(monkeypatch, data)
    code, _, err = run(["-e", "utf-8"], capsysbinary)
    assert code == 2 and "not valid UTF-8" in err and "try -e gbk" in err
    feed_stdin(monkeypatch, data)
    assert run(["-e", "AUTO"], capsysbinary)[1] == "中文\n"


def test_check_reports_a_gbk_file(tmp_path: Path,
                                  capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "gbk.txt"
    data = f"title\n{NOTICE}\n".encode("gbk")
    path.write_bytes(data)
    code, out, err = run(["--check", str(path)], capsysbinary)
    assert code == 1
    assert out.startswith(f"{path}:2:1: legacy_encoding (")
    assert f"-> '{NOTICE}' [gb18030, not UTF-8: convert with --write --transcode]" in out
    assert out.count("\n") == 1  # one finding per run of lines, not one per line
    assert "1 needs review" in err
    assert run(["--check", "-e", "gbk", str(path)], capsysbinary)[0] == 0  # declared: fine
    assert path.read_bytes() == data


def test_check_json_has_the_codec_in_the_steps(tmp_path: Path,
                                               capsysbinary: pytest.CaptureFixture[bytes],
                                               ) -> None:
    path = tmp_path / "big5.txt"
    path.write_bytes(f"{TRAD}\n".encode("big5"))
    code, out, _ = run(["--check", "--format", "jsonl", str(path)], capsysbinary)
    assert code == 1
    assert '"kind": "legacy_encoding"' in out
    assert '"steps": [{"action": "decode", "arg": "cp950"}]' in out


def test_write_without_transcode_leaves_legacy_files_alone(
        tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "gbk.txt"
    data = f"{NOTICE}\r\n".encode("gbk")
    path.write_bytes(data)
    code, out, _ = run(["-w", str(path)], capsysbinary)
    assert code == 1  # left for a person to decide
    assert "legacy_encoding" in out and "Fixing" not in out
    assert path.read_bytes() == data


def test_write_repairs_a_gbk_file_in_gbk_without_transcode(
        tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    # Mojibake inside a GBK file: the repair is written back in GBK.
    path = tmp_path / "gbk.txt"
    path.write_bytes(f"{NOTICE}\n{DAMAGED}\n".encode("gbk"))
    run(["-w", str(path)], capsysbinary)
    # UTF-8 read as GBK and saved as GBK is the UTF-8 again: that line is UTF-8, and fine.
    assert path.read_bytes() == f"{NOTICE}\n".encode("gbk") + f"{SENTENCE}\n".encode()


def test_write_transcode_keeps_mode_and_line_endings(
        tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(f"标题\r\n{NOTICE}\r\nascii only\r\n最后一行".encode("gbk"))
    os.chmod(path, 0o640)
    code, out, _ = run(["-w", "--transcode", str(path)], capsysbinary)
    assert code == 0
    assert out.startswith(f"Fixing {path}")
    assert path.read_bytes() == f"标题\r\n{NOTICE}\r\nascii only\r\n最后一行".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert run(["--check", str(path)], capsysbinary)[0] == 0  # now clean UTF-8


def test_write_transcode_of_a_mixed_file_keeps_stray_bytes(
        tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "subs.srt"
    utf8_part = "1\n00:00:01,000 --> 00:00:02,000\n你好\n\n".encode()
    gbk_part = "2\n00:00:03,000 --> 00:00:04,000\n再见，朋友\n\n".encode("gbk")
    stray = "3\n坏".encode() + b"\xff\n"
    path.write_bytes(utf8_part + gbk_part + stray)
    code, out, _ = run(["-w", "--transcode", str(path)], capsysbinary)
    assert code == 1  # the stray byte is left for a person
    assert f"{path}:10:2: undecodable_bytes" in out
    expected = (utf8_part + "2\n00:00:03,000 --> 00:00:04,000\n再见，朋友\n\n".encode()
                + stray)
    assert path.read_bytes() == expected


def test_undecodable_bytes_are_reported_and_never_written(
        tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "bad.txt"
    data = f"{DAMAGED}\n".encode() + "好的".encode() + b"\xfe\xff" + "再见\n".encode()
    path.write_bytes(data)
    code, out, _ = run(["--check", str(path)], capsysbinary)
    assert code == 1
    assert f"{path}:2:3: undecodable_bytes (1.00) '\\udcfe\\udcff' [unrecoverable" in out
    run(["-w", str(path)], capsysbinary)
    # the mojibake is repaired, the bad bytes are written back as they were
    assert path.read_bytes() == (f"{SENTENCE}\n".encode() + "好的".encode() + b"\xfe\xff"
                                 + "再见\n".encode())


def test_utf16_file_is_skipped_with_a_hint(tmp_path: Path,
                                           capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "utf16.txt"
    data = codecs.BOM_UTF16_LE + f"{NOTICE}\n".encode("utf-16-le")
    path.write_bytes(data)
    code, _, err = run(["--check", str(path)], capsysbinary)
    assert code == 0
    assert "skipped: UTF-16 file" in err and "iconv -f utf-16" in err
    assert path.read_bytes() == data


def test_transcode_needs_a_file_mode(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, _, err = run(["--transcode"], capsysbinary)
    assert code == 2 and "--transcode goes with --write" in err


# --- the hook ------------------------------------------------------------------------------

def hook_run(argv: list[str], capsysbinary: pytest.CaptureFixture[bytes]) -> tuple[int, str]:
    code = hook.main(argv)
    return code, capsysbinary.readouterr().out.decode("utf-8")


def test_hook_reports_legacy_files_and_converts_only_when_asked(
        tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "gbk.txt"
    data = f"{NOTICE}\n".encode("gbk")
    path.write_bytes(data)
    for mode in ("--check", "--fix"):
        code, out = hook_run([mode, str(path)], capsysbinary)
        assert code == 1
        assert out.startswith(f"{path}:1: legacy_encoding (")
        assert path.read_bytes() == data
    assert hook_run(["-e", "gbk", str(path)], capsysbinary)[0] == 0  # declared
    code, out = hook_run(["--transcode", str(path)], capsysbinary)
    assert (code, out) == (1, f"Fixing {path}\n")
    assert path.read_bytes() == f"{NOTICE}\n".encode()
    assert hook_run([str(path)], capsysbinary) == (0, "")
