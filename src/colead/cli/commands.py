"""The commands: each reads its arguments, calls the library and writes its output
(``report``, ``guide`` in :mod:`colead.cli.reports`; ``change`` in :mod:`colead.cli.waves`)."""

from __future__ import annotations

import argparse
import sys

from colead.cli.codes import EXIT_OK, EXIT_USAGE
from colead.cli.common import check_groups, check_output, inputs, read
from colead.cli.reports import guide, report
from colead.cli.waves import change
from colead.cli.wording import error_lines

__all__ = ["app", "change", "field", "guide", "instruments", "plan", "report", "score",
           "simulate", "validate"]


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
