"""The commands: each reads its arguments, calls the library and writes its output.

A command that writes checks its output first (:func:`check_output`): never an input, never
a folder, never an existing file without ``--force``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import Any

from colead.cli.codes import EXIT_OK, EXIT_USAGE
from colead.cli.wording import error_lines


def school_of(args: argparse.Namespace) -> str | None:
    return None if args.school.casefold() == "none" else args.school


def read(args: argparse.Namespace) -> Any:
    from colead.io import read_responses

    return read_responses(
        args.file,
        args.instrument,
        platform=args.platform,
        mapping=args.mapping,
        school=school_of(args),
        keep_incomplete=args.keep_incomplete,
    )


# -- outputs ---------------------------------------------------------------------------------
def check_output(path: str, flag: str, inputs: Iterable[str | None], force: bool, *,
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


def inputs(args: argparse.Namespace) -> list[str | None]:
    """Every file a command reads."""
    names = ("file", "instrument", "mapping", "roster", "rules", "previous",
             "previous_instrument", "previous_roster", "salt_file", "norms")
    files = [getattr(args, name, None) for name in names]
    return files + [file for file, _ in getattr(args, "survey", [])]


def check_groups(responses: Any, column: str, args: argparse.Namespace,
                  file: str | None = None) -> None:
    """``--by`` must give a group for at least one respondent: ``column`` of the responses
    (``school_id`` when --by named the export's school column) must not be blank throughout."""
    from colead.exceptions import InvalidParameterError

    data = responses.data
    if args.command == "score" and school_of(args) is None and args.by == "school_id":
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
def instruments(args: argparse.Namespace) -> int:
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


def parse_respondents(text: str) -> int | tuple[int, int]:
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


def simulate(args: argparse.Namespace) -> int:
    from colead.io import write_export
    from colead.simulation.population import simulate

    check_output(args.output, "--output", inputs(args), args.force)
    responses = simulate(
        args.instrument,
        n_schools=args.schools,
        respondents=parse_respondents(args.respondents),
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


def validate(args: argparse.Namespace) -> int:
    if args.write_mapping:
        from colead._files import write_text
        from colead.instrument import load_instrument
        from colead.io import draft_mapping, map_columns, read_export, read_mapping

        check_output(args.write_mapping, "--write-mapping", inputs(args), args.force)
        inst = load_instrument(args.instrument)
        export = read_export(args.file, platform=args.platform)
        user = read_mapping(args.mapping) if args.mapping else None
        column_map = map_columns(export, inst, list(inst.item_ids), user)
        write_text(args.write_mapping, draft_mapping(export, inst, column_map),
                   inputs=inputs(args))
        print(
            f"wrote a draft mapping to {args.write_mapping}: {len(column_map.items)} of "
            f"{len(inst.item_ids)} items matched; check it, then pass --mapping "
            f"{args.write_mapping}"
        )
    responses = read(args)
    print(responses.summary())
    return EXIT_OK


def score(args: argparse.Namespace) -> int:
    from colead.cli.tables import for_file
    from colead.privacy import write_csv
    from colead.psychometrics.scoring import score
    from colead.schools.aggregate import aggregate

    check_output(args.output, "--output", inputs(args), args.force)
    responses = read(args)
    if args.by:
        check_groups(responses, args.by, args)
        table = aggregate(responses, by=args.by, min_n=args.min_n)
        write_csv(for_file(table, args.digits), args.output)
        sizes = responses.data.groupby(args.by, observed=True).size()
        small = set(sizes.index[sizes < args.min_n])
        hidden = set(table.loc[table["suppressed"].astype(bool), args.by]) - small
        more = (f"; {len(hidden)} more with results hidden (fewer than {args.min_n} answers "
                "to a scale, or held back so that a smaller group's results cannot be worked "
                "out)" if hidden else "")
        groups = "group" if len(small) == 1 else "groups"
        print(
            f"wrote {table[args.by].nunique()} groups x {table['scale'].nunique()} scales to "
            f"{args.output}; {len(small)} {groups} under {args.min_n} respondents suppressed"
            f"{more}"
        )
    else:
        scores = score(responses)
        write_csv(for_file(scores, args.digits), args.output)
        print(
            f"wrote {len(scores)} respondents x {len(responses.instrument.scales)} scale "
            f"scores to {args.output}"
        )
    print(responses.log.summary(), file=sys.stderr)
    return EXIT_OK


def report(args: argparse.Namespace) -> int:
    from colead.exceptions import InvalidParameterError
    from colead.io import read_responses, read_roster
    from colead.reporting import report

    if args.sample and args.file:
        raise InvalidParameterError("give an export FILE or --sample, not both")
    if not args.sample and not args.file:
        raise InvalidParameterError(
            "give an export FILE, or --sample for the bundled sample district"
        )
    check_output(args.output, "--output", inputs(args), args.force)
    if args.item_min_n < args.min_n:
        raise InvalidParameterError(
            f"--item-min-n {args.item_min_n} is below --min-n {args.min_n}; single items need "
            "at least as many answers as a group"
        )
    if args.per_school:
        check_folder(args.per_school, args.force)
    roster = read_roster(args.roster, by=args.by) if args.roster else None
    if args.sample:
        from colead.datasets import load_sample, sample_path

        by = args.by
        responses = load_sample("district")
        if roster is None and by == "school_id":
            roster = read_roster(sample_path("schools.csv"))
        check_groups(responses, by, args)
    else:
        # An export's group column (--by) is read as the responses' school_id.
        by = "school_id"
        responses = read_responses(args.file, args.instrument, platform=args.platform,
                                   mapping=args.mapping, school=args.by)
        check_groups(responses, by, args)
        if roster is not None:
            roster = roster.rename(columns={args.by: by})
    surveys = []
    for file, instrument in args.survey:
        surveys.append(read_responses(file, instrument, school=args.by))
        check_groups(surveys[-1], "school_id", args, file)
    path = report(responses, path=args.output, by=by, min_n=args.min_n,
                  item_min_n=args.item_min_n, title=args.title, roster=roster, surveys=surveys,
                  rules=args.rules, per_school=args.per_school,
                  previous=_previous_survey(args), ordinal=args.ordinal,
                  scores=args.scores, norms=args.norms)
    also = (f", and one report per school in {args.per_school}" if args.per_school else "")
    print(f"wrote {path} ({responses.n_schools} groups, {len(responses.data)} respondents; "
          f"groups under {args.min_n} respondents suppressed){also}")
    return EXIT_OK


def guide(args: argparse.Namespace) -> int:
    from colead._files import write_text
    from colead.guide.rules import default_rules_path, load_rules

    check_output(args.export_rules, "--export-rules", [], args.force)
    source = default_rules_path()
    n_rules = len(load_rules(source).rules)
    write_text(args.export_rules, source.read_text(encoding="utf-8"), newline="")
    print(f"wrote colead's {n_rules} conversation-guide rules to {args.export_rules}; edit "
          f"them and pass the file with: colead report ... --rules {args.export_rules}")
    return EXIT_OK


def check_folder(folder: str, force: bool) -> None:
    """--per-school: a folder (or a new one in an existing folder) holding no school reports
    yet, unless --force."""
    from pathlib import Path

    from colead.exceptions import InvalidParameterError

    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise InvalidParameterError(f"--per-school {folder} is a file; give a folder")
    if not target.resolve().parent.is_dir():
        raise InvalidParameterError(
            f"--per-school {folder}: the folder {target.parent} does not exist"
        )
    found = sorted(p.name for p in target.glob("school-*.html")) if target.is_dir() else []
    if found and not force:
        shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        raise InvalidParameterError(
            f"--per-school {folder} already holds school reports ({shown}); pass --force to "
            "replace them"
        )


def field(args: argparse.Namespace) -> int:
    from pathlib import Path

    from colead.fielding import field

    outputs = [Path(args.output)]
    if args.to == "codebook":
        from colead.fielding.codebook import codebook_paths
        from colead.instrument import load_instrument

        name = load_instrument(args.instrument).name
        outputs = list(codebook_paths(name, Path(args.output)))
    for output in outputs:
        check_output(str(output), "--output", [args.instrument], args.force,
                      new_folder=output.parent == Path(args.output))
    path = field(args.instrument, to=args.to, path=args.output, language=args.language,
                 min_n=args.min_n)
    also = f" and {path.with_suffix('.md')}" if args.to == "codebook" else ""
    print(f"wrote {path}{also}")
    return EXIT_OK


def plan(args: argparse.Namespace) -> int:
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


def _previous_survey(args: argparse.Namespace) -> Any:
    """``report --previous``: the previous survey, read like the current one (with --sample,
    the sample district's previous year unless ``--previous none``)."""
    from colead.io import read_responses

    if args.previous is not None and args.previous.casefold() == "none":
        return None
    if args.previous is None:
        if not args.sample:
            return None
        from colead.datasets import load_sample

        return load_sample("district-previous")
    wave = read_responses(args.previous, args.previous_instrument or args.instrument,
                          platform=args.platform, school=args.by)
    check_groups(wave, "school_id", args, args.previous)
    return wave


def change(args: argparse.Namespace) -> int:
    from colead.io import read_responses, read_roster
    from colead.privacy import write_csv
    from colead.schools.change import change

    check_output(args.output, "--output", inputs(args), args.force)
    salt = _salt(args)
    waves = []
    for file, instrument in ((args.file, args.instrument),
                             (args.previous, args.previous_instrument or args.instrument)):
        wave = read_responses(file, instrument, platform=args.platform, school=args.by,
                              keep_pii=salt is not None)
        check_groups(wave, "school_id", args, file)
        if salt is not None:
            wave = _pseudonymised(wave, args.pair_on, salt, file)
        waves.append(wave)
    roster = {}
    for flag, label in (("roster", "current"), ("previous_roster", "previous")):
        if getattr(args, flag):
            roster[label] = read_roster(getattr(args, flag), by=args.by).rename(
                columns={args.by: "school_id"})
    table = change(waves[0], waves[1], by="school_id", min_n=args.min_n,
                   roster=roster or None, paired_by="respondent_key" if salt else None)
    write_csv(table, args.output)
    groups = table["school_id"].nunique()
    hidden = table.loc[table["suppressed"], "school_id"].nunique()
    apart = sorted(set(table.loc[~table["comparable"], "scale"]))
    print(f"wrote {groups} schools x {table['scale'].nunique()} scales to {args.output}; "
          f"{hidden} schools under {args.min_n} respondents in a survey (or held back) "
          "suppressed" + (f"; not comparable: {', '.join(apart)}" if apart else ""))
    return EXIT_OK


def _salt(args: argparse.Namespace) -> str | None:
    from colead.exceptions import InvalidParameterError

    if args.pair_on is None:
        if args.salt_file:
            raise InvalidParameterError("--salt-file is for --pair-on COLUMN; give both")
        return None
    if not args.salt_file:
        raise InvalidParameterError(
            "--pair-on needs --salt-file FILE: the district's secret salt, the same for every "
            "survey (python -c \"import secrets; print(secrets.token_hex(16))\" makes one)")
    from pathlib import Path

    return Path(args.salt_file).read_text(encoding="utf-8").strip()


def _pseudonymised(wave: Any, column: str, salt: str, file: str) -> Any:
    from colead.exceptions import InvalidParameterError
    from colead.io import pseudonymise

    if column not in wave.data.columns:
        kept = ", ".join(wave.log.pii_kept) or "none"
        raise InvalidParameterError(
            f"--pair-on {column}: {file} has no personal column {column!r} (personal columns "
            f"found: {kept})")
    return pseudonymise(wave, column, salt)


# -- colead app (issue 22) -------------------------------------------------------------------
def app(args: argparse.Namespace) -> int:
    """Serve the app until Ctrl+C (the optional extra ``colead[app]`` must be installed)."""
    import importlib.util

    from colead.exceptions import InvalidParameterError

    missing = [name for name in ("starlette", "uvicorn", "python_multipart", "jinja2")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise InvalidParameterError(
            f"colead app needs the app extra, which is not installed (missing: "
            f"{', '.join(missing)}): pip install \"colead[app]\""
        )
    if args.port > 65535:
        raise InvalidParameterError(f"--port must be 65535 or less; got {args.port}")
    from colead.app import serve

    return serve(args.host, args.port, open_browser=not args.no_browser,
                 max_upload=args.max_upload * 1024 * 1024)

