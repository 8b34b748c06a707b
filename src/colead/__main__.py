"""``python -m colead``: the command line."""

import sys

from colead.cli import main

sys.exit(main())
