"""``main``: parse, run the command, and turn every failure into one line per problem."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from colead.cli.codes import EXIT_BUG, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from colead.cli.parser import build_parser
from colead.cli.wording import cli_wording, error_lines

__all__ = ["EXIT_BUG", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0, 2 for a user's mistake, 1 for a bug)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help and --version exit 0 as argparse does
        if exc.code == EXIT_USAGE:
            return EXIT_USAGE
        raise
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    from colead.exceptions import ColeadError

    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warning_printer(args.command)
            return int(args.run(args))
    except ColeadError as exc:
        for line in error_lines(exc, args.command):
            print(f"colead: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # colead ... | head: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that exiting does not complain again
        return EXIT_OK
    except OSError as exc:
        print(
            f"colead: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:  # a file being written is left as it was
        print("colead: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug in colead, not the user's mistake
        if os.environ.get("COLEAD_DEBUG"):
            raise
        first = (str(exc).splitlines() or [""])[0][:200]
        print(
            f"colead: internal error: {type(exc).__name__}: {first} (a bug in colead: please "
            "report it with the command that caused it; COLEAD_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_BUG


def _warning_printer(command: str) -> Callable[..., None]:
    """Warnings as one line each, ``colead: warning: ...``, not Python's two lines with the
    source file and line of the library."""

    def show(message: Warning | str, *args: Any, **kwargs: Any) -> None:
        text = cli_wording(" ".join(str(message).splitlines()), command)
        print(f"colead: warning: {text}", file=sys.stderr)

    return show
