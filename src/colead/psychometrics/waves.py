"""Measurement invariance across survey waves: may the means of a scale be compared?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd

from colead.exceptions import InvalidParameterError
from colead.instrument.versions import compare_scales, matched_items
from colead.io.responses import Responses
from colead.psychometrics.cfa import InvarianceResult, cfa
from colead.psychometrics.cfa.summary import html_table
from colead.psychometrics.scoring import keyed_items

__all__ = ["WaveInvariance", "invariance_across_waves"]

LEVELS = ("configural", "metric", "scalar")


@dataclass(frozen=True)
class WaveInvariance:
    """Configural, metric and scalar invariance of one scale across survey waves.

    Attributes
    ----------
    scale : str
    waves : tuple of str
    invariance : InvarianceResult
        The fits and chi-square difference tests (``cfa(group="wave", invariance=...)``).
    means_comparable : bool
        True when scalar invariance (equal loadings and intercepts) holds: then a change of
        the scale mean is a change of what the scale measures.
    """

    scale: str
    waves: tuple[str, ...]
    invariance: InvarianceResult = field(repr=False)
    means_comparable: bool

    @property
    def comparison(self) -> pd.DataFrame:
        return self.invariance.comparison

    def summary(self) -> str:
        verdict = (f"scalar invariance holds: the means of {self.scale!r} may be compared "
                   "across the waves" if self.means_comparable else
                   f"only {self.invariance.supported} invariance holds: a change of the mean "
                   f"of {self.scale!r} may be a change in how the items work")
        return "\n".join([f"{self.scale} across waves {', '.join(self.waves)}",
                          self.invariance.summary(), verdict])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        verdict = "means may be compared" if self.means_comparable else "means not comparable"
        return html_table(self.comparison, f"{self.scale} across waves: {verdict}")


def invariance_across_waves(
    waves: Mapping[Any, Responses],
    scale: str,
    *,
    levels: Sequence[str] = LEVELS,
    estimator: str = "ml",
) -> WaveInvariance:
    """Test whether a scale measures alike in every wave: configural, metric (equal loadings)
    and scalar (equal intercepts) invariance of its one-factor model on the pooled waves.

    Parameters
    ----------
    waves : mapping
        Wave label -> Responses, two or more. The scale must be comparable in every wave
        (its items the same by id and wording, or declared ``equivalent_to:``); items are
        named as in the last wave.
    scale : str
    levels : sequence of str, default ("configural", "metric", "scalar")
    estimator : {"ml", "wlsmv"}, default "ml"
        As :func:`colead.cfa`; with ``"wlsmv"`` the items are ordinal and the levels may
        include ``"thresholds"``.

    Returns
    -------
    WaveInvariance
        ``means_comparable`` is True when scalar invariance holds.

    Notes
    -----
    The fit is :func:`colead.cfa` with ``group="wave"`` and ``invariance=levels`` (lavaan's
    ``group.equal`` and ``lavTestLRT``, validated there), on the keyed items (reverse-keyed
    items turned around) of complete rows.
    """
    if not isinstance(waves, Mapping) or len(waves) < 2 or not all(
            isinstance(w, Responses) for w in waves.values()):
        raise InvalidParameterError("The 'waves' parameter of invariance_across_waves must be "
                                    "a mapping of wave label -> Responses, two or more.")
    labels = [str(label) for label in waves]
    last = list(waves.values())[-1].instrument
    if scale not in last.scales:
        raise InvalidParameterError(f"The 'scale' parameter of invariance_across_waves names "
                                    f"{scale!r}, which the last wave's instrument "
                                    f"{last.name!r} does not have.")
    frames = []
    for label, resp in zip(labels, waves.values(), strict=True):
        reason = compare_scales(last, resp.instrument, scale)
        if reason:
            raise InvalidParameterError(f"{scale!r} cannot be compared with wave {label!r}: "
                                        f"{reason}.")
        names = {old: new for new, old in matched_items(last, resp.instrument, scale).items()}
        own = resp.instrument.scales[scale]
        items = keyed_items(resp.data, resp.instrument, own).rename(columns=names)
        frames.append(items.assign(wave=label))
    data = pd.concat(frames, ignore_index=True)
    model = {scale: list(last.scales[scale].items)}
    result = cast(InvarianceResult, cfa(data, model, group="wave", invariance=tuple(levels),
                                        estimator=estimator))  # type: ignore[arg-type]
    return WaveInvariance(scale=scale, waves=tuple(labels), invariance=result,
                          means_comparable=result.failed is None and result.supported == "scalar")
