"""cl.pseudonymise: a salted hash of an identifying column, the same person in every wave."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pandas as pd
import pytest

import colead as cl

SALT = "district-secret-2026-07"


def export(emails: list[str], seed: int) -> bytes:
    resp = cl.simulate(n_schools=2, respondents=len(emails) // 2, seed=seed)
    buffer = io.StringIO()
    frame = resp.data.copy()
    frame.insert(1, "Email", emails)
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def test_the_same_person_gets_the_same_key_and_nobody_their_address():
    emails = [f"teacher{i}@school.org" for i in range(10)]
    first = cl.read_responses(export(emails, 1), "colead-teacher", keep_pii=True)
    second = cl.read_responses(export([e.upper() + "  " for e in emails[::-1]], 2),
                               "colead-teacher", keep_pii=True)
    a, b = cl.pseudonymise(first, "Email", SALT), cl.pseudonymise(second, "Email", SALT)
    assert "Email" not in a.data.columns and "respondent_key" in a.data.columns
    assert list(a.data["respondent_key"]) == list(b.data["respondent_key"])[::-1]
    assert a.data["respondent_key"].str.fullmatch(r"[0-9a-f]{20}").all()
    assert a.log.pii_kept == () and "Email" in a.log.pii_removed
    assert any("salted hash" in w for w in a.log.warnings)
    text = a.data.to_csv()
    assert "@" not in text
    # a keyed hash: neither the plain SHA-256 of the address nor another salt's key
    plain = hashlib.sha256(emails[0].encode()).hexdigest()[:20]
    assert plain not in set(a.data["respondent_key"])
    other = cl.pseudonymise(first, "Email", SALT + "x")
    assert set(other.data["respondent_key"]).isdisjoint(a.data["respondent_key"])
    assert a.data["respondent_key"].is_unique


def test_pairs_from_pseudonymised_waves_feed_change():
    emails = [f"t{i}@x.org" for i in range(40)]
    first = cl.pseudonymise(cl.read_responses(export(emails, 3), "colead-teacher",
                                              keep_pii=True), "Email", SALT)
    second = cl.pseudonymise(cl.read_responses(export(emails, 4), "colead-teacher",
                                               keep_pii=True), "Email", SALT)
    table = cl.change(second, first, paired_by="respondent_key")
    # the simulated schools put teachers 0-19 in S01 and 20-39 in S02 both times
    assert (table["n_paired"] == table["n_current"]).all()


def test_frames_empty_keys_and_bad_salts():
    frame = pd.DataFrame({"school_id": ["A", "A", "B"], "staff": ["x1", "", None],
                          "s": [1.0, 2.0, 3.0]})
    out = cl.pseudonymise(frame, "staff", SALT)
    assert list(out.columns) == ["school_id", "respondent_key", "s"]
    assert isinstance(out["respondent_key"][0], str)
    assert out["respondent_key"][1:].isna().all()
    assert "staff" in frame.columns  # the input is not changed
    with pytest.raises(cl.InvalidParameterError, match="at least 16 characters"):
        cl.pseudonymise(frame, "staff", "short")
    with pytest.raises(cl.InvalidParameterError, match="'nope'"):
        cl.pseudonymise(frame, "nope", SALT)
    resp = cl.simulate(n_schools=1, respondents=5, seed=1)
    with pytest.raises(cl.InvalidParameterError, match="keep_pii=True"):
        cl.pseudonymise(resp, "Email", SALT)
    assert np.all(out["s"] == frame["s"])
