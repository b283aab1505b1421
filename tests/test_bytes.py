"""Bytes in: ``fixenc.repair_bytes``, ``fixenc.detect_encoding`` and line-by-line decoding.

The texts are written here; the detection benchmark (``bench/bench_detect.py``) measures
accuracy on held-out corpus text.
"""

from __future__ import annotations

import codecs
import io

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import fixenc
from fixenc import bytes_in, fileio
from fixenc.bytes_in import decode_bytes, read_segments_auto
from fixenc.detect import detect_encoding

ZH_HANS = "会议将在下午三点准时开始，请大家不要迟到。"
ZH_HANT = "會議將在下午三點準時開始，請大家不要遲到。"
JA = "会議は午後三時に始まりますので、遅れないでください。"
KO = "회의는 오후 세 시에 시작하니 늦지 마세요."
FR = "Le café est prêt, à tout à l'heure."

LEGACY_CASES = [
    (ZH_HANS, "gbk"),
    (ZH_HANS, "gb18030"),
    (ZH_HANT, "big5"),
    (ZH_HANT, "cp950"),
    (JA, "shift_jis"),
    (JA, "cp932"),
    (JA, "euc_jp"),
    (KO, "euc_kr"),
    (KO, "cp949"),
    (FR, "cp1252"),
]


def decodes_same(data: bytes, codec: str | None, text: str) -> bool:
    assert codec is not None
    return data.decode(codec) == text


# --- BOM and UTF ---------------------------------------------------------------------------

@pytest.mark.parametrize(("bom", "codec", "expected"), [
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
])
def test_bom_variants(bom: bytes, codec: str, expected: str) -> None:
    data = bom + f"{ZH_HANS}\r\nline two\n".encode(codec)
    rep = fixenc.repair_bytes(data)
    assert rep.text == f"{ZH_HANS}\r\nline two\n"  # the BOM is not part of the text
    assert rep.encoding == expected
    assert rep.detection is not None and rep.detection.method == "bom"
    assert fixenc.detect_encoding(data).encoding == expected


def test_utf16_without_bom_is_recognised_by_its_nul_bytes() -> None:
    for codec in ("utf-16-le", "utf-16-be"):
        data = f"hello, {ZH_HANS}\n".encode(codec)
        rep = fixenc.repair_bytes(data)
        assert (rep.text, rep.encoding) == (f"hello, {ZH_HANS}\n", codec)


def test_valid_utf8_is_utf8_and_repaired() -> None:
    damaged = "在下周五之前提交你的项目报告".encode().decode("gbk")
    rep = fixenc.repair_bytes(f"注意：{damaged}".encode())
    plain = fixenc.repair(f"注意：{damaged}")
    assert (rep.text, rep.fixes) == (plain.text, plain.fixes)
    assert rep.text == "注意：在下周五之前提交你的项目报告"
    assert rep.encoding == "utf-8" and rep.line_encodings == ()


def test_utf8_bom_with_a_bad_byte_keeps_offsets_right() -> None:
    data = codecs.BOM_UTF8 + "好".encode() + b"\xff"
    rep = fixenc.repair_bytes(data)
    (bad,) = rep.fixes
    assert (bad.kind, bad.start, bad.evidence["byte_offset"]) == ("undecodable_bytes", 1, 6)


# --- legacy codecs -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "codec"), LEGACY_CASES)
def test_each_legacy_codec(text: str, codec: str) -> None:
    data = text.encode(codec)
    rep = fixenc.repair_bytes(data)
    assert rep.text == text
    assert decodes_same(data, rep.encoding, text)
    assert rep.line_encodings == ()
    detection = fixenc.detect_encoding(data)
    assert detection.method == "statistics"
    assert detection.confidence > 0.9
    assert all(alt != detection.encoding for alt, _ in detection.alternatives)


@pytest.mark.parametrize(("text", "codec"), [
    ("你好", "gbk"), ("中文测试", "gbk"), ("繁體", "big5"), ("說明書", "big5"),
    ("テスト", "shift_jis"), ("日本語", "euc_jp"), ("한국어", "euc_kr"), ("café", "cp1252"),
    ("数据：", "gbk"), ("錯誤", "big5"),
])
def test_short_inputs(text: str, codec: str) -> None:
    data = text.encode(codec)
    assert len(data) <= 10
    assert decodes_same(data, fixenc.detect_encoding(data).encoding, text)


