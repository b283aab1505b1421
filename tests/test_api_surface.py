"""The public API is exactly what ``fixenc.__all__`` says, and importing fixenc is light.

A rename or a new export shows up here in review.  ``import fixenc`` must not import OpenCC
(it lives behind ``fixenc.convert``) nor load the language-model tables, which are read
lazily on first use; this is checked in a fresh interpreter, since this test process may
already have done both.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

EXPECTED_ALL = ("Detection", "FixConfig", "Fix", "LineEncoding", "Repair", "Step",
                "apply_steps", "detect_encoding", "detect_script", "fix", "repair",
                "repair_bytes", "repair_lines", "__version__")


def test_all_is_exact() -> None:
    import fixenc

    assert len(set(fixenc.__all__)) == len(fixenc.__all__), "duplicates in __all__"
    assert sorted(fixenc.__all__) == sorted(EXPECTED_ALL)


def test_all_names_resolve() -> None:
    import fixenc

    for name in fixenc.__all__:
        assert hasattr(fixenc, name), name


def test_repair_signature() -> None:
    import fixenc

    params = inspect.signature(fixenc.repair).parameters
    assert list(params)[:2] == ["text", "config"]
    assert params["config"].default is None
    assert params["min_confidence"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["min_confidence"].default is None
    assert fixenc.FixConfig().min_confidence == 0.9


def test_repair_bytes_signature() -> None:
    import fixenc

    params = inspect.signature(fixenc.repair_bytes).parameters
    assert list(params)[:2] == ["data", "config"]
    for name in ("encoding", "min_confidence"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[name].default is None


def test_import_is_light() -> None:
    code = (
        "import json, sys\n"
        "import fixenc\n"
        "lm = sys.modules.get('fixenc.lm')\n"
        "print(json.dumps({'opencc': 'opencc' in sys.modules,\n"
        "                  'detectors': [m for m in ('charset_normalizer', 'chardet')\n"
        "                                if m in sys.modules],\n"
        "                  'lm_loaded': bool(lm is not None and lm.is_loaded()),\n"
        "                  'file': fixenc.__file__}))\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=ROOT, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    state = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(state["file"]).resolve().is_relative_to(ROOT), state["file"]
    assert not state["opencc"], "import fixenc imported opencc"
    assert not state["detectors"], "import fixenc imported an encoding detector"
    assert not state["lm_loaded"], "import fixenc loaded the language-model tables"


def test_version_matches_metadata() -> None:
    import fixenc

    try:
        installed = importlib.metadata.version("fixenc")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("fixenc is not installed")
    assert fixenc.__version__ == installed


def test_options_equal_to_the_config_do_not_copy_it() -> None:
    """``repair(line, min_confidence=0.9)`` on clean text cost twice a plain call (a copy of
    the configuration per line, session 7); a copy is made only when an option changes it."""
    import fixenc
    from fixenc.repair import DEFAULT_CONFIG, _resolve_config

    assert _resolve_config(None, 0.9, None, None) is DEFAULT_CONFIG
    assert _resolve_config(None, None, False, False) is DEFAULT_CONFIG
    changed = _resolve_config(None, 0.8, True, True)
    assert (changed.min_confidence, changed.to_simplified, changed.strip_pinyin) == (
        0.8, "auto", True)
    assert fixenc.repair("浣犲ソ", min_confidence=0.9).text == "你好"


def test_unchanged_sets_every_field_of_repair() -> None:
    """The clean line's quick constructor (session 8) must build the same object as
    ``Repair(original=t, text=t)``, whatever fields Repair gains later."""
    import dataclasses

    from fixenc.results import Repair, unchanged

    quick, plain = unchanged("你好"), Repair(original="你好", text="你好")
    for f in dataclasses.fields(Repair):
        assert getattr(quick, f.name) == getattr(plain, f.name), f.name
    assert quick == plain
    assert hash(quick) == hash(plain)
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.text = "x"  # type: ignore[misc]
