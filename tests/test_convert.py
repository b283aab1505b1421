"""Traditional → Simplified conversion, the script gate and inserted-pinyin stripping (issue 4).

The cases are data (``tests/cases/t2s.json``, schema in its README.md); this file checks
them with the same invariants as ``test_cases.py``, plus properties (hypothesis), the
command line, the generated tables and, when ``../shared`` is there, the real damaged page.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import fixenc
from fixenc import FixConfig, apply_steps, cli, convert, detect_script, pinyin

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
SEED = ROOT.parent / "shared" / "seed" / "web_page_tibet_news.txt"
REQUIRED = {"label", "comment", "input", "expected"}
OPTIONAL = {"strip_pinyin", "min_confidence", "script", "kinds"}
EXPECTED_KEYS = {*convert.CONFIGS, "none"}
LABEL_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PINYIN_GROUP_RE = re.compile(r"[(（][a-zü\u00e0-\u00fa\u0101-\u01dc]{1,7}[1-5]?[)）]")

Case = dict[str, Any]


def _cases() -> list[Case]:
    with (CASES / "t2s.json").open(encoding="utf-8") as fh:
        cases: list[Case] = json.load(fh)
    return cases


def _runs() -> list[Any]:
    return [pytest.param(case, config, id=f"{case['label']}-{config}")
            for case in _cases() for config in case["expected"]]


def _repair(case: Case, config: str, text: str | None = None) -> fixenc.Repair:
    return fixenc.repair(case["input"] if text is None else text,
                         to_simplified=False if config == "none" else config,
                         strip_pinyin=case.get("strip_pinyin", False),
                         min_confidence=case.get("min_confidence"))


def check_invariants(original: str, r: fixenc.Repair, threshold: float,
                     convert_threshold: float = FixConfig().convert_min_confidence) -> None:
    """Offsets, order, replay, splice and thresholds, as for every repair."""
    assert r.original == original
    end = 0
    for f in r.fixes:
        assert original[f.start:f.end] == f.original, f
        assert f.start >= end, f"findings overlap or are out of order: {r.fixes}"
        end = f.end
        assert 0.0 <= f.confidence <= 1.0, f
        assert apply_steps(f.original, f.steps) == f.replacement, f"replay differs: {f}"
        if f.applied:
            limit = convert_threshold if f.kind == convert.KIND else threshold
            assert f.confidence >= limit, f
    spliced, pos = [], 0
    for f in r.applied:
        spliced += [original[pos:f.start], f.replacement]
        pos = f.end
    assert "".join([*spliced, original[pos:]]) == r.text


# --- the case file -------------------------------------------------------------------------

def test_case_file_schema() -> None:
    cases = _cases()
    text = (CASES / "t2s.json").read_text(encoding="utf-8")
    assert text == json.dumps(cases, ensure_ascii=False, indent=2) + "\n"
    others = set()
    for name in ("in_the_wild", "synthetic", "negative", "known_failures"):
        others |= {c["label"] for c in json.loads((CASES / f"{name}.json").read_text("utf-8"))}
    labels = [c["label"] for c in cases]
    assert len(set(labels)) == len(labels)
    assert not others & set(labels), "labels must be unique across all case files"
    for case in cases:
        assert REQUIRED <= set(case) <= REQUIRED | OPTIONAL, case["label"]
        assert LABEL_RE.match(case["label"]), case["label"]
        assert case["expected"] and set(case["expected"]) <= EXPECTED_KEYS, case["label"]


@pytest.mark.parametrize(("case", "config"), _runs())
def test_case(case: Case, config: str) -> None:
    r = _repair(case, config)
    threshold = case.get("min_confidence") or FixConfig().min_confidence
    assert r.text == case["expected"][config], r.fixes
    check_invariants(case["input"], r, threshold)
    assert _repair(case, config, r.text).text == r.text, "not idempotent"
    if "kinds" in case and config != "none":
        assert {f.kind for f in r.applied} == set(case["kinds"])
    if all(v == case["input"] for v in case["expected"].values()):
        assert not r.applied, "a negative case must have no applied fix"


@pytest.mark.parametrize("case", [c for c in _cases() if "script" in c], ids=lambda c: c["label"])
def test_case_script(case: Case) -> None:
    assert detect_script(case["input"]) == case["script"]


# --- the script gate and conversion --------------------------------------------------------

def test_simplified_unchanged_byte_for_byte() -> None:
    text = "这是简体中文的段落。\r\n\u00a0第二行：干部、著作、后来、里面。\n"
    r = fixenc.repair(text, to_simplified=True, strip_pinyin=True)
    assert r.text == text and not r.fixes


def test_japanese_never_converted() -> None:
    for text in ("午後の会議", "ロンドン発の便", "駅前広場", "今日は\n午後\n晴れ"):
        for config in convert.CONFIGS:
            assert fixenc.repair(text, to_simplified=config).text == text


def test_mojibake_fix_extended_with_conversion() -> None:
    damaged = "這個網絡問題很嚴重".encode("gbk").decode("latin-1")
    r = fixenc.repair("說明：" + damaged, to_simplified="tw2s")
    (moji,) = [f for f in r.fixes if f.kind == "gbk_read_as_latin1"]
    assert moji.replacement == "这个网络问题很严重"
    assert moji.steps[-1] == fixenc.Step("apply", "opencc:tw2s")
    assert moji.evidence["converted"] == 1.0
    assert r.text == "说明：这个网络问题很严重"


def test_mojibake_fix_in_simplified_line() -> None:
    """In a line leaning Simplified, a repair's replacement is converted as plain text there
    is: 這 yes, 乾 no (the step ``fixenc:strays:CONFIG`` when OpenCC alone would do more)."""
    prefix = "这是简体中文的说明文字，后面是："
    for word, expected, step in [("這個軟體", "这个软体", "opencc:tw2s"),
                                 ("乾燥的這個", "乾燥的这个", "fixenc:strays:tw2s")]:
        damaged = word.encode("gbk").decode("latin-1")
        r = fixenc.repair(prefix + damaged, to_simplified="auto")
        (moji,) = r.fixes
        assert moji.kind == "gbk_read_as_latin1" and moji.applied
        assert r.text == prefix + expected
        assert moji.steps[-1] == fixenc.Step("apply", step)
        assert apply_steps(moji.original, moji.steps) == moji.replacement
        assert fixenc.repair(r.text, to_simplified="auto").text == r.text


def test_ambiguous_characters_are_less_sure() -> None:
    plain = convert.reliability("頭", "头")
    for trad, simp in [("瞭", "了"), ("夥", "伙"), ("彷", "仿"), ("覆", "复")]:
        assert convert.reliability(trad, simp) < plain, trad
    assert convert.reliability("乾", "干") < plain
    assert convert.reliability("著", "着") < plain


def test_conversion_report() -> None:
    r = fixenc.repair("他拚命工作，夥伴們都來了。", to_simplified="auto")
    suggested = [f for f in r.fixes if not f.applied]
    assert [(f.original, f.replacement) for f in suggested] == [("拚", "拼")]
    assert all(f.kind == convert.KIND for f in r.fixes)
    strict = FixConfig(to_simplified="auto", convert_min_confidence=0.9)
    r = fixenc.repair("他拚命工作，夥伴們都來了。", strict)
    assert r.text == "他拚命工作，夥伴们都来了。"


def test_unknown_config_rejected() -> None:
    with pytest.raises(ValueError, match="unknown to_simplified"):
        FixConfig(to_simplified="s2t")
    with pytest.raises(ValueError, match="convert_min_confidence"):
        FixConfig(convert_min_confidence=1.5)
    with pytest.raises(ValueError, match="unknown OpenCC"):
        convert.opencc_convert("漢字", "s2t")


def test_to_simplified_plain() -> None:
    assert convert.to_simplified("看著\n看着與著作", "auto") == "看着\n看着与著作"
    assert convert.to_simplified("看著", "t2s") == "看著"


def test_threads_share_converters() -> None:
    texts = [f"第{i}個網絡問題，頭髮乾了，看著窗外。" * 20 for i in range(40)]
    expected = [convert.to_simplified(t, "tw2s") for t in texts]
    results: dict[int, str] = {}

    def work(i: int) -> None:
        results[i] = convert.to_simplified(texts[i], "tw2s")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [results[i] for i in range(len(texts))] == expected


def test_kinds_declared() -> None:
    from fixenc.chains import KINDS, LATER_KINDS

    assert {convert.KIND, pinyin.KIND} == set(LATER_KINDS) <= KINDS
    for case in _cases():
        assert set(case.get("kinds", ())) <= KINDS, case["label"]


def test_pinyin_numbered_forms() -> None:
    assert pinyin.numbered("nǚ") == ("nv3", True)
    assert pinyin.numbered("lu:4") == ("lv4", True)
    assert pinyin.numbered("Shù") == ("shu4", True)
    assert pinyin.numbered("shǔù") is None
    assert pinyin.strip_pinyin("(qū)") == ""
    assert pinyin.strip_pinyin("(中)") == "(中)"


# --- properties ----------------------------------------------------------------------------

ALPHABET = ("這個網絡問題頭髮乾著瞭夥後裡麵區關數字时间这个网络問题午後のはアイ대한"
            "中文（）()，。 abcqūshùwǎngguān125\n")
PROPS = settings(max_examples=120, deadline=None, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(st.text(alphabet=ALPHABET, max_size=40), st.sampled_from(convert.CONFIGS),
       st.booleans())
@example("區(qū)(中)直機關(guān)", "auto", True)
@example("數(shù)(shù)字", "auto", True)
@example("ūū(ū)", "auto", True)
def test_conversion_properties(text: str, config: str, strip: bool) -> None:
    r = fixenc.repair(text, to_simplified=config, strip_pinyin=strip)
    check_invariants(text, r, FixConfig().min_confidence)
    again = fixenc.repair(r.text, to_simplified=config, strip_pinyin=strip)
    assert again.text == r.text, "not idempotent"


@PROPS
@given(st.text(alphabet="这个网络问题时间简体中文，。的是了着干后里面", max_size=40))
def test_simplified_text_unchanged(text: str) -> None:
    assert fixenc.repair(text, to_simplified="auto", strip_pinyin=True).text == text


# --- command line --------------------------------------------------------------------------

def test_cli_t2s_strip_pinyin(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    src = tmp_path / "page.txt"
    src.write_text("區(qū)(中)直機關(guān)\n午後の会議\n这是简体。\n", encoding="utf-8")
    code = cli.main(["--t2s", "--strip-pinyin", "--format", "json", str(src)])
    captured = capsysbinary.readouterr()
    assert code == 0
    assert captured.out.decode("utf-8") == "区(中)直机关\n午後の会議\n这是简体。\n"
    doc = json.loads(captured.err.decode("utf-8"))
    fixes = doc["files"][0]["fixes"]
    assert {f["kind"] for f in fixes} == {"inserted_pinyin", "traditional_to_simplified"}
    assert all(0 < f["confidence"] <= 1 and f["line"] == 1 for f in fixes)


def test_cli_opencc_config(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    src = tmp_path / "a.txt"
    src.write_text("他靜靜地看著窗外。\n", encoding="utf-8")
    assert cli.main(["--opencc", "t2s", str(src)]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8") == "他静静地看著窗外。\n"
    assert cli.main(["--opencc", "tw2s", str(src)]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8") == "他静静地看着窗外。\n"
    assert cli.main(["--opencc", "s2t", str(src)]) == 2
    capsysbinary.readouterr()
    assert cli.main([str(src)]) == 0  # no option: no conversion
    assert capsysbinary.readouterr().out.decode("utf-8") == "他靜靜地看著窗外。\n"


# --- the real damaged page -----------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_run() -> tuple[str, str, dict[str, Any]]:
    if not SEED.is_file():
        pytest.skip("../shared/seed is absent")
    proc = subprocess.run([sys.executable, "-m", "fixenc", "--t2s", "--strip-pinyin",
                           "--format", "json"], input=SEED.read_bytes(), capture_output=True,
                          cwd=ROOT, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return SEED.read_text("utf-8"), proc.stdout.decode("utf-8"), json.loads(proc.stderr)


def test_seed_page(seed_run: tuple[str, str, dict[str, Any]]) -> None:
    original, out, doc = seed_run
    assert not PINYIN_GROUP_RE.search(out), "inserted readings left"
    inserted = len(PINYIN_GROUP_RE.findall(original))
    assert out.count("(") == original.count("(") - inserted  # every genuine one kept
    assert out.count(")") == original.count(")") - inserted
    assert out.count("(中)") == original.count("(中)")
    assert "区(中)直机关" in out and "(2021—2025)" in out and "(党组)" in out
    assert "(稿件由区直机关工委提供)" in out
    # Every line is Simplified now, the page's own spam line included (it already was).
    for line in out.splitlines():
        assert detect_script(line) in ("simplified", "unknown"), line
    # Nothing else is removed: no-break spaces and the boilerplate stay (see the README).
    assert out.count("\u00a0") == original.count("\u00a0")
    assert len(out.splitlines()) == len(original.splitlines())
    fixes = doc["files"][0]["fixes"]
    kinds = {f["kind"] for f in fixes}
    assert kinds == {"inserted_pinyin", "traditional_to_simplified"}
    assert all(f["applied"] and f["confidence"] >= 0.9 for f in fixes)  # all sure ones
    removed = sum(1 for f in fixes if f["kind"] == "inserted_pinyin")
    assert removed == inserted


# --- generated tables ----------------------------------------------------------------------

def _generator() -> ModuleType:
    path = ROOT / "scripts" / "build_convert_tables.py"
    spec = importlib.util.spec_from_file_location("_fixenc_build_convert_tables", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    module = _generator()
    if module.corpus.corpora_dir() is None:
        pytest.skip("corpora folder absent (../shared/corpora or $FIXENC_CORPORA)")
    import opencc

    from fixenc._tables import convert as table

    if opencc.__version__ != table.OPENCC_VERSION:
        pytest.skip(f"tables made with OpenCC {table.OPENCC_VERSION}, not {opencc.__version__}")
    return module


def _without_python(text: str) -> str:
    return re.sub(r"^# python [^\n]*\n", "", text, flags=re.MULTILINE)


def test_tables_fresh(generator: ModuleType, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    tables = generator.build()
    for path, text in tables.items():
        assert _without_python(path.read_text(encoding="utf-8")) == _without_python(text), (
            f"{path.name} is stale: run `python scripts/build_convert_tables.py`")
    # --check: 0 when fresh, 1 when a table differs; writing is atomic.
    out = {path: tmp_path / path.name for path in tables}
    monkeypatch.setattr(generator, "build", lambda: {out[p]: t for p, t in tables.items()})
    assert generator.main([]) == 0
    assert not list(tmp_path.glob("*.new"))
    assert generator.main(["--check"]) == 0
    target = next(iter(out.values()))
    target.write_text(target.read_text(encoding="utf-8") + "#\n", encoding="utf-8")
    assert generator.main(["--check"]) == 1
