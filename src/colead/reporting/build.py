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
import functools
import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from colead._files import check_output, write_text
from colead._validation import check_option
from colead._version import __version__
from colead.exceptions import ColeadWarning, InvalidParameterError
from colead.guide import describe, load_rules
from colead.instrument import Instrument, load_instrument
from colead.io.responses import Responses
from colead.privacy import check_item_min_n, check_min_n
from colead.reporting import sections
from colead.reporting.benchmarks import SCORES, plan
from colead.reporting.benchmarks_view import methods_view
from colead.reporting.format import slug
from colead.reporting.prepare import Prepared, prepare
from colead.reporting.school import school
from colead.reporting.summary import schools_summary
from colead.reporting.words import EXPLAIN
from colead.schools.norms import Norms

__all__ = ["INLINE_SCHOOLS", "report", "school_files"]


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
    per_school: str | os.PathLike[str] | None = None,
    school_sections: bool | None = None,
    previous: Responses | None = None,
    ordinal: bool = False,
    scores: str = "mean",
    norms: str | os.PathLike[str] | Norms | pd.DataFrame | None = None,
) -> Path:
    """Write the HTML report for a school team (and, with ``per_school``, one per school).

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
    per_school : path, optional
        A folder (made if missing; its parent must exist) to write one self-contained
        report per school into, ``school-<id>.html``: the school's results beside the
        district's, naming no other school, so that each principal can be given their own.
        The district report then links to them instead of holding every school's section.
    school_sections : bool, optional
        Whether the district report holds every school's full section. By default it does
        when there is no ``per_school`` folder and at most 30 schools; otherwise it
        summarises the schools (a sortable table, the spread across schools, the schools
        that stand out), which keeps it small at any number of schools.
    previous : Responses, optional
        The previous survey of the same schools: adds "Since the last survey" to the
        district and to each school (the change of each scale mean with its 95% interval
        and minimum detectable change, :func:`colead.change`, hidden in both surveys
        wherever either would show fewer than ``min_n`` people) and lets the guide's change
        rules fire.
    ordinal : bool, default False
        The reliability table also shows ordinal alpha and categorical omega (from the
        items' polychoric correlations, :func:`colead.reliability` with ``ordinal=True``),
        which suit items of few answer categories or skewed answers.
    scores : {"mean", "rasch"}, default "mean"
        With ``"rasch"``, each scale's answers are also measured by Andrich's rating-scale
        model (:func:`colead.rasch`, Warm's estimates), and each school's mean measure is
        shown beside its mean on the 1-99 benchmark scale with its band
        (:func:`colead.benchmark`: 50 the reference's average, 20 points per standard
        deviation, bands cut at -1.5, -0.5, 0.5 and 1.5 SD); the reliability section adds
        each scale's person separation reliability and the items whose infit or outfit mean
        square lies outside 0.7-1.3. Without ``norms`` the reference is the district's own
        schools in this survey (the mean and SD of the shown schools' means), which the
        report says.
    norms : str, path, Norms or DataFrame, optional
        A bundled norms name, a norms file or table (:func:`colead.load_norms`). Scales are
        benchmarked against its mean and sd of ``<scale>`` (the scale means) or, with
        ``scores="rasch"``, of ``<scale>_rasch`` (Rasch measures, e.g. from last year's survey
        with :func:`colead.make_norms`); a scale the norms lack shows no benchmark and the
        report lists it. Its percentages of items of the survey (``percent``, ``at_least``)
        are compared with the district's and each group's share. Norms matching no scale and
        no item are an error naming what the report looks for. With the
        ``sass-principal-influence`` instrument the bundled NCES percentages of principals
        reporting major influence (``nces-principal-influence``) are compared by default.

    Returns
    -------
    Path
        The district report: one self-contained HTML page (no network requests), with a
        print stylesheet (A4 and Letter, each school on a new page) and a layout that reads
        on a phone.
    """
    if not isinstance(responses, Responses):
        raise InvalidParameterError("The 'responses' parameter of report must be Responses "
                                    f"(from read_responses or load_sample); got "
                                    f"{type(responses).__name__}.")
    inst = responses.instrument if instrument is None else load_instrument(instrument)
    min_n = check_min_n(min_n, "report")
    item_min_n = check_item_min_n(item_min_n, min_n, "report")
    check_option(scores, "scores", "report", SCORES)
    how = plan(norms, inst, kind=scores, columns=responses.data.columns)
    inputs = (instrument, rules, norms)
    check_output(path, inputs=inputs, name="path", func="report")
    folder = _school_folder(per_school)
    if by not in responses.data.columns:
        raise InvalidParameterError(f"The 'by' parameter of report names {by!r}, which the "
                                    "responses do not have.")
    show = sys.stderr.isatty() if progress is None else progress
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColeadWarning)  # reported in the page itself
        prep = prepare(responses, inst, by=by, min_n=min_n, item_min_n=item_min_n,
                       roster=_roster(roster, by),
                       labels=_group_names(responses.data[by].dropna().unique(), roster,
                                           names, by),
                       surveys=list(surveys), rules=rules, previous=previous,
                       ordinal=bool(ordinal), benchmarks=how)
        pages = Pages(prep, title=title, surveys=list(surveys), rules=rules)
    inline = (school_sections if school_sections is not None
              else folder is None and len(prep.groups) <= INLINE_SCHOOLS)
    files = school_files(prep.groups, folder) if folder is not None else {}
    sections_: dict[Any, dict[str, Any]] = {}
    for done, group in enumerate(prep.groups, start=1):
        section = school(prep, group, pages.district)
        if folder is not None:
            write_text(files[group], pages.school_page(section), inputs=inputs,
                       name="per_school", func="report")
        if inline:
            sections_[group] = section
        _progress(done, len(prep.groups), show)
    links = ({g: _relative(files[g], Path(path)) for g in prep.groups} if files and not inline
             else {g: f"#{sections_[g]['id']}" for g in prep.groups} if inline else {})
    html = pages.district_page(list(sections_.values()), links, per_school=folder,
                               inline=inline)
    return write_text(path, html, inputs=inputs, name="path", func="report")


