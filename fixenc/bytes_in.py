"""Bytes in: decode whatever a file holds, line by line where lines differ, losing nothing.

The order is: a byte order mark (UTF-8/16/32); valid UTF-8; otherwise each line on its own
-- valid UTF-8 stays UTF-8 and any other line is decoded with the legacy codec its text is
most plausible in (:mod:`fixenc.detect`), with the evidence of the whole file as a prior,
so that a short line goes with its neighbours.  That is what a UTF-8 log with GBK lines
appended needs, and for a file wholly in one legacy encoding it gives every line the same
codec.  Bytes that nothing decodes (a stray ``\\xff`` in a UTF-8 file, a character cut in
half) become lone surrogates (``surrogateescape``): they are reported as findings of kind
``undecodable_bytes`` with their position, and encoding the text back with
``surrogateescape`` gives the original bytes.

>>> r = repair_bytes("标题：日志\\n".encode() + "中文\\n".encode("gbk"))
>>> r.text, r.encoding
('标题：日志\\n中文\\n', 'utf-8')
>>> r.line_encodings
(LineEncoding(line=1, start=0, encoding='utf-8'), LineEncoding(line=2, start=6, encoding='gb18030'))
"""

from __future__ import annotations

import codecs
import dataclasses
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

from fixenc import fileio
from fixenc.config import FixConfig
from fixenc.detect import (
    PRIORS,
    SNIFF_BYTES,
    bom_of,
    decode_escaping,
    decode_prefix,
    detect_encoding,
    ranked,
    utf16_without_bom,
)
from fixenc.results import Detection, Fix, LineEncoding, Repair, Step

UNDECODABLE = "undecodable_bytes"
"""Kind of the finding for bytes no codec decodes (kept as lone surrogates)."""

FILE_BONUS = 6.0
"""Nats added to the file's prevailing legacy codec when a line is decoded on its own: a
short line (a subtitle, a CSV cell) says little, and the rest of the file says much.
On synthetic mixed files built from part="calib" (bench/bench_detect.py), 6 and 12 got
every line but one right, 0 and 3 missed one line more."""

TRUSTED_BYTES = 4096
PLAUSIBLE_PER_CHAR = -8.0
"""Once a legacy codec has decoded this many bytes of a file, a line it decodes strictly
into text at least this likely (nats per character) is taken without trying the others:
the speed of a file in one legacy encoding.  Right decodings of 40 bytes of GBK average
-6.0 nats per character on part="calib"; the same bytes read as Big5 or EUC-KR, -15 and
-12.  Only the first :data:`PLAUSIBLE_CHARS` characters of a line are scored."""

PLAUSIBLE_CHARS = 48

SHORT_UTF8_BYTES = 12
"""Lines with this few non-ASCII bytes that are valid UTF-8 still compete with the file's
legacy codec (``hash\xd6\xb5`` is ``hash值`` in GBK and ``hash\u05b5`` in UTF-8)."""

SAMPLE_BYTES = 1 << 16
"""How much of a file's non-UTF-8 lines the file-level detection looks at."""

_ASCII = bytes(range(0x80))


def _non_ascii(raw: bytes) -> int:
    return len(raw.translate(None, _ASCII))


def _is_escape(ch: str) -> bool:
    return "\udc80" <= ch <= "\udcff"


@dataclass(frozen=True, slots=True)
class DecodedLine:
    """One line decoded: its text, the codec used, and the posterior of that choice."""

    text: str
    encoding: str
    confidence: float = 1.0


