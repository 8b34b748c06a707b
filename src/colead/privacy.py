"""Privacy rules, in one place: personal columns, small-group suppression, safe CSV.

Personal columns (names, emails, IP addresses, locations, recipient fields, tokens, phone
numbers) are recognised by their header and removed at import unless asked otherwise. No
statistic resting on fewer than ``min_n`` respondents leaves the package: :func:`suppress`
blanks it, with complementary suppression for breakdowns. Text written to CSV that a
spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

__all__ = ["check_min_n", "csv_safe", "is_personal", "normalise_header", "suppress", "write_csv"]

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


# -- small-group suppression -----------------------------------------------------------------
#: Smallest min_n allowed without allow_small_groups=True.
SMALL_GROUP_FLOOR = 3


def check_min_n(min_n: int, func: str, *, allow_small_groups: bool = False) -> int:
    """``min_n`` must be a whole number of at least 1, and at least 3 unless the caller
    says ``allow_small_groups=True``: means of one or two teachers expose them."""
    from colead._validation import check_int
    from colead.exceptions import InvalidParameterError

    check_int(min_n, "min_n", func, low=1)
    if min_n < SMALL_GROUP_FLOOR and not allow_small_groups:
        raise InvalidParameterError(
            f"The 'min_n' parameter of {func} is {min_n}: groups that small can identify a "
            f"respondent. Use min_n >= {SMALL_GROUP_FLOOR}, or pass allow_small_groups=True."
        )
    return int(min_n)


def suppress(
    table: pd.DataFrame,
    *,
    min_n: int,
    n_column: str = "n",
    parent: list[str] | None = None,
    cell: list[str] | None = None,
) -> pd.DataFrame:
    """Blank every statistic of rows resting on fewer than ``min_n`` respondents.

    Rows stay (so the reader sees that a group exists) with ``suppressed = True`` and every
    column other than the identifying ones (``parent`` + ``cell``) missing, ``n`` included.
    With ``parent`` (for example ``["school_id", "scale"]``) and ``cell`` (for example
    ``["role"]``), a breakdown gets complementary suppression: where exactly one cell of a
    parent is hidden, the smallest other cell is hidden too, so the hidden one cannot be
    recovered by subtracting the published cells from the parent's total.
    """
    out = table.copy()
    n = out[n_column].fillna(0).to_numpy()
    hidden = n < min_n
    if parent and cell:
        frame = pd.DataFrame({"hidden": hidden, "n": n}, index=out.index)
        keys = [out[c] for c in parent]
        count = frame.groupby(keys, dropna=False)["hidden"].transform("sum").to_numpy()
        size = frame.groupby(keys, dropna=False)["hidden"].transform("size").to_numpy()
        needs_partner = (count == 1) & (size > 1)
        candidates = frame[needs_partner & ~hidden]
        if len(candidates):
            smallest = candidates.groupby(
                [out.loc[candidates.index, c] for c in parent], dropna=False
            )["n"].idxmin()
            hidden[out.index.get_indexer(smallest.to_numpy())] = True
    keep = set(parent or []) | set(cell or [])
    for column in (c for c in out.columns if c not in keep and c != "suppressed"):
        kind = out[column].dtype.kind
        if kind == "b":  # flags become nullable so that a hidden row says nothing
            out[column] = out[column].astype("boolean")
            out.loc[hidden, column] = pd.NA
        else:
            if kind in "iu":
                out[column] = out[column].astype(float)
            out.loc[hidden, column] = np.nan
    out["suppressed"] = hidden
    return out
