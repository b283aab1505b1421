"""Which encoding some bytes are in: BOM, strict UTF-8, then fixenc's character statistics.

Detection among the legacy encodings decodes the bytes strictly with each candidate codec
and asks the character bigram model (:mod:`fixenc.lm`) how plausible each text is.  The
right decoding of GBK bytes gives a handful of common characters; the same bytes read as
Big5, Shift-JIS, EUC-KR or cp1252 give rare characters in unlikely pairs, kana and Hangul
strewn among ideographs, or Latin letters with accents where no European word has them.
Candidates that fail to decode strictly drop out first, so on long input there is usually
one left.  Measured in ``bench/bench_detect.py`` (held-out text): on 10 to 40 bytes this is
right more often than charset-normalizer and chardet, and on 200 bytes essentially always.

>>> detect_encoding("中文测试，请勿回复".encode("gbk")).encoding
'gb18030'
>>> detect_encoding("繁體中文測試".encode("big5")).encoding
'cp950'
>>> detect_encoding("日本語のテキスト".encode("shift_jis")).encoding
'cp932'
>>> detect_encoding("한국어 텍스트".encode("euc_kr")).encoding
'cp949'
>>> detect_encoding(b"caf\\xe9 cr\\xe8me").encoding
'cp1252'
"""

from __future__ import annotations

import codecs
import math
from collections.abc import Iterable, Sequence

from fixenc.results import Detection

# Each family is named by the codec that decodes it: the widest of its variants, so that
# one name covers a file whatever variant wrote it (gb18030 reads GBK and GB2312; cp950
# reads Big5, and big5hkscs its Hong Kong extension; cp932 reads Shift-JIS; cp949 reads
# EUC-KR, and euc_kr only where its eight-byte jamo sequences make a syllable cp949 does
# not).  A codec whose text equals an earlier one's is dropped, so the order breaks ties.
LEGACY = ("gb18030", "cp950", "big5hkscs", "cp932", "euc_jp", "cp949", "euc_kr", "cp1252")
"""The legacy codecs detection chooses among, in normalized form."""

FALLBACK = ("cp1251", "koi8-r", "cp1253", "cp1250", "cp1254", "cp1257", "cp1255", "cp1256",
            "cp1258", "cp874", "iso8859-5", "iso8859-7")
"""Single-byte code pages tried only when no CJK codec or cp1252 reads the data as text."""

FALLBACK_PER_CHAR = -7.0
FALLBACK_PRIOR = -3.0
"""When even the best reading among :data:`LEGACY` scores below ``FALLBACK_PER_CHAR`` nats
per character, the :data:`FALLBACK` code pages compete too, each with ``FALLBACK_PRIOR``.
Cyrillic or Greek text read as cp1252 scores -11 to -14 per character; right CJK readings
of 40 bytes, -9.5 at worst.  Chosen on part="calib" (10-40 bytes): CJK and cp1252 accuracy
stays 99.96% while cp1251, KOI8-R and cp1253 go from 0% (no fallback) to 99.9%; without
the gate (always trying them) CJK drops to 99.8% with a prior of -3."""

USE_CHARSET_NORMALIZER = False
"""Also score charset-normalizer's pick in the fallback.  Off: measured, it adds nothing
to :data:`FALLBACK` (bench/bench_detect.py, column "fixenc+cn fallback")."""

# Log prior (nats) of each codec, added to the text's log-probability.  Not a claim about
# the world's files but a correction of the model, which was trained on balanced language
# groups: the ambiguous cases are short runs of ideographs that GBK, Big5 and EUC-KR (hanja)
# all decode, and Latin text with one accented letter that the CJK codecs read as a single
# ideograph.  Fitted by a grid search on part="calib" of the corpora (3,600 samples of 10
# to 200 bytes, bench/bench_detect.py's sampler): 99.4% right with the first guess (GBK 0,
# the others -1 to -2, cp1252 -4), 99.97% with these.  big5hkscs only matters where cp950
# fails (Hong Kong characters).
PRIORS: dict[str, float] = {
    "gb18030": 0.0,
    "cp950": -2.0,
    "big5hkscs": -3.0,
    "cp932": -2.0,
    "euc_jp": -2.0,
    "cp949": -2.0,
    "euc_kr": -2.0,
    "cp1252": 0.0,
    **dict.fromkeys(FALLBACK, FALLBACK_PRIOR),
}

UTF16_PER_CHAR = -10.0
"""Least log-probability per character (nats) of text taken as UTF-16 without a BOM;
clean text in any corpus language averages -4 to -7."""

SCORE_CHARS = 1000
"""Only this many characters of each decoding are scored (all of it is decoded strictly):
on 200 bytes detection is already essentially always right, and scoring costs time."""

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

