"""One data-driven driver for the cases in ``tests/cases/*.json`` (schema in its README.md).

Every case runs through :func:`fixenc.repair` and the invariants below; ``expect: "fail"``
cases run as strict xfails, so a known failure that starts passing turns the suite red.

fixenc is imported inside the tests rather than at module level, so that the case files can
be collected and their schema checked on their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

CASES_DIR = Path(__file__).parent / "cases"
FILES = ("in_the_wild", "synthetic", "negative", "known_failures")
REQUIRED = {"label", "comment", "original", "fixed", "expect"}
OPTIONAL = {"kinds", "min_confidence"}
LABEL_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

Case = dict[str, Any]


def _load(name: str) -> list[Case]:
    with (CASES_DIR / f"{name}.json").open(encoding="utf-8") as fh:
        cases: list[Case] = json.load(fh)
    return cases


def _params(names: Sequence[str]) -> list[Any]:
    params = []
    for name in names:
        for case in _load(name):
            marks = []
            if case["expect"] == "fail":
                # raises=AssertionError: a crash is a bug, not an expected failure.
                marks.append(pytest.mark.xfail(strict=True, raises=AssertionError,
                                               reason=case["comment"]))
            params.append(pytest.param(case, id=case["label"], marks=marks))
    return params


def _threshold(case: Case) -> float:
    from fixenc import FixConfig

    value = case.get("min_confidence")
    return FixConfig().min_confidence if value is None else float(value)


def _describe(r: Any) -> str:
    lines = [f"text: {r.text!r}"]
    for f in r.fixes:
        lines.append(f"  [{f.start}:{f.end}] {f.kind} {f.original!r} -> {f.replacement!r} "
                     f"conf={f.confidence:.3f} applied={f.applied} steps={list(f.steps)}")
    return "\n".join(lines)


def _check_findings(original: str, r: Any, threshold: float) -> None:
    """Invariants that hold for every repair, whatever the case expects."""
    from fixenc import apply_steps

    assert r.original == original
    end = 0
    for f in r.fixes:
        assert 0 <= f.start <= f.end <= len(original), f
        assert original[f.start:f.end] == f.original, f"offsets do not match: {f}"
        assert f.start >= end, f"findings overlap or are out of order:\n{_describe(r)}"
        end = f.end
        assert 0.0 <= f.confidence <= 1.0, f
        assert apply_steps(f.original, f.steps) == f.replacement, f"replay differs: {f}"
        if f.applied:
            assert f.confidence >= threshold, f"applied below threshold {threshold}: {f}"
    spliced, pos = [], 0
    for f in r.applied:
        spliced += [original[pos:f.start], f.replacement]
        pos = f.end
    spliced.append(original[pos:])
    assert "".join(spliced) == r.text, (
        f"text is not the original with its applied fixes:\n{_describe(r)}")


def _reported_kinds(r: Any) -> list[str]:
    return sorted({f.kind for f in r.fixes if f.applied or f.unrecoverable})


@pytest.mark.parametrize("case", _params(("in_the_wild", "synthetic", "known_failures")))
def test_repair_case(case: Case) -> None:
    from fixenc import repair

    threshold = _threshold(case)
    r = repair(case["original"], min_confidence=case.get("min_confidence"))
    _check_findings(case["original"], r, threshold)
    assert r.text == case["fixed"], _describe(r)
    if "kinds" in case:
        assert _reported_kinds(r) == sorted(case["kinds"]), _describe(r)
    again = repair(r.text, min_confidence=case.get("min_confidence"))
    assert again.text == r.text, f"not idempotent:\n{_describe(again)}"


@pytest.mark.parametrize("case", _params(("negative",)))
def test_negative_case(case: Case) -> None:
    from fixenc import repair

    r = repair(case["original"], min_confidence=case.get("min_confidence"))
    _check_findings(case["original"], r, _threshold(case))
    assert r.text == case["original"], _describe(r)
    assert not r.applied, _describe(r)
    assert not [f for f in r.fixes if f.unrecoverable], f"damage reported:\n{_describe(r)}"


# ------------------------------------------------------------------ the case files themselves


@pytest.mark.parametrize("name", FILES)
def test_case_file_schema(name: str) -> None:
    path = CASES_DIR / f"{name}.json"
    text = path.read_text(encoding="utf-8")
    cases = json.loads(text)
    assert isinstance(cases, list) and cases
    assert text == json.dumps(cases, ensure_ascii=False, indent=2) + "\n", (
        f"{path.name}: write it with json.dumps(..., ensure_ascii=False, indent=2) + newline")
    for case in cases:
        label = case.get("label")
        assert REQUIRED <= case.keys() <= REQUIRED | OPTIONAL, (label, sorted(case))
        assert isinstance(label, str) and LABEL_RE.match(label), label
        for key in ("comment", "original", "fixed"):
            assert isinstance(case[key], str), (label, key)
        assert case["comment"].strip(), label
        assert case["expect"] in ("pass", "fail"), label
        if "kinds" in case:
            kinds = case["kinds"]
            assert kinds and all(isinstance(k, str) for k in kinds), label
            assert len(set(kinds)) == len(kinds), label
        if "min_confidence" in case:
            assert isinstance(case["min_confidence"], (int, float)), label
            assert 0.0 <= case["min_confidence"] <= 1.0, label
        if name == "negative":
            assert case["original"] == case["fixed"] and case["expect"] == "pass", label
        if name == "known_failures":
            assert case["expect"] == "fail", label


def test_labels_unique_across_files() -> None:
    seen: dict[str, str] = {}
    for name in FILES:
        for case in _load(name):
            assert case["label"] not in seen, f"{case['label']} in {name} and {seen[case['label']]}"
            seen[case["label"]] = name


def test_kinds_are_known() -> None:
    from fixenc.chains import KINDS

    known = set(KINDS)
    for name in FILES:
        for case in _load(name):
            unknown = set(case.get("kinds", ())) - known
            assert not unknown, f"{case['label']}: unknown kinds {sorted(unknown)}"