def test_prefix_cut_inside_a_character() -> None:
    data = (ZH_HANS * 3).encode("gbk")[:-1]
    assert fixenc.detect_encoding(data, final=False).encoding == "gb18030"


def test_forced_encoding_wins_and_escapes_what_it_cannot_decode() -> None:
    data = "中文".encode("gbk") + b"\xff\n"
    rep = fixenc.repair_bytes(data, encoding="GBK")
    assert rep.encoding == "gbk" and rep.detection is not None
    assert rep.detection.method == "forced"
    assert rep.text == "中文\udcff\n"
    assert [(f.kind, f.start, f.evidence["byte_offset"]) for f in rep.fixes] == [
        ("undecodable_bytes", 2, 4)]


def test_repair_runs_on_the_decoded_text() -> None:
    data = f"{ZH_HANS}\n数据：锟斤拷锟斤拷\n".encode("gbk")
    rep = fixenc.repair_bytes(data)
    assert rep.encoding == "gb18030"
    assert [f.kind for f in rep.fixes] == ["fffd_read_as_gbk"]


def test_gbk_saved_mojibake_is_the_utf8_it_came_from() -> None:
    # UTF-8 read as GBK and saved as GBK gives back the UTF-8 bytes: that line is UTF-8.
    damaged = "在下周五之前提交你的项目报告".encode().decode("gbk")
    data = f"{ZH_HANS}\n{damaged}\n".encode("gbk")
    rep = fixenc.repair_bytes(data)
    assert rep.text == f"{ZH_HANS}\n在下周五之前提交你的项目报告\n"
    assert [e.encoding for e in rep.line_encodings] == ["gb18030", "utf-8"]


# --- mixed files ---------------------------------------------------------------------------

def test_utf8_file_with_gbk_lines_appended() -> None:
    utf8_lines = [f"2024-05-0{i} 启动服务，端口 80{i}\n" for i in range(1, 6)]
    gbk_lines = ["2024-05-06 连接数据库失败\n", "重试\n", "好\n", "ok\n",
                 "2024-05-06 服务已停止\n"]
    data = b"".join(line.encode() for line in utf8_lines)
    data += b"".join(line.encode("gbk") for line in gbk_lines)
    rep = fixenc.repair_bytes(data)
    assert rep.text == "".join(utf8_lines + gbk_lines)  # every line right
    assert rep.fixes == ()
    assert rep.line_encodings == (
        fixenc.LineEncoding(line=1, start=0, encoding="utf-8"),
        fixenc.LineEncoding(line=6, start=sum(map(len, utf8_lines)), encoding="gb18030"),
    )


def test_interleaved_lines_and_short_utf8_lookalikes() -> None:
    # GBK C8 BB (然) is valid UTF-8 (U+023B): in a file where GBK prevails it is GBK.
    lines = [("第一行是 UTF-8 编码的日志\n", "utf-8"), ("然\n", "gbk"),
             ("第三行又是 GBK 编码的\n", "gbk"), ("准\n", "gbk"), ("回到 UTF-8\n", "utf-8")]
    data = b"".join(text.encode(codec) for text, codec in lines)
    assert decode_bytes(data).text == "".join(text for text, _ in lines)


def test_big5_lines_in_a_utf8_file() -> None:
    data = f"{ZH_HANS}\n".encode() + f"{ZH_HANT}\n".encode("big5")
    rep = fixenc.repair_bytes(data)
    assert rep.text == f"{ZH_HANS}\n{ZH_HANT}\n"
    assert [e.encoding for e in rep.line_encodings] == ["utf-8", "cp950"]


def test_whole_gbk_file_is_one_encoding() -> None:
    data = "".join(f"第{i}行：{ZH_HANS}\n" for i in range(50)).encode("gbk")
    rep = fixenc.repair_bytes(data)
    assert rep.encoding == "gb18030" and rep.line_encodings == ()
    assert rep.text.count("\n") == 50


# --- undecodable, empty, binary ------------------------------------------------------------

