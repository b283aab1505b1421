"""The lenient encoders' tables (:mod:`fixenc.bytemaps`) against slow, obvious references."""

from __future__ import annotations

import pytest

from fixenc import bytemaps
from fixenc.chains import CHAINS

DOUBLE_BYTE = sorted({c.wrong for c in CHAINS.values()} - bytemaps.SINGLE_BYTE - {"gbk"}
                     | {"big5", "shift_jis", "euc_kr", "euc_jp"})
PAIRS = [bytes((lead, trail)) for lead in range(0x81, 0x100) for trail in range(0x40, 0x100)]


@pytest.mark.parametrize("wrong", DOUBLE_BYTE)
def test_duplicates_decoded_at_once_match_pair_by_pair(wrong: str) -> None:
    # One decode of every pair, split at newlines, must find what decoding each pair alone
    # finds: the characters read from more than one byte pair.
    assert bytemaps._duplicates.__wrapped__(wrong) == bytemaps._duplicates_pairwise(wrong, PAIRS)


def test_known_duplicates() -> None:
    assert set(bytemaps._duplicates("cp932")["抦"]) == {b"\xed\xac", b"\xfa\xc8"}
    assert len(bytemaps._duplicates("cp932")) > 300  # the NEC and IBM extensions
    assert bytemaps._duplicates("cp949") == {}
    assert bytemaps._duplicates("latin-1") == bytemaps._duplicates("gbk") == {}
