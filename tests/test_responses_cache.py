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


def test_the_report_derives_each_table_from_the_responses_once(monkeypatch, tmp_path):
    import importlib

    aggregate_module = importlib.import_module("colead.schools.aggregate")
    resp = cl.simulate("colead-teacher", n_schools=8, respondents=(6, 12), seed=3)
    counts = {"scores": 0, "agreement": 0}
    real_score, real_agreement = scoring._score_frame, aggregate_module.scale_agreement

    def score_frame(*args, **kwargs):
        counts["scores"] += 1
        return real_score(*args, **kwargs)

    def scale_agreement(*args, **kwargs):
        counts["agreement"] += 1
        return real_agreement(*args, **kwargs)

    monkeypatch.setattr(scoring, "_score_frame", score_frame)
    monkeypatch.setattr(aggregate_module, "scale_agreement", scale_agreement)
    cl.report(resp, path=tmp_path / "r.html", progress=False)
    n_scales = len(resp.instrument.scale_list)
    assert counts == {"scores": 1, "agreement": n_scales}
    assert cl.influence(resp) is cl.influence(resp)  # read once, shared


def test_the_report_with_a_previous_wave_compares_the_waves_once(monkeypatch, tmp_path):
    import importlib

    change_module = importlib.import_module("colead.schools.change")
    first = cl.simulate("colead-teacher", n_schools=8, respondents=(6, 12), seed=3)
    second = cl.simulate(wave_of=first, change={"S01": 1.0}, seed=4)
    counts = {"scores": 0, "compared": 0}
    real_score, real_two_wave = scoring._score_frame, change_module.two_wave

    def score_frame(*args, **kwargs):
        counts["scores"] += 1
        return real_score(*args, **kwargs)

    def two_wave(*args, **kwargs):
        counts["compared"] += 1
        return real_two_wave(*args, **kwargs)

    monkeypatch.setattr(scoring, "_score_frame", score_frame)
    monkeypatch.setattr(change_module, "two_wave", two_wave)
    html = cl.report(second, path=tmp_path / "r.html", previous=first,
                     progress=False).read_text()
    # each wave scored once; the waves compared once for the district and once by school,
    # the conversation guide reading the report's table (not once per school or rule)
    assert counts == {"scores": 2, "compared": 2}
    assert "rose from" in html
