"""The shortcuts that spare clean lines the beam decoder must change nothing.

Each shortcut answers a question the slow path also answers (what the hole decoder reads
from known bytes, whether it reads them all, which runs a line's hits open), so each is
checked against the slow path itself on random input (hypothesis), in every codec it is
used for.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixenc import lossy
from fixenc.bytemaps import Slot
from fixenc.candidates import WINDOW, runs

PROPS = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])

# Text each codec can write, with ASCII between: the bytes are then cut into slots of one to
# three bytes, sometimes cut short or with a byte changed, so that every way a strict decode
# can fail is met (a bad lead byte, a bad pair, a character cut short by the end).
SAMPLES = {
    "utf-8": "中文測試한국어かなé€",
    "gbk": "中文测试的一是不了",
    "big5": "中文測試繁體字的一",
    "cp949": "한국어테스트漢字",
    "euc_jp": "日本語かなカナ漢字",
}


@st.composite
def known_slots(draw: st.DrawFn, codec: str) -> list[bytes]:
    text = draw(st.text(alphabet=SAMPLES[codec] + "ab ,.", min_size=1, max_size=12))
    data = bytearray(text.encode(codec))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0x80, 0xFF))
    if draw(st.booleans()) and len(data) > 1:
        del data[-1]
    slots: list[bytes] = []
    i = 0
    while i < len(data):
        size = draw(st.integers(1, 3))
        slots.append(bytes(data[i:i + size]))
        i += size
    return slots


def _beam(slots: Sequence[Slot], codec: str, prev: str, after: str,
          monkeypatch: pytest.MonkeyPatch) -> lossy.Decoded | None:
    with monkeypatch.context() as m:
        m.setattr(lossy, "STRICT_WITHIN_STRUCTURE", frozenset())
        return lossy.decode_holes(slots, codec, prev, after)


@pytest.mark.parametrize("codec", sorted(SAMPLES))
def test_known_bytes_decode_as_the_beam_does(codec: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    @PROPS
    @given(known_slots(codec), st.sampled_from(["", "\n", "在", "ab"]),
           st.sampled_from(["", "\n", "。", "的了"]))
    def check(slots: list[bytes], prev: str, after: str) -> None:
        assert lossy.decode_holes(slots, codec, prev, after) == _beam(
            slots, codec, prev, after, monkeypatch)

    check()


@pytest.mark.parametrize("codec", sorted(SAMPLES))
def test_stops_early_only_where_the_beam_stops(codec: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    @PROPS
    @given(known_slots(codec))
    def check(slots: list[bytes]) -> None:
        if lossy.stops_early(b"".join(slots), codec):
            decoded = _beam(slots, codec, "", "", monkeypatch)
            assert decoded is None or decoded.used < len(slots)

    check()


def _runs_by_walking(slots: Sequence[Slot], hits: Sequence[int]) -> list[tuple[int, int]]:
    """The windows of :func:`fixenc.candidates.runs` found slot by slot (before session 13)."""
    out: list[tuple[int, int]] = []
    n = len(slots)
    for hit in hits:
        if slots[hit] is None:
            continue
        i = hit
        while i > max(0, hit - WINDOW) and slots[i - 1] is not None:
            i -= 1
        j = hit + 1
        while j < min(n, hit + WINDOW + 1) and slots[j] is not None:
            j += 1
        if out and i <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], j))
        else:
            out.append((i, j))
    trimmed = []
    for i, j in out:
        while i < j and slots[i] == b"a":
            i += 1
        if j > i:
            trimmed.append((i, j))
    return trimmed


@PROPS
@given(st.lists(st.sampled_from([None, b"a", b"\xd6\xd0"]), min_size=1, max_size=120),
       st.data())
def test_runs_are_the_windows_walked_slot_by_slot(slots: list[Slot | None],
                                                  data: st.DataObject) -> None:
    hits = sorted(data.draw(st.sets(st.integers(0, len(slots) - 1), max_size=40)))
    assert runs(slots, hits) == _runs_by_walking(slots, hits)
