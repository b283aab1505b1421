"""The ``fixenc`` command: a filter by default, or a checker and fixer of files.

Without a mode, ``fixenc [PATH|-]...`` repairs each input and writes the text to stdout (or
``-o FILE``), streaming line by line.  ``--check`` reports, ``--diff`` shows what
``--write`` would change, and ``--write`` rewrites files in place.  Folders are walked.

Reports use one line per finding, ``path:line:col: kind (confidence) '原' -> '新'``, where
``col`` counts characters from 1.  Exit status: 0 nothing left to do, 1 findings (or
suggestions left unapplied), 2 errors; a filter exits 0 whatever it found.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fnmatch
import json
import logging
import math
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import IO, BinaryIO, Literal, TextIO

from fixenc import __version__, bytes_in, fileio
from fixenc.config import FixConfig
from fixenc.convert import CONFIGS as OPENCC_CONFIGS
from fixenc.repair import repair
from fixenc.results import Fix, Repair

log = logging.getLogger("fixenc")

Mode = Literal["filter", "check", "diff", "write"]
Format = Literal["text", "json", "jsonl", "github"]

AUTO = "auto"
"""``-e auto`` (the default): guess each input's encoding, line by line where lines differ."""
STDIN = "-"
STDIN_NAME = "<stdin>"
JSON_VERSION = 1
PARALLEL_MIN_FILES = 8
"""Below this many files a process pool costs more than it saves (each worker loads the
language model, about 0.2 s)."""
SHOWN_CHARS = 60

DEFAULT_INCLUDE = (
    "*.txt", "*.text", "*.md", "*.markdown", "*.rst", "*.adoc", "*.org", "*.tex", "*.nfo",
    "*.csv", "*.tsv", "*.log", "*.srt", "*.ass", "*.ssa", "*.vtt", "*.lrc", "*.sub",
    "*.json", "*.jsonl", "*.yaml", "*.yml", "*.toml", "*.ini", "*.cfg", "*.conf",
    "*.properties", "*.po", "*.strings", "*.xml", "*.html", "*.htm", "*.xhtml", "*.css",
    "*.js", "*.mjs", "*.ts", "*.jsx", "*.tsx", "*.vue", "*.py", "*.java", "*.kt", "*.c",
    "*.h", "*.cc", "*.cpp", "*.hpp", "*.cs", "*.go", "*.rs", "*.rb", "*.php", "*.pl",
    "*.lua", "*.swift", "*.sh", "*.bat", "*.cmd", "*.ps1", "*.sql",
)
DEFAULT_EXCLUDE = ("node_modules", "__pycache__", "*.min.js", "*.min.css")


# --- results ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Finding:
    """A :class:`~fixenc.results.Fix` placed in a file: 1-based line and column."""

    line: int
    column: int
    fix: Fix


@dataclass(frozen=True, slots=True)
class Counts:
    """How many findings of each sort a file had."""

    findings: int = 0
    applied: int = 0
    suggested: int = 0
    unrecoverable: int = 0

    def plus(self, fix: Fix) -> Counts:
        """These counts with ``fix`` added."""
        return Counts(findings=self.findings + 1,
                      applied=self.applied + fix.applied,
                      suggested=self.suggested + (not fix.applied and not fix.unrecoverable),
                      unrecoverable=self.unrecoverable + fix.unrecoverable)

    @property
    def left(self) -> int:
        """Findings that need a person: suggestions and unrecoverable damage."""
        return self.suggested + self.unrecoverable


@dataclass(frozen=True, slots=True)
class FileResult:
    """What happened to one input.

    ``changed``: its repaired text differs from it; ``written``: it was rewritten in place.
    ``findings`` may be empty while ``counts`` is not when the findings were streamed.
    """

    path: str
    findings: tuple[Finding, ...] = ()
    counts: Counts = Counts()
    changed: bool = False
    written: bool = False
    skipped: str = ""
    error: str = ""
    diff: str = ""

    @property
    def status(self) -> str:
        """One word: error, skipped, fixed, fixable, review or clean."""
        if self.error:
            return "error"
        if self.skipped:
            return "skipped"
        if self.written:
            return "fixed"
        if self.changed:
            return "fixable"
        return "review" if self.counts.findings else "clean"


