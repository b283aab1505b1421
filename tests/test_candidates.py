"""Candidate generation around lost bytes (fixenc.candidates), apart from the fitted model.

The damaged strings are made here from our own words, with the decoders that break them.
"""

from __future__ import annotations

import pytest

from fixenc import apply_steps
from fixenc.bytemaps import encode_text
from fixenc.candidates import _replay_cut, _replays, chain_candidates
from fixenc.chains import CHAINS
from fixenc.lossy import decode_holes
from fixenc.repair import screen_line


def _candidates(damaged: str, chain: str) -> list[tuple[str, str]]:
    hits, _, _ = screen_line(damaged)
    found = chain_candidates(damaged, hits, CHAINS[chain])
    for cand in found:
        assert apply_steps(cand.original, cand.steps) == cand.replacement
    return [(c.original, c.replacement) for c in found]


@pytest.mark.parametrize(("text", "chain", "codec"), [
    ("谨慎", "utf8_read_as_shift_jis", "cp932"),  # 慎 lost its last byte: a guess
    ("退出", "utf8_read_as_gbk", "gbk"),  # both characters lost a byte
])
def test_a_two_character_repair_with_a_guess_stays_whole(text: str, chain: str,
                                                         codec: str) -> None:
    # Split at its guess, the stretch gave two one-character pieces, and a piece of one
    # character needs a longer repair around it: neither was a candidate (session 11).
    damaged = text.encode("utf-8").decode(codec, "replace")
    assert (damaged, text) in _candidates(damaged, chain)


def test_lost_characters_whose_bytes_join_do_not_lose_the_segment() -> None:
    # UTF-8 read as Korean cp949 loses about half its bytes; two characters given up as
    # lost read as another one when their bytes are joined (the lost 检 and the lost bytes
    # after it), and the whole segment used to be dropped for it.  The text is repaired up
    # to that join, and on after it.
    text = "系统检测到您的账户存在异常登录。"
    damaged = text.encode("utf-8").decode("cp949", "replace")
    slots = encode_text(damaged, "cp949")
    decoded = decode_holes(slots, "utf-8", guess=True)
    assert decoded is not None and not _replays(decoded, "utf-8")
    assert 0 < _replay_cut(slots[:decoded.used], decoded, "utf-8") < decoded.used
    found = [new for _, new in _candidates(damaged, "utf8_read_as_euc_kr")]
    assert "存在异常" in found
    assert any(new.startswith("系统") for new in found)


def test_lost_known_bytes_replay() -> None:
    # A continuation byte whose lead was lost is a lost character without a hole: its
    # repair replays only through a lenient decode (an empty fill before it).
    # 用户名或密码不正确，请再试一次。 in UTF-8, read by a browser's Shift_JIS decoder
    # (bench/synth.py, dialect whatwg): of 码 (E7 A0 81), E7 went into a U+FFFD with the
    # byte before it, A0 into one of its own, and 81 took 不's first byte E4 into ∽, so
    # the repair from ∽ on starts with a lost character that no hole stands for.
    damaged = "逕ｨ謌ｷ蜷肴�蟇��∽ｸ肴ｭ｣遑ｮ�瑚ｯｷ蜀崎ｯ穂ｸ\x80谺｡縲�"
    found = _candidates(damaged, "utf8_read_as_shift_jis")  # each one replays
    assert ("∽ｸ肴ｭ｣遑ｮ", "\ufffd不正确") in found


def test_replay_cut_finds_the_first_join() -> None:
    text = "你好世界"
    slots = encode_text(text.encode("utf-8").decode("gbk"), "gbk")
    decoded = decode_holes(slots, "utf-8", guess=True)
    assert decoded is not None and decoded.text == text
    assert _replays(decoded, "utf-8")
    assert _replay_cut(slots, decoded, "utf-8") == len(slots)


def test_no_guess_is_a_special_character() -> None:
    # 锟 is EF BF, the first two bytes of U+FFFD read as GBK.  With its last byte lost at
    # the end of a line (a U+FFFD read as GBK twice), the only characters E F BF ?? can be
    # are the Specials (U+FFF0-U+FFFF), which are no text: it used to come back as U+FFFC
    # OBJECT REPLACEMENT CHARACTER, sure of itself.
    damaged = "相关图里。".encode().decode("gbk", "replace")
    damaged = damaged.encode("utf-8").decode("gbk", "replace")
    assert damaged.endswith("锟\ufffd")
    for _, new in _candidates(damaged, "utf8_read_as_gbk"):
        assert not any("\ufff0" <= ch <= "\uffff" and ch != "\ufffd" for ch in new)


