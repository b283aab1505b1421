"""Synthetic mojibake for the benchmark: the decoders that made it, and test cases.

A repair has to model the decoder that produced the damage, so the damage is made by one of
several *dialects* of the wrong decoder (see :data:`DIALECTS`):

- ``"python"``: ``data.decode(wrong, "replace")``.  Python's CJK codecs replace the bad
  byte with one U+FFFD and read the next byte again; ``gbk`` rejects 0x80 and the
  user-defined cells.
- ``"whatwg"``: browsers and Windows.  GBK is read by the WHATWG gb18030 decoder (0x80 is
  ``€``, user-defined cells are Private Use Area characters, four-byte sequences decode);
  for every double-byte codec an invalid pair gives ONE U+FFFD and its trail byte is read
  again only when it is ASCII.  cp1252 maps its five undefined bytes 81 8D 8F 90 9D to the
  C1 controls U+0081...
- ``"qmark"``: ``"whatwg"``, then each U+FFFD written as ``?`` (the decoded text was saved
  back to a legacy encoding): ``鍙戦€佹垚鍔?`` for 发送成功.
- ``"qmark_swallow"``: an invalid lead byte swallows the next byte, whatever it is, and
  one ``?`` is written (some editors, Java tools).
- ``"pua_dropped"``: ``"whatwg"``, then every Private Use character deleted.  Fonts show
  nothing for them and text pipelines strip them, so UTF-8 read as GBK is mostly met
  without: ``涓枃`` for 中文 (E4 B8 AD E6 96 87, whose AD E6 is a user-defined cell).  Only
  UTF-8 read as GBK has this dialect: there the missing pair breaks the UTF-8 around it,
  while in double-byte text it takes a whole character away without a trace.

Single-byte code pages decode every byte except cp1252's five holes, so for them only
``"python"`` (and ``"whatwg"`` for cp1252) differ: see :func:`dialects_for`.

>>> damage("发送成功", "utf8_read_as_gbk", "qmark")
'鍙戦€佹垚鍔?'
>>> damage("中文", "gbk_read_as_latin1", "python")
'ÖÐÎÄ'
>>> damage("中文", "big5_read_as_gbk", "python")
'いゅ'
"""

from __future__ import annotations

import codecs
import importlib.util
import random
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))


def _load_chains() -> Any:
    """``fixenc.chains``, or the file itself if the package cannot be imported yet."""
    try:
        from fixenc import chains
    except Exception:  # noqa: BLE001  (the engine package may be half-written)
        spec = importlib.util.spec_from_file_location(
            "_fixenc_chains", _ROOT / "fixenc" / "chains.py")
        assert spec is not None and spec.loader is not None
        chains = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = chains  # dataclasses look the module up while building
        spec.loader.exec_module(chains)
    return chains


_chains = _load_chains()
CHAINS: Mapping[str, Any] = _chains.CHAINS
"""The chains of :mod:`fixenc.chains`, by name."""

Dialect = Literal["python", "whatwg", "qmark", "qmark_swallow", "pua_dropped"]
DIALECTS: tuple[Dialect, ...] = ("python", "whatwg", "qmark", "qmark_swallow", "pua_dropped")

Bucket = Literal["short", "medium", "long"]
BUCKETS: dict[str, tuple[int, int]] = {"short": (2, 6), "medium": (7, 30), "long": (31, 200)}
"""Length buckets, in characters of the true text (inclusive)."""

REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


class Decoded(NamedTuple):
    """What a wrong decoder made of some bytes, and how many holes (lost bytes) it left."""

    text: str
    holes: int


# --- The WHATWG-style double-byte decoders -------------------------------------------------
#
# Each is described by: the codec whose two-byte cells are trusted (Python's own tables;
# the WHATWG indexes differ in a few dozen cells), the lead bytes, and the valid single
# bytes above 0x7F.  Python's gb18030 decodes all 23 940 two-byte GBK cells, user-defined
# ones included (to the PUA), exactly like the WHATWG index-gb18030.


class _DBCS(NamedTuple):
    pair_codec: str
    leads: frozenset[int]
    singles: Mapping[int, str]
    four_byte: bool  # GB18030 four-byte sequences (lead, 30-39, 81-FE, 30-39)


def _sjis_singles() -> dict[int, str]:
    # WHATWG Shift_JIS: 0x80 is U+0080 and A1-DF half-width katakana; A0 and FD-FF are
    # errors (Python's cp932 maps those four to U+F8F0... instead).
    singles = {0x80: "\x80"}
    singles.update({b: chr(0xFF61 + b - 0xA1) for b in range(0xA1, 0xE0)})
    return singles


