"""What the commands share: reading an export as the flags say, checking outputs and groups.

A command that writes checks its output first (:func:`check_output`): never an input, never
a folder, never an existing file without ``--force``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any


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
