"""The performance suite: every workload the issues name, beside what researchers use today.

    python benchmarks/run.py [--quick] [--markdown] [--no-r]

Workloads are generated with fixed seeds. For each: colead's median of 5 runs, the comparison
measured in the same run (pandas, pingouin, R), the ratio, and the target. ``--quick`` uses
small sizes (CI runs it so the suite never rots); the full mode makes the README's table.
R comparisons run when ``Rscript`` with psych and multilevel is installed; otherwise the
table says so.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd

import colead as cl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import agreement as agreement_bench  # noqa: E402
import import_qualtrics  # noqa: E402
import psychometrics as psychometrics_bench  # noqa: E402
import twolevel as twolevel_bench  # noqa: E402
import workloads  # noqa: E402
from _suite import Row, median_seconds  # noqa: E402


def startup_rows(runs: int) -> list[Row]:
    def run(argv: list[str]) -> float:
        return median_seconds(lambda: subprocess.run(argv, check=True, stdout=subprocess.DEVNULL),
                              runs, warm=False)

    bare = run([sys.executable, "-c", "pass"])
    return [Row("import colead", run([sys.executable, "-c", "import colead"]),
                "python -c pass", bare, "< 0.5 s"),
            Row("colead --help", run([sys.executable, "-m", "colead", "--help"]),
                "python -c pass", bare, "< 0.5 s")]


def import_row(rows: int, folder: Path) -> Row:
    inst = import_qualtrics.instrument()
    schools = max(1, rows // 25)
    resp = cl.simulate(inst, n_schools=schools, respondents=rows // schools, seed=20261127)
    path = folder / "qualtrics.csv"
    cl.write_export(resp, path, platform="qualtrics")
    return Row(f"import: Qualtrics {len(resp.data):,} x 150",
               median_seconds(lambda: cl.read_responses(path, inst)),
               "pandas.read_csv (parse only)",
               median_seconds(lambda: pd.read_csv(path, header=None, dtype=object)), "< 5 s")


def psychometric_rows(n: int, folder: Path, use_r: bool) -> list[Row]:
    import pingouin

    inst = psychometrics_bench.instrument(20, 6)
    resp = cl.simulate(inst, n_schools=n // 25, respondents=25, missing=0.03, seed=20261127)

    def both() -> None:
        cl.score(resp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cl.reliability(resp)

    block_inst = psychometrics_bench.instrument(1, 20)
    block = cl.simulate(block_inst, n_schools=n // 25, respondents=25, missing=0.03,
                        seed=20261128).data[list(block_inst.item_ids)]
    block_path = folder / "alpha_block.csv"
    block.to_csv(block_path, index=False, na_rep="NA")
    alpha = median_seconds(lambda: cl.alpha(block))
    rows = [Row(f"score + reliability, {n:,} x 120 items / 20 scales", median_seconds(both),
                target="< 2 s"),
            Row(f"alpha, {n:,} x 20", alpha, "pingouin.cronbach_alpha",
                median_seconds(lambda: pingouin.cronbach_alpha(data=block)), "<= pingouin")]
    if use_r:
        rows.append(Row(f"alpha, {n:,} x 20", alpha, "R psych::alpha",
                        workloads.r_seconds("alpha", block_path)))
    return rows


def agreement_rows(teachers: int, schools: int, scales: int, folder: Path,
                   use_r: bool) -> list[Row]:
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

    rows = [Row(f"icc + rwg_j + aggregate, {teachers:,} in {schools:,} schools, {scales} scales",
                median_seconds(colead_all), "pandas groupby, same arithmetic",
                median_seconds(baseline), "< 1 s; ratio <= 3")]
    if use_r:
        path = folder / "agreement.csv"
        data[["school_id", *sets["s0"]]].assign(score=scores["s0"]).to_csv(path, index=False,
                                                                          na_rep="NA")
        one_scale = median_seconds(lambda: (cl.icc(scores["s0"], data["school_id"]),
                                            cl.rwg_j(data[sets["s0"]], data["school_id"],
                                                     scale_points=6)))
        rows.append(Row("icc + rwg_j, one scale", one_scale,
                        "R multilevel::ICC1(aov) + rwg.j", workloads.r_seconds("agreement", path)))
    return rows


def report_row(schools: int) -> Row:
    resp = cl.simulate("colead-teacher", n_schools=schools, respondents=(10, 50), seed=20261127)
    with tempfile.TemporaryDirectory() as folder:
        seconds = median_seconds(lambda: cl.report(resp, path=Path(folder) / "r.html",
                                                   progress=False), runs=3)
    return Row(f"report, {schools} schools, {len(resp.data):,} teachers", seconds,
               target="< 30 s")


# -- the report at scale (issue 17): linear in schools, a state in a minute --------------------
def report_scale_rows(quick: bool) -> list[Row]:
    """The report with one file per school at 4x steps of schools in one run (the ratio column
    is the growth per step), and a state of 4,000 schools and 100,000 teachers."""
    import itertools

    import report as report_bench

    sizes = report_bench.QUICK_SCALING if quick else report_bench.SCALING
    timings = report_bench.scaling(sizes)
    rows = [Row(f"report + school files, {b.schools:,} schools", b.seconds,
                f"the same at {a.schools:,} schools", a.seconds,
                f"ratio <= {report_bench.GROWTH:g}")
            for a, b in itertools.pairwise(timings)]
    state = report_bench.time_report(400 if quick else 4_000)
    rows.append(Row(f"report + school files, {state.schools:,} schools, {state.teachers:,} "
                    f"teachers (district report {state.district_mb:.1f} MB)", state.seconds,
                    target="< 60 s; district report < 10 MB"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (for CI)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--no-r", action="store_true", help="skip the R comparisons")
    args = parser.parse_args()
    use_r = not args.no_r and workloads.r_available()
    r_note = ("yes" if use_r else "skipped (--no-r)" if args.no_r
              else "not available (Rscript with psych and multilevel not found)")
    n, schools = (2_000, 80) if args.quick else (100_000, 4_000)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = [*startup_rows(3 if args.quick else 11),
                import_row(n, folder),
                *psychometric_rows(n, folder, use_r),
                *agreement_rows(n, schools, 4 if args.quick else 20, folder, use_r),
                *twolevel_bench.rows(quick=args.quick, runs=3 if args.quick else 5,
                                     use_r=use_r, folder=folder),
                *workloads.influence_rows(500 if args.quick else 5_000),
                *workloads.path_rows(quick=args.quick),
                report_row(10 if args.quick else 100),
                *report_scale_rows(args.quick)]
    machine = (f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}, "
               f"{_cpus()} CPUs")
    print(f"colead {cl.__version__} benchmarks ({'quick' if args.quick else 'full'} mode) on "
          f"{machine}; R comparisons: {r_note}")
    _print(rows, markdown=args.markdown)
    return 0


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


def _print(rows: list[Row], *, markdown: bool) -> None:
    def cell(x: float) -> str:
        return "" if x != x else f"{x:.3f}"

    if markdown:
        print("| workload | colead (s) | comparison | comparison (s) | ratio | target |")
        print("|---|---:|---|---:|---:|---|")
        for r in rows:
            print(f"| {r.workload} | {cell(r.colead)} | {r.comparison} | {cell(r.other)} | "
                  f"{cell(r.ratio)} | {r.target} |")
        return
    width = max(len(r.workload) for r in rows)
    head = f"{'workload':<{width}}  {'colead s':>9}  {'comparison':<34} {'s':>9} {'ratio':>6}"
    print(f"{head}  target")
    for r in rows:
        print(f"{r.workload:<{width}}  {cell(r.colead):>9}  {r.comparison:<34} {cell(r.other):>9} "
              f"{cell(r.ratio):>6}  {r.target}")


if __name__ == "__main__":
    sys.exit(main())
