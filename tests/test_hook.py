"""The pre-commit hook: ``fixenc.hook.main`` in-process on temporary files, the published
hooks against the README, and one real ``pre-commit try-repo`` run.

The ``try-repo`` test installs the hook into a fresh virtual environment, which needs the
package index; it is skipped, never failed, when pre-commit or git is missing or when that
environment cannot be installed.  Everything it writes (the hook repository, pre-commit's
cache, pip's and virtualenv's data) goes under ``tmp_path``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import fixenc
from fixenc import hook

ROOT = Path(__file__).resolve().parent.parent

SENTENCE = "在下周五之前提交你的项目报告"
DAMAGED = SENTENCE.encode("utf-8").decode("gbk")  # UTF-8 read as GBK, lossless
LOST = "数据：锟斤拷锟斤拷"  # pure loss: flagged, never changed


def run(argv: list[str], capsysbinary: pytest.CaptureFixture[bytes]) -> tuple[int, str]:
    code = hook.main(argv)
    return code, capsysbinary.readouterr().out.decode("utf-8")


def test_damaged_fixture_is_repaired_at_the_hook_threshold() -> None:
    result = fixenc.repair(DAMAGED, min_confidence=hook.HOOK_MIN_CONFIDENCE)
    assert result.text == SENTENCE
    assert hook.HOOK_MIN_CONFIDENCE > fixenc.FixConfig().min_confidence


def test_check_mode_reports_and_never_writes(tmp_path: Path,
                                             capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    damaged = tmp_path / "damaged.txt"
    content = f"第一行\r\n{DAMAGED}\r\n".encode()
    damaged.write_bytes(content)
    clean = tmp_path / "clean.txt"
    clean.write_bytes("一切正常\n".encode())
    mtimes = [p.stat().st_mtime_ns for p in (damaged, clean)]

    code, out = run(["--check", str(damaged)], capsysbinary)
    assert code == 1
    assert re.fullmatch(rf"{re.escape(str(damaged))}:2: utf8_read_as_gbk \(\d\.\d\d\) "
                        rf"'{DAMAGED}' -> '{SENTENCE}'\n", out)

    assert run(["--check", str(clean)], capsysbinary) == (0, "")
    assert run(["--check", str(clean), str(damaged)], capsysbinary)[0] == 1
    assert damaged.read_bytes() == content
    assert [p.stat().st_mtime_ns for p in (damaged, clean)] == mtimes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.txt", "damaged.txt"]


def test_fix_mode_repairs_and_exits_1(tmp_path: Path,
                                      capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    damaged = tmp_path / "damaged.txt"
    damaged.write_bytes(f"\ufeff第一行\r\n{DAMAGED}\r\n".encode())
    clean = tmp_path / "clean.txt"
    clean.write_bytes("一切正常\n".encode())

    assert run([str(clean), str(damaged)], capsysbinary) == (1, f"Fixing {damaged}\n")
    assert damaged.read_bytes() == f"\ufeff第一行\r\n{SENTENCE}\r\n".encode()
    assert run(["--fix", str(clean), str(damaged)], capsysbinary) == (0, "")  # now clean


def test_fix_mode_flags_what_it_leaves(tmp_path: Path,
                                       capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "a.txt"
    path.write_text(f"{DAMAGED}\n{LOST}\n", encoding="utf-8")
    code, out = run(["--min-confidence", "1", str(path)], capsysbinary)
    assert code == 1
    assert path.read_text(encoding="utf-8") == f"{DAMAGED}\n{LOST}\n"
    first, second = out.splitlines()
    assert first.startswith(f"{path}:1: utf8_read_as_gbk (") and "[suggestion" in first
    assert second.startswith(f"{path}:2: fffd_read_as_gbk (1.00)")

    code, out = run([str(path)], capsysbinary)
    assert code == 1
    assert path.read_text(encoding="utf-8") == f"{SENTENCE}\n{LOST}\n"
    assert out.splitlines()[0] == f"Fixing {path}"


def test_skips_files_it_cannot_read_as_text(tmp_path: Path,
                                            capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("中文测试\n".encode("gbk"))
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00" + DAMAGED.encode())
    for mode in ("--check", "--fix"):  # forced UTF-8; guessed encodings: test_cli_bytes.py
        code, out = run([mode, "-e", "utf-8", str(gbk), str(binary)], capsysbinary)
        assert code == 0
        assert f"{gbk}: skipped: not valid UTF-8" in out and "try -e gbk" in out
        assert f"{binary}: skipped: binary file" in out
    assert gbk.read_bytes() == "中文测试\n".encode("gbk")


def test_unreadable_file_and_bad_options(tmp_path: Path,
                                         capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert run([str(tmp_path / "missing.txt")], capsysbinary)[0] == 2
    assert hook.main(["--check", "--fix", "x"]) == 2
    assert hook.main(["--min-confidence", "7", "x"]) == 2
    assert hook.main(["-e", "utf-16", "x"]) == 2
    capsysbinary.readouterr()


# --- the published hooks -------------------------------------------------------------------

def published_hooks() -> list[dict[str, str]]:
    """``id`` and ``entry`` of each hook in .pre-commit-hooks.yaml (no YAML library needed)."""
    hooks: list[dict[str, str]] = []
    for line in (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8").splitlines():
        item = re.match(r"^(?:-\s+|\s+)(\w+):\s*(.*?)\s*$", line)
        if item is None:
            continue
        if line.startswith("-"):
            hooks.append({})
        hooks[-1][item.group(1)] = item.group(2)
    return hooks


def test_every_hook_id_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    hooks = published_hooks()
    assert [h["id"] for h in hooks] == ["fixenc", "fixenc-check"]
    for item in hooks:
        assert f"`{item['id']}`" in readme, item["id"]


def test_hooks_put_their_mode_in_entry() -> None:
    scripts = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for item in published_hooks():
        command, *flags = item["entry"].split()
        assert command == "fixenc-hook"
        assert flags in (["--fix"], ["--check"])
        assert item["language"] == "python" and item["types"] == "[text]"
    assert 'fixenc-hook = "fixenc.hook:main"' in scripts


# --- pre-commit itself ---------------------------------------------------------------------

def _pre_commit() -> list[str]:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    if found is None:
        pytest.skip("pre-commit is not installed")
    return [found]


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=fixenc tests", "-c", "user.email=tests@invalid",
                    "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                   cwd=cwd, check=True, capture_output=True)


def _hook_repository(dest: Path) -> None:
    """A committed copy of what pre-commit installs: the package and its hooks file."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "fixenc", dest / "fixenc", ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, dest / name)
    _git("init", "-q", cwd=dest)
    _git("add", "-A", cwd=dest)
    _git("commit", "-q", "-m", "hook repository for the test", cwd=dest)


