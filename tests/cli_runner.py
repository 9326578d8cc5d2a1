"""The one way tests run the command line: ``embedkit.cli.main`` in this process, its stdin, stdout and stderr swapped
for in-memory streams (no interpreter start and no model load per call: a subprocess is kept only where the process
is the point, e.g. a killed run or what ``--help`` imports)."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from typing import NamedTuple

__all__ = ["CliRun", "error_line", "run_cli", "user_error"]


class CliRun(NamedTuple):
    """What one command line run gave: its exit status and everything it wrote (``code, out, err = run_cli(...)``)."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: bytes | str | None = None) -> CliRun:
    """``python -m embedkit ARGS`` in this process; ``stdin`` is what ``--input -`` reads (bytes as sent)."""
    from embedkit.cli import main

    data = stdin.encode("utf-8") if isinstance(stdin, str) else (stdin or b"")
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's own refusals and --help
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.stdin = saved
    return CliRun(code, out.getvalue(), err.getvalue())


def error_line(code: int, err: str) -> str:
    """The one error line of a run that must have failed as a user mistake (exit 2, no traceback)."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1, err
    return lines[0]


def user_error(res: CliRun) -> str:
    """:func:`error_line` of a run."""
    return error_line(res.returncode, res.stderr)
