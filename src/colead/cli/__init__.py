"""The ``colead`` command line.

Only argparse is imported at start-up, so that ``colead --help`` is fast; each command imports
what it needs. A user's mistake (a ColeadError, a file that cannot be opened, an option
argparse refuses) prints one line per problem on stderr, at most 20 and then a count of the
rest by kind, and exits with 2, never a traceback. The library's messages are reworded in the
words of the command line (``--min-n``, ``--school none``; :func:`cli_wording`).

A command that writes refuses an output that is one of its inputs (symbolic links and
relative paths resolved), refuses to replace an existing file unless ``--force``, and writes
through a temporary file renamed when complete, so a failed run leaves nothing half-written.
"""

from colead.cli.parser import build_parser
from colead.cli.run import EXIT_BUG, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, main
from colead.cli.wording import cli_wording, error_lines

__all__ = [
    "EXIT_BUG",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "cli_wording",
    "error_lines",
    "main",
]
