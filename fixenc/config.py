"""Options for :func:`fixenc.repair`, gathered in one frozen :class:`FixConfig`."""

from __future__ import annotations

from dataclasses import dataclass

from fixenc.chains import CHAINS, DEFAULT_CHAINS
from fixenc.convert import CONFIGS as OPENCC_CONFIGS


@dataclass(frozen=True, slots=True)
class FixConfig:
    """What :func:`fixenc.repair` looks for and how sure it must be to change text.

    ``min_confidence``: fixes below it are reported, not applied.
    ``chains``: names from :data:`fixenc.chains.CHAINS` to try.
    ``max_passes``: how many times to look again once fixes are applied (a repair changes
    the context of the text beside it; repairing must be idempotent).
    ``use_ftfy``: also run ftfy's ``fix_encoding`` (UTF-8 read as single-byte code pages)
    on text the CJK chains left alone.
    ``strip_pinyin``: remove pinyin readings a converter inserted after characters
    (``數(shù)`` → ``數``), after mojibake repair (:mod:`fixenc.pinyin`).
    ``to_simplified``: convert Traditional lines to Simplified after that, with this
    configuration of :data:`fixenc.convert.CONFIGS` (``"auto"``, ``"t2s"``, ``"tw2s"``,
    ``"hk2s"``); None (the default) converts nothing.  Japanese, Korean and Simplified lines
    are never converted (:func:`fixenc.detect_script`).
    ``convert_min_confidence``: the threshold of conversion fixes.  Lower than
    ``min_confidence`` on purpose: once conversion is asked for, a Traditional character
    left in place is wrong too, so a conversion is applied when it is likelier right than
    not (measured on the parallel corpora, ``bench/bench_convert.py``: every threshold above
    this loses accuracy); 彷 (kept in 彷徨, and in most of the Bible) stays below it.

    >>> FixConfig(min_confidence=0.95).min_confidence
    0.95
    >>> FixConfig(min_confidence=2)
    Traceback (most recent call last):
    ...
    ValueError: min_confidence must be between 0 and 1, got 2
    """

    min_confidence: float = 0.9
    chains: tuple[str, ...] = DEFAULT_CHAINS
    max_passes: int = 2
    use_ftfy: bool = True
    report_damage: bool = True
    strip_pinyin: bool = False
    to_simplified: str | None = None
    convert_min_confidence: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_confidence <= 1.0:
            msg = f"min_confidence must be between 0 and 1, got {self.min_confidence}"
            raise ValueError(msg)
        unknown = [c for c in self.chains if c not in CHAINS]
        if unknown:
            msg = f"unknown chain(s) {unknown}; known: {sorted(CHAINS)}"
            raise ValueError(msg)
        if not 0.0 <= self.convert_min_confidence <= 1.0:
            msg = ("convert_min_confidence must be between 0 and 1, got "
                   f"{self.convert_min_confidence}")
            raise ValueError(msg)
        if self.to_simplified is not None and self.to_simplified not in OPENCC_CONFIGS:
            msg = (f"unknown to_simplified configuration {self.to_simplified!r}; known: "
                   f"{', '.join(OPENCC_CONFIGS)}")
            raise ValueError(msg)
        if self.max_passes < 1:
            msg = f"max_passes must be at least 1, got {self.max_passes}"
            raise ValueError(msg)