_DBCS_SPECS: dict[str, _DBCS] = {
    "gbk": _DBCS("gb18030", frozenset(range(0x81, 0xFF)), {0x80: "\N{EURO SIGN}"}, True),
    "cp950": _DBCS("cp950", frozenset(range(0x81, 0xFF)), {}, False),
    "big5": _DBCS("cp950", frozenset(range(0x81, 0xFF)), {}, False),
    "cp932": _DBCS("cp932", frozenset([*range(0x81, 0xA0), *range(0xE0, 0xFD)]),
                   _sjis_singles(), False),
    "cp949": _DBCS("cp949", frozenset(range(0x81, 0xFF)), {}, False),
}


def _norm(codec: str) -> str:
    return codecs.lookup(codec).name


def is_double_byte(codec: str) -> bool:
    """True when ``codec`` is one of the double-byte CJK decoders the chains use as wrong.

    >>> is_double_byte("gbk"), is_double_byte("latin-1")
    (True, False)
    """
    return _norm(codec) in _DBCS_SPECS


def _pair(spec: _DBCS, data: bytes) -> str | None:
    try:
        text = data.decode(spec.pair_codec)
    except UnicodeDecodeError:
        return None
    return text if len(text) == 1 else None


def _decode_dbcs(data: bytes, spec: _DBCS, swallow: bool) -> Decoded:
    """Decode like a browser (``swallow=False``) or a swallowing editor (``True``).

    On an invalid pair the WHATWG decoder writes one U+FFFD and reads the trail byte again
    if it is ASCII; the swallowing decoder consumes the trail byte whatever it is.  Holes
    are written as U+FFFD here; the ``"qmark"`` dialects replace them afterwards.
    """
    out: list[str] = []
    holes = 0
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            out.append(chr(b))
            i += 1
            continue
        if b not in spec.leads:
            single = spec.singles.get(b)
            if single is None:
                out.append(REPLACEMENT)
                holes += 1
            else:
                out.append(single)
            i += 1
            continue
        if i + 1 >= n:  # a lead byte at the end of the input
            out.append(REPLACEMENT)
            holes += 1
            i += 1
            continue
        t = data[i + 1]
        if spec.four_byte and not swallow and 0x30 <= t <= 0x39:
            step, four = _gb18030_four(data, i)
            out.append(four)
            holes += four == REPLACEMENT
            i += step
            continue
        char = _pair(spec, data[i:i + 2])
        if char is not None:
            out.append(char)
            i += 2
            continue
        out.append(REPLACEMENT)
        holes += 1
        i += 1 if (t < 0x80 and not swallow) else 2
    return Decoded("".join(out), holes)


def _gb18030_four(data: bytes, i: int) -> tuple[int, str]:
    """A WHATWG gb18030 four-byte sequence at ``i`` (second byte 30-39): (length, char).

    A bad third or fourth byte gives one U+FFFD for the lead alone and the rest is read
    again; an unfinished sequence at the end of the input is one U+FFFD; a well-formed
    sequence with no code point is one U+FFFD for all four bytes.
    """
    n = len(data)
    if i + 2 >= n:
        return n - i, REPLACEMENT
    if not 0x81 <= data[i + 2] <= 0xFE:
        return 1, REPLACEMENT
    if i + 3 >= n:
        return n - i, REPLACEMENT
    if not 0x30 <= data[i + 3] <= 0x39:
        return 1, REPLACEMENT
    try:
        text = data[i:i + 4].decode("gb18030")
    except UnicodeDecodeError:
        return 4, REPLACEMENT
    return 4, text


def _decode_single(data: bytes, codec: str, dialect: Dialect) -> Decoded:
    if codec == "cp1252" and dialect != "python":
        # Browsers and Windows' MultiByteToWideChar map the five undefined cp1252 bytes to
        # the C1 controls of the same value, so nothing is lost.
        text = "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
                       else bytes([b]).decode("cp1252") for b in data)
        return Decoded(text, 0)
    text = data.decode(codec, "replace")
    return Decoded(text, text.count(REPLACEMENT))