class LineDecoder:
    """Decodes the lines of one file, each on its own, with the file's evidence as prior.

    The prior is the legacy codec that has decoded the most bytes so far, seeded by a
    detection on a sample of the file.  ASCII lines read the same in every candidate codec
    and are called UTF-8.

    >>> dec = LineDecoder()
    >>> [dec.decode(line).encoding for line in (b"abc\\n", "中文\\n".encode("gbk"),
    ...                                         "中文\\n".encode())]
    ['utf-8', 'gb18030', 'utf-8']
    """

    def __init__(self, seed: Detection | None = None) -> None:
        self._weights: dict[str, float] = {}
        if seed is not None and seed.method == "statistics" and seed.encoding != "utf-8":
            self._weights[seed.encoding] = float(SAMPLE_BYTES)

    @property
    def prevailing(self) -> str | None:
        """The legacy codec that has the most evidence so far, if any."""
        if not self._weights:
            return None
        return max(self._weights.items(), key=lambda item: item[1])[0]

    def decode(self, raw: bytes) -> DecodedLine:
        """Decode one line (with its line ending)."""
        if raw.isascii():
            return DecodedLine(raw.decode("ascii"), "utf-8")
        prevailing = self.prevailing
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if prevailing is None or _non_ascii(raw) > SHORT_UTF8_BYTES:
                return DecodedLine(text, "utf-8")
            return self._short_utf8(raw, text, prevailing)
        if prevailing is not None and self._weights[prevailing] >= TRUSTED_BYTES:
            fast = self._plausible(raw, prevailing)
            if fast is not None:
                return fast
        bonus = {prevailing: FILE_BONUS} if prevailing else None
        # Readings that keep undecodable bytes escaped compete too (a stray byte in UTF-8
        # or GBK text, a character cut in half); see detect.ranked.
        scored = ranked(raw, bonus=bonus)
        codec, best, text = scored[0]
        if not _has_escape(text):
            self._weights[codec] = self._weights.get(codec, 0.0) + len(raw)
        return DecodedLine(text, codec, _posterior(best, [s for _, s, _ in scored[1:]]))

    def _short_utf8(self, raw: bytes, text: str, prevailing: str) -> DecodedLine:
        """A short line that is valid UTF-8, in a file where a legacy codec prevails.

        Two GBK bytes are valid UTF-8 about one time in twelve (a lead byte C2-DF, then a
        trail byte 80-BF): ``然`` in GBK is ``C8 BB``, which UTF-8 reads as ``Ȼ``.  So the
        two readings compete, the legacy one with the file's bonus.
        """
        from fixenc import lm

        legacy = decode_prefix(raw, prevailing)
        if legacy is None:
            return DecodedLine(text, "utf-8")
        utf8_score = lm.text_logprob(text)
        legacy_score = lm.text_logprob(legacy) + PRIORS.get(prevailing, 0.0)
        if utf8_score >= legacy_score:
            return DecodedLine(text, "utf-8", _posterior(utf8_score, [legacy_score]))
        return DecodedLine(legacy, prevailing, _posterior(legacy_score, [utf8_score]))

    def _plausible(self, raw: bytes, codec: str) -> DecodedLine | None:
        """The line in the file's established codec, if it reads like text in it."""
        from fixenc import lm

        text = decode_prefix(raw, codec)
        if text is None:
            return None
        head = text[:PLAUSIBLE_CHARS]  # enough to tell, and scoring costs time
        if lm.text_logprob(head) < PLAUSIBLE_PER_CHAR * len(head):
            return None
        self._weights[codec] += len(raw)
        return DecodedLine(text, codec, 1.0)


def _posterior(best: float, others: list[float]) -> float:
    """The share of ``best`` among all the scores (log values), rounded."""
    return round(1.0 / (1.0 + sum(math.exp(max(s - best, -700.0)) for s in others)), 4)


def _raw_lines(data: bytes) -> Iterator[bytes]:
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        yield data[start:end]
        start = end


def _seed(lines: Iterator[bytes] | list[bytes]) -> Detection | None:
    """File-level detection on (a bounded sample of) the lines that are not UTF-8."""
    sample = bytearray()
    for raw in lines:
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            sample += raw
            if len(sample) >= SAMPLE_BYTES:
                break
    if not sample:
        return None
    return detect_encoding(bytes(sample[:SAMPLE_BYTES]), final=len(sample) < SAMPLE_BYTES)


@dataclass(frozen=True, slots=True)
class Decoded:
    """Bytes decoded: the text, the main codec, runs of lines per codec, the detection."""

    text: str
    encoding: str
    line_encodings: tuple[LineEncoding, ...]
    detection: Detection
    undecodable: tuple[Fix, ...] = ()
    """An ``undecodable_bytes`` finding for each run of bytes kept escaped in ``text``."""