@dataclass(slots=True)
class Summary:
    """Totals over a run."""

    files: int = 0
    scanned: int = 0
    changed: int = 0
    review: int = 0
    skipped: int = 0
    errors: int = 0
    findings: int = 0
    applied: int = 0
    suggested: int = 0
    unrecoverable: int = 0

    def add(self, result: FileResult) -> None:
        """Count one file's result."""
        self.files += 1
        self.skipped += bool(result.skipped)
        self.errors += bool(result.error)
        self.scanned += not (result.skipped or result.error)
        self.changed += result.changed
        self.review += result.counts.left > 0
        self.findings += result.counts.findings
        self.applied += result.counts.applied
        self.suggested += result.counts.suggested
        self.unrecoverable += result.counts.unrecoverable

    def exit_code(self, mode: Mode) -> int:
        """0 nothing left to do, 1 findings left, 2 errors (2 wins over 1)."""
        if self.errors:
            return 2
        if mode == "filter":
            return 0
        if mode == "write":
            return 1 if self.review else 0
        return 1 if self.findings else 0


# --- repairing one input --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Options:
    """What a worker needs to process a file (picklable)."""

    mode: Mode
    config: FixConfig = dataclasses.field(default_factory=FixConfig)
    encoding: str = "utf-8"
    transcode: bool = False
    """With ``write``: convert what is not UTF-8 to UTF-8 (otherwise it is reported)."""


def _segments(stream: BinaryIO, options: Options,
              before_read: Callable[[], None] | None) -> Iterator[fileio.Segment]:
    if options.encoding == AUTO:
        return bytes_in.read_segments_auto(stream, before_read=before_read)
    return fileio.read_segments(stream, options.encoding, before_read=before_read)


def _repaired(stream: BinaryIO, options: Options,
              before_read: Callable[[], None] | None = None,
              ) -> Iterator[tuple[fileio.Segment, Repair, list[Finding]]]:
    # How the lines were decoded is a finding too: a file that is not UTF-8 (converted by a
    # filter and by --write --transcode), and bytes that nothing decoded (kept as they are).
    report = None
    if options.encoding == AUTO or options.transcode:
        report = bytes_in.EncodingReport(apply=options.mode == "filter" or options.transcode,
                                         encoding=options.encoding)
    for seg in _segments(stream, options, before_read):
        rep = repair(seg.text, options.config)
        fixes = [*report.findings(seg), *rep.fixes] if report is not None else rep.fixes
        findings = [Finding(seg.line, seg.column + fix.start + 1, fix) for fix in fixes]
        yield seg, rep, findings


def _codec(seg: fileio.Segment, options: Options) -> str:
    """The codec that decoded ``seg``."""
    return seg.encoding or options.encoding


def _new_raw(seg: fileio.Segment, rep: Repair, encoding: str, out_encoding: str) -> bytes:
    """The bytes that replace ``seg``: its own when unchanged, so clean lines stay exact.

    Undecodable bytes (lone surrogates in the text) are written back as they were.
    """
    if not rep.changed and encoding == out_encoding:
        return seg.raw
    return seg.bom + rep.text.encode(out_encoding, "surrogateescape")


def _scan(stream: BinaryIO, options: Options,
          sink: Callable[[fileio.Segment, Repair], None] | None) -> FileResult:
    findings: list[Finding] = []
    counts = Counts()
    changed = False
    for seg, rep, found in _repaired(stream, options):
        findings.extend(found)
        for item in found:
            counts = counts.plus(item.fix)
        changed = changed or rep.changed or _converted(found)
        if sink is not None:
            sink(seg, rep)
    return FileResult(path="", findings=tuple(findings), counts=counts, changed=changed)


def _converted(found: Sequence[Finding]) -> bool:
    return any(f.fix.applied and f.fix.kind == bytes_in.LEGACY_ENCODING for f in found)


def _open_input(path: str) -> contextlib.AbstractContextManager[BinaryIO]:
    if path == STDIN:
        return contextlib.nullcontext(sys.stdin.buffer)
    return open(path, "rb")


def _display(path: str) -> str:
    return STDIN_NAME if path == STDIN else path


def process_file(path: str, options: Options) -> FileResult:
    """Check, diff or rewrite one file as ``options.mode`` says; never raises for a bad file.

    Binary and undecodable files come back ``skipped``; unreadable ones with an ``error``.
    """
    try:
        if options.mode == "write":
            result = _write_file(path, options)
        elif options.mode == "diff":
            diff = UnifiedDiff(_display(path))
            with _open_input(path) as stream:
                result = _scan(stream, options, diff.add)
            result = dataclasses.replace(result, diff=diff.text())
        else:
            with _open_input(path) as stream:
                result = _scan(stream, options, None)
    except fileio.SkipFile as exc:
        return FileResult(path=_display(path), skipped=str(exc))
    except UnicodeEncodeError as exc:
        msg = (f"the repaired text cannot be written as {options.encoding} ({exc.reason}); "
               "left as it was (see the fixes with --check)")
        return FileResult(path=_display(path), error=msg)
    except OSError as exc:
        return FileResult(path=_display(path), error=_os_error(exc))
    except Exception as exc:  # noqa: BLE001 - one file's bug must not stop the others
        return FileResult(path=_display(path), error=_internal_error(exc))
    return dataclasses.replace(result, path=_display(path))


