"""The codebook of an instrument: one CSV row per item, and a Markdown document.

The CSV has one row per item: ``item_id``, ``section``, ``question`` (the matrix question the
item is a row of, else its own text), ``text``, ``scale``, ``scale_title``, ``reverse``,
``response_scale``, ``type``, ``min``, ``max``, ``values`` (``1 = Strongly disagree | 2 =
...``), ``missing`` (every label and code read as missing: ``8 = Don't know | -99``),
``missing_options`` (the missing answers the fielded surveys offer after the scale points,
with their codes: ``8 = Don't know | 9 = Not applicable``; a plain missing label or code has
no code to export with and is not offered), ``data_columns`` (colead's columns:
the item id, or ``<item>__<value>`` per option of a multiple-choice item), ``qualtrics``
(the export column of the survey :func:`colead.field` writes), ``limesurvey`` (the export
heading of the LimeSurvey survey), ``stakeholder`` and ``zone`` (influence-grid items) and
``citation`` (the sources of the item's scale, else of the instrument). Text cells that a
spreadsheet would run as formulas are neutralised (:func:`colead.privacy.write_csv`).

The Markdown codebook describes the instrument (source, licence, citations), each section's
items, the response scales with their values and labels, the missing answers offered (with
their codes) and the other labels and codes read as missing, and the scales with their items,
reversed items, scoring rule and citations.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from colead.exceptions import InstrumentError, InvalidParameterError
from colead.fielding._layout import pages
from colead.instrument import Instrument, ResponseScale
from colead.io.limesurvey import item_codes
from colead.privacy import write_csv

__all__ = ["codebook_paths", "codebook_table", "write_codebook"]

COLUMNS = [
    "item_id",
    "section",
    "question",
    "text",
    "scale",
    "scale_title",
    "reverse",
    "response_scale",
    "type",
    "min",
    "max",
    "values",
    "missing",
    "missing_options",
    "data_columns",
    "qualtrics",
    "limesurvey",
    "stakeholder",
    "zone",
    "citation",
]


def write_codebook(instrument: Instrument, path: Path, *, inputs: Iterable[Any] = ()) -> Path:
    """Write ``<name>.csv`` and ``<name>.md`` (see :func:`colead.field` for ``path``); never
    over one of ``inputs``, each file whole or not at all."""
    from colead._files import check_output, replacing, write_text

    csv_path, md_path = codebook_paths(instrument.name, path)
    if csv_path.parent == path:
        path.mkdir(parents=True, exist_ok=True)
    for target in (csv_path, md_path):
        check_output(target, inputs=inputs, name="path", func="field")
    table = codebook_table(instrument)
    markdown = codebook_markdown(instrument, table)
    with replacing(csv_path) as temp:
        write_csv(table, temp)
    write_text(md_path, markdown, inputs=inputs, name="path", func="field")
    return csv_path


def codebook_paths(name: str, path: Path) -> tuple[Path, Path]:
    """The CSV and Markdown files a codebook of instrument ``name`` written to ``path`` goes
    to: ``path`` and the other suffix beside it for a ``.csv`` or ``.md`` path, else two files
    in the folder ``path`` (an existing folder, or a path with no suffix)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".md") and not path.is_dir():
        return path.with_suffix(".csv"), path.with_suffix(".md")
    if path.is_dir() or not suffix:
        csv_path = path / f"{name}-codebook.csv"
        return csv_path, csv_path.with_suffix(".md")
    raise InvalidParameterError(
        f"The 'path' parameter of field names {str(path)!r}: a codebook is written to a .csv "
        "or .md file (the other beside it) or to a folder (an existing folder, or a path with "
        "no suffix)."
    )


