"""``colead report`` and ``colead guide``: the school team's report and its rules."""

from __future__ import annotations

import argparse
from typing import Any

from colead.cli.codes import EXIT_OK
from colead.cli.common import check_folder, check_groups, check_output, inputs


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