def _internal_error(exc: Exception) -> str:
    return f"internal error {type(exc).__name__}: {exc}; please report it with this file"


def _write_file(path: str, options: Options) -> FileResult:
    if path == STDIN:
        msg = "cannot rewrite stdin in place; leave out -w to filter stdin to stdout"
        raise OSError(msg)
    with fileio.Rewriter(path) as out:
        def sink(seg: fileio.Segment, rep: Repair) -> None:
            codec = _codec(seg, options)
            out.write(seg.raw, _new_raw(seg, rep, codec, "utf-8" if options.transcode else codec))

        with open(path, "rb") as stream:
            result = _scan(stream, options, sink)
        written = out.commit()
    return dataclasses.replace(result, written=written)


def _os_error(exc: OSError) -> str:
    """The reason alone when the path is shown next to it anyway."""
    if exc.filename is not None and exc.strerror:
        return exc.strerror
    return str(exc)


# --- unified diff, built while streaming ---------------------------------------------------

class UnifiedDiff:
    """A unified diff of a file against its repair, built one line at a time.

    Repair never adds or removes lines, so line *n* of the old text is line *n* of the
    new one, and hunks can be cut as the lines go by (3 lines of context, as ``diff -u``).

    >>> d = UnifiedDiff("a.txt")
    >>> for old, new in [("x\\n", "x\\n"), ("ÖÐÎÄ\\n", "中文\\n")]:
    ...     d.add_line(old, new)
    >>> print(d.text(), end="")
    --- a.txt
    +++ a.txt
    @@ -1,2 +1,2 @@
     x
    -ÖÐÎÄ
    +中文
    """

    def __init__(self, path: str, context: int = 3) -> None:
        self._path = path
        self._context = context
        self._out: list[str] = []
        self._recent: deque[str] = deque(maxlen=context)  # last unchanged lines
        self._hunk: list[str] = []
        self._start = 0
        self._size = 0
        self._tail = 0
        self._minus: list[str] = []
        self._plus: list[str] = []
        self._lineno = 0
        self._old_pieces: list[str] = []
        self._new_pieces: list[str] = []

    def add(self, seg: fileio.Segment, rep: Repair) -> None:
        """Add a segment and its repair; pieces of a long line are joined first."""
        bom = "\ufeff" if seg.bom else ""  # shown, so that the diff applies with patch
        self._old_pieces.append(bom + seg.text)
        self._new_pieces.append(bom + rep.text)
        if seg.ends_line:
            self.add_line("".join(self._old_pieces), "".join(self._new_pieces))
            self._old_pieces.clear()
            self._new_pieces.clear()

    def add_line(self, old: str, new: str) -> None:
        """Add the next whole line (with its line ending) and what it becomes."""
        self._lineno += 1
        in_hunk = bool(self._hunk or self._minus)
        if old != new:
            if not in_hunk:
                self._start = self._lineno - len(self._recent)
                self._hunk = [" " + _diff_line(line) for line in self._recent]
                self._size = len(self._recent)
            self._minus.append(old)
            self._plus.append(new)
            self._size += 1
            self._tail = 0
            return
        self._recent.append(old)
        if not in_hunk:
            return
        self._flush_changes()
        self._hunk.append(" " + _diff_line(old))
        self._size += 1
        self._tail += 1
        if self._tail > 2 * self._context:
            self._close()

    def _flush_changes(self) -> None:
        self._hunk.extend("-" + _diff_line(line) for line in self._minus)
        self._hunk.extend("+" + _diff_line(line) for line in self._plus)
        self._minus.clear()
        self._plus.clear()

    def _close(self) -> None:
        self._flush_changes()
        extra = max(0, self._tail - self._context)
        size = self._size - extra
        span = f"{self._start},{size}" if size != 1 else f"{self._start}"
        self._out.append(f"@@ -{span} +{span} @@\n")
        self._out.extend(self._hunk[:len(self._hunk) - extra])
        self._hunk, self._size, self._tail = [], 0, 0

    def text(self) -> str:
        """The whole diff; empty when nothing changes."""
        if self._old_pieces:
            self.add_line("".join(self._old_pieces), "".join(self._new_pieces))
            self._old_pieces.clear()
            self._new_pieces.clear()
        if self._hunk or self._minus:
            self._close()
        if not self._out:
            return ""
        return f"--- {self._path}\n+++ {self._path}\n" + "".join(self._out)