def _whole(text: str, detection: Detection, skip: int = 0) -> Decoded:
    """``text`` decoded all with one codec, after ``skip`` bytes (a BOM)."""
    codec = "utf-8" if detection.encoding == "utf-8-sig" else detection.encoding
    bad = undecodable_findings(text, codec, skip) if _has_escape(text) else []
    return Decoded(text, detection.encoding, (), detection, tuple(bad))


def decode_bytes(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode ``data`` losslessly: BOM, strict UTF-8, else line by line (see the module).

    ``encoding`` forces a codec for every line (bytes it cannot decode are escaped).

    >>> decode_bytes("中文".encode("big5")).encoding
    'cp950'
    >>> d = decode_bytes("好的".encode() + b"\\xff\\n")
    >>> d.text, d.encoding
    ('好的\\udcff\\n', 'utf-8')
    """
    if encoding is not None:
        codec = codecs.lookup(encoding).name
        return _whole(decode_escaping(data, codec), Detection(codec, 1.0, "forced"))
    found = bom_of(data)
    if found is not None and found[1] != "utf-8-sig":
        bom, codec = found
        text = decode_prefix(data, codec)
        if text is not None:
            return _whole(text, Detection(codec, 1.0, "bom"))
        return _whole(decode_escaping(data, "utf-8"), Detection("utf-8", 0.0, "undecodable"))
    bom = found[0] if found is not None else b""
    body = data[len(bom):]
    if b"\0" in body[:SNIFF_BYTES]:
        codec16 = utf16_without_bom(body)
        if codec16 is not None:
            return _whole(decode_escaping(body, codec16), Detection(codec16, 0.9, "utf-16"))
        return _whole(decode_escaping(data, "utf-8"), Detection("utf-8", 1.0, "binary"))
    first = "utf-8-sig" if bom else "utf-8"
    try:
        return _whole(body.decode("utf-8"), Detection(first, 1.0, "bom" if bom else "utf-8"))
    except UnicodeDecodeError:
        pass
    lines = list(_raw_lines(body))
    seed = _seed(lines)
    return _by_line(lines, LineDecoder(seed), seed, first, len(bom))


def _by_line(lines: list[bytes], decoder: LineDecoder, seed: Detection | None,
             first: str, skip: int) -> Decoded:
    texts: list[str] = []
    runs: list[LineEncoding] = []
    bad: list[Fix] = []
    sizes: dict[str, int] = {}
    offset = 0
    byte_offset = skip
    current = ""
    for number, raw in enumerate(lines, start=1):
        line = decoder.decode(raw)
        if _has_escape(line.text):
            bad.extend(undecodable_findings(line.text, line.encoding, byte_offset, offset))
        byte_offset += len(raw)
        if not raw.isascii() and line.encoding != current:
            current = line.encoding
            # ASCII lines before the first non-ASCII one belong to its run.
            runs.append(LineEncoding(1 if not runs else number, 0 if not runs else offset,
                                     current))
        if not raw.isascii():
            sizes[line.encoding] = sizes.get(line.encoding, 0) + len(raw)
        texts.append(line.text)
        offset += len(line.text)
    main = max(sizes.items(), key=lambda item: item[1])[0] if sizes else "utf-8"
    if main == "utf-8" and first == "utf-8-sig":
        main = first
    detection = seed if seed is not None and seed.encoding == main else Detection(
        main, 1.0, "statistics")
    return Decoded("".join(texts), main, tuple(runs) if len(runs) > 1 else (), detection,
                   tuple(bad))


def undecodable_findings(text: str, codec: str, byte_offset: int = 0,
                         char_offset: int = 0) -> list[Fix]:
    """A finding for each run of escaped bytes in ``text`` (decoded with ``codec``).

    ``start``/``end`` are character offsets (plus ``char_offset``); the evidence gives the
    run's byte offset in the data (plus ``byte_offset``) and its length in bytes.

    >>> [(f.start, f.evidence["byte_offset"]) for f in undecodable_findings("中\\udcff", "utf-8")]
    [(1, 3)]
    """
    found: list[Fix] = []
    i = 0
    while i < len(text):
        if not _is_escape(text[i]):
            i += 1
            continue
        j = i
        while j < len(text) and _is_escape(text[j]):
            j += 1
        start_byte = byte_offset + len(text[:i].encode(codec, "surrogateescape"))
        found.append(Fix(start=char_offset + i, end=char_offset + j, original=text[i:j],
                         replacement=text[i:j], kind=UNDECODABLE, steps=(), confidence=1.0,
                         lossy=True, lost=j - i,
                         evidence={"byte_offset": start_byte, "bytes": j - i}))
        i = j
    return found


def repair_bytes(data: bytes, config: FixConfig | None = None, *, encoding: str | None = None,
                 min_confidence: float | None = None, to_simplified: str | bool | None = None,
                 strip_pinyin: bool | None = None) -> Repair:
    """Decode ``data`` (guessing how, unless ``encoding`` is given), then :func:`repair` it.

    The result has ``encoding`` (what the bytes were decoded as), ``line_encodings`` (where
    lines differ) and ``detection``.  Undecodable bytes are kept as lone surrogates and
    reported as ``undecodable_bytes`` findings; binary data (NUL bytes) is decoded the same
    way and not repaired.  Never raises for any bytes.

    >>> r = repair_bytes("浣犲ソ".encode("utf-8"))        # valid UTF-8, holding mojibake
    >>> r.text, r.encoding
    ('你好', 'utf-8')
    >>> repair_bytes("繁體中文".encode("big5")).encoding
    'cp950'
    >>> data = "好的".encode() + b"\\xff" + "！".encode()
    >>> r = repair_bytes(data)
    >>> [(f.kind, f.start, f.evidence["byte_offset"]) for f in r.fixes]
    [('undecodable_bytes', 2, 6)]
    >>> r.text.encode("utf-8", "surrogateescape") == data
    True
    >>> repair_bytes("繁體中文".encode("big5"), to_simplified=True).text
    '繁体中文'
    """
    from fixenc.repair import repair

    if not isinstance(data, (bytes, bytearray, memoryview)):
        msg = f"repair_bytes() takes bytes, not {type(data).__name__}; for str use repair()"
        raise TypeError(msg)
    decoded = decode_bytes(bytes(data), encoding)
    text = decoded.text
    if decoded.detection.method == "binary":
        rep = Repair(original=text, text=text)
    else:
        rep = repair(text, config, min_confidence=min_confidence, to_simplified=to_simplified,
                     strip_pinyin=strip_pinyin)
    fixes = tuple(sorted([*rep.fixes, *decoded.undecodable], key=lambda f: (f.start, -f.end)))
    return dataclasses.replace(rep, fixes=fixes, encoding=decoded.encoding,
                               line_encodings=decoded.line_encodings,
                               detection=decoded.detection)


# --- streams (the command line) ----------------------------------------------------------

class _Prefixed:
    """A stream whose first bytes were already read (to sniff them)."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._read = getattr(stream, "read1", stream.read)

    def read1(self, size: int = -1) -> bytes:
        if self._prefix:
            out, self._prefix = self._prefix, b""
            return out
        data: bytes = self._read(size)
        return data

    read = read1


def _read_prefix(stream: BinaryIO, size: int,
                 before_read: Callable[[], None] | None) -> bytes:
    """What one read gives, up to ``size`` bytes: a whole sample from a file, and from a
    pipe only what has arrived, so that a filter never waits for more input than a line."""
    if before_read is not None:
        before_read()
    read = getattr(stream, "read1", stream.read)
    data: bytes = read(size)
    return data


def read_segments_auto(stream: BinaryIO, *, max_segment: int = fileio.MAX_SEGMENT,
                       before_read: Callable[[], None] | None = None,
                       ) -> Iterator[fileio.Segment]:
    """Like :func:`fileio.read_segments`, guessing each line's encoding; never undecodable.

    A bounded prefix (:data:`SAMPLE_BYTES`) seeds the file-level prior; each segment says
    which codec decoded it (``Segment.encoding``).  Raises :class:`fileio.BinaryInput` for
    NUL bytes and :class:`fileio.UndecodableInput` for UTF-16/32, which cannot be read line
    by line.

    >>> import io
    >>> [(s.text, s.encoding) for s in read_segments_auto(io.BytesIO(
    ...     "一\\n".encode() + "二\\n".encode("gbk")))]
    [('一\\n', 'utf-8'), ('二\\n', 'gb18030')]
    """
    prefix = _read_prefix(stream, SAMPLE_BYTES, before_read)
    found = bom_of(prefix)
    if (found is not None and found[1] != "utf-8-sig") or (
            b"\0" in prefix[:SNIFF_BYTES] and utf16_without_bom(prefix) is not None):
        name = found[1] if found is not None else "utf-16"
        msg = (f"{name.upper()} file; fixenc reads text line by line: convert it first (for "
               f"example iconv -f {name} -t utf-8), or use fixenc.repair_bytes")
        raise fileio.UndecodableInput(msg)
    decoder = LineDecoder(_seed(list(_raw_lines(prefix))))
    source = cast("BinaryIO", _Prefixed(prefix, stream))  # _raw_pieces needs only read1
    line, column, offset = 1, 0, 0
    for raw, ends_line in fileio._raw_pieces(source, max_segment, before_read):
        if offset < SNIFF_BYTES and b"\0" in raw[:SNIFF_BYTES - offset]:
            msg = "binary file (NUL byte near its start); not repaired"
            raise fileio.BinaryInput(msg)
        bom = fileio.BOM_UTF8 if offset == 0 and raw.startswith(fileio.BOM_UTF8) else b""
        decoded = decoder.decode(raw[len(bom):])
        yield fileio.Segment(line=line, column=column, raw=raw, text=decoded.text, bom=bom,
                             ends_line=ends_line, encoding=decoded.encoding,
                             confidence=decoded.confidence)
        offset += len(raw)
        if ends_line:
            line, column = line + 1, 0
        else:
            column += len(decoded.text)


LEGACY_ENCODING = "legacy_encoding"
"""Kind of the finding for a run of lines that is not UTF-8 (and could be converted)."""


class EncodingReport:
    """Findings about how a stream's lines were decoded, one segment at a time.

    For each segment: an ``undecodable_bytes`` finding per run of bytes nothing decoded,
    with its byte offset in the stream; and a ``legacy_encoding`` finding at the first
    line of each run of lines in a codec other than UTF-8 (ASCII lines do not break a run).
    Its ``original`` is what a UTF-8 reader sees (U+FFFD for each bad sequence), its
    ``replacement`` the line decoded, and it is ``applied`` when the caller converts
    (``apply=True``: the command's filter, or ``--write --transcode``).

    >>> report = EncodingReport(apply=False)
    >>> seg = fileio.Segment(line=1, column=0, raw="中文\\n".encode("gbk"), text="中文\\n",
    ...                      encoding="gb18030")
    >>> [(f.kind, f.original == "\\ufffd" * 4, f.replacement, f.steps[0].arg)
    ...  for f in report.findings(seg)]
    [('legacy_encoding', True, '中文', 'gb18030')]
    """

    def __init__(self, *, apply: bool, encoding: str = "") -> None:
        self._apply = apply
        self._encoding = encoding  # the stream's codec when it has one
        self._run = ""
        self._offset = 0

    def findings(self, seg: fileio.Segment) -> list[Fix]:
        """The findings for the next segment of the stream."""
        codec = seg.encoding or self._encoding or "utf-8"
        start = self._offset + len(seg.bom)
        self._offset += len(seg.raw)
        found = undecodable_findings(seg.text, codec, start) if _has_escape(seg.text) else []
        if seg.raw.isascii():
            return found
        if codec == "utf-8" or codec != self._run:
            self._run = codec
            if codec != "utf-8":
                found.insert(0, self._legacy(seg, codec))
        return found

    def _legacy(self, seg: fileio.Segment, codec: str) -> Fix:
        body = seg.text.rstrip("\r\n")
        seen = seg.raw[len(seg.bom):].decode("utf-8", "replace").rstrip("\r\n")
        return Fix(start=0, end=len(body), original=seen, replacement=body,
                   kind=LEGACY_ENCODING, steps=(Step("decode", codec),),
                   confidence=seg.confidence, applied=self._apply)


_ESCAPE_RE = re.compile("[\udc80-\udcff]")


def _has_escape(text: str) -> bool:
    return _ESCAPE_RE.search(text) is not None
