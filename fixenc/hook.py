"""``fixenc-hook``: the pre-commit hook, file by file, with no state shared between files.

``fixenc-hook --fix FILE...`` repairs files in place (atomically, keeping line endings, BOM
and mode) and prints ``Fixing FILE``; ``fixenc-hook --check FILE...`` only reports, one line
per finding: ``path:line: kind (confidence) '原' -> '新'``.  Either way the hook returns 1
when it changed a file or left a finding (a suggestion below ``--min-confidence``, or damage
that cannot be undone), 0 when everything was clean, and 2 when a file could not be read.
Binary files are skipped, with a note, never failed.  The encoding of each file is
guessed (line by line where lines differ): a file, or a run of lines, that is not UTF-8 is
reported (``legacy_encoding``) and left as it is, unless ``--transcode`` converts it to
UTF-8; ``-e CODEC`` says what the files are in, and then nothing is reported about it.

Its ``--min-confidence`` defaults to 0.95, stricter than the library's 0.9: a hook changes
files nobody asked it to look at.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import BinaryIO

from fixenc import fileio
from fixenc.cli import AUTO, FileResult, Finding, Options, format_finding, process_file
from fixenc.config import FixConfig

HOOK_MIN_CONFIDENCE = 0.95


def _confidence(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        msg = f"must be a number between 0 and 1, got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fixenc-hook",
        description="pre-commit hook: repair (--fix) or report (--check) Chinese mojibake.")
    parser.add_argument("filenames", nargs="*", metavar="FILE")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--fix", dest="check", action="store_false",
                      help="repair files in place (the default)")
    mode.add_argument("--check", dest="check", action="store_true",
                      help="only report; never write")
    parser.set_defaults(check=False)
    parser.add_argument("--min-confidence", type=_confidence, default=HOOK_MIN_CONFIDENCE,
                        metavar="X", help="apply only fixes at least this sure "
                                          f"(default {HOOK_MIN_CONFIDENCE})")
    parser.add_argument("-e", "--encoding", default=AUTO, metavar="CODEC",
                        help="decode files strictly with CODEC (default: auto, guessed per "
                             "file and per line; what is not UTF-8 is reported)")
    parser.add_argument("--transcode", action="store_true",
                        help="with --fix: convert files (or lines) that are not UTF-8 to UTF-8")
    return parser


def _say(out: BinaryIO, text: str) -> None:
    out.write((text + "\n").encode("utf-8", "backslashreplace"))


def report(result: FileResult, out: BinaryIO) -> int:
    """Print what happened to one file; its status (0 clean, 1 changed or flagged, 2 error)."""
    if result.error:
        _say(out, f"{result.path}: error: {result.error}")
        return 2
    if result.skipped:
        _say(out, f"{result.path}: skipped: {result.skipped}")
        return 0
    if result.written:
        _say(out, f"Fixing {result.path}")
    flagged: list[Finding] = [f for f in result.findings
                              if not (result.written and f.fix.applied)]
    for finding in flagged:
        _say(out, format_finding(result.path, finding, with_column=False))
    return 1 if result.written or flagged else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook on each file named in ``argv``; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        encoding = (AUTO if args.encoding.lower() == AUTO
                    else fileio.normalize_encoding(args.encoding))
    except ValueError as exc:
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"fixenc-hook: error: {exc}\n")
        return 2
    except SystemExit as exc:  # argparse: --help, usage errors
        return exc.code if isinstance(exc.code, int) else 2
    options = Options(mode="check" if args.check else "write",
                      config=FixConfig(min_confidence=args.min_confidence), encoding=encoding,
                      transcode=args.transcode and not args.check)
    out = sys.stdout.buffer
    status = 0
    for name in args.filenames:
        status = max(status, report(process_file(name, options), out))
    out.flush()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