def _diff_line(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"


_COLORS = {"+": "\x1b[32m", "-": "\x1b[31m", "@": "\x1b[36m"}


def colorize_diff(diff: str) -> str:
    """ANSI colours for a terminal: removed red, added green, hunk headers cyan."""
    out: list[str] = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("--- ", "+++ ")):
            color = "\x1b[1m"
        else:
            color = _COLORS.get(line[:1], "")
        body = line.rstrip("\r\n")
        out.append(f"{color}{body}\x1b[0m{line[len(body):]}" if color else line)
    return "".join(out)


# --- finding the files ---------------------------------------------------------------------

def collect_paths(paths: Iterable[str], include: Sequence[str],
                  exclude: Sequence[str]) -> list[str]:
    """The files to process: each named file, and the matching files under each folder.

    Folders are walked recursively in sorted order, skipping hidden folders, symbolic links
    and whatever matches ``exclude``; files found there must match ``include``.  A named
    file is always taken.  Globs match the name or the path below the walked folder.
    """
    seen: set[str] = set()
    out: list[str] = []
    for path in paths:
        found = _walk(path, include, exclude) if os.path.isdir(path) else [path]
        for item in found:
            key = item if item == STDIN else os.path.normcase(os.path.abspath(item))
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out


def _matches(name: str, rel: str, globs: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(rel, g) for g in globs)


def _walk(top: str, include: Sequence[str], exclude: Sequence[str]) -> Iterator[str]:
    for folder, dirnames, filenames in os.walk(top):
        rel_folder = os.path.relpath(folder, top)
        rel_folder = "" if rel_folder == os.curdir else rel_folder.replace(os.sep, "/") + "/"
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and not os.path.islink(os.path.join(folder, d))
                             and not _matches(d, rel_folder + d, exclude))
        for name in sorted(filenames):
            path = os.path.normpath(os.path.join(folder, name))
            rel = rel_folder + name
            if (not os.path.islink(path) and _matches(name, rel, include)
                    and not _matches(name, rel, exclude)):
                yield path


# --- running over many files ---------------------------------------------------------------

def _cpu_count() -> int:
    counter = getattr(os, "process_cpu_count", os.cpu_count)
    count: int | None = counter()
    return count or 1


def choose_jobs(requested: int | None, files: int) -> int:
    """How many worker processes: 1 for a single file or a few, else ``-j`` or all CPUs.

    >>> choose_jobs(None, 1), choose_jobs(4, 1), choose_jobs(4, 3), choose_jobs(1, 100)
    (1, 1, 3, 1)
    """
    if files <= 1:
        return 1
    if requested is not None:
        return min(requested, files)
    if files < PARALLEL_MIN_FILES:
        return 1
    return min(_cpu_count(), files)