def decode(data: bytes, codec: str, dialect: Dialect) -> Decoded:
    """Decode ``data`` with the wrong ``codec`` the way ``dialect`` does.

    >>> decode("发送成功".encode(), "gbk", "python")
    Decoded(text='鍙戦\\ufffd佹垚鍔\\ufffd', holes=2)
    >>> decode("发送成功".encode(), "gbk", "whatwg").text
    '鍙戦€佹垚鍔\\ufffd'
    >>> decode(b"\\xa4 \\xa4\\xe5", "gbk", "qmark_swallow")
    Decoded(text='?ゅ', holes=1)
    >>> decode(b"\\x81\\x8d", "cp1252", "whatwg").text == "\\x81\\x8d"
    True
    >>> decode("中文".encode(), "gbk", "whatwg").text, decode("中文".encode(), "gbk", "pua_dropped")
    ('涓\\ue15f枃', Decoded(text='涓枃', holes=1))
    """
    if dialect not in DIALECTS:
        msg = f"unknown dialect {dialect!r}; known: {DIALECTS}"
        raise ValueError(msg)
    name = _norm(codec)
    if dialect == "python":
        text = data.decode(name, "replace")
        return Decoded(text, text.count(REPLACEMENT))
    spec = _DBCS_SPECS.get(name)
    if spec is None:
        decoded = _decode_single(data, name, dialect)
    else:
        decoded = _decode_dbcs(data, spec, swallow=dialect == "qmark_swallow")
    if dialect in ("qmark", "qmark_swallow"):
        decoded = Decoded(decoded.text.replace(REPLACEMENT, "?"), decoded.holes)
    elif dialect == "pua_dropped":
        kept = "".join(ch for ch in decoded.text if not "\ue000" <= ch <= "\uf8ff")
        decoded = Decoded(kept, decoded.holes + len(decoded.text) - len(kept))
    return decoded


def dialects_for(chain_name: str) -> tuple[Dialect, ...]:
    """The dialects that make different damage for a chain.

    >>> dialects_for("utf8_read_as_gbk")
    ('python', 'whatwg', 'qmark', 'qmark_swallow', 'pua_dropped')
    >>> dialects_for("big5_read_as_gbk")
    ('python', 'whatwg', 'qmark', 'qmark_swallow')
    >>> dialects_for("gbk_read_as_cp1252"), dialects_for("gbk_read_as_latin1")
    (('python', 'whatwg'), ('python',))
    """
    chain = CHAINS[chain_name]
    wrong = _norm(chain.wrong)
    if wrong in _DBCS_SPECS:
        if wrong == "gbk" and chain.true == "utf-8":
            return DIALECTS
        return tuple(d for d in DIALECTS if d != "pua_dropped")
    if wrong == "cp1252":
        return ("python", "whatwg")
    return ("python",)


def damage_detail(text: str, chain_name: str, dialect: Dialect) -> Decoded | None:
    """Like :func:`damage`, with the number of bytes the wrong decoder lost."""
    chain = CHAINS[chain_name]
    try:
        data = text.encode(chain.true)
    except UnicodeEncodeError:
        return None
    return decode(data, chain.wrong, dialect)


def damage(text: str, chain_name: str, dialect: Dialect) -> str | None:
    """Make the mojibake of ``chain_name``: encode with its true codec, decode wrongly.

    None when the true codec cannot encode ``text`` (Korean into GBK, say).

    >>> damage("发送成功", "utf8_read_as_gbk", "python")
    '鍙戦\\ufffd佹垚鍔\\ufffd'
    >>> damage("한국어", "gbk_read_as_latin1", "python") is None
    True
    """
    detail = damage_detail(text, chain_name, dialect)
    return None if detail is None else detail.text


def damage_twice_detail(text: str, chain_name: str, dialect: Dialect) -> Decoded | None:
    """Like :func:`damage_twice`, with the holes of both layers added up."""
    first = damage_detail(text, chain_name, dialect)
    if first is None:
        return None
    second = damage_detail(first.text, chain_name, dialect)
    if second is None:
        return None
    return Decoded(second.text, first.holes + second.holes)


def damage_twice(text: str, chain_name: str, dialect: Dialect) -> str | None:
    """The same mistake made twice (UTF-8→GBK→UTF-8→GBK), or None if it cannot happen.

    >>> damage_twice("中文", "utf8_read_as_gbk", "whatwg")
    '娑擃厽鏋\\ufffd'
    """
    detail = damage_twice_detail(text, chain_name, dialect)
    return None if detail is None else detail.text


# --- Test cases -----------------------------------------------------------------------------

Case = dict[str, Any]


def pools_for(chain_name: str) -> tuple[str, ...]:
    """Which line pools (language groups) a chain's true text is drawn from.

    UTF-8 and GBK text is Chinese of either script; Big5 is Traditional; Shift-JIS and
    EUC-JP are Japanese; EUC-KR (cp949) is Korean.

    >>> pools_for("big5_read_as_gbk"), pools_for("euc_kr_read_as_gbk")
    (('zh-hant', 'zh-parallel'), ('ko',))
    """
    true = _norm(CHAINS[chain_name].true)
    if true in ("cp932", "shift_jis", "euc_jp"):
        return ("ja",)
    if true in ("cp949", "euc_kr"):
        return ("ko",)
    if true in ("big5", "cp950"):
        return ("zh-hant", "zh-parallel")
    return ("zh-hans", "zh-hant", "zh-parallel")


