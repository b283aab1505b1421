"""Damage that cannot be undone: reported as findings, never "fixed" into something else.

- ``锟斤拷``: U+FFFD's UTF-8 bytes EF BF BD, twice, read as GBK pair up as EF BF (锟),
  BD EF (斤), BF BD (拷).  The text had already lost its characters before that.
- U+FFFD left in the text (口字码): a decoder replaced bytes it could not read.
- ``烫烫烫`` / ``屯屯屯``: uninitialised stack (0xCC) or heap (0xCD) memory printed as GBK
  (CC CC is 烫, CD CD is 屯).  Two in a row occur in real words (烫烫的), so three or more.

The ``confidence`` of such a finding is the certainty of the diagnosis, which follows from
the byte patterns themselves: U+FFFD and 锟斤拷 are damage by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from fixenc.results import Fix

_DAMAGE_RE = re.compile(
    r"(?P<kunjinkao>(?:锟斤拷)+(?:锟斤?)?|锟(?=[\ufffd?]))"
    r"|(?P<tang>烫{3,}|屯{3,})"
    r"|(?P<fffd>\ufffd+)"
)

_KINDS = {"kunjinkao": "fffd_read_as_gbk", "tang": "uninitialized_memory",
          "fffd": "replacement_run"}

# Certainty of each diagnosis.  U+FFFD and 锟斤拷 can only come from lost bytes; a run of
# three or more 烫/屯 could in principle be written on purpose (a tongue twister), which a
# stricter figure acknowledges.
_CERTAINTY = {"fffd_read_as_gbk": 1.0, "replacement_run": 1.0, "uninitialized_memory": 0.95}


def find_damage(line: str, offset: int = 0) -> Iterator[Fix]:
    """Findings for unrecoverable damage in ``line`` (offsets shifted by ``offset``).

    >>> [(f.kind, f.original) for f in find_damage("文件名锟斤拷锟斤拷.txt")]
    [('fffd_read_as_gbk', '锟斤拷锟斤拷')]
    """
    for match in _DAMAGE_RE.finditer(line):
        group = match.lastgroup or "fffd"
        kind = _KINDS[group]
        text = match.group()
        yield Fix(start=offset + match.start(), end=offset + match.end(), original=text,
                  replacement=text, kind=kind, steps=(), confidence=_CERTAINTY[kind],
                  lossy=True, lost=len(text) if kind == "replacement_run" else len(text) // 3,
                  applied=False)