def _results(paths: Sequence[str], options: Options, jobs: int) -> Iterator[FileResult]:
    """Each file's result, in the order of ``paths``."""
    if jobs <= 1 or STDIN in paths:
        for path in paths:
            yield process_file(path, options)
        return
    # "spawn" everywhere: fork is unsafe in a process with threads and deprecated there.
    context = multiprocessing.get_context("spawn")
    chunk = max(1, min(16, len(paths) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        try:
            yield from pool.map(process_file, paths, [options] * len(paths), chunksize=chunk)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


class Progress:
    """``[12/340] path`` on a terminal's stderr during long runs; silent otherwise."""

    DELAY = 0.5
    INTERVAL = 0.1

    def __init__(self, stream: BinaryIO | None) -> None:
        self._stream = stream
        self._total = 0
        self._began = self._last = 0.0
        self._shown = False

    def start(self, total: int) -> None:
        """Begin a run over ``total`` files (progress shows only for more than one)."""
        self._total = total
        self._began = time.monotonic()

    def update(self, done: int, path: str) -> None:
        """Show that ``done`` files are finished, ``path`` the last."""
        if self._stream is None or self._total <= 1:
            return
        now = time.monotonic()
        if now - self._began < self.DELAY or now - self._last < self.INTERVAL:
            return
        self._last = now
        width = len(str(self._total))
        text = f"\r\x1b[K[{done:>{width}}/{self._total}] {path}"[:200]
        self._stream.write(text.encode("utf-8", "backslashreplace"))
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Erase the progress line before other output."""
        if self._shown and self._stream is not None:
            self._stream.write(b"\r\x1b[K")
            self._stream.flush()
            self._shown = False


# --- reporting -----------------------------------------------------------------------------

def _short(text: str) -> str:
    if len(text) > SHOWN_CHARS:
        text = text[:SHOWN_CHARS - 1] + "…"
    return repr(text)


def format_confidence(value: float) -> str:
    """Two decimals, rounded down, so a fix below 0.95 never shows as 0.95.

    >>> format_confidence(0.9499), format_confidence(1.0)
    ('0.94', '1.00')
    """
    return f"{math.floor(value * 100 + 1e-9) / 100:.2f}"


def format_finding(path: str, finding: Finding, *, explain: bool = False,
                   with_column: bool = True) -> str:
    """``path:line:col: kind (confidence) '原' -> '新'``, tagged when not applied."""
    where = f"{path}:{finding.line}:{finding.column}" if with_column else f"{path}:{finding.line}"
    return f"{where}: {describe(finding.fix, explain=explain)}"


def describe(fix: Fix, *, explain: bool = False) -> str:
    """``kind (confidence) '原' -> '新'``, tagged when not applied; steps with ``explain``.

    >>> from fixenc.results import Step
    >>> fix = Fix(start=0, end=3, original="ÖÐÎ", replacement="中", kind="gbk_read_as_latin1",
    ...           steps=(Step("encode", "latin-1"), Step("decode", "gbk")), confidence=0.5)
    >>> describe(fix)
    "gbk_read_as_latin1 (0.50) 'ÖÐÎ' -> '中' [suggestion: below --min-confidence]"
    >>> explanation(fix)
    '[steps: encode:latin-1 decode:gbk]'
    """
    head = f"{fix.kind} ({format_confidence(fix.confidence)})"
    if fix.unrecoverable:
        text = f"{head} {_short(fix.original)} [unrecoverable: cannot be undone]"
    else:
        text = f"{head} {_short(fix.original)} -> {_short(fix.replacement)}"
        if fix.kind == bytes_in.LEGACY_ENCODING:
            codec = fix.steps[0].arg if fix.steps else "?"
            text += f" [{codec}, not UTF-8" + (
                "]" if fix.applied else ": convert with --write --transcode]")
        elif not fix.applied:
            text += " [suggestion: below --min-confidence]"
    return f"{text} {explanation(fix)}" if explain else text


def explanation(fix: Fix) -> str:
    """The steps of a fix and what was guessed or lost, in brackets."""
    steps = " ".join(f"{step.action}:{step.arg}" for step in fix.steps) or "none"
    extra = f", guessed {fix.guessed}, lost {fix.lost}" if fix.lossy else ""
    return f"[steps: {steps}{extra}]"


def fix_record(finding: Finding) -> dict[str, object]:
    """A finding as JSON-ready data: every field of the fix, placed in its line."""
    fix = finding.fix
    record: dict[str, object] = {"line": finding.line, "column": finding.column}
    record.update((f.name, getattr(fix, f.name)) for f in dataclasses.fields(fix))
    start = finding.column - 1
    record["start"] = start
    record["end"] = start + fix.end - fix.start
    record["steps"] = [step._asdict() for step in fix.steps]
    record["evidence"] = dict(fix.evidence)
    record["suggested"] = not fix.applied and not fix.unrecoverable
    record["unrecoverable"] = fix.unrecoverable
    return record


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


class Reporter:
    """Writes findings and file outcomes in the chosen format; keeps the totals."""

    def __init__(self, out: BinaryIO, *, fmt: Format, mode: Mode, config: FixConfig,
                 explain: bool = False, verbose: int = 0, show_findings: bool = True,
                 before_write: Callable[[], None] | None = None) -> None:
        self._out = out
        self._fmt = fmt
        self._mode = mode
        self._config = config
        self._explain = explain
        self._verbose = verbose
        self._show_findings = show_findings
        self.before_write = before_write
        self._files: list[dict[str, object]] = []
        self._pending: list[dict[str, object]] = []
        self.summary = Summary()

    def _write(self, text: str) -> None:
        if self.before_write is not None:
            self.before_write()
        self._out.write(text.encode("utf-8", "backslashreplace"))

    def _shows(self, fix: Fix) -> bool:
        """Text output: in --write and --diff, applied fixes only with -v or --explain."""
        if self._mode in ("write", "diff") and fix.applied:
            return self._explain or self._verbose > 0
        return True

    def finding(self, path: str, finding: Finding) -> None:
        """Report one finding (as soon as it is known, for streams)."""
        if not self._show_findings:
            return
        if self._fmt == "text":
            if self._shows(finding.fix):
                self._write(format_finding(path, finding, explain=self._explain) + "\n")
        elif self._fmt == "github":
            self._write(self._github(path, finding))
        elif self._fmt == "jsonl":
            self._write(_json_line({"type": "fix", "path": path, **fix_record(finding)}))
        else:
            self._pending.append(fix_record(finding))

    def _github(self, path: str, finding: Finding) -> str:
        fix = finding.fix
        if fix.applied:  # fixed in --write; to fix otherwise
            level = "notice" if self._mode == "write" else "error"
        else:
            level = "warning"
        props = (f"file={_github_escape(path, prop=True)},line={finding.line},"
                 f"col={finding.column},title={_github_escape('fixenc ' + fix.kind, prop=True)}")
        message = describe(fix, explain=self._explain)
        return f"::{level} {props}::{_github_escape(message)}\n"

    def result(self, result: FileResult) -> None:
        """Report a whole file's outcome (file modes)."""
        if result.written and self._fmt == "text":
            self._write(f"Fixing {result.path}\n")
        for finding in result.findings:
            self.finding(result.path, finding)
        self.done(result)

    def done(self, result: FileResult) -> None:
        """Close a file: log skips and errors, add to the totals, emit its record."""
        self.summary.add(result)
        if result.error:
            log.error("%s: %s", result.path, result.error)
            if self._fmt == "github":
                self._write(f"::error file={_github_escape(result.path, prop=True)}::"
                            f"{_github_escape(result.error)}\n")
        elif result.skipped:
            log.warning("%s: skipped: %s", result.path, result.skipped)
        else:
            log.info("%s: %s", result.path, result.status)
        if self._fmt in ("json", "jsonl"):
            record = self._file_record(result)
            if self._fmt == "jsonl":
                self._write(_json_line({"type": "file", **record}))
            else:
                record["fixes"] = self._pending
                self._files.append(record)
            self._pending = []

    @staticmethod
    def _file_record(result: FileResult) -> dict[str, object]:
        return {"path": result.path, "status": result.status, "changed": result.changed,
                "written": result.written, "needs_review": result.counts.left > 0,
                "message": result.error or result.skipped or None}

    def finish(self, code: int) -> None:
        """Emit what comes at the end: the JSON document, or the JSONL summary."""
        summary = {**dataclasses.asdict(self.summary), "exit_code": code}
        if self._fmt == "json":
            doc = {"version": JSON_VERSION, "mode": self._mode,
                   "min_confidence": self._config.min_confidence,
                   "files": self._files, "summary": summary}
            self._write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        elif self._fmt == "jsonl":
            self._write(_json_line({"type": "summary", **summary}))


def _json_line(record: dict[str, object]) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def summary_line(summary: Summary, mode: Mode) -> str:
    """``3 files scanned, 1 fixed, 1 needs review`` (plus skipped and errors, if any)."""
    files = "file" if summary.scanned == 1 else "files"
    fixed = "fixed" if mode in ("write", "filter") else "to fix"
    needs = "needs" if summary.review == 1 else "need"
    parts = [f"{summary.scanned} {files} scanned", f"{summary.changed} {fixed}",
             f"{summary.review} {needs} review"]
    if summary.skipped:
        parts.append(f"{summary.skipped} skipped")
    if summary.errors:
        parts.append(f"{summary.errors} error" + ("s" if summary.errors > 1 else ""))
    return ", ".join(parts)


class _StderrHandler(logging.Handler):
    """Log lines as UTF-8 on stderr, after erasing the progress line."""

    def __init__(self, stream: BinaryIO, before: Callable[[], None]) -> None:
        super().__init__()
        self._stream = stream
        self._before = before

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._before()
            self._stream.write((self.format(record) + "\n").encode("utf-8", "backslashreplace"))
            self._stream.flush()
        except Exception:  # noqa: BLE001 - logging must never break the run
            self.handleError(record)


@contextlib.contextmanager
def _logging_to(stream: BinaryIO, verbosity: int,
                before: Callable[[], None]) -> Iterator[None]:
    """Send fixenc's log to ``stream`` for the length of a run, then put things back."""
    handler = _StderrHandler(stream, before)
    handler.setFormatter(logging.Formatter("fixenc: %(message)s"))
    levels = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}
    old_level, old_propagate = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(levels.get(verbosity, logging.DEBUG))
    log.propagate = False
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(old_level)
        log.propagate = old_propagate


# --- command line --------------------------------------------------------------------------

def _confidence(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0.0 <= number <= 1.0:
        msg = f"must be a number between 0 and 1, got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return number


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        msg = f"must be a whole number of at least 1, got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return int(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fixenc",
        description="Repair Chinese mojibake (UTF-8 read as GBK, GBK read as Latin-1, ...). "
                    "Without --check, --diff or --write: a filter from the inputs (or stdin) "
                    "to stdout.",
        epilog="Exit status: 0 nothing left to do, 1 findings (or suggestions left "
               "unapplied), 2 errors. A filter exits 0 whatever it found.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or folders (walked recursively); '-' or none: stdin")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", dest="mode", action="store_const", const="check",
                      help="only report, one line per finding; exit 1 if anything is found")
    mode.add_argument("--diff", dest="mode", action="store_const", const="diff",
                      help="print a unified diff of what --write would change")
    mode.add_argument("-w", "--write", dest="mode", action="store_const", const="write",
                      help="rewrite files in place (atomically; line endings, BOM and mode "
                           "kept); files with nothing to fix are not touched")
    parser.set_defaults(mode="filter")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="filter: write to FILE instead of stdout (never over an input)")
    parser.add_argument("-e", "--encoding", default=AUTO, metavar="CODEC",
                        help="decode inputs strictly with CODEC (default: auto, which guesses "
                             "each input's encoding, line by line where lines differ); a "
                             "filter writes UTF-8, --write keeps the encoding")
    parser.add_argument("--transcode", action="store_true",
                        help="with --write: convert files (or lines) that are not UTF-8 to "
                             "UTF-8; without it they are reported and left as they are")
    parser.add_argument("--min-confidence", type=_confidence, metavar="X",
                        help="apply only fixes at least this sure (default 0.9); the others "
                             "are reported as suggestions")
    convert = parser.add_mutually_exclusive_group()
    convert.add_argument("--t2s", dest="opencc", action="store_const", const="auto",
                         help="after repairing, convert Traditional lines to Simplified "
                              "(OpenCC, configuration chosen per line; Japanese, Korean and "
                              "Simplified lines are left alone)")
    convert.add_argument("--opencc", choices=OPENCC_CONFIGS, metavar="CONFIG",
                         help="like --t2s with this OpenCC configuration: auto (default), "
                              "t2s, tw2s (Taiwan: 著 for 着) or hk2s")
    parser.add_argument("--strip-pinyin", action="store_true",
                        help="remove pinyin readings a converter inserted after characters, "
                             "such as 數(shù); genuine parentheses stay")
    parser.add_argument("--format", choices=("text", "json", "jsonl", "github"),
                        default="text", help="report format (default: text)")
    parser.add_argument("--explain", action="store_true",
                        help="one line per fix with its steps (a filter: on stderr)")
    parser.add_argument("--include", action="append", metavar="GLOB",
                        help="in folders, process files matching GLOB (repeatable; replaces "
                             "the default list of text extensions)")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="in folders, skip files and folders matching GLOB (repeatable; "
                             f"added to {', '.join(DEFAULT_EXCLUDE)} and hidden folders)")
    parser.add_argument("-j", "--jobs", type=_positive, metavar="N",
                        help="worker processes for many files (default: one per CPU)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the diff (auto: on a terminal, unless NO_COLOR is set)")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true",
                           help="no summary, progress or warnings; findings and errors only")
    verbosity.add_argument("-v", "--verbose", action="count", default=0,
                           help="more detail (applied fixes, each file's status)")
    parser.add_argument("--version", action="version", version=f"fixenc {__version__}")
    return parser


