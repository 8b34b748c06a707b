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

from __future__ import annotations

import argparse
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

from colead import __version__

EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line (the usage block is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"colead: error: {message} (see '{self.prog} --help')\n")


def _whole(low: int, why: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number; got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(
                f"must be a whole number of at least {low}{why}; got {text!r}"
            )
        return value

    return parse


_MIN_N = _whole(3, ": smaller groups can identify a respondent")

_PLATFORMS = (
    "auto",
    "qualtrics",
    "surveymonkey",
    "google_forms",
    "microsoft_forms",
    "limesurvey",
    "redcap",
    "generic",
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="colead",
        description="Measure collective leadership in schools from survey exports.",
        epilog="Run 'colead COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"colead {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser(
        "instruments",
        help="list the bundled instruments, or check files",
        description="List the bundled instruments. With --check, check "
        "instrument files and print every problem found.",
    )
    p.add_argument("--check", metavar="FILE", nargs="+", help="instrument files to check")
    p.set_defaults(run=_instruments)

    p = commands.add_parser(
        "simulate",
        help="write synthetic survey responses",
        description="Draw synthetic schools and write their answers to an "
        "instrument in a platform's export layout.",
    )
    p.add_argument(
        "-i",
        "--instrument",
        default="colead-teacher",
        help="bundled instrument name or YAML file (default: colead-teacher)",
    )
    p.add_argument(
        "--schools", type=_whole(1), default=12, help="number of schools (default: 12)"
    )
    p.add_argument(
        "--respondents",
        default="8-35",
        metavar="N or LOW-HIGH",
        help="respondents per school (default: 8-35)",
    )
    p.add_argument(
        "--icc",
        type=float,
        default=0.15,
        help="intraclass correlation of every construct (default: 0.15)",
    )
    p.add_argument(
        "--missing", type=float, default=0.02, help="share of unanswered item cells (default: 0.02)"
    )
    p.add_argument(
        "--seed", type=_whole(0), default=None, help="random seed, 0 or more (default: none)"
    )
    p.add_argument(
        "--format",
        dest="platform",
        default="csv",
        choices=("csv", "qualtrics", "google_forms"),
        help="export layout (default: csv)",
    )
    p.add_argument(
        "--values",
        default="numeric",
        choices=("numeric", "labels"),
        help="Qualtrics: numeric codes or choice text (default: numeric)",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write")
    _force_option(p)
    p.set_defaults(run=_simulate)

    p = commands.add_parser(
        "validate",
        help="check an export against an instrument",
        description="Read a survey-platform export, map it onto an instrument and print the "
        "import log; print every problem and exit 2 when it cannot be read.",
    )
    _import_options(p)
    p.add_argument(
        "--write-mapping",
        metavar="FILE",
        help="also write a draft mapping (YAML) of columns to items to check and edit",
    )
    _force_option(p)
    p.set_defaults(run=_validate)

    p = commands.add_parser(
        "score",
        help="read an export and write scale scores (per respondent or per school)",
        description="Read a survey-platform export and write scale scores as CSV: one row "
        "per respondent, or with --by one row per group and scale, with groups under "
        "--min-n respondents suppressed.",
    )
    _import_options(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="CSV file to write")
    p.add_argument("--by", metavar="COLUMN", help="write group means by this column instead")
    p.add_argument(
        "--min-n", type=_MIN_N, default=5, help="smallest group shown with --by (default: 5)"
    )
    _force_option(p)
    p.set_defaults(run=_score)

    p = commands.add_parser(
        "report",
        help="HTML report for a school team",
        description="Write a self-contained HTML report (one file, no network requests) with "
        "district and school results; groups under --min-n respondents are suppressed.",
    )
    p.add_argument("file", nargs="?", help="a survey-platform export")
    p.add_argument("-i", "--instrument", default="colead-teacher",
                   help="bundled instrument name or YAML file (default: colead-teacher)")
    p.add_argument("-o", "--output", default="report.html", help="HTML file to write")
    p.add_argument("--sample", action="store_true", help="use the bundled sample district")
    p.add_argument("--by", default="school_id", help="grouping column (default: school_id)")
    p.add_argument("--min-n", type=_MIN_N, default=5,
                   help="smallest group whose results are shown (default: 5)")
    p.add_argument("--title", help="title of the report")
    p.add_argument("--roster", metavar="CSV",
                   help="group sizes for response rates: the --by column, 'size' (or "
                   "'n_teachers') and optionally 'name'")
    p.add_argument("--platform", default="auto", choices=_PLATFORMS,
                   help="the export's layout (default: detect)")
    p.add_argument("--mapping", metavar="FILE", help="YAML or CSV mapping of columns to items")
    p.add_argument("--survey", nargs=2, action="append", default=[],
                   metavar=("FILE", "INSTRUMENT"),
                   help="another survey of the same schools (e.g. an export of "
                   "colead-collaboration) for the conversation guide and distributions; "
                   "repeatable")
    p.add_argument("--rules", metavar="YAML",
                   help="conversation-guide rules (default: colead's own; copy and edit "
                   "src/colead/guide/rules.yaml)")
    _force_option(p)
    p.set_defaults(run=_report)

    p = commands.add_parser(
        "field",
        help="write an instrument for fielding: questionnaire, Qualtrics, LimeSurvey, codebook",
        description="Write an instrument as a printable questionnaire (html), a Qualtrics "
        "survey file (qualtrics, .qsf), a LimeSurvey survey structure (limesurvey, .txt) or a "
        "codebook (codebook: CSV and Markdown). Exports of the fielded survey are read back "
        "with no mapping.",
    )
    p.add_argument("instrument", help="bundled instrument name or YAML file")
    p.add_argument("--to", required=True, choices=("html", "qualtrics", "limesurvey",
                                                   "codebook"), help="what to write")
    p.add_argument("-o", "--output", required=True, metavar="PATH",
                   help="file to write (codebook: a .csv or .md file, or a folder)")
    p.add_argument("--language", help="language of the texts (default: the instrument's own)")
    p.add_argument("--min-n", type=_MIN_N, default=5,
                   help="smallest group reported, as the confidentiality statement says "
                   "(default: 5)")
    _force_option(p)
    p.set_defaults(run=_field)

    p = commands.add_parser(
        "plan",
        help="how many respondents a school needs for a reliable school mean",
        description="From an ICC(1) (--icc) or a previous survey's export (its ICC(1) per "
        "scale), print the reliability ICC(2) of a school mean for a number of respondents, "
        "the respondents needed to reach --target, the design effect and the effective "
        "sample size.",
    )
    p.add_argument("file", nargs="?", help="a previous survey's export to estimate ICC(1) from")
    p.add_argument("--icc", type=float, metavar="ICC1", help="plan with this ICC(1) instead")
    p.add_argument("-i", "--instrument", default="colead-teacher",
                   help="bundled instrument name or YAML file (default: colead-teacher)")
    p.add_argument("--target", type=float, default=0.70,
                   help="reliability a school mean should reach (default: 0.70)")
    p.add_argument("--group-size", type=float, nargs="+", metavar="N",
                   help="respondents per school to evaluate (default: the export's mean, or "
                   "5 10 15 20 30)")
    p.add_argument("--by", default="school_id", help="school column (default: school_id)")
    p.add_argument("--platform", default="auto", help="the export's layout (default: detect)")
    p.add_argument("--mapping", metavar="FILE", help="YAML or CSV mapping of columns to items")
    p.set_defaults(run=_plan)
    return parser


def _force_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--force", action="store_true", help="replace output files that already exist"
    )


def _import_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="the export (CSV, TSV or XLSX)")
    p.add_argument("-i", "--instrument", required=True, help="bundled instrument name or YAML file")
    p.add_argument(
        "--platform",
        default="auto",
        choices=_PLATFORMS,
        help="the export's layout (default: detect)",
    )
    p.add_argument(
        "--school",
        default="school_id",
        help="column holding the school (default: school_id); 'none' for no school",
    )
    p.add_argument("--mapping", metavar="FILE", help="YAML or CSV mapping of columns to items")
    p.add_argument(
        "--keep-incomplete", action="store_true", help="keep responses marked unfinished"
    )


def _school(args: argparse.Namespace) -> str | None:
    return None if args.school.casefold() == "none" else args.school


def _read(args: argparse.Namespace) -> Any:
    from colead.io import read_responses

    return read_responses(
        args.file,
        args.instrument,
        platform=args.platform,
        mapping=args.mapping,
        school=_school(args),
        keep_incomplete=args.keep_incomplete,
    )


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
    "report": [(r"; pass school=None to read without schools", "")],
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


# -- outputs ---------------------------------------------------------------------------------
def _check_output(path: str, flag: str, inputs: Iterable[str | None], force: bool, *,
                  new_folder: bool = False) -> None:
    """Refuse an output that is an input, a folder, in a missing folder (unless
    ``new_folder``: the command makes it), or (without --force) an existing file."""
    from pathlib import Path

    from colead._files import same_file
    from colead.exceptions import InvalidParameterError

    target = Path(path)
    path = path or "''"
    for source in inputs:
        if source and Path(source).is_file() and same_file(target, source):
            raise InvalidParameterError(
                f"{flag} {path} is the input file {source}: colead never overwrites an input; "
                "choose another file"
            )
    if target.is_dir():
        raise InvalidParameterError(f"{flag} {path} is a folder; give a file name")
    if not new_folder and not target.resolve().parent.is_dir():
        raise InvalidParameterError(
            f"{flag} {path}: the folder {target.parent} does not exist"
        )
    if (target.exists() or target.is_symlink()) and not force:
        raise InvalidParameterError(f"{flag} {path} already exists; pass --force to replace it")


def _inputs(args: argparse.Namespace) -> list[str | None]:
    """Every file a command reads."""
    names = ("file", "instrument", "mapping", "roster", "rules")
    files = [getattr(args, name, None) for name in names]
    return files + [file for file, _ in getattr(args, "survey", [])]


def _check_groups(responses: Any, column: str, args: argparse.Namespace,
                  file: str | None = None) -> None:
    """``--by`` must give a group for at least one respondent: ``column`` of the responses
    (``school_id`` when --by named the export's school column) must not be blank throughout."""
    from colead.exceptions import InvalidParameterError

    data = responses.data
    if args.command == "score" and _school(args) is None and args.by == "school_id":
        raise InvalidParameterError(
            "--by school_id needs the school of each respondent, but --school none reads no "
            "school; name the school column with --school"
        )
    if column not in data.columns:
        raise InvalidParameterError(
            f"--by {args.by}: the responses have no column {args.by!r} (they have "
            "respondent_id, school_id and the items)"
        )
    if data[column].isna().all():
        school = args.school if args.command == "score" else args.by
        raise InvalidParameterError(
            f"{file or args.file or 'the sample'}: the school column {school!r} is blank in "
            "every row, "
            f"so there are no groups for --by {args.by}"
        )


# -- commands --------------------------------------------------------------------------------
def _instruments(args: argparse.Namespace) -> int:
    from colead.exceptions import InstrumentError
    from colead.instrument import bundled_instrument_paths, load_instrument

    if args.check:
        problems: list[str] = []
        for file in args.check:
            try:
                inst = load_instrument(file)
            except InstrumentError as exc:
                problems += error_lines(exc, args.command)
            else:
                print(
                    f"{file}: ok ({inst.name} {inst.version}: {len(inst.item_list)} items, "
                    f"{len(inst.scale_list)} scales)"
                )
        for line in problems:
            print(f"colead: error: {line}", file=sys.stderr)
        return EXIT_USAGE if problems else EXIT_OK

    rows = [("name", "version", "respondent", "items", "scales", "grid", "title")]
    for name, path in bundled_instrument_paths().items():
        inst = load_instrument(path)
        grid = inst.influence
        rows.append(
            (
                name,
                inst.version,
                inst.respondent or "-",
                str(len(inst.item_list)),
                str(len(inst.scale_list)),
                f"{len(grid.stakeholders)}x{len(grid.zones)}" if grid else "-",
                inst.title,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        )
    return EXIT_OK


def _parse_respondents(text: str) -> int | tuple[int, int]:
    from colead.exceptions import InvalidParameterError

    try:
        if "-" in text:
            low, high = text.split("-", 1)
            return int(low), int(high)
        return int(text)
    except ValueError:
        raise InvalidParameterError(
            f"--respondents must be a number or a range such as 8-35; got {text!r}"
        ) from None


def _simulate(args: argparse.Namespace) -> int:
    from colead.io import write_export
    from colead.simulation.population import simulate

    _check_output(args.output, "--output", _inputs(args), args.force)
    responses = simulate(
        args.instrument,
        n_schools=args.schools,
        respondents=_parse_respondents(args.respondents),
        icc=args.icc,
        missing=args.missing,
        seed=args.seed,
    )
    write_export(responses, args.output, platform=args.platform, values=args.values)
    print(
        f"wrote {len(responses.data)} respondents in {responses.n_schools} schools "
        f"({args.platform}) to {args.output}"
    )
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    if args.write_mapping:
        from colead._files import write_text
        from colead.instrument import load_instrument
        from colead.io import draft_mapping, map_columns, read_export, read_mapping

        _check_output(args.write_mapping, "--write-mapping", _inputs(args), args.force)
        inst = load_instrument(args.instrument)
        export = read_export(args.file, platform=args.platform)
        user = read_mapping(args.mapping) if args.mapping else None
        column_map = map_columns(export, inst, list(inst.item_ids), user)
        write_text(args.write_mapping, draft_mapping(export, inst, column_map),
                   inputs=_inputs(args))
        print(
            f"wrote a draft mapping to {args.write_mapping}: {len(column_map.items)} of "
            f"{len(inst.item_ids)} items matched; check it, then pass --mapping "
            f"{args.write_mapping}"
        )
    responses = _read(args)
    print(responses.summary())
    return EXIT_OK


def _score(args: argparse.Namespace) -> int:
    from colead.privacy import write_csv
    from colead.psychometrics.scoring import score
    from colead.schools.aggregate import aggregate

    _check_output(args.output, "--output", _inputs(args), args.force)
    responses = _read(args)
    if args.by:
        _check_groups(responses, args.by, args)
        table = aggregate(responses, by=args.by, min_n=args.min_n)
        write_csv(table, args.output)
        hidden = table.loc[table["suppressed"], args.by].nunique()
        print(
            f"wrote {table[args.by].nunique()} groups x {table['scale'].nunique()} scales to "
            f"{args.output}; {hidden} groups under {args.min_n} respondents suppressed"
        )
    else:
        scores = score(responses)
        write_csv(scores, args.output)
        print(
            f"wrote {len(scores)} respondents x {len(responses.instrument.scales)} scale "
            f"scores to {args.output}"
        )
    print(responses.log.summary(), file=sys.stderr)
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from colead.exceptions import InvalidParameterError
    from colead.io import read_responses, read_roster
    from colead.reporting import report

    if args.sample and args.file:
        raise InvalidParameterError("give an export FILE or --sample, not both")
    if not args.sample and not args.file:
        raise InvalidParameterError(
            "give an export FILE, or --sample for the bundled sample district"
        )
    _check_output(args.output, "--output", _inputs(args), args.force)
    roster = read_roster(args.roster, by=args.by) if args.roster else None
    if args.sample:
        from colead.datasets import load_sample, sample_path

        by = args.by
        responses = load_sample("district")
        if roster is None and by == "school_id":
            roster = read_roster(sample_path("schools.csv"))
        _check_groups(responses, by, args)
    else:
        # An export's group column (--by) is read as the responses' school_id.
        by = "school_id"
        responses = read_responses(args.file, args.instrument, platform=args.platform,
                                   mapping=args.mapping, school=args.by)
        _check_groups(responses, by, args)
        if roster is not None:
            roster = roster.rename(columns={args.by: by})
    surveys = []
    for file, instrument in args.survey:
        surveys.append(read_responses(file, instrument, school=args.by))
        _check_groups(surveys[-1], "school_id", args, file)
    path = report(responses, path=args.output, by=by, min_n=args.min_n, title=args.title,
                  roster=roster, surveys=surveys, rules=args.rules)
    print(f"wrote {path} ({responses.n_schools} groups, {len(responses.data)} respondents; "
          f"groups under {args.min_n} respondents suppressed)")
    return EXIT_OK


def _field(args: argparse.Namespace) -> int:
    from pathlib import Path

    from colead.fielding import field

    outputs = [Path(args.output)]
    if args.to == "codebook":
        from colead.fielding.codebook import codebook_paths
        from colead.instrument import load_instrument

        name = load_instrument(args.instrument).name
        outputs = list(codebook_paths(name, Path(args.output)))
    for output in outputs:
        _check_output(str(output), "--output", [args.instrument], args.force,
                      new_folder=output.parent == Path(args.output))
    path = field(args.instrument, to=args.to, path=args.output, language=args.language,
                 min_n=args.min_n)
    also = f" and {path.with_suffix('.md')}" if args.to == "codebook" else ""
    print(f"wrote {path}{also}")
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    from colead.schools.plan import plan

    if (args.icc is None) == (args.file is None):
        print("colead: error: give an export FILE or --icc ICC1 (not both)", file=sys.stderr)
        return EXIT_USAGE
    data = None
    if args.file is not None:
        from colead.io import read_responses

        data = read_responses(args.file, args.instrument, platform=args.platform,
                              mapping=args.mapping, school=args.by)
    table = plan(args.icc, data=data, target=args.target, group_size=args.group_size,
                 by=args.by)
    shown = table.rename(columns={"n_needed": "needed", "design_effect": "deff"})
    columns = ["scale", "icc1", "group_size", "icc2", "deff", "effective_n", "needed"]
    if args.icc is not None:
        columns.remove("scale")
    print(shown[columns].to_string(index=False, float_format=lambda v: f"{v:.3g}", na_rep="-"))
    for row in table.drop_duplicates("scale").itertuples():
        name = "" if args.icc is not None else f"{row.scale}: "
        if row.n_needed == row.n_needed:  # not NaN
            print(f"{name}{int(row.n_needed)} respondents per school give a school mean with "
                  f"reliability ICC(2) >= {args.target:g} (ICC(1) = {row.icc1:.3f})")
        else:
            print(f"{name}ICC(1) = {row.icc1:.3f}: schools do not differ on this scale, so no "
                  "number of respondents makes a school mean reliable")
    return EXIT_OK