def test_two_layer_guesses_carry_their_posterior() -> None:
    # The inner undo of two layers guesses in Chinese context, with the line's ends as
    # context: its least posterior is evidence for the confidence model, where it used to
    # be 1.0 whatever was guessed.
    from fixenc.repair import _twice_candidates

    text = "今天天气很好，我们去公园散步吧"
    once = text.encode("utf-8").decode("gbk", "replace")
    damaged = once.encode("utf-8").decode("gbk", "replace")
    hits, _, _ = screen_line(damaged)
    found = _twice_candidates(damaged, hits, CHAINS["utf8_read_as_gbk"])
    guessed = [c for c in found if c.guessed]
    assert guessed
    for cand in guessed:
        assert 0.0 < cand.guess_min < 1.0
        assert cand.fallback is None or cand.fallback.guess_min == 1.0
        assert apply_steps(cand.original, cand.steps) == cand.replacement


def test_big5_readings_have_no_kana() -> None:
    # い道 in EUC-JP read as GBK is い苹 (A4 A4 C6 BB), which Big5 reads as 中し: C6 BB is
    # one of the kana of the ETEN extension of Big5, which Chinese text does not use.  That
    # reading was applied at 0.96 on the benchmark (session 12), further from the truth
    # than the input.
    damaged = "い道".encode("euc_jp").decode("gbk")
    assert damaged == "い苹"
    assert _candidates(damaged, "big5_read_as_gbk") == []
    # Big5 text read as GBK is still repaired where it reads as Chinese.
    assert ("羉砰いゅ", "繁體中文") in _candidates("羉砰いゅ", "big5_read_as_gbk")


def test_a_browser_reading_shift_jis_rejects_a0() -> None:
    # A browser (WHATWG Shift_JIS) rejects A0, which Python's cp932 reads as U+F8F0.  The
    # A0 of 你 (E4 BD A0) lost that way was no possible guess when the byte after it made
    # Python's decoder fail too (A0 E5: U+F8F0, then a cut-short E5): 你 came back as 但
    # (E4 BD 86), sure of itself.
    from fixenc.lossy import rejects

    assert rejects("cp932", b"\xa0\xe5") and rejects("cp932", b"\xa0")
    assert not rejects("cp932", b"\x88\xe4")  # 0x88 0xE4 is a kanji: no hole
    damaged = "好的，你先走".encode().decode("cp932", "replace").replace("\uf8f0", "\ufffd")
    found = [new for _, new in _candidates(damaged, "utf8_read_as_shift_jis")]
    assert "，你" in found and not any("但" in new for new in found)


def test_a_question_mark_between_hanzi_is_no_literal() -> None:
    # A decoder that writes "?" for what it cannot read: between two characters that are
    # not ASCII, the "?" is such a character (guessed or declared lost), not the text's own
    # question mark kept as if it were recovered (我们一?吃饭 for 我们一起吃饭).  At the end of
    # a line, or before ASCII, it may be either.
    from fixenc.bytemaps import QMARK

    inside = decode_holes([*encode_text("我们一", "gbk"), QMARK, *encode_text("吃饭", "gbk")],
                          "gbk", guess=False)
    assert inside is not None and inside.text == "我们一\ufffd吃饭" and inside.lost == 1
    end = decode_holes([*encode_text("你好吗", "gbk"), QMARK], "gbk", guess=False)
    assert end is not None and end.text == "你好吗?" and end.lost == 0


def test_a_weak_guess_before_a_stray_continuation_byte_falls_back_to_lost() -> None:
    # 这个问题已经解决 read with Python's gbk codec: 决 (E5 86 B3) lost its B3, and the clean
    # 公 after it is B9 AB in GBK, whose B9 is a UTF-8 continuation byte.  Given up, the
    # known E5 86 would merge with that B9 if the whole segment were decoded at once, so
    # the segment used to offer no fallback at all, and an unsure guess left the mojibake
    # (鍐�) in the text; the piece alone replays as U+FFFD.
    damaged = "这个问题已经解决".encode().decode("gbk", "replace") + "公司"
    pieces = [c for c in chain_candidates(damaged, screen_line(damaged)[0],
                                          CHAINS["utf8_read_as_gbk"]) if c.guessed]
    assert pieces and all(c.fallback is not None for c in pieces)
    for cand in pieces:
        assert cand.fallback is not None
        assert apply_steps(cand.original, cand.fallback.steps) == cand.fallback.replacement
        assert cand.fallback.replacement.count("\ufffd") == cand.fallback.lost