def _binary(stream: TextIO) -> BinaryIO:
    """The byte stream under a text stream: fixenc writes UTF-8 whatever the locale."""
    return stream.buffer


def _fileno(stream: IO[bytes] | IO[str]) -> int | None:
    try:
        return stream.fileno()
    except (OSError, ValueError, AttributeError):
        return None


def _isatty(stream: IO[bytes] | IO[str]) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError, AttributeError):
        return False


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and _isatty(sys.stdout)


def _overwrites_input(paths: Sequence[str], output: str | None) -> str | None:
    """The input that the output would overwrite, if any."""
    out_fd = None if output is not None else _fileno(sys.stdout)
    for path in paths:
        if path == STDIN:
            in_fd = _fileno(sys.stdin)
            if output is not None and in_fd is not None and fileio.is_same_as_fd(output, in_fd):
                return STDIN_NAME
        elif ((output is not None and fileio.same_file(path, output))
              or (out_fd is not None and fileio.is_same_as_fd(path, out_fd))):
            return path
    return None


def _filter_one(path: str, options: Options, out: BinaryIO, reporter: Reporter) -> FileResult:
    """Stream one input to ``out``, reporting findings as they are found."""
    name = _display(path)
    counts = Counts()
    changed = False
    try:
        if os.path.isdir(path):
            msg = "is a folder; to repair the files in it use -w (or --check, --diff)"
            raise OSError(msg)
        with _open_input(path) as stream:
            for seg, rep, found in _repaired(stream, options, before_read=out.flush):
                out.write(_new_raw(seg, rep, _codec(seg, options), "utf-8"))
                changed = changed or rep.changed or _converted(found)
                for item in found:
                    counts = counts.plus(item.fix)
                    reporter.finding(name, item)
    except fileio.SkipFile as exc:  # a filter cannot skip: its output would be incomplete
        return FileResult(path=name, counts=counts, changed=changed, error=str(exc))
    except OSError as exc:
        return FileResult(path=name, counts=counts, changed=changed, error=_os_error(exc))
    except Exception as exc:  # noqa: BLE001 - report it, and go on with the next input
        return FileResult(path=name, counts=counts, changed=changed, error=_internal_error(exc))
    return FileResult(path=name, counts=counts, changed=changed)


