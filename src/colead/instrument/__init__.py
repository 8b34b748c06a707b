"""Instruments: the survey definitions (YAML) colead reads, checks and fields.

An :class:`Instrument` holds items, response scales, scales (with psych-style keys) and an
optional decision-influence grid. ``load_instrument`` reads a bundled name or a file and
checks all of it; ``list_instruments`` lists the bundled ones.

Public names: Instrument, Item, Scale, ResponseScale, InfluenceGrid, load_instrument,
list_instruments, bundled_instrument_paths.
"""

from colead.instrument.load import bundled_instrument_paths, list_instruments, load_instrument
from colead.instrument.model import (
    OPTION_SEPARATOR,
    InfluenceGrid,
    Instrument,
    Item,
    Number,
    ResponseScale,
    Scale,
)

__all__ = [
    "OPTION_SEPARATOR",
    "InfluenceGrid",
    "Instrument",
    "Item",
    "Number",
    "ResponseScale",
    "Scale",
    "bundled_instrument_paths",
    "list_instruments",
    "load_instrument",
]