def test_pre_commit_try_repo(tmp_path: Path) -> None:
    command = _pre_commit()
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "hooks"
    repo.mkdir()
    _hook_repository(repo)
    work = tmp_path / "work"
    work.mkdir()
    _git("init", "-q", cwd=work)
    (work / "damaged.txt").write_text(f"标题\n{DAMAGED}\n", encoding="utf-8")
    (work / "lost.txt").write_text(f"{LOST}\n", encoding="utf-8")
    (work / "clean.txt").write_text("一切正常\n", encoding="utf-8")
    _git("add", "-A", cwd=work)

    env = {**os.environ,
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "PIP_CACHE_DIR": str(tmp_path / "pip-cache"),
           "VIRTUALENV_OVERRIDE_APP_DATA": str(tmp_path / "virtualenv-data"),
           "PIP_TIMEOUT": "20", "PIP_RETRIES": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1"}
    try:
        done = subprocess.run([*command, "try-repo", str(repo), "--all-files"], cwd=work,
                              env=env, capture_output=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip("pre-commit try-repo timed out (package index unreachable?)")
    out = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
    if "An unexpected error has occurred" in out:  # installing the environment failed
        pytest.skip("pre-commit could not install the hook (no network or package index?):\n"
                    + out[-2000:])

    assert done.returncode == 1, out
    assert "InvalidManifestError" not in out
    assert "- hook id: fixenc\n" in out and "- hook id: fixenc-check\n" in out
    assert "Fixing damaged.txt" in out
    assert "files were modified by this hook" in out
    assert out.count("lost.txt:1: fffd_read_as_gbk (1.00)") == 2  # flagged by both hooks
    assert (work / "damaged.txt").read_text(encoding="utf-8") == f"标题\n{SENTENCE}\n"
    assert (work / "clean.txt").read_text(encoding="utf-8") == "一切正常\n"
