"""How an instrument is laid out for fielding: pages, questions and the texts around them.

Every target shares this layout. A page is a section of the instrument (in the order its items
first appear; items without a section form a page of their own). On a page, the items of one
scale that share a response scale form one matrix question (rows are the item texts), the
cells of the influence grid form one matrix question per stakeholder (rows are the decision
zones), and every other item is a question of its own: one answer from a list (ordinal or
categorical), a number, or every option that applies. This refines
:func:`colead.io._layout.questions`, which the export writers use, by also splitting a scale
whose items use different response scales and by keeping pages apart.

Missing answers: a question offers, after its scale points, the missing answer options of its
response scale (``missing: [{value: 8, label: "Don't know"}]``; :attr:`Question.
missing_options`), with their codes as values, so an export holds the code or the label and
:func:`colead.read_responses` reads either as missing. Plain missing labels and codes
(``"Not applicable"``, ``-99``) have no code to export with and are not offered: they are
rules for reading exports. Numbers and check-all-that-apply questions offer none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from colead.exceptions import InvalidParameterError
from colead.instrument import Instrument, ResponseScale

QuestionKind = Literal["matrix", "grid", "single", "numeric", "multiple"]

#: The respondent-facing texts colead adds around an instrument's own, by language. The
#: Spanish is colead's own translation (formal *usted*, as the bundled instruments' Spanish),
#: not yet validated with respondents; other languages fall back to English.
TEXTS: dict[str, dict[str, str]] = {}
TEXTS["en"] = {
    "about": "About this survey",
    "how_to": (
        "Please answer each question as well as you can. For most questions, mark one box in "
        "each row. If a question does not apply to you, or you do not know, leave it blank."
    ),
    "how_to_missing": (
        "Please answer each question as well as you can. For most questions, mark one box in "
        "each row. Some questions offer {labels} after their scale: mark it if it is your "
        "answer. Leave any other question that does not apply to you, or that you cannot "
        "answer, blank."
    ),
    "confidential_heading": "Your answers are confidential.",
    "confidential": (
        "Nobody at your school or district sees individual answers. Results are reported "
        "only as summaries of groups of at least {min_n} respondents; smaller groups are not "
        "reported. Taking part is voluntary, and you may skip any question."
    ),
    "questions": "Questions",
    "statement": "Statement",
    "decision": "Decision",
    "grid_how_to": (
        "Write the number of your answer in each box, using the scale below. Leave a box "
        "blank if you do not know."
    ),
    "grid_how_to_missing": (
        "Write the number of your answer in each box, using the scale below, or {codes} "
        "if that is your answer."
    ),
    "or": "or",
    "number": "A number from {min} to {max}",
    "number_open": "A number",
    "all_that_apply": "Mark all that apply.",
    "not_asked": "not asked",
    "school": "School",
    "thanks": "Thank you for taking part.",
}

TEXTS["es"] = {
    "about": "Acerca de esta encuesta",
    "how_to": (
        "Responda cada pregunta lo mejor que pueda. En la mayoría de las preguntas, marque una "
        "casilla en cada fila. Si una pregunta no se aplica a usted, o no sabe la respuesta, "
        "déjela en blanco."
    ),
    "how_to_missing": (
        "Responda cada pregunta lo mejor que pueda. En la mayoría de las preguntas, marque una "
        "casilla en cada fila. Algunas preguntas ofrecen {labels} después de su escala: "
        "márquelo si es su respuesta. Deje en blanco cualquier otra pregunta que no se aplique "
        "a usted o que no pueda responder."
    ),
    "confidential_heading": "Sus respuestas son confidenciales.",
    "confidential": (
        "Nadie en su escuela ni en su distrito ve las respuestas individuales. Los resultados "
        "se presentan solo como resúmenes de grupos de al menos {min_n} personas; los grupos "
        "más pequeños no se informan. La participación es voluntaria y puede omitir cualquier "
        "pregunta."
    ),
    "questions": "Preguntas",
    "statement": "Afirmación",
    "decision": "Decisión",
    "grid_how_to": (
        "Escriba el número de su respuesta en cada casilla, según la escala de abajo. Deje una "
        "casilla en blanco si no lo sabe."
    ),
    "grid_how_to_missing": (
        "Escriba el número de su respuesta en cada casilla, según la escala de abajo, o "
        "{codes} si esa es su respuesta."
    ),
    "or": "o",
    "number": "Un número del {min} al {max}",
    "number_open": "Un número",
    "all_that_apply": "Marque todas las que correspondan.",
    "not_asked": "no se pregunta",
    "school": "Escuela",
    "thanks": "Gracias por su participación.",
}


def texts(language: str) -> dict[str, str]:
    """colead's own respondent-facing texts in ``language`` (English where it has none)."""
    return {**TEXTS["en"], **TEXTS.get(language, {})}


@dataclass(frozen=True)
class Question:
    """One question as fielded.

    ``key`` is the scale id (matrix), the stakeholder id (grid) or the item id; ``rows`` pairs
    each item with its row text (a question of one item has one row, its text empty).
    """

    kind: QuestionKind
    key: str
    text: str
    rows: tuple[tuple[str, str], ...]
    scale: ResponseScale
    number: int

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item for item, _ in self.rows)

    @property
    def options(self) -> tuple[tuple[str, str], ...]:
        """(value code, label) of each answer option, lowest value first; an unlabelled point
        shows its number."""
        return tuple((f"{value:g}", label) for value, label in self.scale.points)

    @property
    def missing_options(self) -> tuple[tuple[str, str], ...]:
        """(code, label) of each missing answer offered after the scale points ("Don't
        know", "Not applicable"), in the order of the instrument; empty for a number or a
        check-all-that-apply question."""
        if self.kind in ("numeric", "multiple"):
            return ()
        return tuple((f"{code:g}", label) for code, label in self.scale.missing_options)

    @property
    def all_options(self) -> tuple[tuple[str, str], ...]:
        """The scale points, then the missing answers offered."""
        return self.options + self.missing_options


