"""Time and peak memory at the scale of a state: reading a 1,000,000 x 150 export, streaming it
in chunks, and decision influence for 1,000,000 respondents.

    python benchmarks/scale.py [--quick] [--runs R] [--threads T]

Each measurement runs in a fresh process (its peak resident memory is the process's, inputs
and Python included), alternating with its comparison:

- read: ``colead.read_responses`` of a Qualtrics export of 1,000,000 rows x 150 columns,
  beside ``pandas.read_csv(path, header=None, dtype=object)`` of the same file (targets: peak
  under 3 GB, time within 4x pandas');
- stream: ``read_responses(chunksize=100_000)`` into ``colead.aggregate_chunks`` on the same
  rows twice over (2,000,000), beside reading that file whole into ``colead.aggregate``
  (target: peak memory that does not grow with the rows);
- influence: ``colead.influence`` of 1,000,000 colead-teacher respondents (7 x 7 grid), its
  matrix overall and by school and the school indices, beside plain pandas doing the
  per-school cell statistics (``groupby(school).agg([count, mean, std, median])`` over the 49
  item columns) (target: peak under 1.5 GB).

The export is ``colead.write_export`` of 100,000 simulated respondents (fixed seed), its rows
repeated with distinct response ids (writing a million rows through ``write_export`` takes
minutes and adds nothing to the measurement). ``--quick`` (CI) uses 20,000 rows.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import import_qualtrics
from _suite import Fresh, Row, blas_threads, in_fresh_process, print_rows

import colead as cl

SEED = 20261127
REPEAT = 3  # calls per fresh process: the first is cold, the best of the others warm


def qualtrics_file(folder: Path, rows: int, base_rows: int = 100_000) -> Path:
    """A Qualtrics export of ``rows`` respondents (the base export's rows repeated, each copy
    with its own response ids)."""
    base_rows = min(base_rows, rows)
    path = folder / f"qualtrics_{rows}.csv"
    if path.exists():
        return path
    base = folder / f"qualtrics_base_{base_rows}.csv"
    if not base.exists():
        inst = import_qualtrics.instrument()
        resp = cl.simulate(inst, n_schools=base_rows // 25, respondents=25, seed=SEED)
        cl.write_export(resp, base, platform="qualtrics")
    lines = base.read_bytes().splitlines(keepends=True)
    header, body = lines[:3], b"".join(lines[3:])
    copies = math.ceil(rows / base_rows)
    with path.open("wb") as out:
        out.writelines(header)
        for k in range(copies):
            out.write(body.replace(b",R_", b",R%d_" % k) if k else body)
    return path


_READ = """
import colead as cl, import_qualtrics
inst = import_qualtrics.instrument()
"""


def _fresh_row(workload: str, ours: list[Fresh], comparison: str, theirs: list[Fresh],
               **fields: object) -> Row:  # fmt: skip
    """A row from alternating fresh processes (each a cold call, then warm calls): the least
    disturbed times, the highest peak."""
    warm = min(f.warm for f in ours)
    other = min(f.warm for f in theirs)
    return Row(workload, warm, comparison, other, cold=min(f.cold for f in ours),
               runs=len(ours) * (REPEAT - 1), **fields)  # type: ignore[arg-type]  # fmt: skip


def read_rows(folder: Path, rows: int, runs: int, threads: int) -> list[Row]:
    path = qualtrics_file(folder, rows)
    ours, theirs = [], []
    for _ in range(runs):  # alternating fresh processes
        ours.append(in_fresh_process("cl.read_responses(inputs, inst)", str(path),
                                     setup=_READ, repeat=REPEAT, threads=threads))  # fmt: skip
        theirs.append(in_fresh_process(
            "pd.read_csv(inputs, header=None, dtype=object)", str(path),
            setup="import pandas as pd", repeat=REPEAT, threads=threads))  # fmt: skip
    size = path.stat().st_size / 1e6
    peak, other_peak = max(f.peak for f in ours), max(f.peak for f in theirs)
    return [_fresh_row(f"read_responses, Qualtrics {rows:,} x 150 ({size:.0f} MB), whole",
                       ours, "pandas.read_csv(dtype=object), same file", theirs,
                       target="peak < 3 GB; <= 4x pandas",
                       note=f"peak {peak:.2f} GB (pandas {other_peak:.2f} GB)")]  # fmt: skip


_STREAM = """
import colead as cl, import_qualtrics
inst = import_qualtrics.instrument()
"""


def stream_rows(folder: Path, rows: int, chunk: int, threads: int) -> list[Row]:
    one, two = qualtrics_file(folder, rows), qualtrics_file(folder, 2 * rows)
    stream = f"cl.aggregate_chunks(cl.read_responses(inputs, inst, chunksize={chunk}))"
    half = in_fresh_process(stream, str(one), setup=_STREAM, threads=threads)
    ours = in_fresh_process(stream, str(two), setup=_STREAM, threads=threads)
    whole = in_fresh_process("cl.aggregate(cl.read_responses(inputs, inst))", str(two),
                             setup=_STREAM, threads=threads)  # fmt: skip
    return [Row(f"read_responses(chunksize={chunk:,}) + aggregate_chunks, {2 * rows:,} x 150",
                ours.cold, "read_responses + aggregate, whole file", whole.cold,
                cold=ours.cold, target="peak flat in rows",
                note=(f"one run each, cold; peak {ours.peak:.2f} GB ({rows:,} rows: "
                      f"{half.peak:.2f} GB), whole file {whole.peak:.2f} GB; tables equal "
                      "(tests/test_chunks.py)"), runs=1)]  # fmt: skip


_INFLUENCE = """
import colead as cl
inst = cl.load_instrument("colead-teacher")
"""
_INFLUENCE_CALL = """
res = cl.influence(inputs, inst)
res.matrix(by="school_id", long=True)
"""
_PANDAS_CALL = """
cells = [c for c in inputs.columns if c.startswith("inf_")]
inputs.groupby("school_id")[cells].agg(["count", "mean", "std", "median"])
"""
_INDICES_CALL = """
res = cl.influence(inputs, inst)
res.matrix()
res.matrix(by="school_id")
res.indices(by="school_id")
"""


def influence_rows(respondents: int, runs: int, threads: int) -> list[Row]:
    inst = cl.load_instrument("colead-teacher")
    if inst.influence is None:
        raise RuntimeError("colead-teacher has no influence grid")
    sim = cl.simulate(inst, n_schools=respondents // 25, respondents=25, seed=SEED)
    columns = ["respondent_id", "school_id", *(item for _, _, item in inst.influence.cells)]
    data = sim.data[columns]
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(in_fresh_process(_INFLUENCE_CALL, data, setup=_INFLUENCE, repeat=REPEAT,
                                     threads=threads))  # fmt: skip
        theirs.append(in_fresh_process(_PANDAS_CALL, data, repeat=REPEAT, threads=threads))
    more = in_fresh_process(_INDICES_CALL, data, setup=_INFLUENCE, threads=threads)
    base = in_fresh_process("pass", data, threads=threads).peak
    peak = max(f.peak for f in ours)
    return [_fresh_row(
        f"influence + per-school cell statistics (n, mean, sd, median, % major, suppressed), "
        f"{respondents:,} respondents, 7 x 7 grid", ours,
        "pandas groupby(school).agg(count, mean, std, median), 49 cells", theirs,
        target="peak < 1.5 GB",
        note=(f"peak {peak:.2f} GB, of which the loaded data {base:.2f} GB (pandas "
              f"{max(f.peak for f in theirs):.2f} GB); with matrix() and indices(by) too: "
              f"{more.cold:.1f} s cold, peak {more.peak:.2f} GB"))]  # fmt: skip


def rows(*, quick: bool, runs: int, threads: int, folder: Path) -> list[Row]:
    n = 20_000 if quick else 1_000_000
    big_runs = 1 if quick else min(runs, 2)
    return [
        *read_rows(folder, n, big_runs, threads),
        *stream_rows(folder, n, 2_000 if quick else 100_000, threads),
        *influence_rows(n, big_runs, threads),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows (for CI)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    with blas_threads(args.threads) as described, tempfile.TemporaryDirectory() as tmp:
        found = rows(quick=args.quick, runs=args.runs, threads=args.threads, folder=Path(tmp))
    print(f"BLAS: {described}; each run a fresh process, minimum time, maximum peak memory")
    print_rows(found, markdown=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
