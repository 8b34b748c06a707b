"""Messages in the words of the command line: the library's parameter names become flags."""

from __future__ import annotations

import re

# -- messages in the words of the command line -----------------------------------------------
_IMPORT_FLAGS = {
    "source": "FILE",
    "instrument": "--instrument",
    "platform": "--platform",
    "school": "--school",
    "mapping": "--mapping",
    "keep_incomplete": "--keep-incomplete",
}
#: Per command: the library's parameter names -> the flags that set them.
FLAGS: dict[str, dict[str, str]] = {
    "simulate": {
        "n_schools": "--schools",
        "respondents": "--respondents",
        "icc": "--icc",
        "missing": "--missing",
        "seed": "--seed",
        "instrument": "--instrument",
        "platform": "--format",
        "values": "--values",
        "path": "--output",
    },
    "validate": _IMPORT_FLAGS,
    "score": {**_IMPORT_FLAGS, "by": "--by", "min_n": "--min-n", "path": "--output"},
    "report": {
        "source": "FILE",
        "instrument": "--instrument",
        "platform": "--platform",
        "mapping": "--mapping",
        "school": "--by",
        "by": "--by",
        "min_n": "--min-n",
        "title": "--title",
        "roster": "--roster",
        "rules": "--rules",
        "path": "--output",
        "norms": "--norms",
        "scores": "--scores",
    },
    "field": {
        "instrument": "INSTRUMENT",
        "to": "--to",
        "path": "--output",
        "language": "--language",
        "min_n": "--min-n",
    },
    "instruments": {},
}
_PARAMETER = re.compile(r"The '(?P<name>\w+)(?:\[[^\]]*\])?' (?:parameter |range |option )?of \w+")
#: Advice that names Python keywords, per command: (pattern, replacement).
_ADVICE: dict[str, list[tuple[str, str]]] = {
    "*": [
        (r"Use min_n >= (\d+), or pass allow_small_groups=True\.", r"Use --min-n \1 or more."),
        (r"map it with mapping=, or read a subset with items=", "map it with --mapping FILE"),
        (r"with mapping=", "with --mapping FILE"),
    ],
    "validate": [(r"pass school=None", "pass --school none")],
    "score": [(r"pass school=None", "pass --school none")],
    "report": [(r"; pass school=None to read without schools", ""),
               (r"leave out scores='rasch'", "leave out --scores rasch"),
               (r"add scores='rasch'", "add --scores rasch")],
}


def cli_wording(line: str, command: str) -> str:
    """A library message in the words of ``colead COMMAND``: parameter names become the flags
    that set them, and advice names options that exist."""
    flags = FLAGS.get(command, {})

    def flag(match: re.Match[str]) -> str:
        return flags.get(match["name"], match[0])

    line = _PARAMETER.sub(flag, line)
    for pattern, replacement in [*_ADVICE["*"], *_ADVICE.get(command, [])]:
        line = re.sub(pattern, replacement, line)
    return line


def error_lines(exc: Exception, command: str) -> list[str]:
    """The lines ``colead COMMAND`` prints for a ColeadError: at most 20 problems and a count
    of the rest, each naming its file when the error is about one, in the CLI's words."""
    from colead.exceptions import ColeadError, ResponseDataError

    lines = exc.shown_lines() if isinstance(exc, ColeadError) else [str(exc)]
    if isinstance(exc, ResponseDataError) and exc.names_a_file:
        lines = [f"{exc.context}: {line}" for line in lines]
    return [cli_wording(" ".join(line.splitlines()), command) for line in lines]
