#!/bin/bash
# colead app for macOS (and Linux): double-click this file to start colead's web page.
# The first start makes a Python environment (.venv) in the colead folder and installs colead
# into it: a few minutes, and the only time it needs the internet. Needs Python 3.11 or newer
# (https://www.python.org/downloads/). Close the window, or press Ctrl+C, to stop the app.
cd "$(dirname "$0")/.." || exit 1
if ! .venv/bin/python -c "import colead.app, starlette, uvicorn" >/dev/null 2>&1; then
  echo "First start: installing colead (a few minutes)..."
  if ! { python3 -m venv .venv && .venv/bin/python -m pip install --quiet ".[app]"; }; then
    echo "colead could not be installed: is Python 3.11 or newer installed (python.org)?"
    read -r -p "Press Enter to close this window. "
    exit 1
  fi
fi
.venv/bin/colead app "$@"
read -r -p "colead app has stopped. Press Enter to close this window. "