def test_lone_bad_bytes_are_reported_with_position_and_kept() -> None:
    data = "第一行\n".encode() + "坏字节".encode() + b"\xff\xfe" + "在这里\n".encode()
    data += "截断的字符".encode()[:-1]  # the last character cut in half
    rep = fixenc.repair_bytes(data)
    found = [(f.kind, f.start, f.end, f.evidence["byte_offset"], f.evidence["bytes"])
             for f in rep.fixes]
    assert found == [("undecodable_bytes", 7, 9, 19, 2),
                     ("undecodable_bytes", 17, 19, 43, 2)]
    assert all(f.unrecoverable and not f.applied for f in rep.fixes)
    assert rep.text.encode("utf-8", "surrogateescape") == data  # nothing lost
    assert rep.encoding == "utf-8"


def test_a_stray_byte_in_a_gbk_file_leaves_the_line_gbk() -> None:
    data = ("第一行中文测试\n第二行有一个坏字节".encode("gbk") + b"\xff"
            + "在这里\n第三行\n".encode("gbk"))
    rep = fixenc.repair_bytes(data)
    assert rep.text == "第一行中文测试\n第二行有一个坏字节\udcff在这里\n第三行\n"
    assert (rep.encoding, rep.line_encodings) == ("gb18030", ())
    assert [(f.kind, f.start, f.evidence["byte_offset"]) for f in rep.fixes] == [
        ("undecodable_bytes", 17, 33)]
    assert fixenc.detect_encoding("坏字节".encode("gbk") + b"\xff").encoding == "gb18030"


def test_byte_offsets_in_a_mixed_file_with_a_bom() -> None:
    data = codecs.BOM_UTF8 + "一行\n".encode() + "二行中文\n".encode("gbk") + "三".encode()
    data += b"\xff\n"
    rep = fixenc.repair_bytes(data)
    assert rep.text == "一行\n二行中文\n三\udcff\n"
    assert [(e.line, e.encoding) for e in rep.line_encodings] == [
        (1, "utf-8"), (2, "gb18030"), (3, "utf-8")]
    (bad,) = rep.fixes
    assert (bad.start, bad.evidence["byte_offset"]) == (9, data.index(b"\xff"))


def test_empty_input() -> None:
    rep = fixenc.repair_bytes(b"")
    assert (rep.text, rep.encoding, rep.fixes, rep.line_encodings) == ("", "utf-8", (), ())
    assert fixenc.detect_encoding(b"").encoding == "utf-8"


def test_binary_input_is_not_repaired_and_nothing_is_lost() -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    rep = fixenc.repair_bytes(data)
    assert rep.detection is not None and rep.detection.method == "binary"
    assert not rep.changed
    assert rep.text.encode("utf-8", "surrogateescape") == data


def test_str_is_refused_with_a_hint() -> None:
    with pytest.raises(TypeError, match="for str use repair"):
        fixenc.repair_bytes("中文")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes bytes, not str"):
        fixenc.detect_encoding("中文")  # type: ignore[arg-type]
    assert fixenc.detect_encoding(bytearray("中文".encode("gbk"))).encoding == "gb18030"


# --- properties ----------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
@example(b"\xff")
@example(b"\x00\xd8")
@example(b"\xef\xbb\xbf\xff")
@example(b"\xff\xfe\x00")
def test_repair_bytes_never_raises(data: bytes) -> None:
    rep = fixenc.repair_bytes(data)
    assert isinstance(rep.text, str)
    assert rep.encoding is not None
    codecs.lookup(rep.encoding)
    for fix in rep.fixes:
        assert rep.original[fix.start:fix.end] == fix.original


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
@example("\x81\x80²÷")
def test_valid_utf8_equals_repair_of_the_text(text: str) -> None:
    data = text.encode("utf-8")
    # A BOM is stripped, as a BOM; a NUL byte makes data binary (not repaired), as in the CLI.
    assume(not data.startswith(codecs.BOM_UTF8) and "\0" not in text)
    rep = fixenc.repair_bytes(data)
    plain = fixenc.repair(text)
    assert (rep.original, rep.text, rep.fixes) == (plain.original, plain.text, plain.fixes)
    assert rep.encoding == "utf-8"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["启动服务", "连接失败", "重试", "ok", "数据", "端口 80"]),
                min_size=1, max_size=8),
       st.lists(st.booleans(), min_size=8, max_size=8))