MAX_ALTERNATIVES = 5

SNIFF_BYTES = 8000
"""A NUL byte this near the start makes data binary (git's rule), unless it is UTF-16."""


def bom_of(data: bytes) -> tuple[bytes, str] | None:
    """The byte order mark ``data`` starts with and the codec that reads it, if any.

    >>> bom_of(b"\\xef\\xbb\\xbfabc"), bom_of(b"abc")
    ((b'\\xef\\xbb\\xbf', 'utf-8-sig'), None)
    """
    for bom, codec in BOMS:
        if data.startswith(bom):
            return bom, codec
    return None


def decode_prefix(data: bytes, codec: str, *, final: bool = True) -> str | None:
    """``data`` decoded strictly with ``codec``, or None when it is not valid.

    With ``final=False`` an incomplete character at the end is left out rather than an
    error (the data is a prefix cut anywhere).

    >>> decode_prefix("中文".encode("gbk")[:3], "gb18030", final=False)
    '中'
    >>> decode_prefix("中文".encode("gbk")[:3], "gb18030") is None
    True
    """
    try:
        return codecs.getincrementaldecoder(codec)("strict").decode(data, final)
    except UnicodeDecodeError:
        return None


def decode_escaping(data: bytes, codec: str) -> str:
    """``data`` decoded with ``codec``, each undecodable byte kept as a lone surrogate.

    Like ``errors="surrogateescape"``, but the same for every codec (some CJK codecs turn
    an invalid byte into U+FFFD even with that handler, losing it).

    >>> decode_escaping(b"\\xd6\\xd0\\xff\\xce\\xc4", "gb18030")
    '中\\udcff文'
    """
    if codec == "utf-8":
        return data.decode("utf-8", "surrogateescape")  # the same, and fast
    view = memoryview(data)  # slices without copying: linear in the length of data
    out: list[str] = []
    pos = 0
    while pos < len(data):
        try:
            out.append(str(view[pos:], codec))
            break
        except UnicodeDecodeError as exc:
            out.append(str(view[pos:pos + exc.start], codec))
            bad = data[pos + exc.start:pos + max(exc.end, exc.start + 1)]
            out.append("".join(chr(0xDC00 + b) if b >= 0x80 else chr(b) for b in bad))
            pos += exc.start + len(bad)
    return "".join(out)


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``data`` (with NUL bytes) reads as text in it.

    Text in UTF-16 has NUL bytes wherever it has ASCII, so NULs alone do not tell it from
    binary data; decoding does.  Binary data read as UTF-16 gives control characters,
    unpaired surrogates or unlikely text; real text gives neither.

    >>> utf16_without_bom("hello, 世界".encode("utf-16-le")), utf16_without_bom(b"\\0\\1\\2\\0")
    ('utf-16-le', None)
    """
    from fixenc import lm

    sample = data[:SNIFF_BYTES]
    if len(sample) < 4:
        return None
    best: tuple[float, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        text = decode_prefix(sample, codec, final=len(sample) == len(data) and len(data) % 2 == 0)
        if not text or any(ch < " " and ch not in "\t\r\n" for ch in text):
            continue
        per_char = lm.text_logprob(text[:SCORE_CHARS]) / min(len(text), SCORE_CHARS)
        if per_char >= UTF16_PER_CHAR and (best is None or per_char > best[0]):
            best = (per_char, codec)
    return None if best is None else best[1]


def _softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


def score_candidates(data: bytes, codecs_: Iterable[str] = LEGACY, *, final: bool = True,
                     bonus: dict[str, float] | None = None, escape: bool = False,
                     ) -> list[tuple[str, float, str]]:
    """``(codec, score, text)`` for each codec that decodes ``data`` strictly, best first.

    The score is the text's log-probability under the bigram model plus the codec's prior
    (:data:`PRIORS`) and any ``bonus`` (other evidence, in nats).  A codec whose text is
    the same as a better one's is left out (cp950 and big5hkscs agree on most Big5).  With
    ``escape``, every codec decodes, keeping undecodable bytes as lone surrogates (each
    scored as an invalid character).
    """
    from fixenc import lm

    found: list[tuple[str, float, str]] = []
    texts: set[str] = set()
    for codec in codecs_:
        if escape:
            text: str | None = decode_escaping(data, codec)
        else:
            text = decode_prefix(data, codec, final=final)
        if text is None or text in texts:
            continue
        texts.add(text)
        score = lm.text_logprob(text[:SCORE_CHARS]) + PRIORS.get(codec, 0.0)
        if bonus:
            score += bonus.get(codec, 0.0)
        found.append((codec, score, text))
    found.sort(key=lambda item: -item[1])
    return found


def ranked(data: bytes, *, final: bool = True, bonus: dict[str, float] | None = None
           ) -> list[tuple[str, float, str]]:
    """Every reading of ``data`` (which is not valid UTF-8) worth considering, best first.

    The :data:`LEGACY` codecs that decode it strictly; and readings that keep undecodable
    bytes as lone surrogates, UTF-8 always (a stray byte in UTF-8 text).  When none of
    those reads it as text, also the :data:`FALLBACK` code pages, and the CJK codecs with
    escaped bytes (a stray byte in GBK text).  Each escaped byte is scored as an
    invalid character (about -30 nats), so these win only when nothing reads better.
    """
    scored = score_candidates(data, final=final, bonus=bonus)
    escaped = ["utf-8"]
    if _implausible(scored):
        scored = _with_fallback(data, scored, final=final)
        escaped.extend(c for c in LEGACY if c != "cp1252")
    scored += score_candidates(data, escaped, bonus=bonus, escape=True)
    scored.sort(key=lambda item: -item[1])
    return scored


def _implausible(scored: Sequence[tuple[str, float, str]]) -> bool:
    """Whether even the best reading among :data:`LEGACY` is unlike text in any language."""
    if not scored:
        return True
    _, score, text = scored[0]
    return score < FALLBACK_PER_CHAR * min(len(text), SCORE_CHARS)


def _with_fallback(data: bytes, scored: list[tuple[str, float, str]], *, final: bool
                   ) -> list[tuple[str, float, str]]:
    """``scored`` with the readings of the :data:`FALLBACK` code pages, and of whatever
    charset-normalizer proposes, scored the same way (without a prior)."""
    extra = [c for c in FALLBACK if c not in LEGACY]
    proposed = _charset_normalizer_pick(data) if USE_CHARSET_NORMALIZER else None
    if proposed is not None and proposed not in LEGACY and proposed not in extra:
        extra.append(proposed)
    more = score_candidates(data, extra, final=final)
    seen = {text for _, _, text in scored}
    merged = scored + [item for item in more if item[2] not in seen]
    merged.sort(key=lambda item: -item[1])
    return merged


def _charset_normalizer_pick(data: bytes) -> str | None:
    try:
        import charset_normalizer
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = charset_normalizer.from_bytes(data[:SNIFF_BYTES]).best()
    if best is None:
        return None
    try:
        return codecs.lookup(best.encoding).name
    except LookupError:
        return None


def detect_encoding(data: bytes, *, final: bool = True) -> Detection:
    """How to decode ``data``: BOM, then strict UTF-8, then the most plausible legacy codec.

    ``final=False`` says ``data`` is a prefix of something longer (a character may be cut
    at its end).  ``confidence`` is the model's posterior among the codecs that decode the
    data (1.0 for a BOM or valid UTF-8); ``alternatives`` lists the next most likely (up to
    :data:`MAX_ALTERNATIVES`) with theirs.
    Data with a NUL byte near its start that is not UTF-16 is ``binary`` (``encoding`` is
    then ``utf-8``, the lossless way fixenc reads it with ``surrogateescape``).  The chosen
    codec may leave some bytes undecodable (see :func:`ranked`); they are then kept as
    escaped bytes.

    >>> d = detect_encoding("你好".encode("gbk"))
    >>> d.encoding, d.method
    ('gb18030', 'statistics')
    >>> detect_encoding(b"\\xef\\xbb\\xbfhi")
    Detection(encoding='utf-8-sig', confidence=1.0, method='bom', alternatives=())
    >>> detect_encoding(bytes(range(256))).method
    'binary'
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        msg = f"detect_encoding() takes bytes, not {type(data).__name__}"
        raise TypeError(msg)
    data = bytes(data)
    found = bom_of(data)
    if found is not None:
        return Detection(encoding=found[1], confidence=1.0, method="bom")
    if b"\0" in data[:SNIFF_BYTES]:
        codec = utf16_without_bom(data)
        if codec is not None:
            return Detection(encoding=codec, confidence=0.9, method="utf-16")
        return Detection(encoding="utf-8", confidence=1.0, method="binary")
    if decode_prefix(data, "utf-8", final=final) is not None:
        return Detection(encoding="utf-8", confidence=1.0, method="utf-8")
    scored = ranked(data, final=final)
    probs = _softmax([s for _, s, _ in scored])
    return Detection(encoding=scored[0][0], confidence=round(probs[0], 4), method="statistics",
                     alternatives=tuple((c, round(p, 4)) for (c, _, _), p
                                        in zip(scored[1:MAX_ALTERNATIVES + 1], probs[1:],
                                               strict=False)))
