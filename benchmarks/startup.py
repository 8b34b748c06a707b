"""Time colead's start-up: ``import colead`` and ``colead --help`` in fresh processes.

    python benchmarks/startup.py [--runs N] [--quick]

Each measurement starts a new Python process (so nothing is cached in memory) and reports the
median wall time over N runs, next to a bare ``python -c pass`` for the interpreter's own
start-up. The target is under 0.5 s for each.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from _suite import median_seconds

TARGET_S = 0.5
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import colead": [sys.executable, "-c", "import colead"],
    "colead --help": [sys.executable, "-m", "colead", "--help"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--quick", action="store_true", help="5 runs (for CI)")
    args = parser.parse_args()
    runs = 5 if args.quick else args.runs
    print(f"{'workload':<16} {'median (s)':>10}  target   ({runs} runs each, fresh processes)")
    slow = []
    for name, argv in COMMANDS.items():
        def start(argv: list[str] = argv) -> None:
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)

        seconds = median_seconds(start, runs, warm=False)
        target = "" if name.startswith("python") else f"< {TARGET_S}"
        print(f"{name:<16} {seconds:>10.3f}  {target}")
        if target and seconds >= TARGET_S:
            slow.append(name)
    if slow:
        print(f"over target: {', '.join(slow)}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
