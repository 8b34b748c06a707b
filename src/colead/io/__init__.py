"""Reading and writing survey-platform exports.

Each platform's layout lives in one module that knows it both ways; ``write_export`` writes
synthetic or real responses in a platform's layout (used by the sample data and the tests).
"""

from colead.io.write import PLATFORMS, write_export

__all__ = ["PLATFORMS", "write_export"]