def codebook_table(instrument: Instrument) -> pd.DataFrame:
    """One row per item (the columns of the module docstring)."""
    inst = instrument
    grid = inst.influence
    cell_of = {item: (s, z) for s, z, item in grid.cells} if grid else {}
    listed: dict[str, str] = {}
    for sc in reversed(inst.scale_list):
        listed.update(dict.fromkeys(sc.items, sc.id))
    headings = _limesurvey_headings(inst)
    question_of: dict[str, str] = {}
    for page in pages(inst):
        for q in page.questions:
            for item_id in q.item_ids:
                question_of[item_id] = q.text
    sections = inst.sections
    rows = []
    for item in inst.item_list:
        rs = inst.response_scale_of(item.id)
        scale_id = item.scale or listed.get(item.id)
        scale = inst.scales.get(scale_id) if scale_id else None
        s, z = cell_of.get(item.id, ("", ""))
        rows.append(
            {
                "item_id": item.id,
                "section": sections[item.section]["title"] if item.section in sections else "",
                "question": question_of.get(item.id, item.text),
                "text": item.text,
                "scale": scale_id or "",
                "scale_title": scale.title if scale else "",
                "reverse": item.reverse,
                "response_scale": rs.id,
                "type": rs.type,
                "min": "" if rs.min is None else f"{rs.min:g}",
                "max": "" if rs.max is None else f"{rs.max:g}",
                "values": " | ".join(f"{v} = {label}" if label else v for v, label in _points(rs)),
                "missing": " | ".join(rs.describe_missing()),
                "missing_options": " | ".join(
                    f"{code:g} = {label}" for code, label in rs.missing_options
                ),
                "data_columns": " | ".join(inst.data_columns(item.id)),
                "qualtrics": item.id,
                "limesurvey": headings.get(item.id, ""),
                "stakeholder": grid.stakeholder_labels[s] if grid and s else "",
                "zone": grid.zone_labels[z] if grid and z else "",
                "citation": "; ".join(
                    scale.citations if scale and scale.citations else inst.citations
                ),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _limesurvey_headings(inst: Instrument) -> dict[str, str]:
    """Item id -> its heading(s) in an export (code headings) of the LimeSurvey survey; empty
    when the instrument cannot be fielded on LimeSurvey."""
    from colead.fielding.limesurvey import structure_rows

    try:
        structure = structure_rows(inst)
    except InstrumentError:
        return {}
    item_of = {code: item for item, code in item_codes(inst.item_ids).items()}
    at = {name: structure[0].index(name) for name in ("class", "type/scale", "name", "language")}
    out: dict[str, list[str]] = {}
    parent, parent_type = "", ""
    for row in structure[1:]:
        kind, name = row[at["class"]], row[at["name"]]
        if kind not in ("Q", "SQ") or row[at["language"]] != inst.language:
            continue
        if kind == "Q":
            parent, parent_type = name, row[at["type/scale"]]
            if name in item_of and parent_type != "M":
                out.setdefault(item_of[name], []).append(name)
        else:
            item = item_of.get(parent) if parent_type == "M" else item_of.get(name)
            if item is not None:
                out.setdefault(item, []).append(f"{parent}[{name}]")
    return {item: " | ".join(h) for item, h in out.items()}


def codebook_markdown(instrument: Instrument, table: pd.DataFrame) -> str:
    """The Markdown codebook."""
    inst = instrument
    lines = [
        f"# Codebook: {_md(inst.title)}",
        "",
        f"Instrument `{inst.name}`, version {_md(inst.version)}, language "
        f"`{inst.language}`; {len(inst.item_list)} items, {len(inst.scale_list)} scales.",
        "",
    ]
    for label, value in (
        ("Respondent", inst.respondent),
        ("Source", inst.source),
        ("Licence", inst.licence),
    ):
        if value:
            lines += [f"**{label}.** {_md(value)}", ""]
    if inst.citations:
        lines += ["## Citations", ""] + [f"- {_md(c)}" for c in inst.citations] + [""]
    lines += ["## Items", ""]
    columns = ["item_id", "text", "scale", "reverse", "response_scale", "qualtrics", "limesurvey"]
    for section, part in table.groupby("section", sort=False):
        lines += [f"### {_md(str(section)) or 'Questions'}", ""]
        lines += _table(part, columns)
    lines += ["## Response scales", ""]
    for rs in inst.response_scale_list:
        bounds = (
            ""
            if rs.min is None and rs.max is None
            else f", {'' if rs.min is None else f'{rs.min:g}'} to "
            f"{'' if rs.max is None else f'{rs.max:g}'}"
        )
        lines += [f"### `{rs.id}` ({rs.type}{bounds})", ""]
        if rs.labels:
            points = pd.DataFrame(_points(rs), columns=["value", "label"])
            lines += _table(points, ["value", "label"])
        if rs.missing_options:
            offered = ", ".join(f"`{code:g}` {_md(label)}" for code, label in rs.missing_options)
            lines += [f"Offered after the scale points, read as missing: {offered}.", ""]
        option_codes = {code for code, _ in rs.missing_options}
        option_labels = {label for _, label in rs.missing_options}
        plain = [
            f"`{m}`" if isinstance(m, str) else f"`{m:g}`"
            for m in rs.missing
            if m not in (option_labels if isinstance(m, str) else option_codes)
        ]
        if plain:
            lines += [f"Read as missing (not offered as answers): {', '.join(plain)}.", ""]
    if inst.scale_list:
        lines += ["## Scales", ""]
        rows = [
            (
                sc.id,
                sc.title,
                ", ".join(sc.items),
                ", ".join(i for i in sc.items if inst.item(i).reverse) or "none",
                f"{sc.min_answered} of {sc.k} items",
                "; ".join(sc.citations),
            )
            for sc in inst.scale_list
        ]
        lines += _table(
            pd.DataFrame(
                rows, columns=["scale", "title", "items", "reversed", "scored with", "citations"]
            ),
            ["scale", "title", "items", "reversed", "scored with", "citations"],
        )
    return "\n".join(lines).rstrip() + "\n"


def _table(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    head = "| " + " | ".join(columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = [
        "| " + " | ".join(_md(_cell(row[c])) for c in columns) + " |" for _, row in frame.iterrows()
    ]
    return [head, rule, *body, ""]


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    return str(value)


def _md(text: str) -> str:
    """Text safe in a Markdown table cell or line."""
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _points(rs: ResponseScale) -> list[tuple[str, str]]:
    """(value, label) of every point; an unlabelled point (2 on a 1-7 scale labelled at its
    ends) is shown by its number alone, with an empty label."""
    named = dict(rs.labels)
    return [(f"{v:g}", named.get(v, "")) for v in rs.values]