def bucket_of(length: int) -> str | None:
    """The length bucket of a text of ``length`` characters.

    >>> bucket_of(1), bucket_of(2), bucket_of(30), bucket_of(31), bucket_of(201)
    (None, 'short', 'medium', 'long', None)
    """
    for name, (lo, hi) in BUCKETS.items():
        if lo <= length <= hi:
            return name
    return None


class _Picker:
    """Draws texts of a given length bucket from the line pools, by windows if needed."""

    def __init__(self, lines: Mapping[str, Sequence[str]]) -> None:
        self.lines = lines
        self._natural: dict[tuple[str, str], list[str]] = {}
        self._longer: dict[tuple[str, int], list[str]] = {}

    def _natural_lines(self, pool: str, bucket: str) -> list[str]:
        key = (pool, bucket)
        if key not in self._natural:
            self._natural[key] = [s for s in self.lines.get(pool, ()) if bucket_of(len(s)) == bucket
                                  and not s.isascii()]
        return self._natural[key]

    def _longer_lines(self, pool: str, lo: int) -> list[str]:
        key = (pool, lo)
        if key not in self._longer:
            self._longer[key] = [s for s in self.lines.get(pool, ()) if len(s) >= lo
                                 and not s.isascii()]
        return self._longer[key]

    def pick(self, rng: random.Random, pools: Sequence[str], bucket: str) -> str | None:
        """A text of ``bucket`` length with some non-ASCII in it, or None if none is found."""
        lo, hi = BUCKETS[bucket]
        pools = [p for p in pools if self._longer_lines(p, lo)]
        if not pools:
            return None
        pool = rng.choice(pools)
        natural = self._natural_lines(pool, bucket)
        if natural and rng.random() < 0.5:
            return rng.choice(natural)
        line = rng.choice(self._longer_lines(pool, lo))
        size = rng.randint(lo, min(hi, len(line)))
        start = rng.randrange(len(line) - size + 1)
        text = line[start:start + size].strip()
        if bucket_of(len(text)) != bucket or text.isascii():
            return None
        return text


def _whole_case(picker: _Picker, rng: random.Random, chain: str, dialect: Dialect,
                bucket: str, twice: bool) -> Case | None:
    text = picker.pick(rng, pools_for(chain), bucket)
    if text is None:
        return None
    detail = (damage_twice_detail if twice else damage_detail)(text, chain, dialect)
    if detail is None or detail.text == text:
        return None
    return {"kind": "twice" if twice else "whole", "chain": chain, "dialect": dialect,
            "truth": text, "damaged": detail.text, "spans": [(0, len(detail.text))],
            "bucket": bucket, "lossy": detail.holes > 0}


def _cut_spans(rng: random.Random, text: str, count: int) -> list[tuple[int, int]] | None:
    """``count`` non-overlapping spans of 2-12 characters, each with clean text around it."""
    sizes = [rng.randint(2, 12) for _ in range(count)]
    slack = len(text) - sum(sizes) - (count + 1)  # every gap holds one clean character
    if slack < 0:
        return None
    cuts = sorted(rng.randint(0, slack) for _ in range(count))
    bounds: list[tuple[int, int]] = []
    pos, prev = 0, 0
    for size, cut in zip(sizes, cuts):
        start = pos + 1 + cut - prev
        bounds.append((start, start + size))
        pos, prev = start + size, cut
    return bounds


def _span_case(picker: _Picker, rng: random.Random, chain: str, dialect: Dialect,
               count: int) -> Case | None:
    bucket = rng.choice(("medium", "long"))
    text = picker.pick(rng, pools_for(chain), bucket)
    if text is None:
        return None
    bounds = _cut_spans(rng, text, count)
    if bounds is None:
        return None
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    holes = 0
    pos = 0
    length = 0
    for start, end in bounds:
        sub = text[start:end]
        detail = damage_detail(sub, chain, dialect)
        if detail is None or detail.text == sub:
            return None
        pieces.append(text[pos:start])
        length += start - pos
        pieces.append(detail.text)
        spans.append((length, length + len(detail.text)))
        length += len(detail.text)
        holes += detail.holes
        pos = end
    pieces.append(text[pos:])
    return {"kind": "span" if count == 1 else "mixed", "chain": chain, "dialect": dialect,
            "truth": text, "damaged": "".join(pieces), "spans": spans, "bucket": bucket,
            "lossy": holes > 0}


