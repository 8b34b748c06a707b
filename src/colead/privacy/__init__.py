"""Privacy rules, in one place: personal columns, small-group suppression, safe CSV.

Personal columns (names, emails, IP addresses, locations, recipient fields, tokens, phone
numbers) are recognised by their header and removed at import unless asked otherwise. No
statistic resting on fewer than ``min_n`` respondents leaves the package: :func:`suppress`
blanks it, with complementary suppression for breakdowns. Text written to CSV that a
spreadsheet would run as a formula is neutralised.
"""

from colead.privacy.personal import (
    csv_safe,
    is_personal,
    looks_personal,
    normalise_header,
    quote_cell,
    uncsv_safe,
    write_csv,
)
from colead.privacy.suppression import (
    blank,
    check_item_min_n,
    check_min_n,
    protect,
    protect_waves,
    suppress,
)

__all__ = [
    "blank",
    "check_item_min_n",
    "check_min_n",
    "csv_safe",
    "is_personal",
    "looks_personal",
    "normalise_header",
    "protect",
    "protect_waves",
    "quote_cell",
    "suppress",
    "uncsv_safe",
    "write_csv",
]
