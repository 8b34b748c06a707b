"""The ``colead`` command line.

Only argparse is imported at start-up, so that ``colead --help`` is fast; each command imports
what it needs. A user's mistake (a ColeadError, or a file that cannot be opened) prints one line
per problem on stderr and exits with 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from colead import __version__

EXIT_OK, EXIT_USAGE = 0, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    p.add_argument("--schools", type=int, default=12, help="number of schools (default: 12)")
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
    p.add_argument("--seed", type=int, default=None, help="random seed (default: none)")
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
        "--min-n", type=int, default=5, help="smallest group shown with --by (default: 5)"
    )
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
    p.add_argument("--min-n", type=int, default=5,
                   help="smallest group whose results are shown (default: 5)")
    p.add_argument("--title", help="title of the report")
    p.add_argument("--roster", metavar="CSV",
                   help="group sizes for response rates: the --by column, 'size' (or "
                   "'n_teachers') and optionally 'name'")
    p.add_argument("--platform", default="auto", help="the export's layout (default: detect)")
    p.add_argument("--mapping", metavar="FILE", help="YAML or CSV mapping of columns to items")
    p.add_argument("--survey", nargs=2, action="append", default=[],
                   metavar=("FILE", "INSTRUMENT"),
                   help="another survey of the same schools (e.g. an export of "
                   "colead-collaboration) for the conversation guide and distributions; "
                   "repeatable")
    p.add_argument("--rules", metavar="YAML",
                   help="conversation-guide rules (default: colead's own; copy and edit "
                   "src/colead/guide/rules.yaml)")
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
    p.add_argument("--min-n", type=int, default=5,
                   help="smallest group reported, as the confidentiality statement says "
                   "(default: 5)")
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


def _import_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="the export (CSV, TSV or XLSX)")
    p.add_argument("-i", "--instrument", required=True, help="bundled instrument name or YAML file")
    p.add_argument(
        "--platform",
        default="auto",
        choices=(
            "auto",
            "qualtrics",
            "surveymonkey",
            "google_forms",
            "microsoft_forms",
            "limesurvey",
            "redcap",
            "generic",
        ),
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


def _read(args: argparse.Namespace) -> Any:
    from colead.io import read_responses

    return read_responses(
        args.file,
        args.instrument,
        platform=args.platform,
        mapping=args.mapping,
        school=None if args.school.casefold() == "none" else args.school,
        keep_incomplete=args.keep_incomplete,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    from colead.exceptions import ColeadError

    try:
        return int(args.run(args))
    except ColeadError as exc:
        for line in exc.problem_lines():
            print(f"colead: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(
            f"colead: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_USAGE


def _instruments(args: argparse.Namespace) -> int:
    from colead.exceptions import InstrumentError
    from colead.instrument import bundled_instrument_paths, load_instrument

    if args.check:
        problems: list[str] = []
        for file in args.check:
            try:
                inst = load_instrument(file)
            except InstrumentError as exc:
                problems += exc.problem_lines()
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
    from colead.simulation import simulate

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
        from pathlib import Path

        from colead.instrument import load_instrument
        from colead.io import draft_mapping, map_columns, read_export, read_mapping

        inst = load_instrument(args.instrument)
        export = read_export(args.file, platform=args.platform)
        user = read_mapping(args.mapping) if args.mapping else None
        column_map = map_columns(export, inst, list(inst.item_ids), user)
        Path(args.write_mapping).write_text(
            draft_mapping(export, inst, column_map), encoding="utf-8"
        )
        print(
            f"wrote a draft mapping to {args.write_mapping}: {len(column_map.items)} of "
            f"{len(inst.item_ids)} items matched; check it, then pass --mapping "
            f"{args.write_mapping}"
        )
    responses = _read(args)
    print(responses.summary())
    return EXIT_OK


def _score(args: argparse.Namespace) -> int:
    from colead.aggregation import aggregate
    from colead.privacy import write_csv
    from colead.scoring import score

    responses = _read(args)
    if args.by:
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
    import pandas as pd

    from colead.io import read_responses
    from colead.reporting import report

    if args.sample == bool(args.file):
        print("colead: error: give an export FILE or --sample (not both)", file=sys.stderr)
        return EXIT_USAGE
    roster = pd.read_csv(args.roster) if args.roster else None
    if args.sample:
        from colead.datasets import load_sample, sample_path

        responses = load_sample("district")
        roster = pd.read_csv(sample_path("schools.csv")) if roster is None else roster
    else:
        responses = read_responses(args.file, args.instrument, platform=args.platform,
                                   mapping=args.mapping, school=args.by)
    surveys = [read_responses(file, instrument, school=args.by)
               for file, instrument in args.survey]
    path = report(responses, path=args.output, by=args.by, min_n=args.min_n, title=args.title,
                  roster=roster, surveys=surveys, rules=args.rules)
    print(f"wrote {path} ({responses.n_schools} groups, {len(responses.data)} respondents; "
          f"groups under {args.min_n} respondents suppressed)")
    return EXIT_OK


def _field(args: argparse.Namespace) -> int:
    from colead.fielding import field

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