@dataclass(frozen=True)
class Page:
    """A section of the instrument: one page on paper, one block or group on a platform."""

    id: str
    title: str
    instructions: str
    questions: tuple[Question, ...]

    @property
    def has_grid(self) -> bool:
        return any(q.kind == "grid" for q in self.questions)


def in_language(instrument: Instrument, language: str | None, func: str) -> Instrument:
    """The instrument with its texts in ``language`` (None: its own language)."""
    if language is None:
        return instrument
    if not isinstance(language, str) or language not in instrument.languages:
        raise InvalidParameterError(
            f"The 'language' parameter of {func} must be one of the instrument's languages "
            f"({', '.join(instrument.languages)}); got {language!r}."
        )
    return instrument.translated(language)


def pages(instrument: Instrument) -> list[Page]:
    """The pages of an instrument, each with its questions numbered through the survey."""
    order: list[str | None] = []
    for item in instrument.item_list:
        if item.section not in order:
            order.append(item.section)
    sections = instrument.sections
    out: list[Page] = []
    number = 0
    for section in order:
        items = [i.id for i in instrument.item_list if i.section == section]
        questions = []
        for kind, key, text, rows, scale in _group(instrument, items):
            number += 1
            questions.append(Question(kind, key, text, rows, scale, number))
        info = sections.get(section or "", {"title": "", "instructions": ""})
        title = info["title"] or texts(instrument.language)["questions"]
        out.append(Page(section or "questions", title, info["instructions"], tuple(questions)))
    return out


def _group(
    inst: Instrument, item_ids: list[str]
) -> Iterator[tuple[QuestionKind, str, str, tuple[tuple[str, str], ...], ResponseScale]]:
    grid = inst.influence
    cell_of = {item: (s, z) for s, z, item in grid.cells} if grid else {}
    groups: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    info: dict[tuple[str, str, str], tuple[QuestionKind, str, str, ResponseScale]] = {}
    for item_id in item_ids:
        item = inst.item(item_id)
        rs = inst.response_scale_of(item_id)
        if item_id in cell_of and grid is not None:
            s, z = cell_of[item_id]
            key = ("grid", s, rs.id)
            info[key] = ("grid", s, grid.stakeholder_labels[s], rs)
            groups.setdefault(key, []).append((item_id, grid.zone_labels[z]))
        elif item.scale is not None and rs.type == "ordinal":
            key = ("scale", item.scale, rs.id)
            info[key] = ("matrix", item.scale, inst.scales[item.scale].title, rs)
            groups.setdefault(key, []).append((item_id, item.text))
        else:
            kind: QuestionKind = (
                "numeric"
                if rs.type == "numeric"
                else "multiple"
                if rs.type == "multiple"
                else "single"
            )
            key = ("item", item_id, rs.id)
            info[key] = (kind, item_id, item.text, rs)
            groups[key] = [(item_id, "")]
    for key, rows in groups.items():
        kind, qkey, text, rs = info[key]
        yield kind, qkey, text, tuple(rows), rs


def offered_labels(instrument: Instrument) -> list[str]:
    """The labels of the missing answers the survey offers, each once, in order."""
    seen: dict[str, None] = {}
    for page in pages(instrument):
        for q in page.questions:
            seen.update(dict.fromkeys(label for _, label in q.missing_options))
    return list(seen)


def how_to(instrument: Instrument) -> str:
    """The instructions of the cover page (they name the missing answers offered)."""
    labels = offered_labels(instrument)
    t = texts(instrument.language)
    if not labels:
        return t["how_to"]
    quoted = [f"\u201c{label}\u201d" if instrument.language == "es" else f'"{label}"'
              for label in labels]
    return t["how_to_missing"].format(labels=_either(quoted, instrument.language))


def grid_how_to(question: Question, language: str = "en") -> str:
    """How to fill the number boxes of the influence grid, with its missing answers' codes."""
    t = texts(language)
    if not question.missing_options:
        return t["grid_how_to"]
    pattern = '{code} para \u201c{label}\u201d' if language == "es" else '{code} for "{label}"'
    codes = [pattern.format(code=code, label=label) for code, label in question.missing_options]
    return t["grid_how_to_missing"].format(codes=_either(codes, language))


def _either(parts: list[str], language: str = "en") -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {texts(language)['or']} {parts[-1]}"


def number_hint(scale: ResponseScale, language: str = "en") -> str:
    """ "A number from 0 to 50" for a numeric response scale."""
    t = texts(language)
    if scale.min is None or scale.max is None:
        return t["number_open"]
    return t["number"].format(min=f"{scale.min:g}", max=f"{scale.max:g}")


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... if it is taken (case aside); records it."""
    candidate, k = name, 1
    while candidate.casefold() in taken:
        k += 1
        candidate = f"{name}_{k}"
    taken.add(candidate.casefold())
    return candidate


def mentions_all_that_apply(text: str) -> bool:
    """Whether a question's own text already says to mark every option that applies."""
    return "all that apply" in text.casefold()
