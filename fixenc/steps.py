"""Replaying repair plans: :func:`apply_steps` and the registry of text functions.

A fix's steps are data.  Replaying them on the fix's original span gives its replacement,
exactly; the tests check this on every case.

>>> apply_steps("浣犲ソ", [Step("encode", "fixenc:gbk"), Step("decode", "utf-8")])
'你好'
>>> apply_steps("鍙戦€佹垚鍔?", [Step("encode", "fixenc:gbk"), Step("fill", "9f"),
...                              Step("decode", "utf-8")])
'发送成功'
>>> apply_steps("涓枃", [Step("gap", "1"), Step("encode", "fixenc:gbk"),
...                      Step("fill", "ade6"), Step("decode", "utf-8")])   # U+E15F was deleted
'中文'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from fixenc.bytemaps import GAP, GAP_CHAR, HOLE, UNKNOWN, Slot, encode_text
from fixenc.results import Step

LENIENT_PREFIX = "fixenc:"


def _ftfy_function(name: str) -> Callable[[str], str]:
    import ftfy.fixes

    func: Callable[[str], str] = getattr(ftfy.fixes, name)
    return func


STEP_FUNCTIONS: dict[str, Callable[[str], str]] = {}
"""Text functions that ``Step("apply", key)`` may name.  Keys starting with ``ftfy:`` name
a function of :mod:`ftfy.fixes` and are resolved on use; ``opencc:CONFIG`` converts with
OpenCC (``opencc:tw2s``) and ``fixenc:strays:CONFIG`` only the characters Simplified text
never writes (:func:`fixenc.convert.convert_strays`); the keys of ``_LAZY_FUNCTIONS`` are fixenc's own later stages,
imported on use so that importing fixenc stays light."""

_LAZY_FUNCTIONS: dict[str, tuple[str, str]] = {
    "fixenc:strip_pinyin": ("fixenc.pinyin", "strip_pinyin"),
    "fixenc:fold_variants": ("fixenc.convert", "fold_variants"),
}


def _transcode_function(key: str) -> Callable[[bytes | str], bytes | str]:
    if not key.startswith("ftfy:"):
        msg = f"unknown transcode function {key!r}"
        raise ValueError(msg)
    import ftfy.fixes

    func: Callable[[bytes | str], bytes | str] = getattr(ftfy.fixes, key[5:])
    return func


def _apply_function(key: str, text: str) -> str:
    if key in STEP_FUNCTIONS:
        return STEP_FUNCTIONS[key](text)
    if key.startswith("ftfy:"):
        return _ftfy_function(key[5:])(text)
    if key.startswith("opencc:"):
        from fixenc.convert import opencc_convert

        return opencc_convert(text, key[7:])
    if key.startswith("fixenc:strays:"):
        from fixenc.convert import convert_strays

        return convert_strays(text, key[14:])
    if key in _LAZY_FUNCTIONS:
        module, name = _LAZY_FUNCTIONS[key]
        func: Callable[[str], str] = getattr(importlib.import_module(module), name)
        return func(text)
    msg = f"unknown step function {key!r}"
    raise ValueError(msg)


def _fill(slots: list[Slot], arg: str) -> bytes:
    """Put the fill's groups into the holes, in order.  A choice (GBK's euro sign: 80 or
    A2 E3; a character cp932 reads from two pairs) takes a group of its own, or is its
    first byte sequence when the fill has groups for the U+FFFD and ``?`` holes only."""
    holes = sum(1 for s in slots if s in UNKNOWN)
    choices = sum(1 for s in slots if isinstance(s, tuple))
    groups = arg.split("|") if holes or choices or arg else []
    if len(groups) not in (holes, holes + choices):
        msg = f"fill step has {len(groups)} groups for {holes + choices} holes"
        raise ValueError(msg)
    chosen = len(groups) == holes + choices
    out = bytearray()
    index = 0
    for slot in slots:
        if isinstance(slot, bytes):
            out += slot
        elif isinstance(slot, tuple) and not chosen:
            out += slot[0]
        else:
            out += bytes.fromhex(groups[index])
            index += 1
    return bytes(out)


def _encode(text: str, codec: str, keep_holes: bool) -> bytes | list[Slot]:
    if codec.startswith(LENIENT_PREFIX):
        slots = encode_text(text, codec[len(LENIENT_PREFIX):])
        if any(s is None for s in slots):
            msg = f"{codec} cannot encode {text!r}"
            raise ValueError(msg)
        if keep_holes:
            return slots
        if any(s == HOLE or s == GAP for s in slots):
            msg = f"{codec}: U+FFFD or a gap in {text!r} needs a fill step"
            raise ValueError(msg)
        # Without a fill step, a choice is its first byte sequence (GBK's euro sign: 0x80).
        return b"".join(s if isinstance(s, bytes) else s[0] if isinstance(s, tuple) else b"?"
                        for s in slots)
    if codec.startswith("sloppy-") or codec == "utf-8-variants":
        import ftfy.bad_codecs  # noqa: F401  (ftfy registers its codecs on import)
    return text.encode(codec)


def insert_gaps(text: str, offsets: Iterable[int]) -> str:
    """``text`` with a :data:`~fixenc.bytemaps.GAP_CHAR` before each of the characters at
    ``offsets`` (``len(text)``: at the end).

    >>> insert_gaps("ab", [0, 2]) == "\ufdd0ab\ufdd0"
    True
    """
    out: list[str] = []
    at = 0
    for offset in sorted(offsets):
        if not 0 <= offset <= len(text):
            msg = f"gap offset {offset} outside the text"
            raise ValueError(msg)
        out += (text[at:offset], GAP_CHAR)
        at = offset
    out.append(text[at:])
    return "".join(out)


def apply_steps(text: str, steps: Iterable[Step | tuple[str, str]]) -> str:
    """Replay ``steps`` on ``text`` and return the result.

    ``encode`` with a ``fixenc:`` codec followed by ``fill`` keeps the holes (U+FFFD, ``?``
    and choices such as GBK's ``€``, which is 80 or A2 E3) for the fill step, which puts one
    group of hex bytes into each, in order;
    ``decode`` after a ``fill`` turns what still cannot be decoded into U+FFFD, exactly as
    the repair did.  ``gap`` (before ``encode``) marks where characters were deleted from
    the text after the wrong decoding (GB18030's Private Use characters): its argument is
    the comma-separated offsets, into the text, of the characters each deleted one stood
    before; the lenient GBK encoder reads each mark as two unknown bytes for ``fill``.
    """
    plan = [Step(*step) for step in steps]
    state: str | bytes | list[Slot] = text
    filled = False
    for index, (action, arg) in enumerate(plan):
        if action == "encode":
            if not isinstance(state, str):
                msg = "encode step needs text"
                raise ValueError(msg)
            keep = index + 1 < len(plan) and plan[index + 1].action == "fill"
            state = _encode(state, arg, keep)
            filled = False
        elif action == "gap":
            if not isinstance(state, str):
                msg = "gap step needs text"
                raise ValueError(msg)
            state = insert_gaps(state, [int(x) for x in arg.split(",")])
        elif action == "fill":
            if not isinstance(state, list):
                msg = "fill step needs a lenient (fixenc:) encode step before it"
                raise ValueError(msg)
            state = _fill(state, arg)
            filled = True
        elif action == "decode":
            if not isinstance(state, bytes):
                msg = "decode step needs bytes"
                raise ValueError(msg)
            state = state.decode(arg, "replace" if filled else "strict")
        elif action == "transcode":
            # ftfy names both byte and text fixers "transcode" (fix_c1_controls works on
            # text): the function decides, as in ftfy.apply_plan.
            state = _transcode_function(arg)(state)  # type: ignore[arg-type]
        elif action == "apply":
            if not isinstance(state, str):
                msg = "apply step needs text"
                raise ValueError(msg)
            state = _apply_function(arg, state)
        else:
            msg = f"unknown step action {action!r}"
            raise ValueError(msg)
    if not isinstance(state, str):
        msg = "steps must end with text"
        raise ValueError(msg)
    return state
