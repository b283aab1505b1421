"""ftfy's encoding fixes (UTF-8 read as single-byte code pages), as fixenc candidates.

Only :func:`ftfy.fix_encoding_and_explain` is used: ftfy's ``fix_text`` defaults fold
Chinese fullwidth punctuation and U+3000 into ASCII, which must never happen to CJK text.
ftfy runs on a line only after the CJK chains had their say, and its result competes with
theirs on the same evidence, so it cannot destroy bytes a CJK repair needs (ftfy turns
``ÖÐÎÄ²âÊÔ``, GBK read as Latin-1, into an irreversible ``ÖÐÎĲâÊÔ``).
"""

from __future__ import annotations

from fixenc.candidates import Candidate
from fixenc.chains import CHAINS
from fixenc.results import Step

_CODEC_KIND = {
    "sloppy-windows-1252": "utf8_read_as_cp1252",
    "windows-1252": "utf8_read_as_cp1252",
    "latin-1": "utf8_read_as_latin1",
    "macroman": "utf8_read_as_macroman",
    "cp437": "utf8_read_as_cp437",
}


def ftfy_candidate(line: str) -> Candidate | None:
    """ftfy's repair of the whole line, or None when ftfy changes nothing."""
    import ftfy

    fixed, plan = ftfy.fix_encoding_and_explain(line)
    if fixed == line or not plan:
        return None
    steps: list[Step] = []
    kind = "utf8_read_as_cp1252"
    for action, arg in plan:
        if action == "encode":
            steps.append(Step("encode", arg))
            kind = _CODEC_KIND.get(arg, kind)
        elif action == "decode":
            steps.append(Step("decode", arg))
        elif action == "transcode":
            steps.append(Step("transcode", f"ftfy:{arg}"))
        else:
            steps.append(Step("apply", f"ftfy:{arg}"))
    # ftfy writes U+FFFD where a byte was lost (``â€?`` for a closing quote whose last byte
    # cp1252 could not read): those characters are lost, and the fix says so.
    lost = max(0, fixed.count("\ufffd") - line.count("\ufffd"))
    return Candidate(0, len(line), line, fixed, kind, CHAINS[kind], tuple(steps),
                     lost=lost, source="ftfy")
