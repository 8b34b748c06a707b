"""Survey waves as :func:`colead.change` and :func:`colead.trend` take them: scale scores per
wave, the scales each pair of waves may compare, group codes shared by the waves, rosters
per wave, and which groups every wave may show (:func:`colead.privacy.protect_waves`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from colead.exceptions import InsufficientDataError, InvalidParameterError, ResponseDataError
from colead.instrument import Instrument
from colead.instrument.versions import compare_scales
from colead.io.responses import ID_COLUMNS, Responses
from colead.privacy import protect_waves
from colead.psychometrics.scoring import score
from colead.schools._change import WaveStats
from colead.schools._roster import roster_sizes

#: The group key used when ``by=None`` (everyone in one group).
ALL = "_all"


@dataclass(frozen=True)
class Wave:
    """One wave: its scale scores with the group (and key) column, and its instrument when
    it came as Responses."""

    label: str
    scores: pd.DataFrame
    instrument: Instrument | None
    extra: tuple[str, ...] = ()


def read_wave(data: Any, label: str, by: str | None, key: str | None, func: str) -> Wave:
    """Scores of one wave with its ``by`` and ``key`` columns (checked)."""
    extra = [c for c in (by, key) if c is not None]
    if isinstance(data, Responses):
        frame = data.data
        scores = score(data)
        scores = scores.drop(columns=[c for c in extra if c in scores.columns])
        instrument: Instrument | None = data.instrument
    elif isinstance(data, pd.DataFrame):
        frame = data
        numeric = [c for c in data.columns if c not in extra and c not in ID_COLUMNS
                   and data[c].dtype.kind in "biuf"]
        scores = data[numeric].astype(float)
        instrument = None
    else:
        raise InvalidParameterError(
            f"The {label!r} wave of {func} must be Responses or a DataFrame of scale scores; "
            f"got {type(data).__name__}.")
    missing = [c for c in extra if c not in frame.columns]
    if missing:
        what = "'by'" if missing[0] == by else "'paired_by'"
        raise InvalidParameterError(
            f"The {what} parameter of {func} names {missing[0]!r}, which the {label!r} wave "
            "does not have.")
    if by is not None and frame[by].isna().all():
        raise InsufficientDataError(
            f"{func} groups by {by!r}, which is blank in every one of the {len(frame)} rows "
            f"of the {label!r} wave: there is no group to compare.")
    columns = {c: frame[c].to_numpy() for c in extra}
    scores = scores.reset_index(drop=True).assign(**{c: v for c, v in columns.items()})
    if key is not None:
        _check_keys(scores[key], frame, label, func)
    return Wave(label=label, scores=scores, instrument=instrument, extra=tuple(extra))


def _check_keys(keys: pd.Series, frame: pd.DataFrame, label: str, func: str) -> None:
    """A respondent key must be unique within a wave (else pairs are not one to one)."""
    repeated = keys.notna() & keys.duplicated(keep=False)
    if repeated.any():
        ids = (frame["respondent_id"].astype(str).to_numpy() if "respondent_id" in frame
               else np.arange(2, len(frame) + 2).astype(str))
        raise ResponseDataError(
            [{"row": int(i) + 2, "column": keys.name, "value": ids[i],
              "reason": "this respondent key appears more than once in the wave"}
             for i in np.flatnonzero(repeated.to_numpy())],
            context=f"the {label!r} wave of {func}")


def scale_plan(waves: Sequence[Wave], scales: Sequence[str] | str | None,
               func: str) -> tuple[list[str], dict[str, str]]:
    """The scales to report (the last wave's first, then any other's) and, per scale, why it
    may not be compared across all waves ("" when it may): instruments' items when every
    wave came as Responses, else presence of the score column."""
    names: list[str] = []
    for wave in reversed(waves):
        names += [c for c in _scale_columns(wave) if c not in names]
    if scales is not None:
        wanted = [scales] if isinstance(scales, str) else list(scales)
        unknown = [s for s in wanted if s not in names]
        if unknown:
            raise InvalidParameterError(f"The 'scales' parameter of {func} names {unknown}, "
                                        f"which no wave scores ({', '.join(names)}).")
        names = wanted
    last = waves[-1]
    reasons = {}
    for scale in names:
        reason = ""
        for wave in waves[:-1]:
            if last.instrument is not None and wave.instrument is not None:
                reason = compare_scales(last.instrument, wave.instrument, scale)
                if reason and len(waves) > 2:
                    reason = f"{wave.label}: {reason}"
            elif scale not in _scale_columns(last):
                reason = f"not in the {last.label} wave"
            elif scale not in _scale_columns(wave):
                reason = f"not in the {wave.label} wave"
            if reason:
                break
        reasons[scale] = reason
    return names, reasons


def _scale_columns(wave: Wave) -> list[str]:
    if wave.instrument is not None:
        return list(wave.instrument.scales)
    return [c for c in wave.scores.columns if c not in wave.extra
            and wave.scores[c].dtype.kind == "f"]


def group_codes(waves: Sequence[Wave], by: str | None) -> tuple[list[np.ndarray], pd.Index]:
    """Codes 0..G-1 of the groups of every wave (-1: no group), and the group labels."""
    if by is None:
        return [np.zeros(len(w.scores), dtype=np.intp) for w in waves], pd.Index([ALL])
    labels = pd.concat([w.scores[by] for w in waves], ignore_index=True).astype(object)
    codes, uniques = pd.factorize(labels, sort=False, use_na_sentinel=True)
    out, start = [], 0
    for wave in waves:
        out.append(codes[start:start + len(wave.scores)].astype(np.intp))
        start += len(wave.scores)
    return out, pd.Index(uniques, dtype=object)


def values(wave: Wave, scales: list[str]) -> np.ndarray:
    """Scores of ``scales`` (NaN columns for scales this wave lacks), rows x scales."""
    frame = wave.scores.reindex(columns=scales)
    return frame.to_numpy(dtype=float)


def hidden_groups(stats: Sequence[WaveStats], groups: pd.Index, scales: list[str],
                  min_n: int) -> np.ndarray:
    """Groups x scales to hide in every wave (:func:`colead.privacy.protect_waves` on the
    counts of each wave, respondents without a group included); a scale a wave lacks has
    nobody there, so all its groups are hidden."""
    counts = []
    g, k = len(groups), len(scales)
    codes = np.repeat(np.arange(g, dtype=float), k)  # groups as small numbers: fast
    scale_codes = np.tile(np.arange(k), g)
    for st in stats:
        counts.append(pd.DataFrame({
            "scale": np.r_[scale_codes, np.arange(k)],
            "_g": np.r_[codes, np.full(k, np.nan)],  # respondents in no group
            "n": np.r_[np.nan_to_num(st.n).ravel(), st.outside]}))
    found = protect_waves(counts, "_g", min_n=min_n, within=["scale"])
    hidden = np.ones((g, k), dtype=bool)
    rows = found["_g"].to_numpy(dtype=np.intp)
    cols = found["scale"].to_numpy(dtype=np.intp)
    hidden[rows, cols] = found["hidden"].to_numpy(dtype=bool)
    return hidden


def fpc(sizes: pd.Series | None, groups: pd.Index, st: WaveStats) -> np.ndarray:
    """``1 - n / N`` per group and scale, 1 where the roster gives no size."""
    if sizes is None:
        return np.ones_like(st.n)
    total = sizes.reindex(groups).to_numpy(dtype=float)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 1 - st.n / total
    return np.where(np.isfinite(total), out, 1.0)


def wave_rosters(roster: Any, labels: Sequence[str], by: str | None, waves: Sequence[Wave],
                 func: str) -> list[pd.Series | None]:
    """Per wave, the staff count of each group (or None): from a mapping wave label ->
    roster, or from one roster frame with a ``wave`` column."""
    if roster is None:
        return [None] * len(waves)
    if by is None:
        raise InvalidParameterError(f"The 'roster' parameter of {func} gives staff counts "
                                    "per group; it needs 'by'.")
    if isinstance(roster, pd.DataFrame):
        if "wave" not in roster.columns:
            raise InvalidParameterError(
                f"The 'roster' of {func} needs a 'wave' column ({', '.join(labels)}) when it "
                "is one table; or pass a mapping of wave -> roster.")
        per_wave: Mapping[Any, Any] = {w: part.drop(columns="wave")
                                       for w, part in roster.groupby("wave", sort=False)}
    elif isinstance(roster, Mapping):
        per_wave = roster
    else:
        raise InvalidParameterError(
            f"The 'roster' parameter of {func} must be a mapping of wave -> roster or a "
            f"DataFrame with a 'wave' column; got {type(roster).__name__}.")
    unknown = [w for w in per_wave if w not in labels]
    if unknown:
        raise InvalidParameterError(f"The 'roster' of {func} names waves {unknown}; the waves "
                                    f"are {', '.join(map(repr, labels))}.")
    return [None if per_wave.get(label) is None
            else roster_sizes(per_wave[label], [by], wave.scores, func)
            for label, wave in zip(labels, waves, strict=True)]
