"""Property tests (hypothesis): repair is total, conservative, idempotent and replayable.

The round trips draw text from common Hanzi, fullwidth punctuation and ASCII, damage it the
two commonest ways (UTF-8 read as GBK, GBK read as Latin-1) and require that repair either
gives the text back or leaves the damage alone: never a third string.

Pin every counterexample hypothesis finds with ``@example``.  The example database is off
(``database=None``) so that the tests write nothing into the repository.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

# 364 frequent Simplified characters, all in GB2312.
HANZI = (
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学"
    "对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头"
    "面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向"
    "情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信"
    "北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难"
    "神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物"
    "台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指"
    "思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步"
    "完革深区"
)
FULLWIDTH = "，。！？、；：（）“”《》　"
ASCII = "abcdefxyzABCXYZ0123456789 .,:;!?-_/()[]@#'\""
# Characters that mojibake and damage are made of, so that random text reaches the repair paths.
MOJIBAKE = "浣犲ソ鍙戦€佹垚鍔涓枃鏂囦欢锟斤拷烫屯ÄãºÃÖÐÎÄä¸­æ–‡ｻ瞑偙傫いゅ\ufffd?\ue4c6\x80\x9d"

# derandomize: CI runs the same examples every time, so a red run is reproducible; new
# counterexamples are searched for with --hypothesis-seed and pinned with @example.
PROPS = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

any_char = st.one_of(
    st.characters(exclude_categories=()),          # every plane, controls, unassigned
    st.characters(categories=["Cs"]),              # lone surrogates
    st.characters(max_codepoint=0x1F),             # NUL and C0 controls
    st.sampled_from(MOJIBAKE),
)
any_text = st.text(any_char, max_size=60)
chinese_char = st.sampled_from(HANZI + FULLWIDTH)
chinese_text = st.text(st.sampled_from(HANZI + FULLWIDTH + ASCII), min_size=1, max_size=40)
# Pairs of CJK characters (6 UTF-8 bytes) between ASCII keep runs even, so that more of the
# drawn strings survive a strict UTF-8→GBK decode; the plain alphabet covers odd runs.
paired_text = st.lists(
    st.one_of(st.tuples(chinese_char, chinese_char).map("".join), st.sampled_from(ASCII)),
    min_size=1, max_size=10,
).map("".join)


def _replace(true: str, wrong: str) -> Callable[[str], str]:
    return lambda s: s.encode(true, "replace").decode(wrong, "replace")


DAMAGE = (
    _replace("utf-8", "gbk"),
    _replace("utf-8", "gb18030"),
    _replace("gbk", "latin-1"),
    _replace("gbk", "cp1252"),
    _replace("utf-8", "cp1252"),
    _replace("big5", "gbk"),
    _replace("utf-8", "cp932"),
    _replace("gbk", "utf-8"),
)


@st.composite
def damaged_text(draw: Any) -> str:
    """Chinese text damaged by one of several mistakes, between random characters."""
    damage = draw(st.sampled_from(DAMAGE))
    middle = damage(draw(chinese_text))
    return draw(st.text(any_char, max_size=6)) + middle + draw(st.text(any_char, max_size=6))


def _check_findings(text: str, r: Any) -> None:
    from fixenc import apply_steps

    assert r.original == text
    end = 0
    for f in r.fixes:
        assert text[f.start:f.end] == f.original
        assert f.start >= end
        end = f.end
        assert 0.0 <= f.confidence <= 1.0
        assert apply_steps(f.original, f.steps) == f.replacement


@PROPS
@given(any_text)
@example("")
@example("\x00")
@example("\ud800")
@example("\udfff\ud800x")
@example("\U0010ffff\U000e0001")
@example("\r\n\u2028\x85")
@example("\ufffd\ufffd\ufffd")
@example("锟斤拷")
@example("鍙戦€佹垚鍔?")
@example("???")
def test_never_raises(text: str) -> None:
    from fixenc import Repair, repair

    r = repair(text)
    assert isinstance(r, Repair)
    assert isinstance(r.text, str)


@PROPS
@given(st.text(st.characters(max_codepoint=0x7F), max_size=80))
def test_ascii_unchanged(text: str) -> None:
    from fixenc import repair

    r = repair(text)
    assert r.text == text
    assert not r.applied


@PROPS
@given(st.one_of(any_text, damaged_text()))
def test_idempotent(text: str) -> None:
    from fixenc import repair

    once = repair(text).text
    assert repair(once).text == once


@PROPS
@given(st.one_of(any_text, damaged_text()))
@example("浣犲ソ")
@example("ÄãºÃ")
@example("鍖\ufffd看0")  # a lost two-byte hole let 北迴's bytes merge into 匿 on replay
def test_replay_and_offsets(text: str) -> None:
    from fixenc import repair

    _check_findings(text, repair(text))


@PROPS
@given(st.one_of(paired_text, chinese_text))
@example("你好")
@example("版本号V2")
def test_round_trip_utf8_read_as_gbk(s: str) -> None:
    from fixenc import repair

    try:
        damaged: str | None = s.encode("utf-8").decode("gbk")
    except UnicodeDecodeError:
        damaged = None
    assume(damaged is not None)
    assert repair(damaged).text in (s, damaged)


def _hanzi(s: str) -> int:
    return sum(1 for ch in s if ch in HANZI)


@PROPS
@given(chinese_text.filter(lambda s: _hanzi(s) >= 4))
@example("中文测试")
def test_round_trip_gbk_read_as_latin1(s: str) -> None:
    """GBK read as Latin-1 comes back whole, or not at all.

    Strings of fewer than four hanzi are left out: their GBK bytes are often just as valid
    Big5 or EUC-KR (常才 in GBK is 都符 in Big5), and random characters give the model no
    way to tell which was meant (a known limit, see the notes).
    """
    from fixenc import repair

    damaged = s.encode("gbk").decode("latin-1")
    assert repair(damaged).text in (s, damaged)
