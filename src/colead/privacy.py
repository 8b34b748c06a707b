"""Privacy rules: which columns are personal, and safe text for CSV files.

Personal columns (names, emails, IP addresses, locations, recipient fields, tokens, phone
numbers) are recognised by their header and removed at import unless asked otherwise.
Text written to CSV that a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["csv_safe", "is_personal", "normalise_header", "write_csv"]

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
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def normalise_header(text: str) -> str:
    """Lower-case letters and digits only: ``"IP Address"`` -> ``"ipaddress"``."""
    return _NON_ALNUM.sub("", text.casefold())


def is_personal(header: str) -> bool:
    """True when a column with this header holds personal data (by its name)."""
    key = normalise_header(header)
    return key in _PERSONAL or key.startswith(_PERSONAL_PREFIXES)


def csv_safe(text: str) -> str:
    """Neutralise a text cell that a spreadsheet would run as a formula (prefix ``'``).

    Numbers such as ``-99`` are left alone: they are values, not formulas.
    """
    if not text or not text.startswith(_FORMULA_START):
        return text
    try:
        float(text)
    except ValueError:
        return "'" + text
    return text


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a frame as UTF-8 CSV with every text cell passed through :func:`csv_safe`."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype.kind not in "biufc":
            safe[column] = safe[column].map(lambda v: csv_safe(v) if isinstance(v, str) else v)
    safe.columns = [csv_safe(str(c)) for c in safe.columns]
    safe.to_csv(path, index=False, lineterminator="\n")
