"""Pseudonymous respondent keys: a salted hash of an identifying column, made at import, so
that the same teacher can be followed from one survey wave to the next without anyone who
reads the data learning who the teacher is.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import unicodedata
from typing import TypeVar

import numpy as np
import pandas as pd

from colead.exceptions import InvalidParameterError
from colead.io.responses import KEY_COLUMN, ImportLog, Responses

__all__ = ["KEY_COLUMN", "MIN_SALT_CHARACTERS", "pseudonymise"]

#: A shorter salt could be found by trying every staff e-mail with every short salt.
MIN_SALT_CHARACTERS = 16
#: Hex characters kept of the HMAC-SHA256 (80 bits: no collision among millions of people).
KEY_CHARACTERS = 20

T = TypeVar("T", Responses, pd.DataFrame)


def pseudonymise(responses: T, key_column: str, salt: str | bytes) -> T:
    """Replace an identifying column by a salted hash, ``respondent_key``.

    Parameters
    ----------
    responses : Responses or DataFrame
        Responses read with ``keep_pii=True`` (so that the identifying column, an e-mail
        address or a staff number, is still there), or a table (an export, or scores).
    key_column : str
        The identifying column. Its text is compared without blanks at either end, case or
        Unicode width (``Jane.Doe@School.org `` and ``jane.doe@school.org`` are one key);
        empty cells give no key.
    salt : str or bytes
        A secret of at least 16 characters, the same for every wave of a district and kept
        apart from the data (``python -c "import secrets; print(secrets.token_hex(16))"``
        makes one). Without it nobody can tell whose key is whose; with it and a staff list,
        anyone can, so keep it like a password.

    Returns
    -------
    Responses or DataFrame
        The same type: ``key_column`` removed and ``respondent_key`` in its place (20 hex
        characters of HMAC-SHA256(salt, key)). For Responses the import log lists the column
        as removed and says that it was replaced.

    Notes
    -----
    A keyed hash (HMAC) rather than a plain hash of the e-mail: a plain hash of a known staff
    list is reversed by hashing the list. Pass ``paired_by="respondent_key"`` to
    :func:`colead.change` to pair the respondents of two waves.
    """
    secret = salt.encode("utf-8") if isinstance(salt, str) else salt
    if not isinstance(secret, bytes) or len(secret) < MIN_SALT_CHARACTERS:
        raise InvalidParameterError(
            f"The 'salt' parameter of pseudonymise must be a secret text of at least "
            f"{MIN_SALT_CHARACTERS} characters (python -c \"import secrets; "
            "print(secrets.token_hex(16))\" makes one); keep it apart from the data and use "
            "the same one for every wave.")
    frame = responses.data if isinstance(responses, Responses) else responses
    if not isinstance(frame, pd.DataFrame):
        raise InvalidParameterError("The 'responses' parameter of pseudonymise must be "
                                    f"Responses or a DataFrame; got {type(responses).__name__}.")
    if key_column not in frame.columns:
        hint = (" (read the export with keep_pii=True to keep a personal column)"
                if isinstance(responses, Responses) else "")
        raise InvalidParameterError(f"The 'key_column' parameter of pseudonymise names "
                                    f"{key_column!r}, which the data do not have{hint}.")
    if key_column != KEY_COLUMN and KEY_COLUMN in frame.columns:
        raise InvalidParameterError(f"The data already have a {KEY_COLUMN!r} column.")
    keys = _hash(frame[key_column], secret)
    at = list(frame.columns).index(key_column)
    out = frame.drop(columns=key_column)
    out.insert(at, KEY_COLUMN, keys)
    if isinstance(responses, pd.DataFrame):
        return out
    before: ImportLog = responses.log
    log = dataclasses.replace(
        before,
        pii_kept=tuple(c for c in before.pii_kept if c != key_column),
        pii_removed=(*before.pii_removed, key_column),
        warnings=(*before.warnings, f"{key_column!r} was replaced by a salted hash, "
                                 f"{KEY_COLUMN!r}"),
    )
    return dataclasses.replace(responses, data=out, log=log)


def _hash(values: pd.Series, secret: bytes) -> np.ndarray:
    out = np.full(len(values), np.nan, dtype=object)
    for i, value in enumerate(values.to_numpy(dtype=object)):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
        if text:
            digest = hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()
            out[i] = digest[:KEY_CHARACTERS]
    return out
