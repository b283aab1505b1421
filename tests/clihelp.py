"""Helpers shared by the command-line tests: run ``fixenc.cli.main`` in process."""

from __future__ import annotations

import io
import sys
import tracemalloc

import pytest

from fixenc import cli


def run(argv: list[str], capsysbinary: pytest.CaptureFixture[bytes]) -> tuple[int, str, str]:
    """``main(argv)``: exit status, stdout and stderr (as text)."""
    code = cli.main(argv)
    captured = capsysbinary.readouterr()
    return code, captured.out.decode("utf-8"), captured.err.decode("utf-8")


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """Make ``data`` the process's standard input."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def main_with_peak(argv: list[str]) -> tuple[int, int]:
    """``main(argv)``'s exit status and the peak of Python memory it allocated (bytes)."""
    tracemalloc.start()
    try:
        code = cli.main(argv)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return code, peak