def _cell_rng(base: int, *parts: object) -> random.Random:
    # One generator per cell, seeded from a string (deterministic, unlike hash()), so that
    # adding a chain or changing a count elsewhere does not move the other cells' cases.
    return random.Random(":".join(map(str, (base, *parts))))


def _fill(make: Any, rng: random.Random, count: int, tries: int = 40) -> list[Case]:
    cases: list[Case] = []
    for _ in range(count * tries):
        if len(cases) >= count:
            break
        case = make(rng)
        if case is not None:
            cases.append(case)
    return cases


def make_cases(lines: Mapping[str, Sequence[str]], rng: random.Random, *,
               chains: Iterable[str] | None = None, per_cell: int = 10, spans: int = 10,
               mixed: int = 10, twice: int = 10, clean: int = 10,
               dialects: Iterable[Dialect] | None = None) -> list[Case]:
    """Benchmark cases for every chain × dialect (× bucket), drawn from ``lines``.

    ``lines`` maps a pool name (``zh-hans``, ``zh-hant``, ``zh-parallel``, ``ja``, ``ko``)
    to clean lines; :func:`pools_for` says which pools a chain draws from, and texts its
    true codec cannot encode are skipped.  Produces, per chain × dialect:

    - ``per_cell`` ``"whole"`` cases per length bucket (the whole text damaged);
    - ``spans`` ``"span"`` cases (one damaged substring with clean text around it) and
      ``mixed`` cases (two damaged substrings in one line), in medium and long lines;
    - ``twice`` ``"twice"`` cases (the same mistake made twice), where that can happen;

    and ``clean`` undamaged ``"clean"`` texts per pool × bucket (``dialects``: only those).
    Each case is a dict
    ``{"kind", "chain", "dialect", "truth", "damaged", "spans", "bucket", "lossy"}``;
    ``spans`` are ``(start, end)`` offsets into ``damaged``, ``lossy`` says whether the
    decoder lost bytes.  The result depends only on ``lines`` and the state of ``rng``.

    >>> cases = make_cases({"zh-hans": ["这是一个测试句子，用来检查生成器。"]}, random.Random(1),
    ...                    chains=["utf8_read_as_gbk"], per_cell=1, spans=1, mixed=1,
    ...                    twice=1, clean=0)
    >>> sorted({c["kind"] for c in cases})
    ['mixed', 'span', 'twice', 'whole']
    >>> all(damage(c["truth"], c["chain"], c["dialect"]) == c["damaged"]
    ...     for c in cases if c["kind"] == "whole")
    True
    """
    base = rng.getrandbits(64)
    picker = _Picker(lines)
    names = list(CHAINS) if chains is None else list(chains)
    cases: list[Case] = []
    for chain in names:
        for dialect in dialects_for(chain):
            if dialects is not None and dialect not in dialects:
                continue
            for bucket in BUCKETS:
                cases += _fill(lambda r, c=chain, d=dialect, b=bucket:
                               _whole_case(picker, r, c, d, b, twice=False),
                               _cell_rng(base, "whole", chain, dialect, bucket), per_cell)
            cases += _fill(lambda r, c=chain, d=dialect: _span_case(picker, r, c, d, 1),
                           _cell_rng(base, "span", chain, dialect), spans)
            cases += _fill(lambda r, c=chain, d=dialect: _span_case(picker, r, c, d, 2),
                           _cell_rng(base, "mixed", chain, dialect), mixed)
            cases += _fill(lambda r, c=chain, d=dialect: _twice_case(picker, r, c, d),
                           _cell_rng(base, "twice", chain, dialect), twice, tries=10)
    for pool in sorted(lines):
        for bucket in BUCKETS:
            cases += _fill(lambda r, p=pool, b=bucket: _clean_case(picker, r, p, b),
                           _cell_rng(base, "clean", pool, bucket), clean, tries=10)
    return cases


def _twice_case(picker: _Picker, rng: random.Random, chain: str,
                dialect: Dialect) -> Case | None:
    return _whole_case(picker, rng, chain, dialect, rng.choice(list(BUCKETS)), twice=True)


def _clean_case(picker: _Picker, rng: random.Random, pool: str, bucket: str) -> Case | None:
    text = picker.pick(rng, (pool,), bucket)
    if text is None:
        return None
    return {"kind": "clean", "chain": None, "dialect": None, "truth": text, "damaged": text,
            "spans": [], "bucket": bucket, "lossy": False}
