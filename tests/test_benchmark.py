"""cl.benchmark, norms files (load_norms, Norms.write), make_norms and the bundled NCES norms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import colead as cl
from colead.schools.norms import LABELS
from tests.conftest import REPO

NCES = REPO / "tests" / "reference" / "norms" / "nces_principal_influence.csv"


def norms_table(**extra: object) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": ["trust", "trust", "voice"],
            "mean": [4.0, 3.0, 2.5],
            "sd": [0.5, 1.0, 0.25],
            "year": ["2024", "2019", "2024"],
            "source": ["district", "district", "district"],
            **extra,
        }
    )


def test_benchmark_scale_and_bands() -> None:
    scores = pd.DataFrame(
        {"school_id": ["a", "b", "c", "d", "e", "f", "g"],
         "trust": [4.0, 4.25, 3.75, 4.75, 3.25, 2.0, np.nan]}
    )
    out = cl.benchmark(scores, norms_table())
    z = (scores["trust"] - 4.0) / 0.5
    assert_allclose(out["z"], z)
    assert_allclose(out["benchmark"], np.clip(50 + 20 * z, 1, 99))
    # cut points belong to the upper band
    assert list(out["band"].astype(object).fillna("-")) == [
        "neutral", "strong", "neutral", "very strong", "weak", "very weak", "-"]
    assert out["benchmark"].iloc[5] == 1  # z = -4 is clipped to the bottom of 1..99
    assert list(out["school_id"]) == list(scores["school_id"])
    assert (out["norm_year"] == "2024").all() and (out["measure"] == "trust").all()
    assert out["band"].cat.ordered and list(out["band"].cat.categories) == list(LABELS)


def test_benchmark_options_year_and_several_measures() -> None:
    scores = pd.DataFrame({"trust": [3.0, 4.0], "voice": [2.5, 3.0], "other": [1.0, 2.0]})
    out = cl.benchmark(scores, norms_table(), points_per_sd=10, center=100 / 2,
                       bands=(-1, 1), labels=("low", "mid", "high"))
    assert list(out["measure"]) == ["trust", "trust", "voice", "voice"]  # 'other' has no norms
    assert_allclose(out["benchmark"], [30, 50, 50, 70])
    assert list(out["band"]) == ["low", "mid", "mid", "high"]
    old = cl.benchmark(scores["trust"], norms_table(), year=2019)
    assert_allclose(old["z"], [0, 1])
    with pytest.raises(cl.InvalidParameterError, match="voice"):
        cl.benchmark(scores, norms_table(), measures=["voice"], year="2019")
    with pytest.raises(cl.InvalidParameterError, match="bands"):
        cl.benchmark(scores, norms_table(), bands=(1, -1))
    with pytest.raises(cl.InvalidParameterError, match="cover: trust, voice"):
        cl.benchmark(scores[["other"]], norms_table())


def test_bundled_nces_norms_equal_the_published_tables() -> None:
    assert "nces-principal-influence" in set(cl.list_norms()["name"])
    norms = cl.load_norms("nces-principal-influence")
    table = norms.table
    assert table["mean"].isna().all() and (table["at_least"] == 4).all()
    published = pd.read_csv(NCES, dtype={"survey": str}).set_index("survey")
    expected = published.stack().dropna().rename("percent").reset_index()
    expected.columns = ["year", "zone", "percent"]
    got = table[["year", "zone", "percent"]]
    merged = expected.merge(got, on=["year", "zone"], how="outer", suffixes=("", "_file"))
    assert len(merged) == len(table) == 16
    assert_allclose(merged["percent_file"], merged["percent"])
    # every measure is the principal's own-influence item of sass-principal-influence
    inst = cl.load_instrument("sass-principal-influence")
    assert set(table["measure"]) <= set(inst.items["item_id"])
    assert set(table["zone"]) == set(inst.influence.zone_ids)
    assert table["url"].str.startswith("https://nces.ed.gov/").all()
    with pytest.raises(cl.InvalidParameterError, match="inf_principal_hiring: percentages"):
        cl.benchmark(pd.DataFrame({"inf_principal_hiring": [4.0]}), norms)


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_norms_files_round_trip_and_are_never_overwritten(tmp_path, suffix) -> None:
    norms = cl.load_norms(norms_table(url=["=HYPERLINK(1)", None, None]))
    path = norms.write(tmp_path / f"norms{suffix}")
    back = cl.load_norms(path)
    keep = ["measure", "mean", "sd", "year", "source"]
    pd.testing.assert_frame_equal(back.table[keep], norms.table[keep])
    if suffix == ".csv":
        assert "'=HYPERLINK" in path.read_text()  # a formula in a CSV cell is neutralised
    before = path.read_text()
    with pytest.raises(FileExistsError):
        norms.write(path)
    assert path.read_text() == before
    norms.write(path, overwrite=True)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_yaml_defaults_and_every_problem_listed(tmp_path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "title: District 2024\nsource: our district\nyear: 2024\nlevel: school\nnorms:\n"
        "  - {measure: trust, mean: 4.1, sd: 0.45, n: 38}\n"
        "  - {measure: voice, percent: 40, at_least: 5, year: 2023}\n"
    )
    norms = cl.load_norms(good)
    assert norms.title == "District 2024"
    assert list(norms.table["year"]) == ["2024", "2023"]
    assert (norms.table["level"] == "school").all()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "source: s\nnorms:\n"
        "  - {measure: a, mean: 4.1, year: 2024}\n"
        "  - {measure: b, mean: x, sd: -1, year: 2024, colour: red}\n"
        "  - {measure: c, percent: 140}\n"
    )
    with pytest.raises(cl.ResponseDataError) as err:
        cl.load_norms(bad)
    problems = err.value.problems
    assert list(problems["row"]) == [3, 4, 4, 4, 5, 5]
    assert list(problems["column"]) == ["sd", "mean", "colour", "sd", "year", "percent"]
    assert "norms file" in str(err.value)
    with pytest.raises(cl.InvalidParameterError, match="nces-principal-influence"):
        cl.load_norms("no-such-norms")


def test_make_norms_from_respondents_and_schools() -> None:
    resp = cl.load_sample("district")
    scores = cl.score(resp)
    norms = cl.make_norms(resp, source="sample district", year=2026)
    row = norms.table.set_index("measure").loc["trust_principal"]
    assert_allclose(row["mean"], scores["trust_principal"].mean())
    assert_allclose(row["sd"], scores["trust_principal"].std())
    assert row["n"] == scores["trust_principal"].count() and row["level"] == "respondent"
    by_school = cl.make_norms(scores, source="sample district", year="2026", by="school_id")
    means = scores.groupby("school_id")["trust_principal"].mean()
    row = by_school.table.set_index("measure").loc["trust_principal"]
    assert_allclose([row["mean"], row["sd"], row["n"]], [means.mean(), means.std(), len(means)])
    # benchmarked against themselves, the school means average 50 with 20 points per sd
    out = cl.benchmark(means.rename("trust_principal"), by_school)
    assert_allclose([out["z"].mean(), out["z"].std()], [0, 1], atol=1e-12)


def test_make_norms_ignores_small_schools_entirely() -> None:
    # attack: change every answer of a school under min_n; the norms must not move
    rng = np.random.default_rng(3)
    scores = pd.DataFrame({"school_id": np.repeat(["a", "b", "c", "tiny"], [8, 9, 7, 3]),
                           "trust": rng.normal(4, 1, 27)})
    first = cl.make_norms(scores, source="s", year=1, by="school_id").table
    scores.loc[scores["school_id"] == "tiny", "trust"] = [1.0, 6.0, 2.0]
    second = cl.make_norms(scores, source="s", year=1, by="school_id").table
    pd.testing.assert_frame_equal(first, second)
    assert first["n"].iloc[0] == 3
    few = pd.DataFrame({"trust": [1.0, 2.0, 3.0, 4.0], "voice": rng.normal(size=4)})
    with pytest.raises(cl.InsufficientDataError), pytest.warns(cl.ColeadWarning, match="trust"):
        cl.make_norms(few, source="s", year=1)
    with pytest.raises(cl.InvalidParameterError, match="min_n"):
        cl.make_norms(scores, source="s", year=1, min_n=2)


def test_benchmark_reads_the_aggregate_table() -> None:
    resp = cl.load_sample("district")
    scores = cl.score(resp)
    norms = cl.make_norms(scores, source="sample", year=2026, by="school_id")
    table = cl.aggregate(scores, by="school_id", min_n=15)
    out = cl.benchmark(table, norms)
    assert set(out["measure"]) == set(table["scale"])
    assert list(out.columns[:2]) == ["school_id", "suppressed"]
    mine = out.set_index(["school_id", "measure"])
    src = table.set_index(["school_id", "scale"])
    for key in [("S01", "trust_principal"), ("S05", "shared_leadership")]:
        row = norms.table.set_index("measure").loc[key[1]]
        assert_allclose(mine.loc[key, "z"], (src.loc[key, "mean"] - row["mean"]) / row["sd"])
    hidden = out["suppressed"].to_numpy()
    assert hidden.any() and out.loc[hidden, ["benchmark", "z"]].isna().all().all()
    assert out.loc[hidden, "band"].isna().all()
