"""Personal data: columns recognised by their header, personal values masked inside quoted
cells, and CSV text a spreadsheet would run as a formula neutralised."""

from __future__ import annotations

import os
import re
import unicodedata
import urllib.parse

import pandas as pd

__all__ = [
    "csv_safe",
    "is_personal",
    "looks_personal",
    "normalise_header",
    "quote_cell",
    "uncsv_safe",
    "write_csv",
]

# Headers (lower-case, letters and digits only) that hold personal data on some platform:
# Qualtrics, SurveyMonkey, Google and Microsoft Forms, LimeSurvey, REDCap (exports.md 3.15).
_PERSONAL = frozenset(
    {
        "ipaddress",
        "ip",
        "ipaddr",
        "email",
        "emailaddress",
        "recipientemail",
        "recipientfirstname",
        "recipientlastname",
        "firstname",
        "lastname",
        "name",
        "fullname",
        "yourname",
        "namefirst",
        "namelast",
        "locationlatitude",
        "locationlongitude",
        "locationaccuracy",
        "latitude",
        "longitude",
        "externalreference",
        "externaldatareference",
        "token",
        "refurl",
        "referrerurl",
        "phone",
        "telephone",
        "mobile",
        "address",
        "streetaddress",
        "dob",
        "dateofbirth",
        "birthdate",
        "redcapsurveyidentifier",
        "username",
        "participantemail",
    }
)
_PERSONAL_PREFIXES = (
    "customdata",
    "email",
    "telephone",
    "phone",
    "recipient",
    "attribute",
    "location",
    "ipaddress",
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_FORMULA_START = ("=", "+", "-", "@")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def normalise_header(text: str) -> str:
    """Lower-case letters and digits only: ``"IP Address"`` -> ``"ipaddress"``."""
    return _NON_ALNUM.sub("", text.casefold())


def is_personal(header: str) -> bool:
    """True when a column with this header holds personal data (by its name)."""
    key = normalise_header(header)
    return key in _PERSONAL or key.startswith(_PERSONAL_PREFIXES)


# -- personal data inside cells --------------------------------------------------------------
#: Characters of a cell a message quotes at most.
QUOTED_CHARS = 40
# Everything around an @ up to a blank or punctuation (two addresses written together too).
_EMAIL = re.compile(r"[^\s<>()\[\],;:\"']*@[^\s<>()\[\],;:\"']*")
# A run of digits with the separators phone numbers are written with: +1 555 0100, (555)
# 010-0100, 555.0100; 7 digits or more make it a phone number, a date or time does not.
_PHONE = re.compile(r"\+?\(?\d[\d\s().\-/]*\d\)?")
_DATE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_ID_PHONE = re.compile(r"^\+?[\d\s().\-/]+$")


def _plain(text: str) -> str:
    """Text as a person would read it: Unicode compatibility forms folded (a full-width
    ``＠`` is ``@``) and percent-escapes decoded (``%40`` is ``@``)."""
    text = unicodedata.normalize("NFKC", text)
    if "%" in text:
        text = unicodedata.normalize("NFKC", urllib.parse.unquote(text))
    return text


def _is_phone(run: str) -> bool:
    return sum(c.isdigit() for c in run) >= 7 and not _DATE.match(run.strip("+( "))


def _phone_masked(run: str) -> str:
    date = _DATE.match(run)
    if date:  # a date, and perhaps a number written after it
        rest = run[date.end() :]
        return date.group() + _PHONE.sub(lambda m: _phone_masked(m.group()), rest)
    return "[phone]" if _is_phone(run) else run


def _mask(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    return _PHONE.sub(lambda m: _phone_masked(m.group()), text)


def quote_cell(value: object) -> str:
    """A cell's text as an error message may show it: e-mail addresses and phone numbers
    replaced by ``[email]`` and ``[phone]``, then at most the first :data:`QUOTED_CHARS`
    characters (``...`` marks a cut).

    ``"call me on +1 555 0100, Jane Doe, 10 Main St"`` becomes ``"call me on [phone], Jane
    Doe, 10 Main St"``; a message never repeats more of a free-text answer than that.
    """
    text = _mask(_plain(str(value)[: 4 * QUOTED_CHARS]))
    return text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 3] + "..."


def looks_personal(text: str) -> bool:
    """True when a short identifier (a respondent id) is an e-mail address or a phone number,
    also when written with full-width characters (``jane.doe＠school.org``) or
    percent-escapes (``john.roe%40school.org``). Plain digit strings (platform ids such as
    SurveyMonkey's 11-digit ones) are not phone numbers here: a phone number has a ``+`` or
    separators."""
    plain = _plain(text).strip()
    if "@" in plain:
        return True
    if _ID_PHONE.match(plain) and not plain.isdigit():
        return _is_phone(plain)
    return False


def _runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet opening the CSV would run ``text`` as a formula: it starts (after
    blanks, which some programs trim) with ``=``, ``@``, or ``+``/``-`` followed by more than
    a plain number. ``-99`` and ``+3.5`` are values; ``-North`` and ``+South`` are formulas
    (a name reference) to Excel."""
    start = text.lstrip(" \t\r\n")
    if not start.startswith(_FORMULA_START):
        return False
    return start[0] in "=@" or not _PLAIN_NUMBER.match(start)


def _needs_prefix(text: str) -> bool:
    # Text that already starts with apostrophes before a formula gets one more, so that
    # uncsv_safe(csv_safe(t)) == t for every text t.
    return _runs_as_formula(text.lstrip("'"))


def csv_safe(text: str) -> str:
    """Neutralise a text cell that a spreadsheet would run as a formula (prefix ``'``).

    Numbers such as ``-99`` are left alone: they are values, not formulas. colead's readers
    remove the prefix again (:func:`uncsv_safe`), so ``-North`` written by colead reads back
    as ``-North``.
    """
    return "'" + text if text and _needs_prefix(text) else text


def uncsv_safe(text: str) -> str:
    """Remove the ``'`` that :func:`csv_safe` puts before a formula-like text (and only that
    one): ``"'-North"`` -> ``"-North"``, while ``"'tis"`` and ``"'5"`` stay as they are."""
    return text[1:] if text.startswith("'") and _needs_prefix(text[1:]) else text


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a frame as UTF-8 CSV with every text cell passed through :func:`csv_safe`.

    The file is written whole or not at all (a temporary file renamed over ``path``)."""
    from colead._files import check_output, replacing

    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype.kind not in "biufc":
            safe[column] = safe[column].map(lambda v: csv_safe(v) if isinstance(v, str) else v)
    safe.columns = [csv_safe(str(c)) for c in safe.columns]
    with replacing(check_output(path, name="path", func="write_csv")) as temp:
        safe.to_csv(temp, index=False, lineterminator="\n")
