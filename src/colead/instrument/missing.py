"""The ``missing`` entries of a response scale: labels, codes and missing answer options.

An entry is a label (text: this answer, in a choice-text export, means no answer), a code (a
number: this value, in a numeric export, means no answer), or a missing answer option
``{value: 8, label: "Don't know"}``: both at once, and an answer the fielded surveys offer,
set apart after the scale points. An option's label may be given in several languages
(``{en: "Don't know", es: "No sé"}``); its translations are filed under
``missing:<scale>:<code>``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from colead.instrument.checks import Problems, did_you_mean, is_number, read_text, shown
from colead.instrument.model import Number

__all__ = ["OPTION_FIELDS", "parse_missing"]

#: The fields of a missing answer option.
OPTION_FIELDS = ("value", "label")
#: Scale types whose questions list answers, so that a missing answer can be offered.
_OFFERED_ON = ("ordinal", "categorical")


def parse_missing(
    p: Problems,
    raw: Any,
    rid: str,
    kind: str,
    labels: tuple[tuple[Number, str], ...],
    bounds: tuple[Number | None, Number | None],
    where: str,
) -> tuple[tuple[str | Number, ...], tuple[tuple[int, str], ...]]:
    """Every label and code read as missing, and the missing answer options (code, label).

    Problems go to ``p``: a label that is also a scale point's label, a code on the scale or
    inside its range, and for options also a code that is not a whole number, a code or label
    listed twice, a missing label or value, and an option on a scale that offers no answers
    (numeric, multiple).
    """
    if raw is None:
        return (), ()
    if not isinstance(raw, list):
        raw = [raw]
    point_labels = {label.casefold() for _, label in labels} | {
        text.casefold() for _, key, text in p.translations if key.startswith(f"label:{rid}:")
    }
    values = {v for v, _ in labels}
    lo, hi = bounds
    if kind == "categorical" and values:  # no declared bounds: the range of its values
        lo, hi = min(values), max(values)
    missing: list[str | Number] = []
    options: list[tuple[int, str]] = []
    for entry in raw:
        if isinstance(entry, str) and entry.strip():
            if entry.strip().casefold() in point_labels:
                p.add(where, "missing", f"{shown(entry)} is also a label of a scale point")
                continue
            missing.append(entry.strip())
        elif is_number(entry):
            inside = lo is not None and hi is not None and lo <= entry <= hi
            if entry in values or inside:
                p.add(
                    where,
                    "missing",
                    f"code {shown(entry)} is also a value on the scale "
                    "(missing codes must lie outside it)",
                )
                continue
            missing.append(entry)
        elif isinstance(entry, Mapping):
            option = _option(p, entry, rid, kind, point_labels, values, (lo, hi), where)
            if option is not None:
                options.append(option)
                missing += [option[1], option[0]]
        else:
            p.add(
                where,
                "missing",
                f"{shown(entry)} must be a label (text), a numeric code, or an answer option "
                "{value: code, label: text}; quote a label",
            )
    _check_repeats(p, missing, options, where)
    return tuple(missing), tuple(options)


def _option(
    p: Problems,
    entry: Mapping[Any, Any],
    rid: str,
    kind: str,
    point_labels: set[str],
    values: set[Number],
    bounds: tuple[Number | None, Number | None],
    where: str,
) -> tuple[int, str] | None:
    """One missing answer option ``{value, label}``, or None after reporting its problems."""
    n_before = len(p.found)
    pairs = list(itertools.islice(entry.items(), 4))
    more = ", ..." if len(entry) > len(pairs) else ""
    option = "{" + ", ".join(f"{shown(k, quote=False)}: {shown(v)}" for k, v in pairs) + more + "}"
    for key in entry:
        if key not in OPTION_FIELDS:
            p.add(
                where,
                "missing",
                f"{shown(key)} in {option} is not a field of a missing answer option"
                + did_you_mean(str(key), OPTION_FIELDS),
            )
    code = entry.get("value")
    if code is None:
        p.add(where, "missing", f"the answer option {option} needs a value (its code)")
    elif not is_number(code) or not float(code).is_integer():
        p.add(where, "missing", f"code {shown(code)} of {option} must be a whole number")
        code = None
    label = ""
    if "label" not in entry:
        p.add(where, "missing", f"the answer option {option} needs a label")
    elif code is not None:
        label = read_text(
            p,
            {"missing": entry["label"]},
            "missing",
            where,
            required=True,
            translate=f"missing:{rid}:{code:g}",
        )
    if kind not in _OFFERED_ON:
        p.add(
            where,
            "missing",
            f"a {kind} scale offers no answers to choose from, so it cannot offer {option}; "
            "list its label and its code as separate entries instead",
        )
    if code is not None:
        lo, hi = bounds
        if code in values:
            p.add(where, "missing", f"code {code:g} of {option} is also a value on the scale")
        elif lo is not None and hi is not None and lo <= code <= hi:
            p.add(
                where,
                "missing",
                f"code {code:g} of {option} lies inside the scale's range {lo:g} to {hi:g} "
                "(missing codes must lie outside it)",
            )
    key = "" if code is None else f"missing:{rid}:{code:g}"
    texts = [label] + [text for _, k, text in p.translations if key and k == key]
    for text in texts:
        if text and text.casefold() in point_labels:
            p.add(
                where,
                "missing",
                f"label {shown(text)} of {option} is also a label of a scale point",
            )
    if len(p.found) > n_before or code is None:
        return None
    return int(code), label


def _check_repeats(
    p: Problems, missing: list[str | Number], options: list[tuple[int, str]], where: str
) -> None:
    """A code or label of an answer option that another entry repeats."""
    for code in dict.fromkeys(code for code, _ in options):
        if sum(1 for m in missing if not isinstance(m, str) and m == code) > 1:
            p.add(where, "missing", f"code {code:g} is listed more than once")
    for label in dict.fromkeys(label.casefold() for _, label in options):
        codes = [f"{c:g}" for c, text in options if text.casefold() == label]
        if len(codes) > 1:
            p.add(
                where,
                "missing",
                f"label {shown(label)} is used for codes {' and '.join(codes)}, so it cannot be "
                "read back",
            )
