"""The mistakes fixenc knows how to undo, declared as data.

A :class:`Chain` says: text whose bytes were really in ``true`` was read with ``wrong``.
Undoing it means encoding the damaged text back with ``wrong`` (leniently, the way real
decoders broke: see :mod:`fixenc.bytemaps`) and decoding the bytes with ``true``.

The chain's ``name`` is a stable, serialized identifier that names the mistake, so that a
report reads like a diagnosis (``utf8_read_as_gbk``).  Renaming one is a breaking change.

>>> CHAINS["utf8_read_as_gbk"].wrong, CHAINS["utf8_read_as_gbk"].true
('gbk', 'utf-8')
>>> "gbk_read_as_latin1" in DEFAULT_CHAINS
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Family = Literal[
    "utf8_as_multibyte", "utf8_as_single", "multibyte_as_single", "multibyte_as_multibyte"
]


@dataclass(frozen=True, slots=True)
class Chain:
    """One encode→decode mistake.

    ``wrong`` names a lenient encoder in :mod:`fixenc.bytemaps` (the decoder that was
    wrongly used, with its dialects); ``true`` is a Python codec name in normalized form.
    ``lossy`` says whether the wrong decoder commonly replaced bytes it could not read
    (U+FFFD or ``?``), so that holes in the byte stream are to be expected and guessed.
    """

    name: str
    true: str
    wrong: str
    family: Family
    lossy: bool = False


def _chains() -> dict[str, Chain]:
    chains: list[Chain] = []
    # UTF-8 bytes read with a double-byte CJK decoder.  UTF-8 CJK is lead E3-E9 plus two
    # continuation bytes 80-BF; a DBCS decoder pairs them up regardless of the boundaries
    # (浣 = E4 BD, 犲 = A0 E5, ソ = A5 BD for 你好), and replaces the cells it cannot map.
    for wrong, label in (("gbk", "gbk"), ("cp950", "big5"), ("cp932", "shift_jis"),
                         ("cp949", "euc_kr")):
        chains.append(Chain(f"utf8_read_as_{label}", "utf-8", wrong, "utf8_as_multibyte",
                            lossy=True))
    # UTF-8 bytes read with a single-byte code page (ftfy's home ground: 中文 = E4 B8 AD
    # E6 96 87 → ä¸\xadæ–‡ in cp1252).  Lossless except for bytes the code page leaves
    # undefined; fixenc repairs spans of it inside CJK text, ftfy does the rest.
    for wrong, wlabel in (("latin-1", "latin1"), ("cp1252", "cp1252"), ("mac-roman", "macroman"),
                          ("cp437", "cp437")):
        chains.append(Chain(f"utf8_read_as_{wlabel}", "utf-8", wrong, "utf8_as_single"))
    # Legacy CJK bytes read with a single-byte code page: each byte becomes one character
    # (中文 in GBK = D6 D0 CE C4 → ÖÐÎÄ in Latin-1).  Nothing is lost unless the code page
    # leaves bytes undefined (cp1252's 81 8D 8F 90 9D), which browsers map to C1 controls.
    for true, tlabel in (("gbk", "gbk"), ("big5", "big5"), ("cp932", "shift_jis"),
                         ("cp949", "euc_kr")):
        for wrong, wlabel in (("latin-1", "latin1"), ("cp1252", "cp1252"),
                              ("mac-roman", "macroman"), ("cp437", "cp437"),
                              ("cp850", "cp850"), ("cp866", "cp866")):
            if true != "gbk" and wlabel in ("cp850", "cp866"):
                continue
            chains.append(Chain(f"{tlabel}_read_as_{wlabel}", true, wrong,
                                "multibyte_as_single"))
    # One double-byte CJK encoding read as another (いゅ for 中文 in Big5 read as GBK).
    for true, tlabel, wrong, wlabel in (
        ("big5", "big5", "gbk", "gbk"),
        ("gbk", "gbk", "cp950", "big5"),
        ("cp932", "shift_jis", "gbk", "gbk"),
        ("euc_jp", "euc_jp", "gbk", "gbk"),
        ("cp949", "euc_kr", "gbk", "gbk"),
        ("gbk", "gbk", "cp932", "shift_jis"),
        ("gbk", "gbk", "cp949", "euc_kr"),
    ):
        chains.append(Chain(f"{tlabel}_read_as_{wlabel}", true, wrong,
                            "multibyte_as_multibyte", lossy=True))
    return {c.name: c for c in chains}


CHAINS: dict[str, Chain] = _chains()
"""Every known chain by name."""

DEFAULT_CHAINS: tuple[str, ...] = tuple(CHAINS)
"""Chains tried by default: all of them; the scorer decides between them."""

# Unrecoverable damage: kinds of findings that report, never rewrite.
DAMAGE_KINDS: dict[str, str] = {
    "fffd_read_as_gbk": "U+FFFD replacement characters whose UTF-8 bytes were read as GBK "
    "(锟斤拷): the original characters were lost before this happened",
    "replacement_run": "U+FFFD replacement characters: bytes were lost and cannot be recovered",
    "uninitialized_memory": "bytes 0xCC/0xCD of uninitialised memory printed as GBK "
    "(烫烫烫 / 屯屯屯)",
}


TWICE_KINDS: dict[str, str] = {
    f"{name}_twice": name for name, chain in CHAINS.items() if chain.family != "utf8_as_single"
}
"""Kinds of fixes that undo the same mistake made twice (UTF-8→GBK→UTF-8→GBK, GBK read as
cp437 twice), by the chain they apply twice.  UTF-8 read as a single-byte code page twice
is ftfy's ground (it undoes as many layers as it finds)."""

LATER_KINDS: dict[str, str] = {
    "inserted_pinyin": "a pinyin reading a converter inserted after a character (數(shù)); "
    "removed only with strip_pinyin (fixenc/pinyin.py)",
    "traditional_to_simplified": "Traditional characters converted to Simplified; only "
    "with to_simplified (fixenc/convert.py)",
}
"""Kinds of the optional stages after repair (:mod:`fixenc.stages`)."""

KINDS: frozenset[str] = (frozenset(CHAINS) | frozenset(TWICE_KINDS) | frozenset(DAMAGE_KINDS)
                         | frozenset(LATER_KINDS))
"""Every ``Fix.kind`` fixenc can report."""
