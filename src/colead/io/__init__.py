"""Reading and writing survey-platform exports.

:func:`read_export` reads an export as its platform lays it out; :func:`read_responses` maps
it onto an instrument; :func:`write_export` writes responses in a platform's layout (for the
sample data and the tests); :func:`read_roster` reads group sizes for response rates;
:func:`pseudonymise` replaces an identifying column by a salted hash for pairing waves. Each
platform's layout lives in one module that knows it both ways.
"""

from colead.io._platforms import read_export
from colead.io.export import PLATFORM_NAMES, Column, Export
from colead.io.mapping import ColumnMap, draft_mapping, map_columns, read_mapping
from colead.io.pseudonym import pseudonymise
from colead.io.read import read_responses
from colead.io.responses import ImportLog, Responses
from colead.io.roster import read_roster
from colead.io.write import PLATFORMS, write_export

__all__ = [
    "PLATFORMS",
    "PLATFORM_NAMES",
    "Column",
    "ColumnMap",
    "Export",
    "ImportLog",
    "Responses",
    "draft_mapping",
    "map_columns",
    "pseudonymise",
    "read_export",
    "read_mapping",
    "read_responses",
    "read_roster",
    "write_export",
]
