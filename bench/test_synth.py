"""Tests of the damage synthesis (no corpora and no working fixenc engine needed)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth
from bench_accuracy import levenshtein

FFFD = "\N{REPLACEMENT CHARACTER}"

LINES = {
    "zh-hans": ["发送成功", "中文测试，第1章：简体中文的句子。",
                "这是一个比较长的句子，用来生成长度超过三十个字符的测试文本，并且包含标点符号、数字123和English单词。"],
    "zh-hant": ["這是繁體中文", "臺灣的法律條文，第十二條規定如下：本法自公布日施行。",
                "繁體中文的長句子，用來產生超過三十個字元的測試文字，其中也有標點符號與數字456。"],
    "zh-parallel": ["头发", "頭髮"],
    "ja": ["日本語のテキスト", "これは日本語の文章です。テストのために書きました。",
           "長い日本語の文章を作るために、もう少し言葉を足して三十文字を超えるようにしています。"],
    "ko": ["한국어 텍스트", "이것은 한국어 문장입니다. 테스트를 위해 썼습니다.",
           "긴 한국어 문장을 만들기 위해서 조금 더 단어를 추가하여 삼십 글자를 넘도록 하고 있습니다."],
}


@pytest.mark.parametrize(("text", "chain", "dialect", "expected"), [
    ("发送成功", "utf8_read_as_gbk", "qmark", "鍙戦€佹垚鍔?"),
    ("发送成功", "utf8_read_as_gbk", "whatwg", f"鍙戦€佹垚鍔{FFFD}"),
    ("发送成功", "utf8_read_as_gbk", "python", f"鍙戦{FFFD}佹垚鍔{FFFD}"),
    ("你好", "utf8_read_as_gbk", "python", "浣犲ソ"),
    ("中文", "gbk_read_as_latin1", "python", "ÖÐÎÄ"),
    ("你好", "gbk_read_as_cp1252", "python", "ÄãºÃ"),
    ("中文", "big5_read_as_gbk", "python", "いゅ"),
    ("中文", "gbk_read_as_big5", "whatwg", "笢恅"),
    ("你好", "utf8_read_as_latin1", "python", "ä½\xa0å¥½"),
])
def test_known_mojibake(text: str, chain: str, dialect: synth.Dialect, expected: str) -> None:
    assert synth.damage(text, chain, dialect) == expected


def test_python_dialect_is_python() -> None:
    data = "发送成功，第1章 abc".encode()
    for codec in ("gbk", "cp950", "cp932", "cp949", "cp1252"):
        assert synth.decode(data, codec, "python").text == data.decode(codec, "replace")


def test_whatwg_gbk_rules() -> None:
    def whatwg(data: bytes) -> str:
        return synth.decode(data, "gbk", "whatwg").text

    assert whatwg(b"\x80") == "\N{EURO SIGN}"
    assert whatwg(b"\xaa\xa1") == "\ue000"  # user-defined cell → Private Use Area
    assert whatwg(b"\xa4 ") == f"{FFFD} "  # ASCII trail byte read again
    assert whatwg(b"\xa4\xff") == FFFD  # non-ASCII trail byte consumed
    assert whatwg(b"\xa4") == FFFD
    assert whatwg(b"\x81\x30\x81\x30") == "\x80"  # a four-byte GB18030 sequence
    assert whatwg(b"\x81\x30\x20") == f"{FFFD}0 "  # bad third byte: only the lead is lost
    assert whatwg(b"\xad\x31") == FFFD  # unfinished four-byte sequence at the end


def test_whatwg_gbk_matches_gb18030_on_valid_bytes() -> None:
    rng = random.Random(3)
    for _ in range(300):
        cells = [bytes([rng.randrange(0x81, 0xFF), rng.choice([*range(0x40, 0x7F),
                                                             *range(0x80, 0xFF)])])
                 for _ in range(rng.randint(1, 20))]
        data = b"".join(cells)
        assert synth.decode(data, "gbk", "whatwg") == (data.decode("gb18030"), 0)


def test_whatwg_other_double_byte_rules() -> None:
    assert synth.decode(b"\x81A", "cp950", "whatwg").text == f"{FFFD}A"
    assert synth.decode(b"\x81\xa1", "cp950", "whatwg").text == FFFD
    assert synth.decode(b"\x88a", "cp932", "whatwg").text == f"{FFFD}a"
    assert synth.decode(b"\x80\xa0\xb1", "cp932", "whatwg").text == f"\x80{FFFD}ｱ"
    assert synth.decode(b"\xc9\xa1", "cp949", "whatwg").text == FFFD
    assert synth.decode(b"\xb0\xa1", "cp949", "whatwg").text == "가"


def test_qmark_dialects() -> None:
    assert synth.decode(b"\xa4 x", "gbk", "qmark") == ("? x", 1)
    assert synth.decode(b"\xa4 x", "gbk", "qmark_swallow") == ("?x", 1)
    assert synth.decode(b"\xa4\xa4\xa4", "gbk", "qmark_swallow") == ("い?", 1)


def test_cp1252_dialects() -> None:
    data = bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0x80])
    assert synth.decode(data, "cp1252", "whatwg") == ("\x81\x8d\x8f\x90\x9d€", 0)
    assert synth.decode(data, "cp1252", "python") == (FFFD * 5 + "€", 5)


def test_holes_count_lost_bytes() -> None:
    detail = synth.damage_detail("发送成功", "utf8_read_as_gbk", "python")
    assert detail == (f"鍙戦{FFFD}佹垚鍔{FFFD}", 2)
    assert synth.damage_detail("中文", "big5_read_as_gbk", "python") == ("いゅ", 0)


def test_unencodable_gives_none() -> None:
    assert synth.damage("한국어", "gbk_read_as_latin1", "python") is None
    assert synth.damage("头发", "big5_read_as_gbk", "python") is None
    assert synth.damage_twice("中文", "gbk_read_as_latin1", "python") is None


def test_damage_twice() -> None:
    once = synth.damage("中文", "utf8_read_as_gbk", "qmark")
    assert once is not None
    assert synth.damage_twice("中文", "utf8_read_as_gbk", "qmark") == synth.damage(
        once, "utf8_read_as_gbk", "qmark")


def test_dialects_for_every_chain() -> None:
    for name in synth.CHAINS:
        dialects = synth.dialects_for(name)
        assert dialects and dialects[0] == "python"
        for dialect in dialects:
            assert synth.damage("中文", name, dialect) is None or isinstance(
                synth.damage("中文", name, dialect), str)


def _cases(seed: int) -> list[dict[str, object]]:
    return synth.make_cases(LINES, random.Random(seed), per_cell=2, spans=2, mixed=2,
                            twice=2, clean=1)


def test_make_cases_is_deterministic() -> None:
    assert _cases(7) == _cases(7)
    assert _cases(7) != _cases(8)


def test_make_cases_covers_every_chain_dialect_bucket() -> None:
    cases = _cases(1)
    whole = {(c["chain"], c["dialect"], c["bucket"]) for c in cases if c["kind"] == "whole"}
    for name in synth.CHAINS:
        for dialect in synth.dialects_for(name):
            for bucket in synth.BUCKETS:
                assert (name, dialect, bucket) in whole
    kinds = {c["kind"] for c in cases}
    assert kinds == {"whole", "span", "mixed", "twice", "clean"}


def test_make_cases_are_consistent() -> None:
    for case in _cases(2):
        truth, damaged = case["truth"], case["damaged"]
        assert isinstance(truth, str) and isinstance(damaged, str)
        lo, hi = synth.BUCKETS[str(case["bucket"])]
        if case["kind"] in ("whole", "twice", "clean"):
            assert lo <= len(truth) <= hi
        if case["kind"] == "clean":
            assert damaged == truth and case["spans"] == []
            continue
        assert damaged != truth
        chain, dialect = str(case["chain"]), case["dialect"]
        assert dialect in synth.dialects_for(chain)
        spans = case["spans"]
        assert isinstance(spans, list)
        if case["kind"] == "whole":
            assert damaged == synth.damage(truth, chain, dialect)  # type: ignore[arg-type]
        elif case["kind"] == "twice":
            assert damaged == synth.damage_twice(truth, chain, dialect)  # type: ignore[arg-type]
        else:
            assert len(spans) == (1 if case["kind"] == "span" else 2)
            # Clean text before the first span, between spans and after the last one.
            s0, el = spans[0][0], spans[-1][1]
            assert s0 >= 1 and damaged[:s0] == truth[:s0]
            assert el < len(damaged) and damaged[el:] == truth[len(truth) - (len(damaged) - el):]
            for start, end in spans:
                assert 0 <= start < end <= len(damaged)


def test_levenshtein_matches_dynamic_programming() -> None:
    def slow(a: str, b: str) -> int:
        prev = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            cur = [i]
            for j, cb in enumerate(b, 1):
                cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
            prev = cur
        return prev[-1]

    rng = random.Random(0)
    for _ in range(2000):
        a = "".join(rng.choice("ab中文?") for _ in range(rng.randint(0, 70)))
        b = "".join(rng.choice("ab中文?") for _ in range(rng.randint(0, 70)))
        assert levenshtein(a, b) == slow(a, b)
