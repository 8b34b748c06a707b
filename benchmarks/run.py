"""The performance suite: every workload the issues name, beside what researchers use today.

    python benchmarks/run.py [--quick] [--markdown] [--no-r] [--threads T] [--runs R]
                             [--historical] [--only SECTION ...]

Workloads are generated with fixed seeds. For each: colead's time warm (the minimum of R runs
after an untimed call) and cold (the first call in a fresh process, lazy imports included),
the comparison measured in the same run, interleaved with colead's (colead, comparison,
colead, ...; minimum of its runs), the ratio and the target. BLAS threads are limited to
``--threads`` (default 1) for colead, pandas and R alike, and stated in the header. A
comparison that times out shows as "> limit". Rows marked "historical" repeat a measurement
instead of rerunning a comparison that takes many minutes (``--historical`` reruns them).
``--quick`` uses small sizes (CI runs it so the suite never rots); the full mode makes the
README's table. R comparisons run when ``Rscript`` with psych, multilevel and lme4 is
installed; otherwise the table says so.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

import colead as cl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import agreement as agreement_bench  # noqa: E402
import import_qualtrics  # noqa: E402
import mixed as mixed_bench  # noqa: E402
import psychometrics as psychometrics_bench  # noqa: E402
import scale as scale_bench  # noqa: E402
import twolevel as twolevel_bench  # noqa: E402
import workloads  # noqa: E402
from _suite import (  # noqa: E402
    Row,
    alone,
    blas_threads,
    compared,
    in_fresh_process,
    min_seconds,
    print_rows,
)

#: R multilevel::ICC1 on the aov route, with rwg.j, at 100,000 teachers in 4,000 schools,
#: measured 2026-11-27 on this machine (aov builds a dense model matrix with one column per
#: school). Shown as a historical row; ``--historical`` reruns it (15 minutes).
HISTORICAL_ICC1_AOV_S = 875.0


class Context:
    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.quick: bool = args.quick
        self.runs: int = args.runs if args.runs else (3 if args.quick else 5)
        self.threads: int = args.threads
        self.use_r: bool = not args.no_r and workloads.r_available()
        self.historical: bool = args.historical
        self.folder = folder


def startup_rows(ctx: Context) -> list[Row]:
    def run(argv: list[str]) -> Callable[[], None]:
        return lambda: subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)

    runs = 3 if ctx.quick else 11
    bare = run([sys.executable, "-c", "pass"])
    return [compared("import colead", run([sys.executable, "-c", "import colead"]),
                     "python -c pass", bare, runs, target="< 0.5 s", note="fresh processes"),
            compared("colead --help", run([sys.executable, "-m", "colead", "--help"]),
                     "python -c pass", bare, runs, target="< 0.5 s",
                     note="fresh processes")]  # fmt: skip


def import_row(ctx: Context) -> list[Row]:
    rows = 2_000 if ctx.quick else 100_000
    inst = import_qualtrics.instrument()
    path = scale_bench.qualtrics_file(ctx.folder, rows)
    row = compared(f"import: Qualtrics {rows:,} x 150",
                   lambda: cl.read_responses(path, inst),
                   "pandas.read_csv (parse only)",
                   lambda: pd.read_csv(path, header=None, dtype=object),
                   ctx.runs, target="< 5 s")  # fmt: skip
    row.cold = in_fresh_process("cl.read_responses(inputs, inst)", str(path),
                                setup=scale_bench._READ, threads=ctx.threads).cold  # fmt: skip
    return [row]


def scale_rows(ctx: Context) -> list[Row]:
    return scale_bench.rows(quick=ctx.quick, runs=ctx.runs, threads=ctx.threads,
                            folder=ctx.folder)  # fmt: skip


def psychometric_rows(ctx: Context) -> list[Row]:
    import pingouin

    n = 2_000 if ctx.quick else 100_000
    inst = psychometrics_bench.instrument(20, 6)
    resp = cl.simulate(inst, n_schools=n // 25, respondents=25, missing=0.03, seed=20261127)

    def both() -> None:
        cl.score(resp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cl.reliability(resp)

    block_inst = psychometrics_bench.instrument(1, 20)
    block = cl.simulate(block_inst, n_schools=n // 25, respondents=25, missing=0.03,
                        seed=20261128).data[list(block_inst.item_ids)]  # fmt: skip
    block_path = ctx.folder / "alpha_block.csv"
    block.to_csv(block_path, index=False, na_rep="NA")
    rows = [alone(f"score + reliability, {n:,} x 120 items / 20 scales", both, ctx.runs,
                  target="< 2 s"),
            compared(f"alpha, {n:,} x 20", lambda: cl.alpha(block), "pingouin.cronbach_alpha",
                     lambda: pingouin.cronbach_alpha(data=block), ctx.runs,
                     target="<= pingouin")]  # fmt: skip
    rows[0].cold = in_fresh_process(
        "cl.score(inputs); cl.reliability(inputs)", resp,
        setup="import warnings; warnings.simplefilter('ignore'); import colead as cl",
        threads=ctx.threads).cold  # fmt: skip
    rows[1].cold = in_fresh_process("cl.alpha(inputs)", block, setup="import colead as cl",
                                    threads=ctx.threads).cold  # fmt: skip
    if ctx.use_r:
        r_runs = min(ctx.runs, 3)
        row = compared(f"alpha, {n:,} x 20", lambda: cl.alpha(block), "R psych::alpha",
                       lambda: workloads.r_seconds("alpha", block_path, ctx.threads), r_runs)
        row.cold, row.limit = rows[1].cold, workloads.R_TIMEOUT_S
        rows.append(row)
    return rows


def agreement_rows(ctx: Context) -> list[Row]:
    teachers, schools, scales = (2_000, 80, 4) if ctx.quick else (100_000, 4_000, 20)
    data = agreement_bench.make_data(teachers, schools, scales)
    sets = agreement_bench.scale_items(scales)
    scores = pd.DataFrame({name: data[items].mean(axis=1) for name, items in sets.items()})
    frame = pd.concat([data[["school_id"]], scores], axis=1)

    def colead_all() -> None:
        agreement_bench.colead_run(data, scores, sets, data["school_id"])
        cl.aggregate(frame, by="school_id")

    def baseline() -> None:
        agreement_bench.pandas_run(data, scores, sets)
        frame.groupby("school_id")[list(sets)].agg(["count", "mean", "std"])

    rows = [compared(f"icc + rwg_j + aggregate, {teachers:,} in {schools:,} schools, {scales} "
                     "scales", colead_all, "pandas groupby, same arithmetic", baseline,
                     ctx.runs, target="< 1 s; ratio <= 3")]  # fmt: skip
    one = f"icc + rwg_j, one scale, {teachers:,} in {schools:,} schools"

    def one_scale() -> None:
        cl.icc(scores["s0"], data["school_id"])
        cl.rwg_j(data[sets["s0"]], data["school_id"], scale_points=6)

    if ctx.use_r and (ctx.historical or ctx.quick):
        path = ctx.folder / "agreement.csv"
        data[["school_id", *sets["s0"]]].assign(score=scores["s0"]).to_csv(
            path, index=False, na_rep="NA")
        row = compared(one, one_scale, "R multilevel::ICC1(aov) + rwg.j (historical route)",
                       lambda: workloads.r_seconds("agreement", path, ctx.threads), 1)
        row.limit = workloads.R_TIMEOUT_S
        rows.append(row)
    elif not ctx.quick:
        rows.append(Row(one, min_seconds(one_scale, ctx.runs),
                        "R multilevel::ICC1(aov) + rwg.j, historical (2026-11-27, not rerun)",
                        HISTORICAL_ICC1_AOV_S,
                        note="aov with a 4,000-level factor; --historical reruns it"))
    return rows


def multilevel_rows(ctx: Context) -> list[Row]:
    return mixed_bench.rows(quick=ctx.quick, runs=ctx.runs, use_r=ctx.use_r,
                            threads=ctx.threads, folder=ctx.folder)  # fmt: skip


def twolevel_rows(ctx: Context) -> list[Row]:
    return twolevel_bench.rows(quick=ctx.quick, runs=ctx.runs, use_r=ctx.use_r,
                               folder=ctx.folder)  # fmt: skip


def influence_rows(ctx: Context) -> list[Row]:
    return workloads.influence_rows(500 if ctx.quick else 5_000, ctx.runs)


def path_rows(ctx: Context) -> list[Row]:
    return workloads.path_rows(quick=ctx.quick)


def report_row(ctx: Context) -> list[Row]:
    schools = 10 if ctx.quick else 100
    resp = cl.simulate("colead-teacher", n_schools=schools, respondents=(10, 50), seed=20261127)
    with tempfile.TemporaryDirectory() as folder:
        return [alone(f"report, {schools} schools, {len(resp.data):,} teachers",
                      lambda: cl.report(resp, path=Path(folder) / "r.html", progress=False),
                      3, target="< 30 s")]  # fmt: skip


# -- the report at scale (issue 17): linear in schools, a state in a minute --------------------
def report_scale_rows(ctx: Context) -> list[Row]:
    """The report with one file per school at 4x steps of schools in one run (the ratio column
    is the growth per step), and a state of 4,000 schools and 100,000 teachers."""
    import itertools

    import report as report_bench

    sizes = report_bench.QUICK_SCALING if ctx.quick else report_bench.SCALING
    timings = report_bench.scaling(sizes)
    rows = [Row(f"report + school files, {b.schools:,} schools", b.seconds,
                f"the same at {a.schools:,} schools", a.seconds,
                f"ratio <= {report_bench.GROWTH:g}")
            for a, b in itertools.pairwise(timings)]
    state = report_bench.time_report(400 if ctx.quick else 4_000)
    rows.append(Row(f"report + school files, {state.schools:,} schools, {state.teachers:,} "
                    f"teachers (district report {state.district_mb:.1f} MB)", state.seconds,
                    target="< 60 s; district report < 10 MB"))
    return rows


SECTIONS: dict[str, Callable[[Context], list[Row]]] = {
    "startup": startup_rows,
    "import": import_row,
    "scale": scale_rows,
    "psychometrics": psychometric_rows,
    "agreement": agreement_rows,
    "multilevel": multilevel_rows,
    "twolevel": twolevel_rows,
    "influence": influence_rows,
    "path": path_rows,
    "report": report_row,
    "report_scale": report_scale_rows,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (for CI)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--no-r", action="store_true", help="skip the R comparisons")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--runs", type=int, default=0, help="runs per workload (5; quick 3)")
    parser.add_argument("--historical", action="store_true",
                        help="rerun the comparisons shown as historical rows")
    parser.add_argument("--only", nargs="*", choices=list(SECTIONS), help="these sections")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, blas_threads(args.threads) as described:
        ctx = Context(args, Path(tmp))
        rows = []
        for name, section in SECTIONS.items():
            if args.only and name not in args.only:
                continue
            rows += section(ctx)
    r_note = ("yes" if ctx.use_r else "skipped (--no-r)" if args.no_r
              else "not available (Rscript with psych, multilevel and lme4 not found)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = (f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}, "
               f"{os.cpu_count() or 1} CPUs, load average {load} at the end")
    print(f"colead {cl.__version__} benchmarks ({'quick' if args.quick else 'full'} mode) on "
          f"{machine}")
    print(f"BLAS: {described} (--threads {args.threads}, also for R and child processes); "
          f"R comparisons: {r_note}; warm = minimum of {ctx.runs} runs interleaved with the "
          "comparison's; cold = first call in a fresh process")
    print_rows(rows, markdown=args.markdown)
    over = [r.workload for r in rows if _over_target(r)]
    if over and not args.quick:
        print(f"over target: {'; '.join(over)}")
    return 0


def _over_target(row: Row) -> bool:
    """Targets stated as a ratio to the comparison ("within 1.5x lme4")."""
    if row.target.startswith("within ") and row.ratio == row.ratio:
        return row.ratio > float(row.target.split()[1].rstrip("x"))
    return False


if __name__ == "__main__":
    sys.exit(main())
