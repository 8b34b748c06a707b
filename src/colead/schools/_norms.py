"""Reading, checking and writing norms files (YAML or CSV).

A norms file is a table with one row per measure and reference year. YAML files hold the
rows under ``norms:`` and may give ``source``, ``year``, ``url``, ``population``,
``instrument`` (the instrument whose items a percent row describes) and ``level`` once at the
top for every row; CSV files have one column per field.
"""

from __future__ import annotations

import math
import numbers
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from colead.exceptions import ResponseDataError

#: Every field a norms row may have, in the order tables and files use.
COLUMNS = (
    "measure",
    "mean",
    "sd",
    "n",
    "percent",
    "at_least",
    "level",
    "year",
    "source",
    "url",
    "population",
    "instrument",
    "label",
    "stakeholder",
    "zone",
)
NUMBERS = ("mean", "sd", "n", "percent", "at_least")
TEXT = tuple(c for c in COLUMNS if c not in NUMBERS)
INHERITED = ("source", "year", "url", "population", "instrument", "level")
HEAD_KEYS = ("title", "description", *INHERITED, "norms")


def read_file(path: Path) -> tuple[pd.DataFrame, str, str]:
    """The checked table, the title and the description of the norms file at ``path``."""
    where = f"norms file {path}"
    if not path.is_file():
        raise ResponseDataError([{"reason": "no such file"}], context=where)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            frame = pd.read_csv(path, dtype=object, keep_default_na=False, na_values=[""])
        except (ValueError, pd.errors.ParserError) as exc:
            raise ResponseDataError([{"reason": f"not a readable CSV file ({exc})"}],
                                    context=where) from None
        unknown = [c for c in frame.columns if c not in COLUMNS]
        if unknown:
            raise ResponseDataError(
                [{"column": c, "reason": f"unknown column (known: {', '.join(COLUMNS)})"}
                 for c in unknown], context=where)
        rows = [
            {k: v for k, v in rec.items() if not (isinstance(v, float) and math.isnan(v))}
            for rec in frame.to_dict("records")
        ]
        return check_rows(rows, where, first_row=2), path.stem, ""
    if suffix not in (".yaml", ".yml"):
        raise ResponseDataError([{"reason": "a norms file ends in .yaml, .yml or .csv"}],
                                context=where)
    import yaml

    from colead._yaml import load_yaml

    try:
        data, duplicates = load_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ResponseDataError([{"reason": f"not a readable YAML file ({exc})"}],
                                context=where) from None
    problems: list[dict[str, Any]] = [
        {"row": line, "column": str(key), "reason": "key given twice"} for key, line in duplicates
    ]
    if not isinstance(data, dict) or not isinstance(data.get("norms"), list):
        raise ResponseDataError(
            [*problems, {"reason": "expected a mapping with a list of rows under 'norms:'"}],
            context=where)
    problems += [{"column": str(k), "reason": f"unknown key (known: {', '.join(HEAD_KEYS)})"}
                 for k in data if k not in HEAD_KEYS]
    defaults = {k: data[k] for k in INHERITED if data.get(k) is not None}
    rows = []
    for i, row in enumerate(data["norms"]):
        if not isinstance(row, dict):
            problems.append({"row": i + 1, "reason": "a norms row must be a mapping"})
            continue
        rows.append({**defaults, **row, "_line": getattr(row, "line", i + 1)})
    if problems:
        raise ResponseDataError(problems, context=where)
    table = check_rows(rows, where, first_row=None)
    return table, str(data.get("title") or path.stem), str(data.get("description") or "")


def check_rows(rows: list[dict[str, Any]], where: str, *, first_row: int | None) -> pd.DataFrame:
    """One DataFrame of norms rows; every problem (row, column, value, reason) is collected
    first. ``first_row`` numbers CSV rows; YAML rows carry their line as ``_line``."""
    problems: list[dict[str, Any]] = []
    out = []
    for i, raw in enumerate(rows):
        row = dict(raw)
        line = row.pop("_line", None) if first_row is None else first_row + i

        def bad(column: str | None, value: Any, reason: str, line: Any = line) -> None:
            problems.append({"row": line, "column": column, "value": value, "reason": reason})

        clean: dict[str, Any] = {}
        given = set()  # fields with a value, valid or not: no follow-on problems from a typo
        for key, value in row.items():
            if key not in COLUMNS:
                bad(str(key), None, f"unknown field (known: {', '.join(COLUMNS)})")
            elif value is None or (isinstance(value, str) and not value.strip()):
                continue
            elif key in NUMBERS:
                given.add(key)
                number = _number(value)
                if number is None:
                    bad(key, value, "not a number")
                else:
                    clean[key] = number
            else:
                clean[key] = str(value).strip()
        for key in ("measure", "year", "source"):
            if key not in clean:
                bad(key, None, f"every row needs a {key}")
        has_mean, has_sd = "mean" in given, "sd" in given
        if has_mean != has_sd:
            bad("sd" if has_mean else "mean", None, "mean and sd go together")
        if not (has_mean or "percent" in given):
            bad(None, None, "a row needs a mean and sd, or a percent")
        if "sd" in clean and not clean["sd"] > 0:
            bad("sd", clean["sd"], "an sd must be positive")
        if "percent" in clean and not 0 <= clean["percent"] <= 100:
            bad("percent", clean["percent"], "a percent lies in 0..100")
        if "n" in clean and not (clean["n"] >= 1 and float(clean["n"]).is_integer()):
            bad("n", clean["n"], "n is a whole number of at least 1")
        out.append((line, clean))
    seen: dict[tuple[str, str], Any] = {}
    for line, clean in out:
        pair = (str(clean.get("measure", "")), str(clean.get("year", "")))
        if pair in seen and all(pair):
            problems.append({"row": line, "column": "measure", "value": pair[0],
                             "reason": f"a second row for year {pair[1]} (first: row "
                             f"{seen[pair]})"})
        seen.setdefault(pair, line)
    if problems:
        raise ResponseDataError(problems, context=where)
    if not out:
        raise ResponseDataError([{"reason": "no norms rows"}], context=where)
    return to_table([clean for _, clean in out])


def to_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    for c in NUMBERS:
        table[c] = pd.to_numeric(table[c]).astype(float)
    for c in TEXT:
        table[c] = table[c].astype(object).where(table[c].notna(), None)
    return table


def write_file(table: pd.DataFrame, title: str, description: str, path: Path,
               *, overwrite: bool) -> Path:
    """Write YAML or CSV by the suffix, through a temporary file renamed into place."""
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv"):
        raise ValueError("a norms file ends in .yaml, .yml or .csv")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    used = [c for c in COLUMNS if table[c].notna().any()]
    records = [
        {c: _plain(v) for c, v in rec.items() if c in used and v is not None and v == v}
        for rec in table.to_dict("records")
    ]
    if suffix == ".csv":
        from colead.privacy import csv_safe

        frame = pd.DataFrame(records, columns=used)
        for c in used:
            if c in TEXT:  # text a spreadsheet would run as a formula is neutralised
                frame[c] = frame[c].map(lambda v: csv_safe(v) if isinstance(v, str) else v)
        text = frame.to_csv(index=False, lineterminator="\n")
    else:
        import yaml

        head = {"title": title, **({"description": description} if description else {})}
        text = yaml.safe_dump({**head, "norms": records}, sort_keys=False, allow_unicode=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value
