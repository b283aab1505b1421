"""Options for :func:`fixenc.repair`, gathered in one frozen :class:`FixConfig`."""

from __future__ import annotations

from dataclasses import dataclass

from fixenc.chains import DEFAULT_CHAINS, CHAINS


@dataclass(frozen=True, slots=True)
class FixConfig:
    """What :func:`fixenc.repair` looks for and how sure it must be to change text.

    ``min_confidence``: fixes below it are reported, not applied.
    ``chains``: names from :data:`fixenc.chains.CHAINS` to try.
    ``max_passes``: how many times to look again once fixes are applied (a repair changes
    the context of the text beside it; repairing must be idempotent).
    ``use_ftfy``: also run ftfy's ``fix_encoding`` (UTF-8 read as single-byte code pages)
    on text the CJK chains left alone.

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

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_confidence <= 1.0:
            msg = f"min_confidence must be between 0 and 1, got {self.min_confidence}"
            raise ValueError(msg)
        unknown = [c for c in self.chains if c not in CHAINS]
        if unknown:
            msg = f"unknown chain(s) {unknown}; known: {sorted(CHAINS)}"
            raise ValueError(msg)
        if self.max_passes < 1:
            msg = f"max_passes must be at least 1, got {self.max_passes}"
            raise ValueError(msg)
