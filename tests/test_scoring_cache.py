"""Responses are scored once: later calls of score() reuse the scores and return copies."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

import colead as cl
from colead.psychometrics import scoring


def test_scores_are_computed_once_and_returned_as_copies(monkeypatch):
    resp = cl.load_sample("district")
    calls = []
    real = scoring._score_frame

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring, "_score_frame", counting)
    first = cl.score(resp)
    first.iloc[:, 2:] = -1.0  # a caller's edit must not reach the cache
    second = cl.score(resp, scales=["trust_principal"])
    assert len(calls) == 1
    assert list(second.columns) == ["respondent_id", "school_id", "trust_principal"]
    assert (second["trust_principal"].dropna() >= 1).all()
    fresh = real(resp.data, resp.instrument, list(resp.instrument.scale_list), None, False)
    pd.testing.assert_frame_equal(cl.score(resp), fresh)


def test_other_options_are_computed_afresh_and_new_responses_start_empty():
    resp = cl.load_sample("district")
    base = cl.score(resp)
    strict = cl.score(resp, min_valid=1.0)
    assert strict.iloc[:, 2:].isna().to_numpy().sum() > base.iloc[:, 2:].isna().to_numpy().sum()
    changed = resp.data.copy()
    item = resp.instrument.scales["trust_principal"].items[0]
    changed[item] = np.nan
    other = dataclasses.replace(resp, data=changed)
    assert other._cache == {}
    assert not cl.score(other)["trust_principal"].equals(base["trust_principal"])
    assert resp == dataclasses.replace(resp)  # the cache takes no part in equality
