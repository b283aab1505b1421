"""Lenient encoders: how each wrongly-used decoder turned bytes into characters, reversed.

Undoing mojibake means getting back the bytes the wrong decoder saw.  Stock Python codecs
cannot always do that, because real decoders are more lenient than Python's:

- Windows (cp936) and browsers (WHATWG "gbk", which is the gb18030 decoder) read byte 0x80
  as ``€``, and the gb18030 decoder reads the pair A2 E3 as ``€`` too; Python's ``gbk``
  rejects both.  So ``€`` inside GBK mojibake is a choice of 0x80 or A2 E3 (in UTF-8 read
  that way, a character ending in A2 before ``。``, E3 80 82, gives ``€``).
- cp932 reads some characters from two byte pairs (NEC and IBM extensions: 抦 is ED AC or
  FA C8), and cp950 a few (box drawing, 十, 卅): which pair was there decides what the
  true codec reads.
- GB18030 decoders map the user-defined cells (AAA1-AFFE, F8A1-FEFE, A140-A7A0) to the
  Private Use Area, so a PUA character inside GBK mojibake stands for its two bytes.
- Browsers read the five bytes cp1252 leaves undefined (81 8D 8F 90 9D) as the C1 controls
  U+0081...; ftfy's "sloppy" codecs do the same.
- Where a decoder could not read a byte at all it wrote U+FFFD (or ``?`` once the text was
  saved in a legacy encoding).  Those bytes are lost: they become holes for the language
  model to fill (:mod:`fixenc.lossy`).

- A GB18030 decoder's Private Use characters are often deleted afterwards (fonts show
  nothing for them, text pipelines strip them): ``涓枃`` is 中文 without the U+E15F its
  AD E6 became.  Where :mod:`fixenc.gaps` finds such a gap, it marks it with
  :data:`GAP_CHAR` for the encoder: two unknown bytes that GB18030 reads as Private Use.

Each encoder maps one character to its bytes, to :data:`HOLE` (U+FFFD), to :data:`QMARK`
(``?``: a real question mark or a hole), to :data:`GAP` (GBK only), to a tuple of byte
sequences (a choice: GBK's ``€``, cp932's duplicated characters; the first is what a plain
encode gives) or to ``None`` (the wrong decoder cannot have produced this character).

>>> encode_char("浣", "gbk"), encode_char("€", "gbk"), encode_char("\\ufffd", "gbk")
(b'\\xe4\\xbd', (b'\\x80', b'\\xa2\\xe3'), -1)
>>> encode_char("\\x81", "cp1252"), encode_char("한", "gbk") is None
(b'\\x81', True)
"""

from __future__ import annotations

import functools

HOLE = -1
"""A replacement character: one or two bytes the wrong decoder could not read."""

QMARK = -2
"""A ``?``: either the byte 0x3F or a hole written as ``?``."""

GAP = -3
"""A deleted Private Use character of a GB18030 decoder: exactly two unknown bytes, a
user-defined cell (AAA1-AFFE, F8A1-FEFE, A140-A7A0 and the other cells GB18030 maps to the
Private Use Area)."""

UNKNOWN = frozenset({HOLE, QMARK, GAP})
"""The slots whose bytes are not known (or, for ``?``, not surely): a fill supplies them."""

GAP_CHAR = "\ufdd0"
"""What marks a :data:`GAP` in text for the GBK encoder: a noncharacter, which Unicode keeps
for a program's internal use and real text never contains."""

EURO: tuple[bytes, bytes] = (b"\x80", b"\xa2\xe3")
"""The slot of a ``€`` read by a GBK decoder: the byte 0x80 (Windows, browsers) or the
pair A2 E3 (gb18030).  Known bytes, but which ones the context decides."""

Slot = bytes | int | tuple[bytes, ...] | None

_MISSING: Slot = -99  # cache sentinel, never returned

SINGLE_BYTE = frozenset({"latin-1", "cp1252", "mac-roman", "cp437", "cp850", "cp866"})


def _python_codec(wrong: str) -> str:
    return {"latin-1": "latin-1", "mac-roman": "mac_roman"}.get(wrong, wrong)


@functools.cache
def _char_table(wrong: str) -> dict[str, Slot]:
    """A growing cache of char → slot for one wrong decoder (filled by :func:`encode_char`)."""
    return {"\ufffd": HOLE, "?": QMARK}