#: Up to this many schools, the district report holds every school's section by default.
INLINE_SCHOOLS = 30


class Pages:
    """Renders the district page and the per-school pages from one prepared report."""

    def __init__(self, prep: Prepared, *, title: str | None, surveys: list[Responses],
                 rules: Any) -> None:
        self.prep = prep
        self.env = _environment()
        inst = prep.inst
        self.district = sections.district(prep)
        rule_set = load_rules(rules)
        insts = [inst, *(s.instrument for s in surveys)]
        self.common = {
            "generated": dt.date.today().isoformat(),
            "version": __version__,
            "instrument": inst,
            "min_n": prep.min_n,
            "item_min_n": prep.item_min_n,
            "by": prep.by,
            "words": EXPLAIN,
            "overview": sections.overview(prep),
            "district": self.district,
            "methods": sections.methods(
                insts, min_n=prep.min_n, item_min_n=prep.item_min_n,
                rules=describe(rule_set, insts), previous=prep.previous is not None,
                on_change=frozenset(r.id for r in rule_set.rules
                                    if any(t.on == "change" for t in r.tests)),
                ordinal=prep.ordinal,
                benchmarks=methods_view(prep.bench) if prep.bench is not None else None,
                shares=sections.shares_methods(prep)),
        }
        self.title = title or f"{inst.title}: results by school"
        self.school_template = self.env.get_template("school_page.html.j2")
        # the parts every page shares, rendered once (a school's file repeats them as text)
        self.common["shared"] = {
            name: Markup(self.env.get_template(template).render(**self.common))
            for name, template in (("css", "report.css"), ("howto", "_howto.html.j2"),
                                   ("overview", "_overview.html.j2"),
                                   ("district", "_district.html.j2"),
                                   ("methods", "_methods.html.j2"))}

    def district_page(self, schools: list[dict[str, Any]], links: dict[Any, str], *,
                      per_school: Path | None, inline: bool) -> str:
        prep = self.prep
        summary = (schools_summary(prep, self.district, links)
                   if prep.grouped and len(prep.groups) else None)
        return str(self.env.get_template("report.html.j2").render(
            **self.common, title=self.title, schools=schools, summary=summary, inline=inline,
            per_school=str(per_school) if per_school is not None else "",
            n_schools=len(prep.groups)))

    def school_page(self, section: dict[str, Any]) -> str:
        return str(self.school_template.render(
            **self.common, title=f"{section['name']}: survey results", s=section))


def school_files(groups: Sequence[Any], folder: str | os.PathLike[str]) -> dict[Any, Path]:
    """The file of each school's report in ``folder``: ``school-<id>.html`` with the id
    reduced to ASCII letters, digits, - and _ (ids that would clash, also by letter case,
    get -2, -3, ...)."""
    out: dict[Any, Path] = {}
    taken: set[str] = set()
    for group in groups:
        stem = slug(group)
        name, k = stem, 1
        while name.casefold() in taken:
            k += 1
            name = f"{stem}-{k}"
        taken.add(name.casefold())
        out[group] = Path(folder) / f"{name}.html"
    return out


def _school_folder(per_school: str | os.PathLike[str] | None) -> Path | None:
    if per_school is None:
        return None
    folder = Path(per_school)
    if folder.exists() and not folder.is_dir():
        raise InvalidParameterError(f"The 'per_school' parameter of report names "
                                    f"{str(folder)!r}, which is a file; give a folder.")
    if not folder.resolve().parent.is_dir():
        raise InvalidParameterError(f"The 'per_school' parameter of report names "
                                    f"{str(folder)!r}, whose parent folder does not exist.")
    folder.mkdir(exist_ok=True)
    return folder


def _relative(target: Path, page: Path) -> str:
    """The link from the district page to a school's file, relative so the folder moves."""
    return Path(os.path.relpath(target.resolve(), page.resolve().parent)).as_posix()


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


@functools.cache
def _environment() -> Any:
    """The templates, compiled once per process (they are package data: no reloading)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("colead.reporting", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
        auto_reload=False)
