"""The version of colead (one place, read by the package, its build and its outputs)."""

__version__ = "0.1.0"
