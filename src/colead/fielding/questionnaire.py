"""The printable questionnaire: one self-contained, accessible HTML page.

For paper administration, or for a school team to review the survey before it is fielded.
Each section of the instrument starts a new printed page, after a cover page with the
instructions and the confidentiality statement. Every question is a ``<fieldset>`` with a
``<legend>``; matrix questions are tables with column and row header cells and a labelled radio
button per answer; the influence grid is one stakeholders x decisions table with a labelled
box per cell and its scale printed above it. Missing answers a response scale offers
(``{value: 8, label: "Don't know"}`` in its ``missing``) follow the scale points, set apart:
further columns of a matrix (a double rule and a shaded background before them, each with its
column header), further choices of a list, and further codes in the grid's key (its boxes then
take exactly the scale's values and those codes). Plain missing labels and codes are not
offered: they only say how an export is read. Text from the instrument is escaped (jinja2
autoescaping); the style sheet is inlined and there is no script and no external resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from colead._version import __version__
from colead.fielding._layout import (
    Page,
    Question,
    grid_how_to,
    how_to,
    mentions_all_that_apply,
    number_hint,
    pages,
    texts,
)
from colead.instrument import Instrument

__all__ = ["write_questionnaire"]


@dataclass(frozen=True)
class GridBlock:
    """The influence grid of one page, drawn as a single table."""

    stem: str
    stakeholders: tuple[tuple[str, str], ...]
    zones: tuple[tuple[str, str], ...]
    cells: dict[tuple[str, str], str]
    options: tuple[tuple[str, str], ...]
    low: str
    high: str
    missing_options: tuple[tuple[str, str], ...] = ()
    how_to: str = ""
    kind: str = "grid_table"

    @property
    def pattern(self) -> str:
        """The answers a box takes, as an HTML ``pattern``: ``1|2|3|4|5|8|9``."""
        return "|".join(code for code, _ in self.options + self.missing_options)


def write_questionnaire(instrument: Instrument, path: Path, *, min_n: int) -> Path:
    """Write the questionnaire of ``instrument`` (already in the wanted language) to ``path``."""
    html = render_questionnaire(instrument, min_n=min_n)
    path.write_text(html, encoding="utf-8")
    return path


def render_questionnaire(instrument: Instrument, *, min_n: int) -> str:
    """The questionnaire as an HTML string."""
    env = _environment()
    css = (resources.files("colead.fielding") / "templates" / "questionnaire.css").read_text(
        encoding="utf-8"
    )
    import markupsafe

    layout = pages(instrument)
    context: dict[str, Any] = {
        "lang": instrument.language,
        "title": instrument.title,
        "name": instrument.name,
        "version": instrument.version,
        "colead_version": __version__,
        "css": markupsafe.Markup(css),
        "t": texts(instrument.language),
        "how_to": how_to(instrument),
        "confidentiality": texts(instrument.language)["confidential"].format(min_n=min_n),
        "pages": _numbered([(page, _blocks(instrument, page)) for page in layout]),
        "number_hint": lambda scale: number_hint(scale, instrument.language),
        "all_that_apply": mentions_all_that_apply,
    }
    return str(env.get_template("questionnaire.html.j2").render(**context))


def _numbered(
    layout: list[tuple[Page, list[Question | GridBlock]]],
) -> list[tuple[Page, list[tuple[int, Question | GridBlock]]]]:
    """Number the questions as printed (the grid counts once)."""
    out, n = [], 0
    for page, blocks in layout:
        numbered = []
        for block in blocks:
            n += 1
            numbered.append((n, block))
        out.append((page, numbered))
    return out


def _blocks(inst: Instrument, page: Page) -> list[Question | GridBlock]:
    """The page's questions, with all its grid questions drawn as one table where the first
    of them stands."""
    grid = inst.influence
    out: list[Question | GridBlock] = []
    grid_questions = [q for q in page.questions if q.kind == "grid"]
    for question in page.questions:
        if question.kind != "grid":
            out.append(question)
        elif grid is not None and question is grid_questions[0]:
            asked = {q.key for q in grid_questions}
            items = {item for q in grid_questions for item in q.item_ids}
            cells = {(s, z): item for s, z, item in grid.cells if item in items}
            zones = {z for s, z in cells}
            scale = question.scale
            options = question.options
            out.append(
                GridBlock(
                    stem=grid.stem,
                    stakeholders=tuple(p for p in grid.stakeholders if p[0] in asked),
                    zones=tuple(p for p in grid.zones if p[0] in zones),
                    cells=cells,
                    options=options,
                    low=options[0][0] if options else f"{scale.min:g}",
                    high=options[-1][0] if options else f"{scale.max:g}",
                    missing_options=question.missing_options,
                    how_to=grid_how_to(question, inst.language),
                )
            )
    return out


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("colead.fielding", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
