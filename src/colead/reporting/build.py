"""``report``: the self-contained HTML report for a school team.

Everything in it is an aggregate of at least ``min_n`` respondents: school sections of smaller
schools say so and show nothing else, and every table has passed through
:func:`colead.privacy.suppress`, so that the district figures minus the shown schools (and
the respondents without a school) never pin down fewer than ``min_n`` people. Answers to
single items are shown only with ``item_min_n`` answers to each. No respondent-level row, id
or free-text answer is used. Text from the input (school names, labels) is escaped by
jinja2's autoescaping.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from colead._files import check_output, write_text
from colead._version import __version__
from colead.exceptions import ColeadWarning, InvalidParameterError
from colead.guide import conversation_guide, describe
from colead.guide.engine import GUIDE_COLUMNS
from colead.instrument import Instrument, load_instrument
from colead.io.responses import Responses
from colead.privacy import check_item_min_n, check_min_n
from colead.psychometrics.reliability import reliability
from colead.reporting import sections
from colead.schools.aggregate import AGGREGATE_COLUMNS, aggregate, agreement

__all__ = ["report"]


def report(
    responses: Responses,
    instrument: str | os.PathLike[str] | Instrument | None = None,
    path: str | os.PathLike[str] = "report.html",
    *,
    by: str = "school_id",
    min_n: int = 5,
    item_min_n: int = 10,
    title: str | None = None,
    roster: pd.DataFrame | None = None,
    names: pd.Series | dict[str, str] | None = None,
    surveys: Sequence[Responses] = (),
    rules: Any = None,
    progress: bool | None = None,
    previous: Responses | None = None,
) -> Path:
    """Write the HTML report for a school team.

    Parameters
    ----------
    responses : Responses
        Imported (or sample) responses.
    instrument : str, path or Instrument, optional
        Defaults to the responses' instrument.
    path : path, default "report.html"
        Written whole or not at all (a temporary file beside it, renamed when complete);
        never one of the input files (``instrument``, ``rules``).
    by : str, default "school_id"
        The grouping column (one section per group).
    min_n : int, default 5
        Groups with fewer respondents show a notice and no statistic; so does the
        next-smallest group wherever the district figures minus the shown schools would
        describe fewer than ``min_n`` people (the README's privacy rule).
    item_min_n : int, default 10
        Answers to single items (the "How teachers answered" charts, answer distributions)
        are shown only where every item has at least this many answers in the school.
    title : str, optional
    roster : DataFrame, optional
        Group sizes for response rates: the ``by`` column and ``size`` (or ``n_teachers``);
        a ``name`` column, when present, names the groups.
    names : mapping or Series, optional
        Group id -> display name (overrides the roster's ``name``).
    surveys : sequence of Responses, optional
        Other surveys of the same schools (colead-collaboration): the conversation guide
        reads them too, and their single-choice items outside scales (the
        community-of-practice stage) are shown as distributions.
    rules : path or mapping, optional
        Conversation-guide rules (default: colead's bundled ``guide/rules.yaml``).
    progress : bool, optional
        Show progress on stderr; by default only when stderr is a terminal.
    previous : Responses, optional
        The previous survey of the same schools: adds "Since the last survey" to the
        district and each school (:func:`colead.reporting.change.since_last_survey`) and lets
        the guide's change rules fire.

    Returns
    -------
    Path
        The file written: one self-contained HTML page (images embedded, no network
        requests), with a print stylesheet and a layout that reads on a phone.
    """
    if not isinstance(responses, Responses):
        raise InvalidParameterError("The 'responses' parameter of report must be Responses "
                                    f"(from read_responses or load_sample); got "
                                    f"{type(responses).__name__}.")
    inst = responses.instrument if instrument is None else load_instrument(instrument)
    min_n = check_min_n(min_n, "report")
    item_min_n = check_item_min_n(item_min_n, min_n, "report")
    inputs = (instrument, rules)
    check_output(path, inputs=inputs, name="path", func="report")
    if by not in responses.data.columns:
        raise InvalidParameterError(f"The 'by' parameter of report names {by!r}, which the "
                                    "responses do not have.")
    show = sys.stderr.isatty() if progress is None else progress
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColeadWarning)  # reported in the page itself
        context = _context(responses, inst, by=by, min_n=min_n, item_min_n=item_min_n,
                           title=title, roster=roster,
                           names=names, surveys=list(surveys), rules=rules,
                           show_progress=show, previous=previous)
    html = _environment().get_template("report.html.j2").render(**context)
    return write_text(path, html, inputs=inputs, name="path", func="report")


def _context(responses: Responses, inst: Instrument, *, by: str, min_n: int, item_min_n: int,
             title: str | None, roster: pd.DataFrame | None, names: Any,
             surveys: list[Responses], rules: Any, show_progress: bool,
             previous: Responses | None = None) -> dict[str, Any]:
    grouped = bool(responses.data[by].notna().any())  # else: district results only
    table = (aggregate(responses, by=by, min_n=min_n, roster=_roster(roster, by)) if grouped
             else pd.DataFrame(columns=[by, *AGGREGATE_COLUMNS]))
    labels = _group_names(table[by].unique(), roster, names, by)
    with warnings.catch_warnings():  # a scale nobody answered: no variance, said in the table
        warnings.simplefilter("ignore", RuntimeWarning)
        alphas = reliability(responses)
    district = sections.district(
        responses, inst, table, by=by, min_n=min_n, reliability=alphas,
        agreement=agreement(responses, by=by, min_n=min_n) if grouped else None)
    since = None
    if previous is not None:  # "Since the last survey" (reporting/change.py)
        from colead.reporting.change import since_last_survey

        since = since_last_survey(responses, previous, inst, by=by, min_n=min_n, names=labels)
        district["since"] = since.district
    guide = (conversation_guide([responses, *surveys], rules=rules, by=by, min_n=min_n,
                                item_min_n=item_min_n, names=labels,
                                previous=previous) if grouped
             else pd.DataFrame(columns=[by, *GUIDE_COLUMNS]))
    groups = list(dict.fromkeys(table[by]))
    schools = []
    for done, group in enumerate(groups, start=1):
        section = sections.school(responses, inst, table, group, labels[group], by=by,
                                  min_n=min_n, item_min_n=item_min_n, district=district)
        if since is not None and group in since.schools:
            section["since"] = since.schools[group]
        if not section["suppressed"]:
            section["guide"] = sections.guide_items(guide, group, by)
            section["distributions"] = sections.distributions(
                [responses, *surveys], group, by=by, min_n=min_n, item_min_n=item_min_n)
        schools.append(section)
        _progress(done, len(groups), show_progress)
    return {
        "title": title or f"{inst.title}: results by school",
        "generated": dt.date.today().isoformat(),
        "version": __version__,
        "instrument": inst,
        "min_n": min_n,
        "item_min_n": item_min_n,
        "by": by,
        "overview": sections.overview(responses, table, by=by, min_n=min_n,
                                      counts=district["counts"]),
        "district": district,
        "schools": schools,
        "methods": sections.methods(inst, min_n=min_n, item_min_n=item_min_n,
                                    rules=describe(rules)),
    }


def _roster(roster: pd.DataFrame | None, by: str) -> pd.DataFrame | None:
    if roster is None:
        return None
    if "size" not in roster.columns and "n_teachers" in roster.columns:
        roster = roster.rename(columns={"n_teachers": "size"})
    return roster[[by, "size"]] if {by, "size"} <= set(roster.columns) else None


def _group_names(groups: Iterable[Any], roster: pd.DataFrame | None, names: Any,
                 by: str) -> dict[Any, str]:
    given: dict[Any, str] = {}
    if roster is not None and "name" in roster.columns and by in roster.columns:
        given = dict(zip(roster[by], roster["name"], strict=True))
    if names is not None:
        given.update(dict(names))
    return {g: str(given.get(g, g)) for g in groups}


def _progress(done: int, total: int, show: bool) -> None:
    if show:
        end = "\n" if done == total else ""
        sys.stderr.write(f"\rcolead report: {done}/{total} schools{end}")
        sys.stderr.flush()


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("colead.reporting", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
