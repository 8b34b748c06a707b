"""Instruments: the bundled files, the API, and the checks of broken files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml

import colead as cl
from colead.exceptions import InstrumentError
from colead.instrument import bundled_instrument_paths

from .conftest import REPO

BUNDLED = [
    "colead-collaboration",
    "colead-teacher",
    "omnibus-t-scale",
    "sass-principal-influence",
    "sass-teacher-influence",
]

MINIMAL = textwrap.dedent("""\
    name: my_survey
    title: "Trust"
    version: "1.0"
    source: "test"
    licence: "CC0"
    response_scales:
      agree6:
        min: 1
        max: 6
        labels: {1: "Strongly disagree", 2: "Disagree", 3: "Slightly disagree",
                 4: "Slightly agree", 5: "Agree", 6: "Strongly agree"}
        missing: ["Not applicable", "Don't know", -99]
      influence4:
        min: 1
        max: 4
        labels: {1: "No influence", 2: "Minor influence", 3: "Moderate influence",
                 4: "Major influence"}
        missing: ["Not applicable"]
    scales:
      trust_principal:
        title: "Trust in the principal"
        items: [tp1, tp2, tp3]
        min_valid: 0.5
    items:
      - {id: tp1, text: "a", scale: trust_principal, reverse: false, response_scale: agree6}
      - {id: tp2, text: "b", scale: trust_principal, reverse: true,  response_scale: agree6}
      - {id: tp3, text: "c", scale: trust_principal, response_scale: agree6}
      - {id: inf_teachers_hiring, text: "Teachers: Hiring", response_scale: influence4}
    influence:
      stakeholders: [principal, teachers, district]
      zones: [standards, curriculum, hiring]
      items:
        teachers: {hiring: inf_teachers_hiring}
    """)


def test_every_bundled_instrument_is_listed_and_loads():
    listed = cl.list_instruments()
    assert sorted(listed["name"]) == BUNDLED
    for name in BUNDLED:
        inst = cl.load_instrument(name)
        assert inst.name == name
        assert len(inst.item_ids) == len(set(inst.item_ids)) > 0
    row = listed.set_index("name").loc["colead-teacher"]
    assert row["n_items"] == len(cl.load_instrument("colead-teacher").item_ids)


def test_bundled_files_are_the_top_level_instruments_folder():
    top = {p.name: p.read_bytes() for p in (REPO / "instruments").glob("*.yaml")}
    packaged = {p.name: p.read_bytes() for p in bundled_instrument_paths().values()}
    assert top == packaged
    assert sorted(top) == [f"{n}.yaml" for n in BUNDLED]


def test_minimal_design_sketch_loads(write_yaml):
    inst = cl.load_instrument(write_yaml(MINIMAL))
    assert inst.item_ids == ("tp1", "tp2", "tp3", "inf_teachers_hiring")
    assert inst.scales["trust_principal"].items == ("tp1", "tp2", "tp3")
    assert inst.response_scales["agree6"].missing == ("Not applicable", "Don't know", -99)
    grid = inst.influence
    assert grid.stakeholder_ids == ("principal", "teachers", "district")
    assert grid.item("teachers", "hiring") == "inf_teachers_hiring"
    assert grid.item("principal", "hiring") is None
    assert grid.response_scale == "influence4"
    matrix = grid.matrix()
    assert matrix.loc["teachers", "hiring"] == "inf_teachers_hiring"
    assert matrix.isna().sum().sum() == 8


def test_keys_match_declared_reverse_items():
    for name in BUNDLED:
        inst = cl.load_instrument(name)
        keys = inst.keys()
        assert set(keys.columns) == set(inst.scales)
        assert set(keys.to_numpy().ravel()) <= {-1, 0, 1}
        for scale in inst.scales.values():
            column = keys[scale.id]
            assert set(column[column != 0].index) == set(scale.items)
            reversed_items = {i for i in scale.items if inst.item(i).reverse}
            assert set(column[column == -1].index) == reversed_items


def test_omnibus_t_scale_key_is_the_published_one():
    inst = cl.load_instrument("omnibus-t-scale")
    keys = inst.keys()

    def key(scale):
        col = keys[scale]
        return {int(i[1:]) * int(v) for i, v in col[col != 0].items()}

    assert key("trust_principal") == {1, -4, 7, 9, -11, 15, 18, -23}
    assert key("trust_colleagues") == {2, 5, -8, 12, 13, 16, 19, 21}
    assert key("trust_clients") == {3, 6, 10, 14, 17, 20, 22, 24, 25, -26}
    assert inst.item_ids == tuple(f"T{i}" for i in range(1, 27))


def test_sass_principal_grid_has_the_seven_sass_zones_and_six_stakeholders():
    inst = cl.load_instrument("sass-principal-influence")
    grid = inst.influence
    assert grid.zone_ids == (
        "standards",
        "curriculum",
        "pd_content",
        "evaluation",
        "hiring",
        "discipline",
        "budget",
    )
    assert set(grid.stakeholder_ids) == {
        "state_agency",
        "district_staff",
        "school_board",
        "principal",
        "teachers",
        "parents",
    }
    assert len(grid.cells) == 42
    rs = inst.response_scales[grid.response_scale]
    assert rs.values == (1, 2, 3, 4)
    assert rs.label_map[4] == "Major influence"
    assert "Not applicable" in rs.missing
    for context in ("years_as_principal", "school_level", "enrolment", "locale", "pct_frpl"):
        assert context in inst.item_ids


def test_colead_teacher_matches_the_issue():
    inst = cl.load_instrument("colead-teacher")
    expected = {
        "shared_leadership",
        "instructional_leadership",
        "trust_principal",
        "trust_colleagues",
        "reflective_dialogue",
        "deprivatized_practice",
        "collective_responsibility",
        "shared_focus",
        "collective_efficacy",
        "focused_instruction",
    }
    assert set(inst.scales) == expected
    for scale in inst.scales.values():
        assert 4 <= scale.k <= 7, scale.id
        assert scale.citations, scale.id
    agree = [s for s in inst.scales.values() if inst.response_scale_of(s.items[0]).id == "agree6"]
    assert all(any(inst.item(i).reverse for i in s.items) for s in agree)
    assert inst.response_scale_of("dp1").id != "agree6"  # deprivatized practice: a frequency
    assert inst.response_scales["agree6"].n_points == 6
    grid = inst.influence
    assert len(grid.stakeholders) == 7 and len(grid.zones) == 7
    assert inst.response_scales[grid.response_scale].n_points == 5


def test_items_frame_and_lookups():
    inst = cl.load_instrument("colead-teacher")
    items = inst.items
    assert list(items.columns[:6]) == [
        "item_id",
        "text",
        "scale",
        "reverse",
        "response_scale",
        "section",
    ]
    assert len(items) == len(inst.item_ids)
    assert items.set_index("item_id").loc["sl4", "reverse"]
    assert inst.response_scale_of("sl1").reverse(pd.Series([1, 6])).tolist() == [6, 1]
    with pytest.raises(KeyError, match="no item 'zz'"):
        inst.item("zz")
    assert "<caption>Scales</caption>" in inst._repr_html_()
    assert "shared_leadership" in inst.summary()


def test_scale_min_answered():
    inst = cl.load_instrument("colead-teacher")
    assert inst.scales["shared_leadership"].min_answered == 3  # 0.5 of 6
    assert inst.scales["reflective_dialogue"].min_answered == 3  # ceil(0.5 * 5)


def test_loading_by_path_and_mapping_and_instrument(write_yaml):
    path = write_yaml(MINIMAL)
    by_path = cl.load_instrument(str(path))
    by_mapping = cl.load_instrument(yaml.safe_load(MINIMAL))
    assert by_path == by_mapping
    assert cl.load_instrument(by_path) is by_path


def test_cache_sees_an_edited_file(write_yaml):
    path = write_yaml(MINIMAL)
    assert cl.load_instrument(path).title == "Trust"
    path.write_text(MINIMAL.replace('title: "Trust"', 'title: "Trust, edited"'), encoding="utf-8")
    assert cl.load_instrument(path).title == "Trust, edited"


def test_unknown_name_lists_the_bundled_ones():
    bundled = "bundled: colead-collaboration, colead-teacher"
    with pytest.raises(InstrumentError, match=bundled) as info:
        cl.load_instrument("colead-teachr")
    assert isinstance(info.value, ValueError) and isinstance(info.value, cl.ColeadError)
    with pytest.raises(InstrumentError, match="no such file"):
        cl.load_instrument("surveys/missing.yaml")


# -- broken files: each must fail with every one of its problems named ------------------------
def _problems(path: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(InstrumentError) as info:
        cl.load_instrument(path)
    return [(p.where, p.field, p.reason) for p in info.value.problems]


def _edit(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


BROKEN = {
    "unknown scale": (
        _edit(
            '{id: tp3, text: "c", scale: trust_principal,',
            '{id: tp3, text: "c", scale: trust_princpal,',
        ),
        [
            (
                "item 'tp3'",
                "scale",
                "unknown scale 'trust_princpal' (did you mean 'trust_principal'?)",
            )
        ],
    ),
    "duplicate item id": (
        _edit('{id: tp3, text: "c"', '{id: tp2, text: "c"'),
        [
            ("item 'tp2'", "id", "duplicate item id"),
            ("scale 'trust_principal'", "items", "unknown item 'tp3'"),
        ],
    ),
    "reverse without bounds": (
        _edit(
            "  influence4:\n",
            '  level:\n    type: categorical\n    labels: {1: "Primary", '
            '2: "Secondary"}\n  influence4:\n',
        ).replace(
            "  - {id: inf_teachers_hiring",
            '  - {id: lvl, text: "Level", response_scale: level, reverse: true}\n'
            "  - {id: inf_teachers_hiring",
        ),
        [("item 'lvl'", "reverse", "needs a response scale with declared min and max")],
    ),
    "grid cell pointing at no item": (
        _edit(
            "teachers: {hiring: inf_teachers_hiring}",
            "teachers: {hiring: inf_teachers_hiring, budget: inf_x}\n    district: {hiring: inf_d}",
        ),
        [
            ("influence grid", "items", "unknown zone 'budget'"),
            ("influence grid", "items", "cell (district, hiring) points at no item: 'inf_d'"),
        ],
    ),
    "duplicate scale key": (
        _edit(
            "\nscales:\n", '\nscales:\n  trust_principal:\n    title: "first"\n    items: [tp1]\n'
        ),
        [("line", "trust_principal", "is defined twice")],
    ),
    "label that YAML reads as a boolean and a missing code inside the scale": (
        _edit('6: "Strongly agree"}', "6: Yes}").replace('"Don\'t know", -99', '"Don\'t know", 3'),
        [
            ("response scale 'agree6'", "labels", "label of 6 must be text, not True; quote it"),
            ("response scale 'agree6'", "missing", "code 3 is also a value on the scale"),
        ],
    ),
    "missing answer options that cannot be read back": (
        _edit(
            'missing: ["Not applicable", "Don\'t know", -99]',
            'missing: [{value: 3, label: "Unsure"}, {value: 8.5, label: "Cannot say"},\n'
            '              {value: 8, label: "Don\'t know"}, {value: 8, label: "Refused"},\n'
            '              {value: 7, label: "Agree"}, -99]',
        ),
        [
            ("response scale 'agree6'", "missing", "code 3 of {value: 3, label: 'Unsure'} is "
             "also a value on the scale"),
            ("response scale 'agree6'", "missing", "code 8.5 of {value: 8.5, label: 'Cannot "
             "say'} must be a whole number"),
            ("response scale 'agree6'", "missing", "label 'Agree' of {value: 7, label: "
             "'Agree'} is also a label of a scale point"),
            ("response scale 'agree6'", "missing", "code 8 is listed more than once"),
        ],
    ),
    "unknown field with a hint, and an unquoted version": (
        _edit('version: "1.0"', "version: 1.0\ncitation: x"),
        [
            ("", "citation", "is not a known field (did you mean 'citations'?)"),
            ("", "version", "must be text, not 1.0; quote it"),
        ],
    ),
    "scale mixing bounds and min_valid too large": (
        _edit(
            "items: [tp1, tp2, tp3]\n    min_valid: 0.5",
            "items: [tp1, tp2, tp3, inf_teachers_hiring]\n    min_valid: 7",
        ),
        [
            ("scale 'trust_principal'", "items", "mixes response scales with different bounds"),
            (
                "scale 'trust_principal'",
                "min_valid",
                "asks for 7 answered items but the scale has 4",
            ),
        ],
    ),
    "item missing its text and response scale, bad id": (
        _edit(
            '- {id: tp3, text: "c", scale: trust_principal, response_scale: agree6}',
            "- {id: tp3, scale: trust_principal}\n"
            '  - {id: "3x", text: "d", response_scale: agree6}',
        ),
        [
            ("item 'tp3'", "text", "is required"),
            ("item 'tp3'", "response_scale", "is required"),
            ("item '3x'", "id", "must start with a letter"),
        ],
    ),
    "grid with both items and generate, unknown response scale": (
        _edit(
            "  items:\n    teachers:",
            "  response_scale: influence9\n"
            '  generate: {id: "x_{stakeholder}_{zone}"}\n'
            "  items:\n    teachers:",
        ),
        [
            ("influence grid", "response_scale", "unknown response scale 'influence9'"),
            ("influence grid", "items", "give either items"),
        ],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_instrument_names_every_problem(case, write_yaml):
    text, expected = BROKEN[case]
    found = _problems(write_yaml(text))
    for where, field, reason in expected:
        assert any(w.startswith(where) and f == field and reason in r for w, f, r in found), (
            f"expected ({where!r}, {field!r}, {reason!r}) among {found}"
        )
    assert len(found) == len(expected), found


def test_problems_carry_the_file_and_print_one_line_each(write_yaml):
    path = write_yaml(BROKEN["unknown scale"][0])
    with pytest.raises(InstrumentError) as info:
        cl.load_instrument(path)
    lines = info.value.problem_lines()
    assert len(lines) == 1 and lines[0].startswith(str(path.resolve()))
    assert "1 problem in the instrument" in str(info.value)


def test_yaml_syntax_error_names_the_line(write_yaml):
    path = write_yaml("name: x\ntitle: [unclosed\nversion: '1'\n")
    with pytest.raises(InstrumentError, match=r"not valid YAML at line \d+"):
        cl.load_instrument(path)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "must be a mapping"),
        ("- a\n- b\n", "must be a mapping"),
        ("name: x\n", "is required"),
    ],
)
def test_degenerate_files(text, reason, write_yaml):
    assert any(reason in r for _, _, r in _problems(write_yaml(text)))


def test_generated_grid_items(write_yaml):
    text = _edit(
        "  items:\n    teachers: {hiring: inf_teachers_hiring}\n",
        '  response_scale: influence4\n  generate:\n    id: "g_{stakeholder}_{zone}"\n'
        '    text: "{stakeholder_label} / {zone_label}"\n',
    )
    inst = cl.load_instrument(write_yaml(text))
    assert len(inst.influence.cells) == 9
    assert inst.item("g_teachers_hiring").text == "Teachers / Hiring"
    assert inst.item("g_principal_standards").response_scale == "influence4"

    clash = text.replace('"g_{stakeholder}_{zone}"', '"inf_{stakeholder}_{zone}"')
    assert any("also a declared item" in r for _, _, r in _problems(write_yaml(clash, "b.yaml")))
    no_zone = text.replace('"g_{stakeholder}_{zone}"', '"g_{stakeholder}"')
    assert any(
        "must contain {stakeholder} and {zone}" in r
        for _, _, r in _problems(write_yaml(no_zone, "c.yaml"))
    )


def test_collaboration_instrument_loads_scores_and_reports_its_stage_as_a_distribution():
    inst = cl.load_instrument("colead-collaboration")
    assert {"exchange_coordination", "professional_collaboration", "leadership_conditions",
            "plc_ideas"} == set(inst.scales)
    assert inst.response_scale_of("cop_stage").type == "categorical"
    assert inst.item("cop_stage").scale is None  # never a scale mean
    assert inst.response_scale_of("barriers").type == "multiple"
    resp = cl.simulate(inst, n_schools=6, respondents=(3, 12), seed=5)
    scores = cl.score(resp)
    assert list(scores.columns[2:]) == list(inst.scales)
    stages = cl.distribution(resp, "cop_stage", by="school_id", min_n=5)
    sizes = resp.data.dropna(subset=["cop_stage"]).groupby("school_id").size()
    small = stages["school_id"].map(sizes) < 5
    assert stages.loc[small, "suppressed"].all() and stages.loc[small, "share"].isna().all()
    shown = stages[~stages["suppressed"]]
    assert shown.groupby("school_id")["share"].sum().round(12).eq(1).all()


# -- missing answer options --------------------------------------------------------------------
def test_missing_answer_options_declare_a_code_and_a_label(write_yaml):
    text = _edit(
        'missing: ["Not applicable", "Don\'t know", -99]',
        'missing: ["Not applicable", {value: 8, label: {en: "Don\'t know", es: "No sé"}},\n'
        "              {value: 9.0, label: Unsure}, -99]",
    )
    inst = cl.load_instrument(write_yaml(text))
    rs = inst.response_scales["agree6"]
    assert rs.missing_options == ((8, "Don't know"), (9, "Unsure"))
    assert all(isinstance(code, int) for code, _ in rs.missing_options)
    assert rs.missing == ("Not applicable", "Don't know", 8, "Unsure", 9, -99)
    assert rs.missing_codes == (8, 9, -99)
    assert rs.missing_labels == ("Not applicable", "Don't know", "Unsure")
    assert rs.describe_missing() == ("Not applicable", "8 = Don't know", "9 = Unsure", "-99")
    assert inst.variants("missing:agree6:8") == ["No sé"]
    es = inst.translated("es").response_scales["agree6"]
    assert es.missing_options == ((8, "No sé"), (9, "Unsure"))
    assert es.missing == ("Not applicable", "No sé", 8, "Unsure", 9, -99)
    assert inst.translated("es").translated("en").response_scales == inst.response_scales
    # plain labels and codes are read as before and offer nothing
    plain = inst.response_scales["influence4"]
    assert plain.missing == ("Not applicable",) and plain.missing_options == ()


def test_every_problem_of_missing_answer_options_in_one_error(write_yaml):
    text = _edit(
        "  influence4:\n",
        "  years:\n    type: numeric\n    min: 0\n    max: 50\n"
        '    missing: [{value: -1, label: "Don\'t know"}]\n'
        "  influence4:\n",
    ).replace(
        'missing: ["Not applicable"]',
        'missing: [{value: 2, label: "N/A"}, {value: 9, lable: "Not applicable"},\n'
        '              {value: "9", label: "Nine"}, {value: 8, label: {en: "DK", es: 3}},\n'
        '              {value: 7, label: "Dunno"}, {value: 6, label: "dunno"}]',
    )
    found = _problems(write_yaml(text))
    expected = [
        ("response scale 'years'", "a numeric scale offers no answers to choose from"),
        ("response scale 'influence4'", "code 2 of {value: 2, label: 'N/A'} is also a value"),
        ("response scale 'influence4'", "'lable' in {value: 9, lable: 'Not applicable'} is not "
         "a field of a missing answer option (did you mean 'label'?)"),
        ("response scale 'influence4'", "{value: 9, lable: 'Not applicable'} needs a label"),
        ("response scale 'influence4'", "code '9' of {value: '9', label: 'Nine'} must be a "
         "whole number"),
        ("response scale 'influence4'", "the 'es' text must be text, not 3"),
        ("response scale 'influence4'", "label 'dunno' is used for codes 7 and 6"),
    ]
    for where, reason in expected:
        assert any(w.startswith(where) and f == "missing" and reason in r for w, f, r in found), (
            f"expected ({where!r}, {reason!r}) among {found}"
        )
    assert len(found) == len(expected), found


def test_a_code_inside_the_range_of_a_categorical_scale(write_yaml):
    text = _edit(
        "  influence4:\n",
        "  level:\n    type: categorical\n    labels: {1: Primary, 5: Secondary}\n"
        '    missing: [{value: 3, label: "Don\'t know"}, {value: 9, label: "Other"}]\n'
        "  influence4:\n",
    )
    found = _problems(write_yaml(text))
    assert [(f, r) for _, f, r in found] == [
        ("missing", "code 3 of {value: 3, label: \"Don't know\"} lies inside the scale's range "
         "1 to 5 (missing codes must lie outside it)")
    ]


def test_bundled_instruments_offer_the_missing_answers_their_instructions_ask_for():
    """A section that tells respondents to mark "Don't know" or "Not applicable" has that
    answer, with a code, on the response scale of each of its items, and no scale offers an
    answer no instruction asks for."""
    import re

    offered = {}
    for name in BUNDLED:
        inst = cl.load_instrument(name)
        asked: dict[str, set[str]] = {}
        for item in inst.item_list:
            text = inst.sections.get(item.section or "", {}).get("instructions", "")
            for sentence in re.split(r"(?<=[.?!])\s+", text):  # Mark "Don't know" if ...
                if sentence.startswith('Mark "'):
                    marks = set(re.findall(r'"([^"]+)"', sentence))
                    asked.setdefault(item.response_scale, set()).update(marks)
        for rs in inst.response_scale_list:
            labels = {label for _, label in rs.missing_options}
            assert labels == asked.get(rs.id, set()), (name, rs.id)
            offered[(name, rs.id)] = rs.missing_options
    assert {k: v for k, v in offered.items() if v} == {
        ("colead-teacher", "influence5"): ((8, "Don't know"), (9, "Not applicable")),
        ("sass-principal-influence", "influence4"): ((9, "Not applicable"),),
        ("sass-teacher-influence", "influence4"): ((9, "Not applicable"),),
    }


# -- bounded input: a file never costs more than its size suggests -----------------------------
def _laughs(levels: int) -> str:
    """A "billion laughs": each level lists the one below ten times (10**levels labels)."""
    lines = ['name: laughs', 'title: "t"', 'version: "1"',
             "l0: &l0 [" + ", ".join(['"lol"'] * 10) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, levels)]
    lines += ["response_scales:", "  agree:", f"    labels: *l{levels - 1}",
              f"items: *l{levels - 1}"]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_is_built(write_yaml):
    import time
    import tracemalloc

    text = _laughs(8)  # 10**8 labels (reported: 628 bytes, a 722 MB error line, 2.8 GB)
    assert len(text) < 700
    path = write_yaml(text)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        problems = _problems(path)
        seconds, peak = time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems == [("", "", "too large to read: expands to more than 200,000 values "
                         "(anchors and aliases included) at line 9")]
    assert seconds < 2 and peak < 20_000_000, (seconds, peak)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("a: &a [1, *a]\n", "an alias refers to a value that contains it (line 1)"),
        ("a: " + "[" * 60 + "]" * 60 + "\n", "nests deeper than 50 levels"),
    ],
)
def test_recursive_and_deep_yaml_is_refused(text, reason, write_yaml):
    ((where, field, found),) = _problems(write_yaml(text))
    assert (where, field) == ("", "") and reason in found


def test_messages_quote_at_most_a_short_part_of_a_value(write_yaml):
    # Within the budget an alias still repeats a long text wherever it is used.
    long_text = "x" * 1_000_000
    numbers = ", ".join(str(i) for i in range(5000))
    text = _edit("reverse: false, response_scale", f'reverse: &big "{long_text}", response_scale')
    text = text.replace("reverse: true,  response_scale", "reverse: *big, response_scale")
    text = text.replace("min_valid: 0.5", f"min_valid: [{numbers}]")
    with pytest.raises(InstrumentError) as info:
        cl.load_instrument(write_yaml(text))
    lines = info.value.problem_lines()
    assert len(lines) == 3
    assert all(len(line) < 400 for line in lines), [len(line) for line in lines]
    assert sum("must be true or false, not 'xxxxxx" in line and "...xxx" in line
               for line in lines) == 2
    assert any("[0, 1, 2, 3, ...] must be a fraction" in line for line in lines)


@pytest.mark.parametrize(
    "pattern, shown",
    [
        ("{stakeholder_label:>99999999999}: {zone_label}", "{stakeholder_label:>99999999999}"),
        ("{stakeholder_label!r}: {zone_label}", "{stakeholder_label!r}"),
        ("{zone_label:{stakeholder}}", "{zone_label:{stakeholder}}"),
    ],
)
def test_generate_patterns_take_plain_fields_only(pattern, shown, write_yaml):
    text = _edit(
        "  items:\n    teachers: {hiring: inf_teachers_hiring}\n",
        '  response_scale: influence4\n  generate:\n    id: "g_{stakeholder}_{zone}"\n'
        f"    text: '{pattern}'\n",
    )
    found = _problems(write_yaml(text))
    assert len(found) == 1, found
    where, field, reason = found[0]
    assert (where, field) == ("influence grid", "generate")
    assert f"field {shown} has a format or conversion; write fields as plain {{name}}" in reason


def test_a_grid_too_large_to_generate_is_refused(write_yaml):
    names = ", ".join(f"s{i}" for i in range(150))
    text = _edit(
        "  stakeholders: [principal, teachers, district]\n  zones: [standards, curriculum, "
        "hiring]\n  items:\n    teachers: {hiring: inf_teachers_hiring}\n",
        f"  stakeholders: [{names}]\n  zones: [{names.replace('s', 'z')}]\n"
        '  response_scale: influence4\n  generate: {id: "g_{stakeholder}_{zone}"}\n',
    )
    ((where, field, reason),) = _problems(write_yaml(text))
    assert (where, field) == ("influence grid", "generate")
    assert reason == "150 stakeholders x 150 zones would generate more than 10,000 items"


def test_every_problem_is_found_in_one_pass(write_yaml):
    # Each of these used to hide behind another problem of the same item or grid.
    text = _edit(
        '  - {id: tp3, text: "c", scale: trust_principal, response_scale: agree6}\n',
        "  - {id: tp2, scale: trust_princpal, response_scale: agree6}\n"  # duplicate, no text
        '  - {id: tp4, text: "d", scale: nope, response_scale: agree9, reverse: 1}\n',
    ).replace(
        "  items:\n    teachers: {hiring: inf_teachers_hiring}\n",
        "  response_scale: influence9\n"
        '  generate: {id: "{stakeholder}_{zone}_{x}", text: "{zone_label:>9}"}\n',
    ).replace("inf_teachers_hiring, text: \"Teachers: Hiring\"", "principal_hiring, text: \"P\"")
    found = _problems(write_yaml(text))
    expected = [
        ("item 'tp2'", "id", "duplicate item id"),
        ("item 'tp2'", "text", "is required"),
        ("item 'tp2'", "scale", "unknown scale 'trust_princpal' (did you mean"),
        ("item 'tp4'", "scale", "unknown scale 'nope'"),
        ("item 'tp4'", "response_scale", "unknown response scale 'agree9'"),
        ("item 'tp4'", "reverse", "must be true or false, not 1"),
        ("influence grid", "response_scale", "unknown response scale 'influence9'"),
        ("influence grid", "generate", "pattern '{stakeholder}_{zone}_{x}' uses ['x']"),
        ("influence grid", "generate", "field {zone_label:>9} has a format or conversion"),
        ("scale 'trust_principal'", "items", "unknown item 'tp3'"),
    ]
    for where, field, reason in expected:
        assert any(w.startswith(where) and f == field and reason in r for w, f, r in found), (
            f"expected ({where!r}, {field!r}, {reason!r}) among {found}"
        )
    assert len(found) == len(expected), found


@pytest.mark.parametrize("items", ["3", "true", "text", "{a: 1}"])
def test_items_that_are_not_a_list_are_a_problem_not_a_crash(tmp_path, items):
    path = tmp_path / "odd.yaml"
    path.write_text(f"name: x\ntitle: t\nversion: '1'\nresponse_scales: {{}}\nitems: {items}\n")
    with pytest.raises(cl.InstrumentError) as raised:
        cl.load_instrument(path)
    assert any("items" in line for line in raised.value.problem_lines())
