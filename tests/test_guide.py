"""The conversation guide: each rule fires on results built to trigger it, stays silent
otherwise, and never speaks about a suppressed school."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.exceptions import InstrumentError
from colead.guide import describe, load_rules
from colead.io.responses import ImportLog, Responses

N = 6  # respondents per school


def _answers(mean: float, pattern: str, low: float, high: float, n: int = N) -> np.ndarray:
    if pattern == "flat":
        return np.full(n, mean)
    if pattern == "polar":  # teachers who disagree completely
        return np.resize([low, high], n)
    return np.resize([mean - 1, mean + 1], n)  # "spread": some disagreement, rwg(j) about .9


def district(name: str, target: dict | None = None, *, n_target: int = N,
             schools: int = 4) -> Responses:
    """Schools that all look alike (scales 4 +/- 1, influence 3 +/- 1, stages spread, no
    barrier ticked), plus school T changed by ``target``: {scale: (mean, pattern)},
    {(stakeholder, zone): (mean, pattern)}, {item: [answers]}."""
    inst = cl.load_instrument(name)
    target = target or {}
    rows = []
    for s in [*[f"S{k}" for k in range(schools)], "T"]:
        n = n_target if s == "T" else N
        spec = target if s == "T" else {}
        data = {"respondent_id": [f"{s}-{i}" for i in range(n)], "school_id": [s] * n}
        for scale in inst.scale_list:
            mean, pattern = spec.get(scale.id, (4, "spread"))
            keyed = _answers(mean, pattern, scale.min, scale.max, n)
            for item in scale.items:
                raw = scale.min + scale.max - keyed if inst.item(item).reverse else keyed
                data[item] = raw
        grid = inst.influence
        for s_id, z_id, item in grid.cells if grid else ():
            mean, pattern = spec.get((s_id, z_id), (3, "spread"))
            data[item] = _answers(mean, pattern, 1, 5, n)
        for item in inst.item_list:
            if item.id in data or item.id in (grid.item_ids if grid else ()):
                continue
            rs = inst.response_scale_of(item.id)
            if rs.type == "multiple":
                ticked = spec.get(item.id, [{7}] * n)
                for code, column in zip(rs.values, inst.data_columns(item.id), strict=True):
                    data[column] = [float(code in t) for t in ticked]
            elif rs.type == "categorical":
                data[item.id] = spec.get(item.id, list(np.resize([2.0, 3.0, 5.0], n)))
            elif rs.labels:
                data[item.id] = np.full(n, rs.values[0], dtype=float)
            else:
                data[item.id] = np.full(n, rs.min if rs.min is not None else 1.0)
        rows.append(pd.DataFrame(data))
    frame = pd.concat(rows, ignore_index=True)
    frame[frame.columns[2:]] = frame[frame.columns[2:]].astype(float)
    log = ImportLog(source="test", rows_read=len(frame), rows_kept=len(frame))
    return Responses(data=frame, log=log, platform="csv", instrument=inst)


TEACHER = "colead-teacher"
COLLAB = "colead-collaboration"
SCENARIOS = {
    "shared_leadership_strength": (TEACHER, {"shared_leadership": (6, "flat")}),
    "professional_community_strength": (TEACHER, {"reflective_dialogue": (6, "flat")}),
    "teacher_influence_strength": (TEACHER, {("teachers", "curriculum"): (5, "flat")}),
    "deep_collaboration_strength": (COLLAB, {"professional_collaboration": (5, "flat")}),
    "community_maturing_strength": (COLLAB, {"cop_stage": [3.0, 3.0, 4.0, 4.0, 1.0, 5.0]}),
    "low_teacher_influence": (TEACHER, {("teachers", "hiring"): (1, "flat")}),
    "trust_without_shared_leadership": (TEACHER, {"trust_principal": (6, "flat"),
                                                  "shared_leadership": (2, "flat")}),
    "trust_without_reflective_dialogue": (TEACHER, {"trust_colleagues": (6, "flat"),
                                                    "reflective_dialogue": (2, "flat")}),
    "private_practice": (TEACHER, {"deprivatized_practice": (2, "flat")}),
    "low_collective_responsibility": (TEACHER, {"collective_responsibility": (2, "flat")}),
    "exchange_without_collaboration": (COLLAB, {"professional_collaboration": (2, "flat")}),
    "few_leadership_conditions": (COLLAB, {"leadership_conditions": (2, "flat")}),
    "time_to_meet_barrier": (COLLAB, {"barriers": [{1}, {2}, {1, 2}, {7}, {1}, {3}]}),
    "early_community_stage": (COLLAB, {"cop_stage": [1.0, 1.0, 2.0, 2.0, 5.0, 1.0]}),
    "low_plc_ideas": (COLLAB, {"plc_ideas": (2, "flat")}),
    "views_differ": (TEACHER, {"shared_focus": (4, "polar")}),
}


# Rules on the change since the previous survey: T's trust in the principal moves from the
# district's 4 (spread) to 6 or to 2 (flat).
CHANGE_SCENARIOS = {"scale_rose": {"trust_principal": (6, "flat")},
                    "scale_fell": {"trust_principal": (2, "flat")}}


def test_every_bundled_rule_has_a_scenario():
    assert set(SCENARIOS) | set(CHANGE_SCENARIOS) == {r.id for r in load_rules().rules}
    table = describe()
    assert len(table) == len(SCENARIOS) + len(CHANGE_SCENARIOS)
    assert table["source"].str.len().gt(0).all()


@pytest.mark.parametrize("rule", list(CHANGE_SCENARIOS))
def test_each_change_rule_fires_for_the_school_that_changed_and_only_with_the_previous(rule):
    before = district(TEACHER)
    now = district(TEACHER, CHANGE_SCENARIOS[rule])
    guide = cl.conversation_guide(now, previous=before)
    fired = guide[guide["rule"].isin(CHANGE_SCENARIOS)]
    assert list(fired["school_id"]) == ["T"] and list(fired["rule"]) == [rule]
    assert "Trust in the principal" in fired["text"].iloc[0] and "{" not in fired["text"].iloc[0]
    assert not cl.conversation_guide(now)["rule"].isin(CHANGE_SCENARIOS).any()
    small = cl.conversation_guide(district(TEACHER, CHANGE_SCENARIOS[rule], n_target=3),
                                  previous=before)
    assert "T" not in set(small["school_id"])


@pytest.mark.parametrize("name", [TEACHER, COLLAB])
def test_schools_that_look_alike_get_no_rule(name):
    assert cl.conversation_guide(district(name)).empty


ITEM_RULES = {"community_maturing_strength", "time_to_meet_barrier", "early_community_stage"}


@pytest.mark.parametrize("rule", list(SCENARIOS))
def test_each_rule_fires_for_the_school_built_to_trigger_it(rule):
    name, target = SCENARIOS[rule]
    # item shares are item-level detail: with 6 answers a school needs item_min_n <= 6
    guide = cl.conversation_guide(district(name, target), item_min_n=N)
    fired = guide[guide["rule"] == rule]
    assert list(fired["school_id"]) == ["T"], guide[["school_id", "rule"]]
    assert set(guide["school_id"]) == {"T"}  # the other schools stay silent
    text = fired["text"].iloc[0]
    assert "{" not in text and text.strip()


@pytest.mark.parametrize("rule", sorted(ITEM_RULES))
def test_item_rules_need_item_min_n_answers(rule):
    name, target = SCENARIOS[rule]
    assert cl.conversation_guide(district(name, target)).empty  # 6 answers < 10 by default


def test_a_blank_school_column_is_a_clear_error():
    responses = district(TEACHER)
    responses.data["school_id"] = None
    with pytest.raises(cl.InsufficientDataError, match="'school_id' is blank in every one"):
        cl.conversation_guide(responses)


@pytest.mark.parametrize("rule", list(SCENARIOS))
def test_no_rule_fires_on_a_suppressed_school(rule):
    name, target = SCENARIOS[rule]
    small = {k: (v[:3] if isinstance(v, list) else v) for k, v in target.items()}
    guide = cl.conversation_guide(district(name, small, n_target=3), min_n=5)
    assert "T" not in set(guide["school_id"])


def test_text_is_filled_in_and_in_file_order():
    name, target = SCENARIOS["trust_without_shared_leadership"]
    guide = cl.conversation_guide(district(name, target), names={"T": "Tamarack School"})
    text = guide.loc[guide["rule"] == "trust_without_shared_leadership", "text"].iloc[0]
    assert "6.0 against 4.4" in text and "2.0 against 3.6" in text
    influence = cl.conversation_guide(district(TEACHER, {("teachers", "hiring"): (1, "flat")}))
    text = influence["text"].iloc[0]
    assert "say in hiring new full-time teachers" in text  # a label mid-sentence: lower case
    assert list(influence["rank"]) == list(range(1, len(influence) + 1))


def test_limits_and_kinds_come_from_the_settings():
    target = {"deprivatized_practice": (2, "flat"), "collective_responsibility": (2, "flat"),
              ("teachers", "hiring"): (1, "flat"), "shared_focus": (4, "polar")}
    guide = cl.conversation_guide(district(TEACHER, target))
    assert len(guide) == 3 and (guide["kind"] == "question").all()
    rules = load_rules()
    custom = {"format_version": 1, "settings": {"questions": 1},
              "rules": [{k: getattr(r, k) for k in ("id", "kind", "instrument", "text", "source")}
                        | {"when": {"scale": "deprivatized_practice", "below_district": 0.4}}
                        for r in rules.rules if r.id == "private_practice"]}
    one = cl.conversation_guide(district(TEACHER, target), rules=custom)
    assert list(one["rule"]) == ["private_practice"]


def test_a_broken_rules_file_lists_every_problem():
    broken = {"format_version": 1, "rules": [
        {"id": "a", "kind": "hint", "instrument": TEACHER, "when": {"scale": "trust"},
         "text": "x", "source": "y"},
        {"id": "b", "kind": "question", "instrument": TEACHER,
         "when": {"scale": "trust_principal", "below_district": -1}, "text": "{missing}",
         "source": "y"},
        {"id": "b", "kind": "question", "instrument": TEACHER,
         "when": {"influence": {"stakeholder": "aliens", "zone": "any", "at_most": 2}},
         "text": "x", "source": "y", "colour": "red"},
    ]}
    with pytest.raises(InstrumentError) as info:
        load_rules(broken)
    reasons = " | ".join(p.reason for p in info.value.problems)
    for expected in ("'hint' must be question or strength", "needs exactly one comparison",
                     "must be 0 or more", "uses {missing}", "is used twice",
                     "no stakeholder 'aliens'", "is not a known field"):
        assert expected in reasons
