"""Instruments: survey definitions with items, response scales, scales and an influence grid.

An instrument is read from a YAML file (the format is in the README, "Writing your own
instrument") and checked completely before it is returned.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colead.exceptions import InstrumentError, InstrumentProblem
from colead.instrument.model import (
    OPTION_SEPARATOR,
    InfluenceGrid,
    Instrument,
    Item,
    Number,
    ResponseScale,
    Scale,
)

if TYPE_CHECKING:
    import pandas as pd

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


# -- finding and loading ---------------------------------------------------------------------
def bundled_instrument_paths() -> dict[str, Path]:
    """Name -> path of every instrument shipped with colead."""
    folder = resources.files("colead") / "instruments"
    return {
        Path(entry.name).stem: Path(str(entry))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith((".yaml", ".yml"))
    }


def load_instrument(source: str | os.PathLike[str] | Mapping[str, Any] | Instrument) -> Instrument:
    """Load and check an instrument.

    Parameters
    ----------
    source : str, path, mapping or Instrument
        The name of a bundled instrument (see :func:`list_instruments`), the path of a YAML
        file, or an already parsed mapping. An :class:`Instrument` is returned unchanged.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError
        Listing every problem in the file (file, where, field, reason), or naming the bundled
        instruments when ``source`` is neither a file nor a bundled name.
    """
    from colead.instrument.parse import parse_instrument

    if isinstance(source, Instrument):
        return source
    if isinstance(source, Mapping):
        return parse_instrument(source, file="<mapping>", duplicates=[])
    path = _resolve(source)
    stat = path.stat()
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _load_cached(path: str, mtime_ns: int, size: int) -> Instrument:
    # Keyed on modification time and size, so an edited file is read again.
    from colead.instrument.parse import read_instrument_file

    return read_instrument_file(Path(path))


def _resolve(source: str | os.PathLike[str]) -> Path:
    text = os.fspath(source)
    path = Path(text)
    if path.is_file():
        return path.resolve()
    bundled = bundled_instrument_paths()
    if text in bundled:
        return bundled[text]
    looks_like_path = path.suffix in (".yaml", ".yml") or os.sep in text or "/" in text
    reason = (
        "no such file"
        if looks_like_path
        else f"no bundled instrument of that name; bundled: {', '.join(sorted(bundled))}"
    )
    raise InstrumentError([InstrumentProblem(text, "", "", reason)])


def list_instruments() -> pd.DataFrame:
    """The bundled instruments: name, title, version, respondent, n_items, n_scales, scales,
    grid (stakeholders x zones), source."""
    import pandas as pd

    rows = []
    for name, path in bundled_instrument_paths().items():
        inst = load_instrument(path)
        grid = inst.influence
        rows.append(
            {
                "name": name,
                "title": inst.title,
                "version": inst.version,
                "respondent": inst.respondent,
                "n_items": len(inst.item_list),
                "n_scales": len(inst.scale_list),
                "scales": ", ".join(sc.id for sc in inst.scale_list),
                "grid": f"{len(grid.stakeholders)} x {len(grid.zones)}" if grid else "",
                "source": inst.source,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "name",
            "title",
            "version",
            "respondent",
            "n_items",
            "n_scales",
            "scales",
            "grid",
            "source",
        ],
    )
