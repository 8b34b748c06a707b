"""``colead app``: a local web page where a school team drops its survey export and gets its
report, on its own computer.

The pages and the local HTTP API run on Starlette (an optional extra, ``pip install
"colead[app]"``, so that the library stays light); nothing is fetched from the network. The
app reads, maps, scores, protects and reports through the library's public functions only.

Modules: :mod:`.server` (the app and ``serve``), :mod:`.guard` (host, token, same-origin and
size checks, security headers), :mod:`.store` (the private folder, uploads, forms),
:mod:`.inputs` (a request's files as the library takes them), :mod:`.work` (reading, mapping
and outputs, without HTTP), :mod:`.pages` and :mod:`.api` (the routes).
"""

from colead.app.server import create_app, serve

__all__ = ["create_app", "serve"]
