"""``colead change``: school means in two survey waves, optionally paired by a pseudonymous
key."""

from __future__ import annotations

import argparse
from typing import Any

from colead.cli.codes import EXIT_OK
from colead.cli.common import check_groups, check_output, inputs


def change(args: argparse.Namespace) -> int:
    from colead.exceptions import InvalidParameterError
    from colead.io import read_responses, read_roster
    from colead.privacy import write_csv
    from colead.schools.change import change

    if (args.previous is None) == (args.previous_file is None):
        raise InvalidParameterError(
            "give the previous survey's export once: colead change FILE PREVIOUS, or "
            "--previous PREVIOUS"
        )
    args.previous = args.previous or args.previous_file
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