def test_mixed_lines_round_trip(lines: list[str], as_gbk: list[bool]) -> None:
    data = b"".join(f"{line}\n".encode("gbk" if g else "utf-8")
                    for line, g in zip(lines, as_gbk, strict=False))
    assert decode_bytes(data).text == "".join(f"{line}\n" for line in lines)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="中文测试数据\n ab", max_size=30), st.binary(min_size=1, max_size=3))
def test_utf8_with_stray_bytes_loses_nothing(text: str, junk: bytes) -> None:
    data = text.encode() + b"\xff" + junk + text.encode()
    decoded = decode_bytes(data)
    if decoded.encoding == "utf-8" and not decoded.line_encodings:
        assert decoded.text.encode("utf-8", "surrogateescape") == data


# --- streaming -----------------------------------------------------------------------------

def test_read_segments_auto_streams_mixed_lines() -> None:
    data = "一行\r\n".encode() + "二行\r\n".encode("gbk") + b"tail"
    segs = list(read_segments_auto(io.BytesIO(data)))
    assert [(s.text, s.encoding) for s in segs] == [
        ("一行\r\n", "utf-8"), ("二行\r\n", "gb18030"), ("tail", "utf-8")]
    assert b"".join(s.raw for s in segs) == data


def test_read_segments_auto_keeps_the_utf8_bom() -> None:
    data = codecs.BOM_UTF8 + "标题\n".encode()
    (seg,) = read_segments_auto(io.BytesIO(data))
    assert (seg.bom, seg.text, seg.encoding) == (codecs.BOM_UTF8, "标题\n", "utf-8")


def test_read_segments_auto_refuses_utf16_and_binary() -> None:
    with pytest.raises(fileio.UndecodableInput, match="UTF-16"):
        list(read_segments_auto(io.BytesIO(codecs.BOM_UTF16_LE + "中文\n".encode("utf-16-le"))))
    with pytest.raises(fileio.BinaryInput):
        list(read_segments_auto(io.BytesIO(b"abc\0def\n")))


def test_read_segments_auto_prior_comes_from_a_bounded_prefix() -> None:
    # The prefix seeds the prior; a short GBK line far beyond it still goes with the file.
    body = "".join(f"{i} {ZH_HANS}\n" for i in range(4000)).encode("gbk")
    assert len(body) > bytes_in.SAMPLE_BYTES
    data = body + "好\n".encode("gbk")
    segs = list(read_segments_auto(io.BytesIO(data)))
    assert {s.encoding for s in segs} == {"gb18030"}
    assert segs[-1].text == "好\n"


def test_detection_confidence_is_a_probability() -> None:
    for text, codec in LEGACY_CASES:
        d = detect_encoding(text[:3].encode(codec))
        assert 0.0 <= d.confidence <= 1.0
        assert d.confidence + sum(p for _, p in d.alternatives) <= 1.01
        assert len(d.alternatives) <= 5


@pytest.mark.parametrize(("text", "codec"), [
    ("Привет, как дела?", "cp1251"), ("Привет, как дела?", "koi8-r"),
    ("Καλημέρα σε όλους", "cp1253")])
def test_other_code_pages_are_a_fallback(text: str, codec: str) -> None:
    data = text.encode(codec)
    assert decodes_same(data, fixenc.detect_encoding(data).encoding, text)
    assert fixenc.repair_bytes(data).text == text


def test_stray_byte_beside_mojibake_does_not_block_its_repair() -> None:
    """A byte kept as a lone surrogate ends the line for the evidence (found by issue #5)."""
    data = "浣犲ソ".encode() + b"\xff" + "，鍙戦€佹垚鍔?".encode()
    rep = fixenc.repair_bytes(data)
    assert rep.text == "你好\udcff，发送成功"
    assert [f.kind for f in rep.fixes if f.applied].count("utf8_read_as_gbk") >= 2
    assert any(f.kind == "undecodable_bytes" for f in rep.fixes)
