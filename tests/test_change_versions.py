"""Instrument versions across waves: a scale whose items changed is never compared, unless
its items are declared equivalent_to those of the earlier version."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import colead as cl
from colead.instrument.versions import comparable_scales, compare_scales

BASE = """
name: climate
title: Climate
version: "{version}"
response_scales:
  agree6: {{labels: {{1: Strongly disagree, 2: Disagree, 3: Slightly disagree,
                      4: Slightly agree, 5: Agree, 6: Strongly agree}}}}
  agree5: {{labels: {{1: Strongly disagree, 2: Disagree, 3: Neither, 4: Agree,
                      5: Strongly agree}}}}
  agree6b: {{labels: {{1: Never, 2: Rarely, 3: Sometimes, 4: Often, 5: Usually,
                       6: Always}}}}
scales:
  trust: {{title: Trust}}
  voice: {{title: Voice}}
items:
{items}
"""
ITEMS = {
    "t1": "{id: t1, text: I trust the principal., scale: trust, response_scale: agree6}",
    "t2": "{id: t2, text: The principal keeps promises., scale: trust, response_scale: agree6}",
    "t3": "{id: t3, text: The principal listens., scale: trust, response_scale: agree6}",
    "v1": "{id: v1, text: Teachers have a say., scale: voice, response_scale: agree6}",
    "v2": "{id: v2, text: Teachers shape decisions., scale: voice, response_scale: agree6}",
}


def instrument(write_yaml, version="1", name="v1.yaml", **changes):
    items = dict(ITEMS)
    items.update(changes)
    lines = "\n".join(f"  - {spec}" for spec in items.values() if spec)
    return cl.load_instrument(write_yaml(BASE.format(version=version, items=lines), name))


CHANGES = {
    "wording": ({"t2": "{id: t2, text: The principal keeps every promise., scale: trust, "
                       "response_scale: agree6}"}, "wording of item 't2' changed"),
    "new id": ({"t2": "{id: t2b, text: The principal keeps promises., scale: trust, "
                      "response_scale: agree6}"}, "item 't2b' is new"),
    "dropped": ({"t3": ""}, "'t3' of the previous survey is no longer in the scale"),
    "points": ({k: ITEMS[k].replace("agree6", "agree5") for k in ("t1", "t2", "t3")},
               "1-5 \\(5 points\\) now and on 1-6"),
    "labels": ({"t1": "{id: t1, text: I trust the principal., scale: trust, "
                      "response_scale: agree6b}"}, "answer labels of item 't1' changed"),
    "reversed": ({"t1": "{id: t1, text: I trust the principal., scale: trust, "
                        "response_scale: agree6, reverse: true}"}, "reverse-keyed in one"),
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_a_scale_whose_items_changed_is_not_compared(write_yaml, kind):
    before = instrument(write_yaml)
    change, reason = CHANGES[kind]
    after = instrument(write_yaml, "2", "v2.yaml", **change)
    reasons = comparable_scales(after, before)
    assert reasons["voice"] == ""
    assert reasons["trust"]
    assert __import__("re").search(reason, reasons["trust"]), reasons["trust"]
    a = cl.simulate(before, n_schools=4, respondents=20, seed=1)
    b = cl.simulate(after, n_schools=4, respondents=20, seed=2)
    table = cl.change(b, a)
    trust = table[table["scale"] == "trust"]
    assert not trust["comparable"].any() and (trust["reason"] == reasons["trust"]).all()
    for column in ("change", "se", "ci_low", "ci_high", "p_value", "mdc", "effect_size"):
        assert trust[column].isna().all()
    assert table.loc[table["scale"] == "voice", "change"].notna().all()
    if kind not in ("dropped",):  # both means are still shown, each of its own wave
        assert trust["mean_current"].notna().all() and trust["mean_previous"].notna().all()


def test_declared_equivalence_makes_a_changed_item_comparable(write_yaml):
    before = instrument(write_yaml)
    after = instrument(
        write_yaml, "2", "v2.yaml",
        t2="{id: t2b, text: The principal keeps every promise., scale: trust, "
           "response_scale: agree6, equivalent_to: t2}",
        t3="{id: t3, text: The principal really listens., scale: trust, "
           "response_scale: agree6, equivalent_to: [t3]}")
    assert after.item("t2b").equivalent_to == ("t2",)
    assert compare_scales(after, before, "trust") == ""
    assert compare_scales(before, after, "trust") == ""  # declared in the newer file only
    # equivalence does not excuse different bounds
    other = instrument(write_yaml, "3", "v3.yaml", **{
        k: ITEMS[k].replace("agree6", "agree5").replace("}", f", equivalent_to: {k}}}")
        for k in ("t1", "t2", "t3")})
    assert "1-5" in compare_scales(other, before, "trust")


def test_blanks_and_capitals_are_not_a_change_of_wording(write_yaml):
    before = instrument(write_yaml)
    after = instrument(write_yaml, "2", "v2.yaml",
                       t1="{id: t1, text: '  i trust the   PRINCIPAL.', scale: trust, "
                          "response_scale: agree6}")
    assert compare_scales(after, before, "trust") == ""


def test_a_scale_of_one_wave_only_has_its_reason_and_no_numbers(write_yaml):
    before = instrument(write_yaml)
    text = BASE.replace("  voice: {{title: Voice}}\n", "")
    after = cl.load_instrument(write_yaml(text.format(version="2", items="\n".join(
        f"  - {ITEMS[i]}" for i in ("t1", "t2", "t3"))), "v3.yaml"))
    a = cl.simulate(before, n_schools=3, respondents=10, seed=3)
    b = cl.simulate(after, n_schools=3, respondents=10, seed=4)
    table = cl.change(b, a)
    voice = table[table["scale"] == "voice"]
    assert (voice["reason"] == "not in the current survey's instrument").all()
    assert voice.drop(columns=["school_id", "scale", "comparable", "reason", "suppressed"]
                      ).isna().all().all()
    assert not voice["suppressed"].any()


def test_bad_equivalent_to_is_an_instrument_error(write_yaml):
    with pytest.raises(cl.InstrumentError, match="equivalent_to"):
        instrument(write_yaml, t1="{id: t1, text: x, scale: trust, response_scale: agree6, "
                                  "equivalent_to: [1, 2]}")


@pytest.mark.parametrize("seed", range(20))
def test_random_edits_never_let_a_changed_scale_be_compared(write_yaml, seed):
    """Property: any edit of an item's wording, id, response scale or keying, without a
    declaration, makes its scale not comparable in both directions."""
    rng = np.random.default_rng(seed)
    before = instrument(write_yaml)
    item = before.item(str(rng.choice(list(before.scales["trust"].items))))
    edit = rng.integers(0, 4)
    if edit == 0:
        changed = dataclasses.replace(item, text=item.text + " now")
    elif edit == 1:
        changed = dataclasses.replace(item, id=item.id + "x")
    elif edit == 2:
        changed = dataclasses.replace(item, response_scale="agree5")
    else:
        changed = dataclasses.replace(item, reverse=not item.reverse)
    items = tuple(changed if i.id == item.id else i for i in before.item_list)
    trust = before.scales["trust"]
    scale = dataclasses.replace(trust, items=tuple(changed.id if i == item.id else i
                                                   for i in trust.items))
    after = dataclasses.replace(before, item_list=items, scale_list=(
        scale, before.scales["voice"]))
    assert compare_scales(after, before, "trust") != ""
    assert compare_scales(before, after, "trust") != ""
    assert compare_scales(after, before, "voice") == ""
