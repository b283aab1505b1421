"""The screen's quick path and which chains a line's hits make worth trying (no corpora).

Both are speed work that must not change what is found: ``has_suspect`` rules clean text
out with one scan (session 8), and kana that read as part of a word do not make every
chain whose mojibake has kana worth trying on Japanese text.
"""

from __future__ import annotations

import importlib

import pytest

import fixenc
from fixenc import screen

repair_module = importlib.import_module("fixenc.repair")


@pytest.mark.parametrize(("text", "expected"), [
    ("你好，世界。", False),
    ("café, naïve — “quoted”", False),
    ("浣犲ソ", True),  # a suspect character
    ("ÖÐÎÄ", True),  # two strong single-byte characters
    ("中文??", True),  # lost bytes beside text, no suspect character at all
    ("中文 中文 测试", True),  # the spaced rule fires (worth_a_look passes it over)
    ("傍瘤 荤亲", True),  # the spaced rule: Korean read as GBK
    ("오늘 朝揪啊 아주 좋네요.", True),  # the hanja rule
    ("内存锟斤拷", True),  # damage
    ("日本語のテキスト", True),  # kana are suspects (Big5 read as GBK makes them)
])
def test_has_suspect_quick_path_agrees_with_the_rules(text: str, expected: bool) -> None:
    assert screen.has_suspect(text) is expected
    assert (screen.suspect_re().search(text) is not None) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("CAMPAÃ‘A DE VERANO", True),  # Ñ (C3 91) read as cp1252: Ã and a quotation mark
    ("Vous Ã\xa0 Paris", True),  # à (C3 A0) read as Latin-1: Ã and a no-break space
    ("Итоги вЂ“ отчёт", True),  # an en dash (E2 80 93) read as cp1251
    ("« Bonjour », dit-elle — “quoted” à 20 °C", False),
    ("ÖL UND MÖBEL", False),
])
def test_ftfy_rule_finds_what_the_pair_rule_leaves_to_punctuation(text: str,
                                                                  expected: bool) -> None:
    assert screen.has_suspect(text) is expected
    assert bool(screen.ftfy_hits(text)) is expected
    hits, _chars, _rules = repair_module.screen_line(text)
    assert bool(hits) is expected
    assert screen.worth_a_look(text) is expected


def test_ftfy_rule_speaks_only_where_no_rule_of_ours_did() -> None:
    _hits, _chars, rules = repair_module.screen_line("CAMPAÃ‘A DE VERANO")
    assert rules == {"ftfy"}
    # Cyrillic letters are in cp866's upper half, so the pair rule fires first; ftfy's
    # repair is still tried, and an en dash read as cp1251 comes back.
    _hits, _chars, rules = repair_module.screen_line("Итоги вЂ“ отчёт")
    assert "ftfy" not in rules
    assert fixenc.repair("Итоги вЂ“ отчёт").text == "Итоги – отчёт"


def _applicable(line: str) -> set[str]:
    _hits, chars, rules = repair_module.screen_line(line)
    return {chain.name for group in repair_module._chain_groups(
        repair_module.DEFAULT_CONFIG, chars, rules) for chain in group}


def test_japanese_particles_do_not_make_every_chain_worth_trying() -> None:
    """A clean Japanese sentence (our own) tried eight chains before session 8."""
    line = "明日の朝九時に学校の前に集まってください。"
    assert len(_applicable(line)) <= 3
    assert "euc_jp_read_as_gbk" in _applicable(line)  # kana and hanzi: it may be EUC-JP


def test_kana_made_by_mojibake_still_count() -> None:
    # Big5 read as GBK: 料庫 (Big5 AE C6 AE 77) and the like give kana beside strangers.
    line = "明日の朝九時に学校の前に集まってください。".encode("big5", "replace").decode(
        "gbk", "replace")
    assert "big5_read_as_gbk" in _applicable(line)


def test_strict_decoders_accept_nothing_their_structure_rejects() -> None:
    """Past the last hole, candidates decode strictly in C instead of walking the codec's
    Structure (session 8): the same segments only if the strict decoder never reads a
    byte sequence that the structure says cannot be a character."""
    from fixenc.lossy import STRICT_WITHIN_STRUCTURE
    from fixenc.lossy import structure

    for codec in sorted(STRICT_WITHIN_STRUCTURE - {"utf-8"}):
        st = structure(codec)
        for lead in range(0x80, 0x100):
            alone = _decodes(bytes((lead,)), codec)
            assert not alone or st.needs[lead] == 0, (codec, hex(lead))
            for trail in range(0x100):
                if _decodes(bytes((lead, trail)), codec, one=True):
                    assert st.needs[lead] == 1 and trail in st.conts, (codec, lead, trail)
    st = structure("euc_jp")
    for second in range(0x100):
        for third in range(0x100):
            if _decodes(bytes((0x8F, second, third)), "euc_jp", one=True):
                assert st.needs[0x8F] == 2 and {second, third} <= st.conts


def _decodes(data: bytes, codec: str, one: bool = False) -> bool:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return False
    return len(text) == 1 if one else True