def _encode_uncached(ch: str, wrong: str) -> Slot:
    if ch < "\x80":
        return ch.encode("ascii")
    if wrong in SINGLE_BYTE:
        try:
            return ch.encode(_python_codec(wrong))
        except UnicodeEncodeError:
            # cp1252's undefined bytes arrive as C1 controls (browsers, ftfy "sloppy").
            if wrong == "cp1252" and ch in "\x81\x8d\x8f\x90\x9d":
                return bytes([ord(ch)])
            return None
    if wrong == "gbk":
        if ch == "\N{EURO SIGN}":
            return EURO
        if ch == GAP_CHAR:
            return GAP
        try:
            data = ch.encode("gb18030")
        except UnicodeEncodeError:
            return None
        # Four-byte GB18030 sequences (lead, 30-39, lead, 30-39) do not come out of UTF-8
        # bytes, whose bytes are never 30-39 inside a character: treat as not produced.
        return data if len(data) <= 2 else None
    try:
        data = ch.encode(_python_codec(wrong))
    except UnicodeEncodeError:
        return None
    if len(data) > 2:
        return None
    others = _duplicates(wrong).get(ch, ())
    return (data, *(o for o in others if o != data)) if others else data


def encode_char(ch: str, wrong: str) -> Slot:
    """The bytes the decoder ``wrong`` read to produce ``ch`` (or HOLE/QMARK/None)."""
    table = _char_table(wrong)
    slot = table.get(ch, _MISSING)
    if slot is _MISSING:
        slot = table[ch] = _encode_uncached(ch, wrong)
    return slot


def encode_text(text: str, wrong: str) -> list[Slot]:
    """Slots for every character of ``text`` (see :func:`encode_char`).

    >>> encode_text("ÖÐ?", "latin-1")
    [b'\\xd6', b'\\xd0', -2]
    """
    table = _char_table(wrong)
    get = table.get
    out: list[Slot] = []
    append = out.append
    for ch in text:
        slot = get(ch, _MISSING)
        if slot is _MISSING:
            slot = table[ch] = _encode_uncached(ch, wrong)
        append(slot)
    return out


@functools.cache
def _duplicates(wrong: str) -> dict[str, tuple[bytes, ...]]:
    """Characters that the decoder ``wrong`` reads from more than one byte sequence.

    cp932 reads both ED AC (NEC-selected IBM extension) and FA C8 (IBM extension) as 抦;
    :func:`encode_char` gives all of them, Python's own encoding first.
    """
    if wrong in SINGLE_BYTE or wrong == "gbk":
        return {}
    # Every pair in one decode, each followed by a newline: no trail byte of these codecs is
    # below 0x40, so an invalid pair turns into U+FFFD before its newline and the decoder
    # starts afresh after it (a pair at a time costs ~24,000 exceptions: ~0.1 s a codec).
    pairs = [bytes((lead, trail)) for lead in range(0x81, 0x100) for trail in range(0x40, 0x100)]
    pieces = b"\n".join(pairs).decode(_python_codec(wrong), "replace").split("\n")
    seen: dict[str, list[bytes]] = {}
    for data, ch in zip(pairs, pieces, strict=True):
        if len(ch) == 1 and ch != "\ufffd":
            seen.setdefault(ch, []).append(data)
    return {ch: tuple(found) for ch, found in seen.items() if len(found) > 1}


@functools.cache
def gap_pairs() -> frozenset[bytes]:
    """Every two bytes a GB18030 decoder reads as one Private Use character: what a
    :data:`GAP` can have been (the user-defined cells and the few others it maps there)."""
    out = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            pair = bytes((lead, trail))
            text = pair.decode("gb18030", "replace")
            if len(text) == 1 and "\ue000" <= text <= "\uf8ff":
                out.add(pair)
    return frozenset(out)


def is_gap_pair(data: bytes) -> bool:
    """Whether ``data`` is one of the :func:`gap_pairs`.

    >>> is_gap_pair(b"\\xad\\xe6"), is_gap_pair(b"\\xa1\\x40"), is_gap_pair(b"\\xb0\\xa1")
    (True, True, False)
    """
    return data in gap_pairs()


def alternatives(ch: str, wrong: str) -> tuple[bytes, ...]:
    """Every byte sequence the decoder ``wrong`` reads as ``ch`` (usually just one).

    >>> sorted(alternatives("抦", "cp932")), alternatives("€", "gbk")
    ([b'\\xed\\xac', b'\\xfa\\xc8'], (b'\\x80', b'\\xa2\\xe3'))
    """
    slot = encode_char(ch, wrong)
    if isinstance(slot, tuple):
        return slot
    return (slot,) if isinstance(slot, bytes) else ()
