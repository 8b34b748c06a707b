"""Attacks on colead's own outputs: each builds data with a small group, publishes through the
public functions (and the HTML report, parsed back), combines the published figures as an
attacker would, and checks that nothing about fewer than min_n people comes out.

The rule under attack (README, "Privacy"): the hidden remainder of every total holds at least
min_n people, or the total is hidden too; item-level detail needs item_min_n answers.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import colead as cl
from colead.io.responses import ImportLog, Responses
from colead.privacy import protect

MIN_N = 5


# -- data -------------------------------------------------------------------------------------
def district(sizes: dict[str, int], *, no_school: int = 0, missing: float = 0.0,
             low: tuple[str, ...] = (), seed: int = 1) -> Responses:
    """Simulated teachers of schools of the given sizes, plus ``no_school`` respondents
    without a school. Schools in ``low`` answer every scale item at its lowest point (after
    reverse keying) and every influence cell with "no influence", so that a leak of their
    figures would be unmistakable."""
    plan = dict(sizes)
    if no_school:
        plan["_none"] = no_school
    schools = pd.DataFrame({"school_id": list(plan), "n_respondents": list(plan.values())})
    sim = cl.simulate(schools=schools, missing=missing, seed=seed)
    inst = sim.instrument
    data = sim.data.copy()
    for school in low:
        rows = data["school_id"] == school
        for item in inst.item_list:
            if item.scale is None or item.id not in data:
                continue
            rs = inst.response_scale_of(item.id)
            data.loc[rows, item.id] = float(rs.max if item.reverse else rs.min)
        for _, _, item_id in inst.influence.cells:
            data.loc[rows, item_id] = 1.0
    data.loc[data["school_id"] == "_none", "school_id"] = np.nan
    log = ImportLog(source="test", rows_read=len(data), rows_kept=len(data))
    return Responses(data=data, log=log, platform="csv", instrument=inst)


def shown(table: pd.DataFrame) -> pd.DataFrame:
    return table[~table["suppressed"].astype(bool)]


# -- reading the report back ------------------------------------------------------------------
class Tables(HTMLParser):
    """Every table of a page: the id of the section it is in, its caption, its rows of cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.sections: list[str] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id") or "")
        elif tag == "table":
            self.tables.append({"section": self.sections[-1] if self.sections else "",
                                "caption": "", "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "section" and self.sections:
            self.sections.pop()
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = "".join(self._caption).strip()
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(unescape("".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)


def read_report(responses: Responses, tmp_path, **options) -> tuple[str, list[dict]]:
    path = cl.report(responses, path=tmp_path / "report.html", progress=False, **options)
    html = path.read_text(encoding="utf-8")
    parser = Tables()
    parser.feed(html)
    return html, parser.tables


def number(text: str) -> float | None:
    return float(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else None


def published_means(tables: list[dict], titles: dict[str, str]) -> tuple[dict, dict]:
    """What the report publishes: the district (mean, n) per scale and each school's
    (mean, n) per scale, for the rows that show numbers."""
    by_title = {v: k for k, v in titles.items()}
    district_rows, schools = {}, {}
    for table in tables:
        if table["caption"].startswith("District mean and standard deviation"):
            for row in table["rows"][1:]:
                if number(row[1]) is not None:
                    district_rows[by_title[row[0]]] = (float(row[1]), int(row[3]))
        elif table["caption"].endswith("the reliability of the school mean"):
            for row in table["rows"][1:]:
                if len(row) == 7 and number(row[2]) is not None:
                    schools.setdefault(table["section"], {})[by_title[row[0]]] = (
                        float(row[2]), int(row[1]))
    return district_rows, schools


def subtract(district_rows: dict, schools: dict) -> dict[str, tuple[float, int]]:
    """The attack: (district mean x n - sum of shown school mean x n) / remaining n."""
    out = {}
    for scale, (mean, n) in district_rows.items():
        parts = [s[scale] for s in schools.values() if scale in s]
        rest_n = n - sum(p[1] for p in parts)
        rest_sum = mean * n - sum(p[0] * p[1] for p in parts)
        out[scale] = (rest_sum / rest_n if rest_n else np.nan, rest_n)
    return out


# -- 1. district minus shown schools, from the HTML report -------------------------------------
@pytest.mark.parametrize("sizes, no_school, small", [
    ({"A": 8, "B": 7, "C": 6, "D": 3}, 0, "D"),   # the district
    ({"A": 8, "B": 7, "C": 6}, 2, None),           # "Responses without a school: 2"
    ({"A": 8, "B": 7, "C": 6, "D": 3}, 2, "D"),   # both: the union 5 is enough
])
def test_district_minus_shown_schools_pins_down_nobody(sizes, no_school, small, tmp_path):
    responses = district(sizes, no_school=no_school, low=(small,) if small else ())
    titles = {sc.id: sc.title for sc in responses.instrument.scale_list}
    html, tables = read_report(responses, tmp_path, min_n=MIN_N)
    if no_school:
        assert f"Responses without a school</th><td>{no_school}" in html
    district_rows, schools = published_means(tables, titles)
    assert set(district_rows) == set(titles)  # the district is large enough to be shown
    scores = cl.score(responses)
    for scale, (recovered, rest_n) in subtract(district_rows, schools).items():
        assert rest_n == 0 or rest_n >= MIN_N, (scale, rest_n)
        if rest_n:
            # what the attacker gets is the mean of everyone hidden: at least min_n people
            shown_ids = [k.removeprefix("school-") for k, v in schools.items() if scale in v]
            hidden = scores[~scores["school_id"].isin(shown_ids)][scale].dropna()
            assert len(hidden) == rest_n >= MIN_N
            assert recovered == pytest.approx(hidden.mean(), abs=0.05)  # rounding only
            if small:  # and not the small school's (every score 1)
                assert recovered > 1.3


def test_complementary_school_is_hidden_and_labelled(tmp_path):
    responses = district({"A": 8, "B": 7, "C": 6, "D": 3})
    html, _ = read_report(responses, tmp_path, min_n=MIN_N)
    section = html[html.index('id="school-C"'):]
    section = section[:section.index("</section>")]
    assert "held back so that a smaller group" in section
    assert "6 respondents." in section  # the school itself is named, with its size
    d = html[html.index('id="school-D"'):]
    assert "Fewer than 5 respondents" in d[:d.index("</section>")]


# -- 2. breakdowns ------------------------------------------------------------------------------
def breakdown_scores() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for school, roles in {"A": {"teacher": 10, "leader": 2, "aide": 2, None: 1},
                          "B": {"teacher": 9, "leader": 6},
                          "C": {"teacher": 8, "leader": 7, "aide": 1}}.items():
        for role, n in roles.items():
            values = np.full(n, 1.0) if role in ("leader", "aide") and school == "A" \
                else rng.normal(4, 0.5, n)
            rows += [{"district": "D1", "school_id": school, "role": role, "trust": v}
                     for v in values]
    return pd.DataFrame(rows)


def test_school_total_minus_shown_role_cells_pins_down_nobody():
    scores = breakdown_scores()
    cells = cl.aggregate(scores, by=["school_id", "role"], min_n=MIN_N)
    totals = cl.aggregate(scores, by="school_id", min_n=MIN_N)
    whole = cl.aggregate(scores, by="district", min_n=MIN_N)
    # school total minus its shown role cells (the teachers without a role are in the total)
    for row in shown(totals).itertuples():
        parts = shown(cells[cells["school_id"] == row.school_id])
        rest_n = row.n - parts["n"].sum()
        assert rest_n == 0 or rest_n >= MIN_N, (row.school_id, rest_n)
        if rest_n:
            recovered = (row.mean * row.n - (parts["mean"] * parts["n"]).sum()) / rest_n
            assert recovered != pytest.approx(1.0, abs=0.2)  # not the 4 small-role teachers
    # A: 10 teachers, 2 leaders, 2 aides, 1 without a role: everything in A is hidden
    assert cells.loc[cells["school_id"] == "A", "suppressed"].all()
    # district minus shown schools, and shown cells never exceed their (shown) school
    rest = whole["n"].iloc[0] - shown(totals)["n"].sum()
    assert rest == 0 or rest >= MIN_N
    hidden_schools = set(totals.loc[totals["suppressed"], "school_id"])
    assert cells.loc[cells["school_id"].isin(hidden_schools), "suppressed"].all()


def test_breakdown_of_responses_protects_the_school_total():
    responses = district({"A": 14, "B": 9, "C": 8}, seed=3)
    data = responses.data
    order = data.groupby("school_id").cumcount()
    # two teachers per school without a role, six leaders, the rest teachers: A 2/6/6,
    # B 2/6/1, C 2/6/0
    data["role"] = np.select([order < 2, order < 8], [None, "leader"], "teacher")
    cells = cl.aggregate(responses, by=["school_id", "role"], min_n=MIN_N)
    totals = cl.aggregate(responses, by="school_id", min_n=MIN_N)
    merged = shown(totals).merge(
        shown(cells).groupby(["school_id", "scale"], observed=True)["n"].sum()
        .rename("parts").reset_index(), on=["school_id", "scale"], how="left").fillna(0)
    rest = merged["n"] - merged["parts"]
    assert ((rest == 0) | (rest >= MIN_N)).all()
    assert set(merged["school_id"]) == {"A", "B", "C"}


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D", None]),
                          st.sampled_from(["x", "y", "z", None])), min_size=1, max_size=70),
       st.integers(3, 8))
def test_protect_leaves_no_small_remainder_in_any_total(rows, min_n):
    frame = pd.DataFrame(rows, columns=["school", "role"])
    counts = frame.groupby(["school", "role"], dropna=False).size().rename("n").reset_index()
    cells = protect(counts, ["school", "role"], min_n=min_n)
    schools = protect(counts, ["school"], min_n=min_n)
    total = len(frame)
    if total < min_n:  # the whole is hidden, and so is every part of it
        assert schools["hidden"].all() and cells["hidden"].all()
    # the whole minus the shown schools: hidden schools and people without a school
    held = total - schools.loc[~schools["hidden"], "n"].sum()
    assert held == 0 or held >= min_n or total < min_n
    hidden_parts = schools.loc[schools["hidden"], "n"].sum()
    assert hidden_parts == 0 or hidden_parts >= min_n or schools["hidden"].all()
    for school in schools.itertuples():
        mine = cells[cells["school"] == school.school]
        if school.hidden:
            assert mine["hidden"].all()
            continue
        rest = school.n - mine.loc[~mine["hidden"], "n"].sum()
        assert rest == 0 or rest >= min_n
        assert (mine.loc[~mine["hidden"], "n"] >= min_n).all()


# -- 3. influence grid: overall minus by school -------------------------------------------------
def test_influence_overall_minus_by_school_pins_down_nobody():
    responses = district({"A": 9, "B": 8, "C": 7, "D": 3}, no_school=1, low=("D",), seed=5)
    result = cl.influence(responses)
    overall = result.matrix(long=True, min_n=MIN_N).set_index(["stakeholder", "zone"])
    by_school = result.matrix(by="school_id", long=True, min_n=MIN_N)
    parts = shown(by_school).assign(total=lambda t: t["mean"] * t["n"]).groupby(
        ["stakeholder", "zone"], observed=True)[["n", "total"]].sum()
    parts = parts.rename(columns={"n": "n_shown"})
    joined = shown(overall).join(parts).fillna({"n_shown": 0, "total": 0})
    rest_n = joined["n"] - joined["n_shown"]
    assert ((rest_n == 0) | (rest_n >= MIN_N)).all()
    recovered = (joined["mean"] * joined["n"] - joined["total"]) / rest_n
    assert (recovered > 1.0).all()  # D rated every cell 1: its cells are never rebuilt
    # a school's indices use only the cells shown for it
    indices = result.indices(by="school_id", min_n=MIN_N)
    assert indices.loc[indices["school_id"] == "D", "suppressed"].all()
    cells = by_school.set_index(["school_id", "stakeholder", "zone"])
    for row in shown(indices).itertuples():
        principal = cells.loc[(row.school_id, "principal", row.zone)]
        if principal["suppressed"]:
            assert np.isnan(row.principal)
        else:
            assert row.principal == pytest.approx(principal["mean"])


def test_perception_gaps_hide_the_teacher_cells_the_grid_hides():
    teachers = district({"A": 9, "B": 8, "C": 7, "D": 3}, no_school=1, seed=8)
    schools = pd.DataFrame({"school_id": ["A", "B", "C", "D"], "n_respondents": 1})
    principals = cl.simulate("sass-principal-influence", schools=schools, seed=8)
    gaps = cl.perception_gaps(principals, teachers, min_n=MIN_N)
    grid = cl.influence(teachers).matrix(by="school_id", long=True, min_n=MIN_N)
    hidden = set(zip(grid.loc[grid["suppressed"], "school_id"],
                     grid.loc[grid["suppressed"], "stakeholder"].astype(str),
                     grid.loc[grid["suppressed"], "zone"].astype(str), strict=True))
    true_n = cl.influence(teachers).matrix(by="school_id", long=True, min_n=1,
                                           allow_small_groups=True)
    true_n = true_n.set_index(["school_id", true_n["stakeholder"].astype(str),
                               true_n["zone"].astype(str)])["n"]
    complements = 0
    for row in gaps.itertuples():
        cell = (row.school_id, row.teacher_stakeholder, str(row.zone))
        if cell in hidden:
            assert row.suppressed and np.isnan(row.teacher_mean)
            complements += true_n[cell] >= MIN_N
    assert complements  # cells of a school of 7 hidden to protect D (3) and the 1 without


# -- 4. item shares -----------------------------------------------------------------------------
def test_item_shares_need_item_min_n_answers_and_a_shown_scale(tmp_path):
    responses = district({"A": 12, "B": 12, "C": 8, "E": 11}, seed=2)
    data = responses.data
    inst = responses.instrument
    scale = inst.scales["trust_principal"]
    # in E only one teacher answers the trust items: the scale row says "fewer than 5"
    lone = data.index[data["school_id"] == "E"][1:]
    data.loc[lone, list(scale.items)] = np.nan
    html, tables = read_report(responses, tmp_path, min_n=MIN_N, item_min_n=10)

    def likert_of(school: str) -> list[str]:
        section = html[html.index(f'id="school-{school}"'):]
        section = section[:section.index("</section>")]
        return re.findall(r'<figure class="chart likert"[^>]*>\s*<figcaption>([^<]*)', section)

    assert len(likert_of("A")) == len(inst.scale_list)  # 12 answers to every item
    assert likert_of("C") == []  # 8 < item_min_n: scale means only
    assert unescape(scale.title) not in [unescape(t) for t in likert_of("E")]
    e = html[html.index('id="school-E"'):]
    e = e[:e.index("</section>")]
    assert "fewer than 5 respondents" in e
    # no share table in E prints the lone teacher's answers
    shares = [t for t in tables if t["section"] == "school-E"
              and t["caption"].startswith(unescape(scale.title))]
    assert shares == []


def test_distribution_needs_item_min_n_and_protects_the_total():
    schools = pd.DataFrame({"school_id": ["A", "B", "C", "D"], "n_respondents": [14, 12, 11, 4]})
    collab = cl.simulate("colead-collaboration", schools=schools, seed=4)
    table = cl.distribution(collab, "cop_stage", by="school_id")
    overall = cl.distribution(collab, "cop_stage", by=None)
    per_school = table.groupby("school_id")["suppressed"].first()
    assert per_school["D"]  # 4 answers
    counts = collab.data.groupby("school_id")["cop_stage"].count()
    shown_n = sum(counts[s] for s, hidden in per_school.items() if not hidden)
    rest = overall["n"].iloc[0] - shown_n
    assert rest == 0 or rest >= 10  # item-level: the remainder needs item_min_n answers
    lower = cl.distribution(collab, "cop_stage", by="school_id", item_min_n=5)
    assert lower.groupby("school_id")["suppressed"].first().sum() <= per_school.sum()


# -- 5. agreement statistics rest on their own rows ---------------------------------------------
def test_rwg_rests_on_complete_rows_and_is_suppressed_on_them():
    responses = district({"A": 6, "B": 7, "C": 12, "D": 20}, missing=0.12, seed=11)
    inst = responses.instrument
    table = cl.aggregate(responses, min_n=MIN_N)
    data = responses.data
    for row in shown(table).itertuples():
        items = list(inst.scales[row.scale].items)
        complete = data.loc[data["school_id"] == row.school_id, items].notna().all(axis=1).sum()
        assert row.rwg_n == complete
        assert np.isnan(row.rwg_j) == (complete < MIN_N) or complete < 2
    assert (shown(table)["rwg_n"] < MIN_N).any()  # shown schools whose rwg(j) is left out
    # item-wise, as multilevel 2.8: the fewest answers to any item
    itemwise = cl.aggregate(responses, min_n=MIN_N, missing="itemwise")
    scale = inst.scales["shared_leadership"]
    reference = cl.rwg_j(data[list(scale.items)], data["school_id"], scale_points=6,
                         missing="itemwise", min_n=1).set_index("school_id")
    mine = shown(itemwise[itemwise["scale"] == "shared_leadership"]).set_index("school_id")
    counts = data.groupby("school_id")[list(scale.items)].count().min(axis=1)
    assert_allclose(mine["rwg_n"], counts.loc[mine.index])
    expected = reference.loc[mine.index, "rwg_j"].where(counts.loc[mine.index] >= MIN_N)
    assert_allclose(mine["rwg_j"], expected)
    # the agreement table summarises only the rwg(j) that aggregate shows
    summary = cl.agreement(responses, min_n=MIN_N).set_index("scale")
    for scale_id, part in shown(table).groupby("scale"):
        values = part["rwg_j"].dropna()
        assert_allclose(summary.loc[scale_id, "rwg_j_mean"], values.mean() if len(values)
                        else np.nan)


def test_public_agreement_functions_take_min_n():
    responses = district({"A": 6, "B": 7, "C": 4}, missing=0.15, seed=12)
    items = responses.data[list(responses.instrument.scales["trust_principal"].items)]
    groups = responses.data["school_id"]
    for func, kwargs in ((cl.rwg_j, {"scale_points": 6}), (cl.rwg_j_lindell, {"scale_points": 6}),
                         (cl.awg, {"low": 1, "high": 6}), (cl.ad, {})):
        r_like = func(items, groups, min_n=1, **kwargs)
        table = func(items, groups, **kwargs)  # default min_n=5
        column = table.columns[2]
        complete = items.notna().all(axis=1).groupby(groups).sum()
        small = complete[complete < 5].index
        assert len(small) >= 1
        hidden = table.set_index("school_id").loc[small]
        assert hidden["suppressed"].all() and hidden[["n", column]].isna().all().all()
        big = table.set_index("school_id").drop(index=small)
        assert_allclose(big[column], r_like.set_index("school_id").loc[big.index, column])
    one = cl.rwg(items.iloc[:, 0], groups, scale_points=6)
    answers = items.iloc[:, 0].notna().groupby(groups).sum()
    assert (one.set_index("school_id")["suppressed"] == (answers < 5)).all()


def test_icc_and_shown_schools_do_not_move_when_a_hidden_school_changes():
    """Differential attack: change only the small school's answers. No shown school row,
    no agreement figure and no school-mean correlation may change."""
    base = district({"A": 8, "B": 7, "C": 6, "D": 3}, seed=21)
    other = district({"A": 8, "B": 7, "C": 6, "D": 3}, low=("D",), seed=21)
    tables = [cl.aggregate(r, min_n=MIN_N) for r in (base, other)]
    pd.testing.assert_frame_equal(shown(tables[0]), shown(tables[1]))
    pd.testing.assert_frame_equal(cl.agreement(base), cl.agreement(other))
    pairs = [cl.correlate(cl.score(r), by="school_id", level="school") for r in (base, other)]
    pd.testing.assert_frame_equal(pairs[0], pairs[1])


# -- 6. a district under min_n ------------------------------------------------------------------
def test_a_district_under_min_n_shows_no_statistic(tmp_path):
    responses = district({"A": 2, "B": 2}, seed=6)
    _, tables = read_report(responses, tmp_path, min_n=MIN_N)
    district_tables = [t for t in tables if t["section"] == "district"]
    assert district_tables
    for table in district_tables:
        for row in table["rows"][1:]:
            values = [c for c in row[1:] if number(c) is not None]
            if table["caption"].startswith("Internal consistency"):
                values = values[1:]  # the number of items is not a statistic of people
            if table["caption"].startswith("Agreement and reliability"):
                values = values[:-2]  # counts of schools
            assert values == [], (table["caption"], row)
    assert cl.aggregate(responses.data.assign(district="D1")[["district", "sl1"]],
                        by="district")["suppressed"].all()


# -- 7. Rasch scores and shares beside the nation (issue 21) ------------------------------------
def _school_rows(tables: list[dict], marker: str) -> dict[str, list[list[str]]]:
    """Per school section: the rows (header first) of its table whose caption holds
    ``marker``."""
    return {t["section"]: t["rows"] for t in tables if marker in t["caption"]}


@pytest.mark.parametrize("no_school", [0, 2])
def test_rasch_scores_district_minus_shown_schools_pins_down_nobody(no_school, tmp_path):
    """The district's Rasch score and the shown schools' (with their n) give, in z units of
    the reference, the mean measure of everyone else: at least min_n people, never the small
    school alone."""
    responses = district({"A": 8, "B": 7, "C": 6, "D": 3}, no_school=no_school, low=("D",))
    inst = responses.instrument
    titles = {sc.title: sc.id for sc in inst.scale_list}
    _, tables = read_report(responses, tmp_path, min_n=MIN_N, scores="rasch")
    whole = next(t for t in tables if t["caption"].startswith("District mean and standard"))
    schools = _school_rows(tables, "scale means with 95% intervals")
    assert set(schools) == {"school-A", "school-B", "school-C"}  # D's section: a notice
    scores = cl.score(responses)
    data = responses.data
    checked = 0
    for row in whole["rows"][1:]:
        scale = titles[row[0]]
        if number(row[4]) is None:  # no Rasch score at all (the model could not be fitted)
            assert row[5] == "the Rasch model could not be fitted to these answers"
            assert all(number(next(r for r in rows[1:] if r[0] == row[0])[4]) is None
                       for rows in schools.values() if len(rows[1]) == 9)
            continue
        n_all, z_all = int(row[3]), (float(row[4]) - 50) / 20
        parts = []
        for section, rows in schools.items():
            mine = next(r for r in rows[1:] if r[0] == row[0])
            if len(mine) == 9 and number(mine[4]) is not None:
                parts.append((section.removeprefix("school-"), int(mine[1]),
                              (float(mine[4]) - 50) / 20))
        assert [p[0] for p in parts] == ["A", "B"]  # D too small, C held back to protect it
        rest_n = n_all - sum(n for _, n, _ in parts)
        assert rest_n >= MIN_N
        recovered = (n_all * z_all - sum(n * z for _, n, z in parts)) / rest_n
        # what it describes: the mean measure of everyone outside A and B (C, D, no school)
        sc = inst.scales[scale]
        fit = cl.rasch(cl.psychometrics.keyed_items(data, inst, sc), scale_min=sc.min,
                       calibrate=data["school_id"].isin(["A", "B"]).to_numpy())
        measure = fit.persons["estimate"].where(scores[scale].notna())
        means = measure.groupby(data["school_id"]).mean()
        mu, sd = means[["A", "B"]].mean(), means[["A", "B"]].std(ddof=1)
        rest = measure[~data["school_id"].isin(["A", "B"])].dropna()
        assert len(rest) == rest_n
        if 1 < float(row[4]) < 99:  # a clipped district score tells even less
            tolerance = 0.5 / 20 * (n_all + sum(n for _, n, _ in parts)) / rest_n
            assert recovered == pytest.approx((rest.mean() - mu) / sd, abs=tolerance + 1e-9)
            small = (measure[data["school_id"] == "D"].mean() - mu) / sd
            assert abs(recovered - small) > 3 * tolerance
            checked += 1
    assert checked >= 2, checked



def test_rasch_figures_do_not_move_when_a_hidden_school_changes(tmp_path):
    """Differential attack: change only the small school's answers, to answers that would
    pull the items' calibration hard (every other item at the top, the rest at the bottom).
    The items are calibrated on the shown schools, so no shown school's Rasch score, no
    person reliability and no item fit in the report may change."""
    base = district({"A": 14, "B": 12, "C": 9, "D": 3}, seed=21)
    inst = base.instrument
    data = base.data.copy()
    rows = data["school_id"] == "D"
    for n, item in enumerate(i for i in inst.item_list if i.scale and i.id in data):
        rs = inst.response_scale_of(item.id)
        data.loc[rows, item.id] = float(rs.max if n % 2 else rs.min)
    other = Responses(data=data, log=base.log, platform="csv", instrument=inst)
    pages = []
    for n, responses in enumerate((base, other)):
        (tmp_path / str(n)).mkdir()
        _, tables = read_report(responses, tmp_path / str(n), min_n=MIN_N, scores="rasch")
        pages.append({(t["section"], t["caption"]): t["rows"] for t in tables
                      if t["section"] != "district" or "Rasch" in t["caption"]
                      or "reliab" in t["caption"].casefold()})

    def own(rows: list[list[str]]) -> list[list[str]]:
        """The school's own columns (the district's mean, a protected total, may move)."""
        keep = [i for i, name in enumerate(rows[0]) if "district" not in name.casefold()]
        return [[row[i] for i in keep if i < len(row)] for row in rows]

    shown_schools = {k: v for k, v in pages[0].items() if k[0] in ("school-A", "school-B")}
    assert shown_schools
    scores = 0
    for key, rows in shown_schools.items():
        assert own(pages[1][key]) == own(rows), key
        if "Rasch score" in key[1]:
            scores += sum(number(row[4]) is not None for row in rows[1:])
    assert scores >= 4  # Rasch scores were shown, and did not move
    reliability = [k for k in pages[0] if "reliab" in k[1].casefold() and k[0] == "district"]
    assert reliability
    for key in reliability:
        assert pages[1][key] == pages[0][key], key

def principals(sizes: dict[str, int], *, no_school: int = 0, low: tuple[str, ...] = (),
               seed: int = 4) -> Responses:
    """Simulated principals (sass-principal-influence) of groups of the given sizes; groups
    in ``low`` answer "no influence" everywhere."""
    plan = dict(sizes)
    if no_school:
        plan["_none"] = no_school
    schools = pd.DataFrame({"school_id": list(plan), "n_respondents": list(plan.values())})
    sim = cl.simulate("sass-principal-influence", schools=schools, seed=seed)
    data = sim.data.copy()
    for group in low:
        rows = data["school_id"] == group
        for _, _, item_id in sim.instrument.influence.cells:
            data.loc[rows, item_id] = 1.0
    data.loc[data["school_id"] == "_none", "school_id"] = np.nan
    log = ImportLog(source="test", rows_read=len(data), rows_kept=len(data))
    return Responses(data=data, log=log, platform="csv", instrument=sim.instrument)


@pytest.mark.parametrize("sizes, no_school", [
    ({"A": 8, "B": 7, "C": 6, "D": 3}, 0),
    ({"A": 8, "B": 7, "C": 6}, 2),
])
def test_shares_beside_the_nation_district_minus_shown_groups_pins_down_nobody(
        sizes, no_school, tmp_path):
    responses = principals(sizes, no_school=no_school, low=("D",) if "D" in sizes else ())
    _, tables = read_report(responses, tmp_path, min_n=MIN_N)
    whole = next(t for t in tables if t["caption"].startswith("Your principals and the nation"))
    groups = _school_rows(tables, "share of principals answering")
    data = responses.data
    zones = {label: zone for zone, label in responses.instrument.influence.zone_labels.items()}
    for row in whole["rows"][1:]:
        item = f"inf_principal_{zones[row[0]]}"
        n_all, pct_all = int(row[2]), float(row[1].rstrip("%"))
        parts = []
        for section, rows in groups.items():
            mine = next(r for r in rows[1:] if r[0] == row[0])
            if mine[1].endswith("%"):
                parts.append((section.removeprefix("school-"), int(mine[2]),
                              float(mine[1].rstrip("%"))))
        rest_n = n_all - sum(n for _, n, _ in parts)
        assert rest_n == 0 or rest_n >= MIN_N, (item, rest_n)
        assert "D" not in {p[0] for p in parts}
        if rest_n:
            recovered = (n_all * pct_all - sum(n * p for _, n, p in parts)) / rest_n
            rest = data.loc[~data["school_id"].isin([p[0] for p in parts]), item].dropna()
            assert len(rest) == rest_n
            tolerance = 0.5 * (n_all + sum(n for _, n, _ in parts)) / rest_n
            assert recovered == pytest.approx(100 * (rest >= 4).mean(), abs=tolerance)
            if "D" in sizes:  # not the small group's 0%
                assert recovered > 100 * (rest >= 4).mean() - tolerance > 0
