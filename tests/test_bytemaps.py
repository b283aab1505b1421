"""The lenient encoders' tables (:mod:`fixenc.bytemaps`) against slow, obvious references."""

from __future__ import annotations

import pytest

from fixenc import bytemaps
from fixenc.chains import CHAINS

DOUBLE_BYTE = sorted({c.wrong for c in CHAINS.values()} - bytemaps.SINGLE_BYTE - {"gbk"}
                     | {"big5", "shift_jis", "euc_kr", "euc_jp"})
PAIRS = [bytes((lead, trail)) for lead in range(0x81, 0x100) for trail in range(0x40, 0x100)]


def _duplicates_pairwise(wrong: str) -> dict[str, tuple[bytes, ...]]:
    """The reference: each pair decoded alone."""
    seen: dict[str, list[bytes]] = {}
    for data in PAIRS:
        try:
            ch = data.decode(bytemaps._python_codec(wrong))
        except UnicodeDecodeError:
            continue
        if len(ch) == 1:
            seen.setdefault(ch, []).append(data)
    return {ch: tuple(found) for ch, found in seen.items() if len(found) > 1}


@pytest.mark.parametrize("wrong", DOUBLE_BYTE)
def test_duplicates_decoded_at_once_match_pair_by_pair(wrong: str) -> None:
    # One decode of every pair, split at newlines, must find what decoding each pair alone
    # finds: the characters read from more than one byte pair.
    assert bytemaps._duplicates.__wrapped__(wrong) == _duplicates_pairwise(wrong)


def test_known_duplicates() -> None:
    assert set(bytemaps._duplicates("cp932")["抦"]) == {b"\xed\xac", b"\xfa\xc8"}
    assert len(bytemaps._duplicates("cp932")) > 300  # the NEC and IBM extensions
    assert bytemaps._duplicates("cp949") == {}
    assert bytemaps._duplicates("latin-1") == bytemaps._duplicates("gbk") == {}


def test_gap_pairs_are_what_gb18030_reads_as_private_use() -> None:
    for data in (bytes((a, b)) for a in range(0x80, 0x100) for b in range(0x100)):
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = ""
        assert bytemaps.is_gap_pair(data) == (len(text) == 1 and "\ue000" <= text <= "\uf8ff")