def _run_filter(args: argparse.Namespace, options: Options, reporter: Reporter) -> None:
    paths: list[str] = args.paths or [STDIN]
    victim = _overwrites_input(paths, args.output)
    if victim is not None:
        msg = (f"refusing to write over the input {victim}; write elsewhere, or use -w to "
               "repair it in place")
        reporter.done(FileResult(path=victim, error=msg))
        return
    if args.output is None:
        out = _binary(sys.stdout)
        for path in paths:
            reporter.done(_filter_one(path, options, out, reporter))
        out.flush()
        return
    try:
        with open(args.output, "wb") as file_out:
            for path in paths:
                reporter.done(_filter_one(path, options, file_out, reporter))
    except OSError as exc:
        reporter.done(FileResult(path=args.output, error=_os_error(exc)))


def _run_files(args: argparse.Namespace, options: Options, reporter: Reporter,
               progress: Progress) -> None:
    include = args.include or DEFAULT_INCLUDE
    paths = collect_paths(args.paths or [STDIN], include, [*DEFAULT_EXCLUDE, *args.exclude])
    jobs = choose_jobs(args.jobs, len(paths))
    log.debug("%d file(s), %d job(s)", len(paths), jobs)
    color = _use_color(args.color)
    out = _binary(sys.stdout)
    progress.start(len(paths))
    for done, result in enumerate(_results(paths, options, jobs), start=1):
        if result.diff:
            if _isatty(sys.stdout):  # the terminal that shows the progress line
                progress.clear()
            out.write((colorize_diff(result.diff) if color else result.diff).encode("utf-8"))
        reporter.result(result)
        progress.update(done, result.path)
    progress.clear()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``fixenc`` command; returns the exit status (0, 1 or 2)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        _validate(parser, args)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else 2
    config = FixConfig(strip_pinyin=args.strip_pinyin, to_simplified=args.opencc)
    if args.min_confidence is not None:
        config = dataclasses.replace(config, min_confidence=args.min_confidence)
    options = Options(mode=args.mode, config=config, encoding=args.encoding,
                      transcode=args.transcode)
    mode: Mode = args.mode
    stderr = _binary(sys.stderr)
    verbosity = -1 if args.quiet else args.verbose
    show_progress = mode != "filter" and verbosity >= 0 and _isatty(sys.stderr)
    progress = Progress(stderr if show_progress else None)
    # A filter's stdout is the text: its report goes to stderr, and only when asked for.
    report_text = sys.stderr if mode in ("filter", "diff") else sys.stdout
    report_to = _binary(report_text)
    asked = args.explain or args.format != "text" or args.verbose > 0
    reporter = Reporter(report_to, fmt=args.format, mode=mode, config=config,
                        explain=args.explain, verbose=args.verbose,
                        show_findings=mode != "filter" or asked,
                        before_write=progress.clear if _isatty(report_text) else None)
    with _logging_to(stderr, verbosity, progress.clear):
        try:
            if mode == "filter":
                _run_filter(args, options, reporter)
            else:
                _run_files(args, options, reporter, progress)
        except KeyboardInterrupt:
            progress.clear()
            log.error("interrupted")
            return 130
        except BrokenPipeError:
            _silence_stdout()
            return 1
        code = reporter.summary.exit_code(mode)
        reporter.finish(code)
        report_to.flush()
        if verbosity >= 0 and (mode != "filter" or args.verbose > 0):
            stderr.write((summary_line(reporter.summary, mode) + "\n").encode("utf-8"))
        stderr.flush()
    return code


def _validate(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    try:
        if args.encoding.lower() != AUTO:
            args.encoding = fileio.normalize_encoding(args.encoding)
        else:
            args.encoding = AUTO
    except ValueError as exc:
        parser.error(str(exc))
    if args.transcode and args.mode not in ("write", "diff", "check"):
        parser.error("--transcode goes with --write (or --check, --diff: what it would do); "
                     "a filter always writes UTF-8")
    if args.output is not None and args.mode != "filter":
        parser.error("-o/--output only goes with the filter (without --check, --diff, -w)")
    if args.mode == "write" and (not args.paths or STDIN in args.paths):
        parser.error("-w/--write needs files or folders; to repair stdin, leave out -w")


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so exiting does not fail again."""
    fd = _fileno(sys.stdout)
    if fd is None:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
