"""Tests of ``fixenc.lm`` against the committed tables (no corpora needed)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixenc import lm

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "fixenc" / "_tables"

# Everyday sentences per language group, none of them taken from the corpora.
CLEAN = {
    "zh-hans": "我们明天上午九点在学校门口集合，请大家准时到达。",
    "zh-hant": "我們明天上午九點在學校門口集合，請大家準時到達。",
    "yue": "我哋聽日朝早九點喺學校門口等，唔好遲到呀。",
    "ja": "明日の朝九時に学校の前に集まってください。",
    "ko": "내일 아침 아홉 시에 학교 앞에서 모여 주세요.",
    "code": '    // 如果文件不存在，返回空字符串\n    if (file == null) { return ""; }',
    "fr": "Le café était très agréable ce matin-là, près de la fenêtre.",
    "de": "Die Straße war nach dem Regen völlig überflutet und gefährlich.",
    "ru": "Завтра утром мы встретимся у входа в школу.",
    "el": "Αύριο το πρωί θα συναντηθούμε μπροστά στο σχολείο.",
}


def per_char(text: str) -> float:
    return lm.text_logprob(text) / len(text)


def test_import_loads_nothing() -> None:
    code = "import fixenc.lm as m, sys; sys.exit(int(m.is_loaded()))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    assert result.returncode == 0


def test_trigrams_load_only_to_guess() -> None:
    # Clean lines that reach the chains (a rare character, a choice among cp932's duplicated
    # characters) do not need the 2 MB trigram table; a lost byte does.
    code = (
        "import sys, fixenc\n"
        "from fixenc import lm\n"
        "for line in ['事王勿急退、勿怙惡、蓋王所悅者則行之、', '英国的市场规模是28亿英镑。']:\n"
        "    fixenc.repair(line)\n"
        "before = lm._trigrams.cache_info().currsize\n"
        "assert fixenc.fix('错误：鍙戦€佹垚鍔?') == '错误：发送成功'\n"
        "sys.exit(10 * before + lm._trigrams.cache_info().currsize)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    assert result.returncode == 1


def test_brief_examples() -> None:
    assert lm.text_logprob("你好") > lm.text_logprob("浣犲ソ") + 20
    assert lm.text_logprob("中文") > lm.text_logprob("ÖÐÎÄ") + 20
    assert lm.text_logprob("café") > lm.text_logprob("cafÃ©") + 10


@pytest.mark.parametrize("group", sorted(CLEAN))
def test_clean_text_is_plausible(group: str) -> None:
    # Per-character log-probabilities of clean text in every group sit in the same band
    # (calib averages: -3.1 for European, -3.8 ko, -4.0 ja, -4.5 zh-hans, -5.3 zh-hant).
    assert -7.0 < per_char(CLEAN[group]) < -2.0


@pytest.mark.parametrize("group", sorted(CLEAN))
@pytest.mark.parametrize(
    ("encoding", "wrong"), [("utf-8", "gbk"), ("utf-8", "big5"), ("utf-8", "cp1252")]
)
def test_mojibake_scores_lower(group: str, encoding: str, wrong: str) -> None:
    clean = CLEAN[group]
    broken = clean.encode(encoding).decode(wrong, "replace")
    assert broken != clean
    assert lm.text_logprob(clean) < 0
    assert lm.text_logprob(clean) > lm.text_logprob(broken)
    if not clean.isascii() and group not in {"fr", "de", "code"}:  # mostly non-ASCII text
        assert per_char(clean) > per_char(broken) + 2


@pytest.mark.parametrize("group", ["zh-hans", "zh-hant", "ja", "ko"])
def test_gbk_bytes_read_as_latin1(group: str) -> None:
    clean = CLEAN[group]
    broken = clean.encode("gb18030").decode("latin-1")
    assert per_char(clean) > per_char(broken) + 3


def test_backoff_by_kind() -> None:
    seen = lm.char_logprob("的")
    unseen_ideograph = lm.char_logprob("\U0002b81d")
    unseen_symbol = lm.char_logprob("\N{TIBETAN SIGN RNAM BCAD}")
    replacement = lm.char_logprob("\N{REPLACEMENT CHARACTER}")
    pua = lm.char_logprob("\ue5e5")
    control = lm.char_logprob("\x01")
    rarest = min(lm.char_logprob(c) for c in "Ϊ浣ソ")
    assert seen > rarest > unseen_ideograph > unseen_symbol > replacement > pua
    assert pua == control
    assert lm.char_logprob("\r") > pua  # a layout character, not a sign of damage


def test_start_of_text_and_context() -> None:
    assert lm.pair_logprob("", "的") < lm.pair_logprob("", "我")
    assert lm.pair_logprob("", "的") == lm.pair_logprob("\n", "的")
    assert lm.text_logprob("好", prev="你") == lm.pair_logprob("你", "好")
    assert lm.text_logprob("好", prev="中文你") == lm.pair_logprob("你", "好")
    assert lm.text_logprob("你", next="好。") == pytest.approx(
        lm.pair_logprob("", "你") + lm.pair_logprob("你", "好")
    )
    assert lm.text_logprob("", prev="你", next="好") == lm.pair_logprob("你", "好")


def test_next_logprob_backs_off_to_bigrams() -> None:
    # One character of context, none, or two never seen together: the bigram model alone.
    assert lm.next_logprob("", "的") == lm.pair_logprob("", "的")
    assert lm.next_logprob("你", "好") == lm.pair_logprob("你", "好")
    assert lm.next_logprob("\ue000\ue001", "好") == lm.pair_logprob("\ue001", "好")
    assert lm.next_logprob("一些中华", "民") == lm.next_logprob("中华", "民")
    # A stored context: what it was seen followed by gains, what it never was loses.
    assert lm.next_logprob("中华", "民") > lm.pair_logprob("华", "民") + 3
    assert lm.next_logprob("中华", "的") < lm.pair_logprob("华", "的")
    assert lm.next_logprob("中华", "的") == pytest.approx(
        math.log(1 - lm.TRIGRAM_LAMBDA) + lm.pair_logprob("华", "的"))
    with pytest.raises(ValueError, match="character"):
        lm.next_logprob("中华", "民族")


def test_trigram_distribution_is_sub_normalized() -> None:
    # The mass of the trigrams pruned from a context is not handed to the bigrams (measured:
    # redistributing it made end-of-line guesses less sure), so a stored context sums to
    # between 1 - TRIGRAM_LAMBDA and 1.
    vocabulary = lm._model().unigram
    for context in ("中华", "我们", "\n我", "です"):
        assert lm._trigrams().span(context[-2:]) is not None, context
        total = math.fsum(math.exp(lm.next_logprob(context, b)) for b in vocabulary)
        assert 1 - lm.TRIGRAM_LAMBDA < total < 1.01, context


def test_trigram_contexts_are_found_where_they_lie() -> None:
    # The contexts stay a sorted array of ord(a) << 32 | ord(b), binary-searched in place.
    tri = lm._trigrams()
    keys = tri.keys
    assert len(keys) == len(tri.ends) and list(keys) == sorted(set(keys))
    assert tri.ends[-1] == len(tri.successors) == len(tri.logps)
    for i in (0, 1, len(keys) // 2, len(keys) - 1):
        context = chr(keys[i] >> 32) + chr(keys[i] & 0xFFFFFFFF)
        lo, hi = tri.span(context) or (-1, -1)
        assert (lo, hi) == ((tri.ends[i - 1] if i else 0), tri.ends[i])
        successors = tri.successors[lo:hi]
        assert lo < hi and list(successors) == sorted(set(successors))
    for absent in ("\x00\x00", "\U0010ffff\U0010ffff", "\x01\x02"):  # controls: never stored
        assert tri.span(absent) is None


def test_conditional_distribution_sums_to_about_one() -> None:
    vocabulary = lm._model().unigram
    for a in ("的", "a", "", "。", "ж", "浣", "\U0002b81d"):
        total = math.fsum(math.exp(lm.pair_logprob(a, b)) for b in vocabulary)
        assert 0.9 < total < 1.01, a


@pytest.mark.parametrize(("a", "b"), [("ab", "c"), ("a", ""), ("a", "bc"), ("", "")])
def test_bad_arguments(a: str, b: str) -> None:
    with pytest.raises(ValueError, match="character"):
        lm.pair_logprob(a, b)


@pytest.mark.parametrize("ch", ["", "ab", "你好"])
def test_char_logprob_wants_one_character(ch: str) -> None:
    with pytest.raises(ValueError, match="one character"):
        lm.char_logprob(ch)


@given(st.text(max_size=40), st.text(max_size=3), st.text(max_size=3))
def test_text_is_sum_of_pairs(text: str, prev: str, nxt: str) -> None:
    chars = [prev[-1:], *text]
    expected = math.fsum(lm.pair_logprob(a, b) for a, b in zip(chars, text, strict=False))
    if nxt:
        expected += lm.pair_logprob(chars[-1], nxt[0])
    value = lm.text_logprob(text, prev=prev, next=nxt)
    assert value == pytest.approx(expected, abs=1e-9)
    assert value <= 0.0
    assert math.isfinite(value)


def test_committed_tables_within_size_limits() -> None:
    files = [p for p in TABLES.iterdir() if p.name != "__init__.py" and p.is_file()]
    assert {p.name for p in files} >= {"PROVENANCE.txt", "unigram.bin", "bigram.bin"}
    sizes = {p.name: p.stat().st_size for p in files}
    # The generators' own limits (scripts/build_tables.py, scripts/build_trigrams.py).
    assert sizes.pop("trigram.bin") <= 3_000_000
    assert max(sizes.values()) <= 2_300_000
    assert sum(sizes.values()) <= 4_500_000
    provenance = (TABLES / "PROVENANCE.txt").read_text(encoding="utf-8")
    assert "GENERATED, do not edit" in provenance
    assert "scripts/build_tables.py" in provenance
    for name in ("unigram.bin", "bigram.bin", "trigram.bin"):
        assert b"GENERATED" in (TABLES / name).read_bytes().split(b"\n", 1)[0]
