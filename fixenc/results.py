"""Result types: a :class:`Step` of a repair plan, one :class:`Fix`, a whole :class:`Repair`.

These are plain data.  A fix records the steps that turn its original span into its
replacement, so :func:`fixenc.apply_steps` can replay it and a report can explain it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Action = Literal["encode", "decode", "fill", "transcode", "apply", "gap"]


class Step(NamedTuple):
    """One replayable step of a repair plan.

    ``action`` is one of:

    - ``"encode"``: turn text into bytes with ``arg``, a codec name in normalized form
      (``gbk``, ``cp1252``...) or a fixenc lenient codec (``fixenc:cp936-holes``...);
    - ``"decode"``: turn bytes into text with the codec ``arg``;
    - ``"fill"``: put the bytes ``arg`` (hex, one group per hole, ``|``-separated) into
      the holes that a lossy ``encode`` left where bytes had been lost;
    - ``"transcode"``: run ftfy's fixer ``arg`` (``ftfy:restore_byte_a0``,
      ``ftfy:fix_c1_controls``...) on the bytes or text at hand, as ``ftfy.apply_plan`` does;
    - ``"apply"``: run the registered text function ``arg`` (see ``STEP_FUNCTIONS``);
    - ``"gap"``: before a lenient GBK ``encode``, mark where characters were deleted from
      the text after the wrong decoding (``arg``: comma-separated offsets of the characters
      each stood before); each mark is a hole of two bytes for ``fill``.

    >>> Step("encode", "gbk")
    Step(action='encode', arg='gbk')
    """

    action: Action
    arg: str


FixKind = str
"""A stable identifier naming the mistake, e.g. ``utf8_read_as_gbk``."""


@dataclass(frozen=True, slots=True)
class Fix:
    """One finding: a span of the original text, and what it should be.

    ``start``/``end`` are offsets into :attr:`Repair.original`.  ``confidence`` is the
    calibrated probability that ``replacement`` is exactly what the text was.  A finding is
    ``applied`` when its confidence reached the threshold; otherwise it is only reported.
    ``lossy`` means bytes had been lost and some characters were guessed or could not be
    recovered; ``lost`` counts those that could not be recovered (left as U+FFFD).
    Unrecoverable damage (``锟斤拷``, runs of U+FFFD) is a finding whose replacement equals
    its original.
    """

    start: int
    end: int
    original: str
    replacement: str
    kind: FixKind
    steps: tuple[Step, ...]
    confidence: float
    lossy: bool = False
    lost: int = 0
    guessed: int = 0
    applied: bool = False
    evidence: Mapping[str, float] = field(default_factory=dict)

    @property
    def unrecoverable(self) -> bool:
        """True when the finding reports damage that cannot be undone."""
        return self.replacement == self.original


DetectionMethod = Literal["bom", "utf-8", "utf-16", "statistics", "forced", "binary",
                          "undecodable"]


@dataclass(frozen=True, slots=True)
class Detection:
    """How some bytes were (or would be) decoded, from :func:`fixenc.detect_encoding`.

    ``encoding`` is a normalized codec name (``utf-8``, ``utf-8-sig``, ``gb18030``,
    ``cp950``...).  ``method`` says how it was chosen: a byte order mark, valid UTF-8,
    UTF-16 recognised by its NUL bytes, the character statistics, forced by the caller,
    ``binary`` (NUL bytes) or ``undecodable`` (no candidate decodes it; both read as UTF-8
    with ``surrogateescape``, losing nothing).  ``confidence`` is the posterior of the
    choice; ``alternatives`` the other candidates that decode the bytes, with theirs.
    """

    encoding: str
    confidence: float
    method: DetectionMethod
    alternatives: tuple[tuple[str, float], ...] = ()


class LineEncoding(NamedTuple):
    """From line ``line`` (1-based), at offset ``start`` of the text, bytes were ``encoding``.

    >>> LineEncoding(line=3, start=20, encoding="gb18030")
    LineEncoding(line=3, start=20, encoding='gb18030')
    """

    line: int
    start: int
    encoding: str


@dataclass(frozen=True, slots=True)
class Repair:
    """The outcome of :func:`fixenc.repair` on one text.

    ``text`` has every applied fix in place; ``fixes`` lists every finding, applied or not,
    in text order.

    From :func:`fixenc.repair_bytes`, ``encoding`` names what the bytes were decoded as (the
    encoding of most of them, when lines differ), ``line_encodings`` lists where each run of
    lines in one encoding starts (empty when all lines were the same), and ``detection``
    says how the choice was made.  Text given as ``str`` has ``encoding=None``.
    """

    original: str
    text: str
    fixes: tuple[Fix, ...] = ()
    encoding: str | None = None
    line_encodings: tuple[LineEncoding, ...] = ()
    detection: Detection | None = None

    @property
    def changed(self) -> bool:
        """True when :attr:`text` differs from :attr:`original`."""
        return self.text != self.original

    @property
    def applied(self) -> tuple[Fix, ...]:
        """The fixes that were applied to produce :attr:`text`."""
        return tuple(f for f in self.fixes if f.applied)

    @property
    def suggested(self) -> tuple[Fix, ...]:
        """Repairs found but not applied, because their confidence was too low."""
        return tuple(f for f in self.fixes if not f.applied and not f.unrecoverable)


def _slot_setter(name: str) -> Any:
    return Repair.__dict__[name].__set__


_SET_ORIGINAL, _SET_TEXT, _SET_FIXES, _SET_ENCODING, _SET_LINE_ENCODINGS, _SET_DETECTION = (
    _slot_setter(name) for name in ("original", "text", "fixes", "encoding", "line_encodings",
                                    "detection"))


def unchanged(text: str) -> Repair:
    """``Repair(original=text, text=text)``, built at a third of the cost.

    Most lines of a corpus are clean, and a frozen dataclass's ``__init__`` sets each field
    through ``object.__setattr__``; the slots' own setters are quicker.

    >>> unchanged("你好") == Repair(original="你好", text="你好")
    True
    """
    out: Repair = object.__new__(Repair)
    _SET_ORIGINAL(out, text)
    _SET_TEXT(out, text)
    _SET_FIXES(out, ())
    _SET_ENCODING(out, None)
    _SET_LINE_ENCODINGS(out, ())
    _SET_DETECTION(out, None)
    return out
