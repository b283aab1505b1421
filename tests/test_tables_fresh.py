"""``fixenc/_tables/`` must be exactly what ``scripts/build_tables.py`` makes from the corpora."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "fixenc" / "_tables"
SCRIPTS = ROOT / "scripts"


def _load(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` by path (``scripts/`` is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_fixenc_scripts_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_tables = _load("build_tables")
corpus = build_tables.corpus  # the module the generator itself reads the corpora with


@pytest.fixture(scope="module")
def tables() -> Iterator[dict[str, bytes]]:
    if corpus.corpora_dir() is None:
        pytest.skip("corpora folder absent (../shared/corpora or $FIXENC_CORPORA)")
    yield build_tables.build()


def _without_versions(provenance: bytes) -> bytes:
    lines = provenance.split(b"\n")
    return b"\n".join(x for x in lines if not x.startswith((b"python: ", b"unicodedata: ")))


def test_tables_are_fresh(tables: dict[str, bytes], tmp_path: Path) -> None:
    build_tables.write(tmp_path, tables)
    assert not list(tmp_path.glob("*.new")), "atomic write left temporary files"
    generated = {p.name: p.read_bytes() for p in sorted(tmp_path.iterdir())}
    assert sorted(generated) == sorted(tables)
    # Other generators (scripts/calibrate.py) also write into _tables/: compare ours only.
    committed = {
        name: (TABLES / name).read_bytes() for name in generated if (TABLES / name).is_file()
    }
    assert sorted(committed) == sorted(generated), (
        "tables missing: run `python scripts/build_tables.py`"
    )
    recorded = f"python: {sys.version_info.major}.{sys.version_info.minor}\n".encode()
    for name, data in generated.items():
        if name == "PROVENANCE.txt" and recorded not in committed[name]:
            # Generated under another Python: only the version lines may differ.
            assert _without_versions(data) == _without_versions(committed[name])
            continue
        assert data == committed[name], f"{name} is stale: run `python scripts/build_tables.py`"


def test_check_mode(
    tables: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_tables, "build", lambda: tables)  # skip a second 15 s build
    build_tables.write(tmp_path, tables)
    assert build_tables.main(["--check", "--out", str(tmp_path)]) == 0
    damaged = tmp_path / "bigram.bin"
    data = bytearray(damaged.read_bytes())
    data[-1] ^= 1
    damaged.write_bytes(bytes(data))
    assert build_tables.main(["--check", "--out", str(tmp_path)]) == 1
    (tmp_path / "unigram.bin").unlink()
    assert build_tables.stale(tmp_path, tables) == ["bigram.bin", "unigram.bin"]
    assert build_tables.main(["--out", str(tmp_path)]) == 0
    assert build_tables.stale(tmp_path, tables) == []


build_trigrams = _load("build_trigrams")


def test_trigrams_are_fresh(tmp_path: Path) -> None:
    if build_trigrams.corpus.corpora_dir() is None:
        pytest.skip("corpora folder absent (../shared/corpora or $FIXENC_CORPORA)")
    tables = build_trigrams.build()
    assert sorted(tables) == ["TRIGRAM_PROVENANCE.txt", "trigram.bin"]
    assert tables["trigram.bin"] == (TABLES / "trigram.bin").read_bytes(), (
        "trigram.bin is stale: run `python scripts/build_trigrams.py`")
    provenance = (TABLES / "TRIGRAM_PROVENANCE.txt").read_bytes()
    if f"python: {sys.version_info.major}.{sys.version_info.minor}\n".encode() in provenance:
        assert tables["TRIGRAM_PROVENANCE.txt"] == provenance
    else:  # generated under another Python: only the version lines may differ
        assert _without_versions(tables["TRIGRAM_PROVENANCE.txt"]) == _without_versions(provenance)
    # --check compares without writing, and reports a stale copy.
    build_trigrams.build_tables.write(tmp_path, tables)
    assert build_trigrams.build_tables.stale(tmp_path, tables) == []
    (tmp_path / "trigram.bin").write_bytes(b"stale")
    assert build_trigrams.build_tables.stale(tmp_path, tables) == ["trigram.bin"]
