"""Files as bytes: strict decoding line by line, binary detection, atomic rewrites.

fixenc never guesses how to decode a file.  A file is read as bytes and decoded strictly,
by default as UTF-8; a file that is not valid in that encoding is not text fixenc can
repair, and the error says which encoding to try instead.  Each line keeps its raw bytes,
line ending and BOM included, so a line that repair leaves alone is written back byte for
byte, and a file with nothing to fix is never touched.

Memory stays constant whatever the size of the input: bytes are read in chunks and cut into
lines; a line longer than :data:`MAX_SEGMENT` bytes is cut into pieces at an ASCII byte, or
between two characters when there is none.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import BinaryIO, NoReturn

BOM_UTF8 = codecs.BOM_UTF8
SNIFF_BYTES = 8000
"""A NUL byte within this many bytes from the start makes the input binary (git's rule)."""
CHUNK = 1 << 16
MAX_SEGMENT = 1 << 20
"""Lines longer than this many bytes are repaired in pieces (see :func:`read_segments`)."""

# Encodings to suggest, in this order, when input is not valid UTF-8.
_HINT_ENCODINGS = ("gbk", "gb18030", "big5")
# A byte below 0x30 is always a character of its own in UTF-8 and in the double-byte
# Chinese and Japanese code pages (their trail bytes are 0x40 or more; GB18030's four-byte
# form uses 0x30-0x39), so a long line can be cut after one without splitting a character.
_CUT_BYTES = tuple(bytes([b]) for b in range(0x30))


class SkipFile(Exception):
    """The input is not text fixenc can repair; the message says why and what to try."""


class BinaryInput(SkipFile):
    """The input has a NUL byte near its start."""


class UndecodableInput(SkipFile):
    """The input is not valid in the encoding it is read with."""


def normalize_encoding(name: str) -> str:
    """The normalized name of a codec fixenc can read line by line, or ``ValueError``.

    >>> normalize_encoding("GBK"), normalize_encoding("utf8"), normalize_encoding("utf-8-sig")
    ('gbk', 'utf-8', 'utf-8')
    >>> normalize_encoding("utf-16")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: fixenc reads text line by line and needs an ASCII-compatible encoding, ...
    """
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        msg = f"unknown encoding {name!r}; try utf-8, gbk, gb18030 or big5"
        raise ValueError(msg) from None
    if codec == "utf-8-sig":  # the BOM is kept as it is anyway
        return "utf-8"
    probe = "\t\n\r !09AZaz"
    try:
        ascii_compatible = probe.encode(codec) == probe.encode("ascii")
    except (UnicodeError, LookupError):
        ascii_compatible = False
    if not ascii_compatible:
        msg = (f"fixenc reads text line by line and needs an ASCII-compatible encoding, not "
               f"{codec}; convert the file first (for example iconv -f {codec} -t utf-8)")
        raise ValueError(msg)
    return codec


@dataclass(frozen=True, slots=True)
class Segment:
    """A line of the input with its line ending, or a piece of a very long line.

    ``raw`` holds the bytes exactly as read (BOM and line ending included); ``text`` is
    ``raw`` decoded, without the BOM.  ``line`` is the 1-based line number and ``column``
    the 0-based offset, in characters, of ``text`` within that line (not 0 only for the
    later pieces of a line cut by :data:`MAX_SEGMENT`).  ``encoding`` is the codec that
    decoded it when lines are decoded each on its own (``fixenc.bytes_in``), with
    ``confidence`` the posterior of that choice; empty when the stream has one encoding.
    """

    line: int
    column: int
    raw: bytes
    text: str
    bom: bytes = b""
    ends_line: bool = True
    encoding: str = ""
    confidence: float = 1.0


def read_segments(stream: BinaryIO, encoding: str = "utf-8", *,
                  max_segment: int = MAX_SEGMENT,
                  before_read: Callable[[], None] | None = None) -> Iterator[Segment]:
    """Decode ``stream`` strictly, one line (or piece of a long line) at a time.

    Raises :class:`BinaryInput` for a NUL byte in the first :data:`SNIFF_BYTES` bytes and
    :class:`UndecodableInput` at the first line that is not valid ``encoding``.
    ``before_read`` is called before each read that may block (a filter flushes its output
    there, so a pipe sees each line as soon as its input arrived).

    >>> import io
    >>> [s.text for s in read_segments(io.BytesIO(b"\\xef\\xbb\\xbfa\\r\\nb"))]
    ['a\\r\\n', 'b']
    """
    line, column, offset = 1, 0, 0
    for raw, ends_line in _raw_pieces(stream, max_segment, before_read, encoding):
        if offset < SNIFF_BYTES and b"\0" in raw[:SNIFF_BYTES - offset]:
            msg = "binary file (NUL byte near its start); not repaired"
            raise BinaryInput(msg)
        bom = BOM_UTF8 if offset == 0 and encoding == "utf-8" and raw.startswith(BOM_UTF8) else b""
        text = _decode(raw, len(bom), encoding, line, offset)
        yield Segment(line=line, column=column, raw=raw, text=text, bom=bom, ends_line=ends_line)
        offset += len(raw)
        if ends_line:
            line, column = line + 1, 0
        else:
            column += len(text)


def _raw_pieces(stream: BinaryIO, max_segment: int, before_read: Callable[[], None] | None,
                encoding: str = "utf-8") -> Iterator[tuple[bytes, bool]]:
    """Raw lines (``True``: ends a line) and pieces of overlong lines (``False``)."""
    read = getattr(stream, "read1", stream.read)
    buf = bytearray()
    while True:
        if before_read is not None:
            before_read()
        chunk = read(CHUNK)
        if not chunk:
            break
        buf += chunk
        start = 0
        while True:
            newline = buf.find(b"\n", start)
            end = newline if newline >= 0 else len(buf)  # a cut must not take the newline
            if end - start >= max_segment and (
                    cut := _cut_point(buf, start, max_segment, encoding)):
                yield bytes(buf[start:cut]), False
                start = cut
            elif newline >= 0:
                yield bytes(buf[start:newline + 1]), True
                start = newline + 1
            else:
                break
        del buf[:start]
    if buf:
        yield bytes(buf), True


def _cut_point(buf: bytearray, start: int, max_segment: int, encoding: str) -> int:
    """Where to cut the overlong line from ``buf[start]``, within ``max_segment`` bytes:
    after its last byte below 0x30; else at the last boundary between characters of
    ``encoding``; else (bytes not valid in it: decoding reports them) at the limit.

    The cut is never beyond the limit, so memory stays bounded whatever the line (issue #6:
    waiting for a byte below 0x30 kept a whole 100 MB line of Chinese text in memory).
    """
    limit = start + max_segment
    last = max(buf.rfind(byte, start, limit) for byte in _CUT_BYTES)
    if last >= 0:
        return last + 1
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(bytes(buf[start:limit]), final=False)
    except UnicodeDecodeError:
        return limit
    pending = decoder.getstate()[0]
    cut = limit - len(pending)
    return cut if cut > start else limit


def _decode(raw: bytes, skip: int, encoding: str, line: int, offset: int) -> str:
    try:
        return raw[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        bad = raw[skip + exc.start:skip + exc.start + 1].hex()
        where = f"line {line}, byte 0x{bad} at offset {offset + skip + exc.start}"
        msg = f"not valid {_label(encoding)} ({where}); {encoding_hint(raw, encoding)}"
        raise UndecodableInput(msg) from None


def _label(encoding: str) -> str:
    return "UTF-8" if encoding == "utf-8" else encoding


def encoding_hint(sample: bytes, tried: str) -> str:
    """What to try next when ``sample`` is not valid ``tried``.

    >>> encoding_hint("中文".encode("gbk"), "utf-8")
    'if it is GBK text, try -e gbk'
    """
    for candidate in _HINT_ENCODINGS:
        if candidate == tried:
            continue
        try:
            sample.decode(candidate)
        except UnicodeDecodeError:
            continue
        return f"if it is {candidate.upper()} text, try -e {candidate}"
    return "try -e with the encoding it was saved in (gbk, gb18030, big5...)"


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when both paths exist and name the same file (hard and symbolic links too)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def is_same_as_fd(path: str | os.PathLike[str], fd: int) -> bool:
    """True when the open file descriptor ``fd`` is the file at ``path``."""
    try:
        return os.path.samestat(os.stat(path), os.fstat(fd))
    except OSError:
        return False


class Rewriter:
    """Rewrite a file in place atomically, and only if some part of it changes.

    Feed it each raw piece of the file with the bytes that should replace it.  Until the
    first difference nothing is written, only counted; at the first difference a temporary
    file is created in the same folder and the unchanged start is copied into it.
    :meth:`commit` then gives it the original's mode and moves it over the original with
    :func:`os.replace`.  A file with nothing to change is never touched, and an error (or
    leaving the ``with`` block without :meth:`commit`) leaves the original as it was.  A file
    that changed since the rewriter was made (its size, times or inode differ) is not
    replaced: :meth:`commit` raises :class:`ChangedFile`, so another program's writes are
    never lost.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.path.realpath(path)  # a symbolic link keeps pointing at the file
        self._before = _signature(os.stat(self.path))
        self._kept = 0
        self._tmp: BinaryIO | None = None
        self._tmp_name = ""

    @property
    def changed(self) -> bool:
        """True once some piece differed from the original."""
        return self._tmp is not None

    def write(self, raw: bytes, new: bytes) -> None:
        """Record that the original piece ``raw`` becomes ``new``."""
        if self._tmp is None:
            if new == raw:
                self._kept += len(raw)
                return
            self._tmp = self._start()
        try:
            self._tmp.write(new)
        except OSError as exc:
            raise self._failed(exc) from exc

    def _start(self) -> BinaryIO:
        folder, name = os.path.split(self.path)
        try:
            import tempfile  # only in-place writes need it (~6 ms of import)

            fd, self._tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".fixenc-tmp",
                                                  dir=folder)
        except OSError as exc:
            raise self._failed(exc) from exc
        tmp = os.fdopen(fd, "wb")
        try:
            with open(self.path, "rb") as original:
                _copy_bytes(original, tmp, self._kept)
        except BaseException as exc:  # noqa: BLE001 - re-raised by _abandon
            self._abandon(tmp, exc)
        return tmp

    def _abandon(self, tmp: BinaryIO, exc: BaseException) -> NoReturn:
        """Drop the temporary file after ``exc``; an OSError says the original was kept."""
        _close_quietly(tmp)
        _unlink_quietly(self._tmp_name)
        if isinstance(exc, OSError):
            raise self._failed(exc) from exc
        raise exc

    def commit(self) -> bool:
        """Replace the original with the new content; False when nothing had changed."""
        tmp = self._tmp
        if tmp is None:
            return False
        self._tmp = None
        try:
            tmp.flush()
            os.fsync(tmp.fileno())
            tmp.close()
            now = os.stat(self.path)
            if _signature(now) != self._before:
                raise ChangedFile
            os.chmod(self._tmp_name, stat.S_IMODE(now.st_mode))
            os.replace(self._tmp_name, self.path)
        except BaseException as exc:  # noqa: BLE001 - re-raised by _abandon
            self._abandon(tmp, exc)
        return True

    def discard(self) -> None:
        """Forget the changes; the original stays as it was."""
        if self._tmp is not None:
            tmp, self._tmp = self._tmp, None
            _close_quietly(tmp)  # a full disk may fail the last flush too
            _unlink_quietly(self._tmp_name)

    def _failed(self, exc: OSError) -> OSError:
        """An error while writing, saying that the original was left as it was."""
        if isinstance(exc, ChangedFile):
            return exc
        reason = exc.strerror or str(exc)
        if exc.filename is not None and os.fspath(exc.filename) != self.path:
            reason += f": {os.fspath(exc.filename)}"
        return WriteFailed(f"not rewritten ({reason}); the file was left as it was")

    def __enter__(self) -> Rewriter:  # noqa: PYI034 - typing.Self needs Python 3.11
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.discard()


class WriteFailed(OSError):
    """Writing the repaired file failed (a full disk, a read-only folder...); the original
    was left as it was and no temporary file remains."""


class ChangedFile(OSError):
    """The file changed while it was being repaired: writing would lose the changes."""

    def __init__(self) -> None:
        super().__init__("changed while it was being repaired; not written (run fixenc "
                         "again once nothing else is writing to it)")


def _signature(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """What changes when a file is written to (or replaced) between two looks at it."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _copy_bytes(src: BinaryIO, dst: BinaryIO, count: int) -> None:
    while count > 0:
        block = src.read(min(count, CHUNK))
        if not block:
            raise ChangedFile
        dst.write(block)
        count -= len(block)


def _close_quietly(file: BinaryIO) -> None:
    try:
        file.close()
    except OSError:
        pass


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
