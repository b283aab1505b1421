"""Which Chinese script a text is written in, from characters only one script uses.

>>> script_of("这是简体中文，别担心。"), script_of("這是繁體中文，別擔心。"), script_of("中文")
('simplified', 'traditional', None)
"""

from __future__ import annotations

import functools
from typing import Literal

Script = Literal["simplified", "traditional"]


@functools.cache
def _tables() -> tuple[frozenset[str], frozenset[str], float, float]:
    from fixenc._tables import script as table

    return (frozenset("".join(table.SIMPLIFIED_ONLY)), frozenset("".join(table.TRADITIONAL_ONLY)),
            table.SIMPLIFIED_IN_TRADITIONAL, table.TRADITIONAL_IN_SIMPLIFIED)


def script_of(text: str, min_evidence: int = 2) -> Script | None:
    """``"simplified"`` or ``"traditional"`` when the text says so clearly, else None.

    Clearly: at least ``min_evidence`` characters of one script and at most a quarter as
    many of the other.
    """
    simp, trad, _, _ = _tables()
    s = sum(1 for ch in text if ch in simp)
    t = sum(1 for ch in text if ch in trad)
    if s >= min_evidence and t * 4 <= s:
        return "simplified"
    if t >= min_evidence and s * 4 <= t:
        return "traditional"
    return None


def mismatch_logprob(ch: str, script: Script | None) -> float:
    """Log-probability penalty for ``ch`` in text of ``script`` (0 when it fits).

    >>> mismatch_logprob("别", "traditional") < 0 == mismatch_logprob("別", "traditional")
    True
    """
    if script is None:
        return 0.0
    simp, trad, s_in_t, t_in_s = _tables()
    if script == "traditional" and ch in simp:
        return s_in_t
    if script == "simplified" and ch in trad:
        return t_in_s
    return 0.0
