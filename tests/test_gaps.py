"""Deleted Private Use characters in UTF-8 read as GBK (:mod:`fixenc.gaps`)."""

from __future__ import annotations

import pytest

import fixenc
from fixenc.bytemaps import GAP, GAP_CHAR, encode_text, is_gap_pair
from fixenc.gaps import find_gaps
from fixenc.results import Step
from fixenc.steps import apply_steps, insert_gaps


def _browser_then_dropped(text: str) -> tuple[str, list[int]]:
    """``text`` as UTF-8 read by a GB18030 decoder, its Private Use characters deleted, and
    where each deleted one stood (offsets into the result)."""
    read = text.encode("utf-8").decode("gb18030", "replace")
    kept: list[str] = []
    where: list[int] = []
    for ch in read:
        if "\ue000" <= ch <= "\uf8ff":
            where.append(len(kept))
        else:
            kept.append(ch)
    return "".join(kept), where


# Phrases of UI text and prose whose mojibake loses one or two separate Private Use
# characters; each gap is found where it was.
FOUND = ["中文", "错误", "修改密码", "支持中文", "用户名或密码错误", "个人中心",
         "下载失败，请稍后重试", "这个问题已经解决了"]  # the last: two in a row


@pytest.mark.parametrize("text", FOUND)
def test_gaps_found_where_the_characters_were_deleted(text: str) -> None:
    damaged, where = _browser_then_dropped(text)
    assert where, "the phrase should lose a Private Use character"
    slots = encode_text(damaged, "gbk")
    assert find_gaps(slots, 0, len(slots)) == where


@pytest.mark.parametrize("text", ["文件不存在", "网络连接失败", "保存成功", "我们明天见"])
def test_no_gap_where_nothing_was_deleted(text: str) -> None:
    damaged, where = _browser_then_dropped(text)
    assert where == []
    slots = encode_text(damaged.replace("\ufffd", ""), "gbk")
    assert find_gaps(slots, 0, len(slots)) == []


@pytest.mark.parametrize("text", ["中文", "修改密码", "支持中文", "用户名或密码错误"])
def test_repaired_with_replayable_gap_steps(text: str) -> None:
    damaged, _ = _browser_then_dropped(text)
    result = fixenc.repair(damaged)
    assert result.text == text
    for fix in result.fixes:
        assert apply_steps(fix.original, fix.steps) == fix.replacement
    assert any(fix.steps[0].action == "gap" for fix in result.fixes)


def test_clean_text_with_mojibake_characters_keeps_them() -> None:
    # 涓 is a real character (涓涓细流, a trickle) and the commonest first character of
    # UTF-8 read as GBK; without a break in the bytes around it, no gap is made up.
    for text in ("涓涓细流，汇成江海。", "浣熊和涓涓细流", "中文网页"):
        assert fixenc.repair(text).text == text


def test_gap_slot_and_pairs() -> None:
    assert encode_text(GAP_CHAR, "gbk") == [GAP]
    assert encode_text(GAP_CHAR, "big5") == [None]  # only GBK decoders made them
    assert is_gap_pair(b"\xaf\xaf") and is_gap_pair(b"\xfe\xfe") and is_gap_pair(b"\xa2\xab")
    assert not is_gap_pair(b"\xb0\xa1") and not is_gap_pair(b"\xaf") and not is_gap_pair(b"\x80\x80")


def test_gap_step_replays_and_checks_its_offsets() -> None:
    assert insert_gaps("涓枃", [1]) == "涓" + GAP_CHAR + "枃"
    steps = [Step("gap", "2"), Step("encode", "fixenc:gbk"), Step("fill", "afaf"),
             Step("decode", "utf-8")]
    assert apply_steps("閿欒", steps) == "错误"
    with pytest.raises(ValueError, match="outside"):
        apply_steps("閿欒", [Step("gap", "3"), *steps[1:]])
    with pytest.raises(ValueError, match="fill step"):  # a gap is a hole: it needs its fill
        apply_steps("閿欒", [Step("gap", "2"), Step("encode", "fixenc:gbk"),
                              Step("decode", "utf-8")])
