"""Time reading exports with many columns: read_responses must be linear in the columns.

    python benchmarks/wide_columns.py [--extra N] [--runs R] [--quick]

A generic CSV export of the bundled ``colead-teacher`` instrument (100 respondents) gets N and
then 2N extra answer columns that match no item (half of them sharing one header, as the
repeated "Other" columns of a real export do). The median of R runs of ``read_responses`` and
of ``draft_mapping`` is reported at each width; the target is a ratio under 3 between 2N and
N columns (a quadratic step in the columns gives 4).
"""

from __future__ import annotations

import argparse
import io
import sys

import numpy as np
import pandas as pd
from _suite import median_seconds

import colead as cl
from colead.io import read_export
from colead.io.mapping import draft_mapping, map_columns

TARGET_RATIO = 3.0


def wide_export(extra: int, respondents: int = 25, schools: int = 4) -> bytes:
    """A generic CSV of ``colead-teacher`` answers followed by ``extra`` unmatched columns."""
    inst = cl.load_instrument("colead-teacher")
    resp = cl.simulate(inst, n_schools=schools, respondents=respondents, seed=20261207)
    buffer = io.StringIO()
    cl.write_export(resp, buffer, platform="csv")
    base = pd.read_csv(io.StringIO(buffer.getvalue()), dtype=str, keep_default_na=False)
    names = [f"extra_{i}" if i % 2 else "Other" for i in range(extra)]
    filler = pd.DataFrame(np.full((len(base), extra), "x"), columns=range(extra))
    body = pd.concat([base, filler], axis=1).to_csv(header=False, index=False)
    return (",".join([*base.columns, *names]) + "\n" + body).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=8_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 extra columns, 2 runs (CI)")
    args = parser.parse_args()
    extra, runs = (1_000, 2) if args.quick else (args.extra, args.runs)
    inst = cl.load_instrument("colead-teacher")
    times: dict[str, list[float]] = {"read_responses": [], "draft_mapping": []}
    for width in (extra, 2 * extra):
        data = wide_export(width)
        times["read_responses"].append(
            median_seconds(lambda data=data: cl.read_responses(data, inst), runs)
        )
        export = read_export(data)
        column_map = map_columns(export, inst, list(inst.item_ids))
        times["draft_mapping"].append(
            median_seconds(lambda e=export, m=column_map: draft_mapping(e, inst, m), runs)
        )
    print(f"Extra unmatched columns: {extra:,} and {2 * extra:,}; median of {runs} runs")
    worst = 0.0
    for name, (small, large) in times.items():
        ratio = large / small
        worst = max(worst, ratio)
        print(f"  {name:15s} {small:7.3f} s  {large:7.3f} s   ratio {ratio:.2f} "
              f"(target < {TARGET_RATIO:g})")
    return 0 if args.quick or worst < TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
