"""Packaging promises: a fast, lazy import; every public name; typed; data shipped."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import types
from importlib import resources

import colead as cl


def test_import_and_help_load_neither_pandas_nor_matplotlib():
    code = (
        "import sys, colead, colead.cli\n"
        "colead.cli.build_parser().format_help()\n"
        "heavy = [m for m in ('pandas', 'matplotlib', 'scipy', 'yaml') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_every_public_name_resolves_and_no_module_shadows_a_function():
    for info in pkgutil.walk_packages(cl.__path__, "colead."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    for name in cl.__all__:
        value = getattr(cl, name)
        assert not isinstance(value, types.ModuleType), name
    assert callable(cl.simulate) and callable(cl.load_instrument)


def test_typed_and_data_files_are_package_resources():
    root = resources.files("colead")
    assert (root / "py.typed").is_file()
    assert sorted(p.name for p in (root / "instruments").iterdir() if p.name.endswith(".yaml"))
    assert (root / "data" / "sample" / "teachers.csv").is_file()


def test_exceptions_are_colead_errors_and_value_errors():
    for error in (
        cl.InstrumentError,
        cl.ResponseDataError,
        cl.InsufficientDataError,
        cl.InvalidParameterError,
    ):
        assert issubclass(error, cl.ColeadError) and issubclass(error, ValueError)
    assert issubclass(cl.ColeadWarning, UserWarning)


def test_response_data_error_lists_every_problem():
    problems = [
        {"row": i, "column": "tp1", "value": f"x{i}", "reason": "unknown label"}
        for i in range(1, 61)
    ] + [{"column": "sl9", "reason": "no such item"}]
    error = cl.ResponseDataError(problems)
    table = error.problems
    assert list(table.columns) == ["row", "column", "value", "reason"]
    assert len(table) == 61
    assert "61 problems in the response data" in str(error)
    # The message lists 20 and counts the rest by kind; problem_lines() has every one.
    assert len(str(error).splitlines()) == 1 + 20 + 1
    assert str(error).splitlines()[-1] == (
        "  41 more: unknown label (40, in 1 column); no such item (1, in 1 column)"
    )
    assert len(error.problem_lines()) == 61
    assert error.problem_lines()[0] == "row 1, column 'tp1', value 'x1': unknown label"
    assert error.problem_lines()[-1] == "column 'sl9': no such item"


def test_ci_runs_the_readme_commands():
    from .conftest import REPO

    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    test_command = (
        'python3 -m venv .venv && .venv/bin/pip install ".[test]" && .venv/bin/python -m pytest'
    )
    assert test_command in readme and test_command in ci
    assert ".venv/bin/colead report --sample" in readme and ".venv/bin/colead report --sample" in ci
