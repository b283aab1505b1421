"""The screen's quick path and which chains a line's hits make worth trying (no corpora).

Both are speed work that must not change what is found: ``has_suspect`` rules clean text
out with one scan (session 8), and kana that read as part of a word do not make every
chain whose mojibake has kana worth trying on Japanese text.
"""

from __future__ import annotations

import importlib

import pytest

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
