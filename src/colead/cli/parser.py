"""The command line's parser: every command, its options and the function that runs it.

Only argparse is imported here; each command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

from colead._version import __version__
from colead.cli import commands as cmd
from colead.cli.codes import EXIT_USAGE


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
    p.set_defaults(run=cmd.instruments)

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
    p.set_defaults(run=cmd.simulate)

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
    p.set_defaults(run=cmd.validate)

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
    _digits_option(p)
    _force_option(p)
    p.set_defaults(run=cmd.score)

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
    p.add_argument("--item-min-n", type=_MIN_N, default=10, metavar="N",
                   help="answers each item needs in a school before the school's answers to "
                   "single items are shown (default: 10; at least --min-n)")
    p.add_argument("--per-school", metavar="FOLDER",
                   help="also write one report per school into FOLDER (made if missing): the "
                   "school's results beside the district's, no other school named; the "
                   "district report then links to them")
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
                   help="conversation-guide rules (default: colead's own; 'colead guide "
                   "--export-rules rules.yaml' writes them to a file to edit)")
    p.add_argument("--previous", metavar="FILE",
                   help="the previous survey of the same schools: adds 'Since the last survey' "
                   "(with --sample: the sample's previous year, unless --previous none)")
    p.add_argument("--previous-instrument", metavar="INSTRUMENT",
                   help="the previous survey's instrument, when it was another version "
                   "(default: --instrument)")
    p.add_argument("--ordinal", action="store_true",
                   help="the reliability table also shows ordinal alpha and omega (from "
                   "polychoric correlations; for items with few answer categories or skewed "
                   "answers)")
    p.add_argument("--scores", choices=("mean", "rasch"), default="mean",
                   help="'rasch': also measure each scale by the Rasch rating-scale model and "
                   "show each school's Rasch score on a 1-99 benchmark scale with its band "
                   "beside the mean, person reliability and item fit (default: mean)")
    p.add_argument("--norms", metavar="FILE",
                   help="norms to benchmark against: a YAML/CSV norms file or a bundled name "
                   "(colead.list_norms()); means of <scale>, or with --scores rasch of "
                   "<scale>_rasch, and percentages of items (default with --scores rasch: "
                   "the district's own schools)")
    _force_option(p)
    p.set_defaults(run=cmd.report)

    p = commands.add_parser(
        "guide",
        help="write the conversation guide's default rules to a file for editing",
        description="Write the rules colead's conversation guide uses by default to a YAML "
        "file; edit thresholds or wording there and pass the file to 'colead report --rules'.",
    )
    p.add_argument("--export-rules", metavar="FILE", required=True,
                   help="YAML file to write the default rules to")
    _force_option(p)
    p.set_defaults(run=cmd.guide)

    p = commands.add_parser(
        "change",
        help="what changed since the last survey: school means of two waves compared",
        description="Read this year's and last year's exports and write, per school and "
        "scale, both means, the change with its 95% interval, p-value and minimum detectable "
        "change as CSV. Schools under --min-n respondents in either survey are suppressed; a "
        "scale whose items changed between the instruments is marked not comparable.",
    )
    p.add_argument("file", help="this survey's export (CSV, TSV or XLSX)")
    p.add_argument("previous", nargs="?", help="the previous survey's export")
    p.add_argument("--previous", dest="previous_file", metavar="FILE",
                   help="the same, as colead report takes it")
    p.add_argument("-i", "--instrument", required=True, help="bundled instrument name or YAML file")
    p.add_argument("--previous-instrument", metavar="INSTRUMENT",
                   help="the previous survey's instrument, when it was another version "
                   "(default: --instrument)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="CSV file to write")
    p.add_argument("--by", default="school_id",
                   help="column holding the school in both exports (default: school_id)")
    p.add_argument("--min-n", type=_MIN_N, default=5,
                   help="smallest group shown, in each survey (default: 5)")
    p.add_argument("--roster", metavar="CSV",
                   help="staff per school this year ('size' or 'n_teachers'), for the finite "
                   "population correction")
    p.add_argument("--previous-roster", metavar="CSV", help="staff per school last year")
    p.add_argument("--pair-on", metavar="COLUMN",
                   help="a personal column of both exports (an e-mail address) that identifies "
                   "a teacher; it is replaced at once by a salted hash to pair teachers who "
                   "answered both surveys (needs --salt-file)")
    p.add_argument("--salt-file", metavar="FILE",
                   help="a file holding the district's secret salt (16 characters or more)")
    p.add_argument("--platform", default="auto", choices=_PLATFORMS,
                   help="the exports' layout (default: detect)")
    _force_option(p)
    p.set_defaults(run=cmd.change)

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
    p.set_defaults(run=cmd.field)

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
    p.set_defaults(run=cmd.plan)

    # -- colead app (issue 22) ---------------------------------------------------------------
    p = commands.add_parser(
        "app",
        help="a local web page: drop an export, get the report (needs colead[app])",
        description="Start colead's web page on this computer and open it in the browser: "
        "choose an instrument, drop an export, match the columns colead could not, and get "
        "the report, the scores and the school table. Nothing leaves the computer; the "
        "files given to it are removed when it stops (Ctrl+C). Needs the app extra: "
        "pip install \"colead[app]\".",
    )
    p.add_argument("--port", type=_whole(1), default=8765, help="port (default: 8765)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this computer only; "
                   "another address lets others on the network reach the app, with an "
                   "access token)")
    p.add_argument("--no-browser", action="store_true", help="do not open the browser")
    p.add_argument("--max-upload", type=_whole(1), default=50, metavar="MB",
                   help="largest upload in megabytes (default: 50)")
    p.set_defaults(run=cmd.app)
    return parser


def _digits_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--digits", type=_whole(0), metavar="N",
        help="round figures in the file to N decimals (default: full precision); counts "
        "are always whole numbers",
    )


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
