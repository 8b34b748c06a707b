"""The app itself (:func:`create_app`) and ``colead app`` (:func:`serve`)."""

from __future__ import annotations

import contextlib
import ipaddress
import signal
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import AsyncIterator
from importlib import resources
from typing import TYPE_CHECKING, Any

from colead.app import api, pages
from colead.app.guard import Guard, Settings, UploadTooLarge, too_large, wants_json
from colead.app.store import Store
from colead.exceptions import ColeadError, InvalidParameterError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

DEFAULT_PORT = 8765
MB = 1024 * 1024


def create_app(settings: Settings | None = None, store: Store | None = None) -> Guard:
    """The ASGI app: the pages, the API and the static files, behind :class:`Guard`.

    ``settings`` defaults to this computer only at :data:`DEFAULT_PORT`. The private folder
    is made on first use and removed when the app stops (the ASGI lifespan's shutdown; at
    the latest when Python exits).
    """
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    settings = settings or Settings.local(DEFAULT_PORT)
    store = store or Store()

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        store.folder  # noqa: B018 -- made now, so that its removal at the end is certain
        try:
            yield
        finally:
            store.remove()

    def on_colead_error(request: Request, exc: Exception) -> Response:
        if wants_json(request.scope):
            return api.error_response(exc, store.folder)
        lines = work_lines(exc, store)
        return pages.render("error.html.j2", 400, title="colead cannot do this",
                            lines=lines)

    def on_http(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        detail = str(getattr(exc, "detail", "")) or "not found"
        return _refusal(request, status, detail, detail)

    def on_too_large(request: Request, exc: Exception) -> Response:
        return _refusal(request, *too_large(settings.max_upload))

    def on_bug(request: Request, exc: Exception) -> Response:
        return _refusal(request, 500, "internal error",
                        "colead could not finish this request (a bug in colead); please "
                        "report it with what you did")

    static = resources.files("colead.app") / "static"
    app = Starlette(
        routes=[*pages.routes(store, settings.max_upload), *api.routes(store, settings.max_upload),
                Mount("/static", StaticFiles(directory=str(static)), name="static")],
        exception_handlers={ColeadError: on_colead_error, HTTPException: on_http,
                            UploadTooLarge: on_too_large, Exception: on_bug},
        lifespan=lifespan,
    )
    guarded = Guard(app, settings)
    guarded.store = store  # type: ignore[attr-defined]  # for tests and serve()
    return guarded


def work_lines(exc: Exception, store: Store) -> list[str]:
    from colead.app.messages import shown_lines

    return shown_lines(exc, store.folder) if isinstance(exc, ColeadError) else [str(exc)]


def _refusal(request: Request, status: int, error: str, detail: str) -> Response:
    from starlette.responses import JSONResponse

    if wants_json(request.scope):
        return JSONResponse({"error": error, "problems": [
            {"row": None, "column": None, "value": None, "reason": detail}]},
            status_code=status)
    return pages.render("error.html.j2", status, title=f"colead: {error}", lines=[detail])


def is_loopback(host: str) -> bool:
    """Whether ``host`` reaches this computer only (127.x.x.x, ::1, localhost)."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(host: str = "127.0.0.1", port: int = DEFAULT_PORT, *, open_browser: bool = True,
          max_upload: int = 50 * MB) -> int:
    """Run the app until Ctrl+C: print its address, open it in the browser, and remove the
    private folder when it stops. Returns 0.

    Bound to this computer (127.0.0.1) by default. Another ``host`` makes the app reachable
    from the network: a warning is printed and every request needs the random access token
    printed in the address.
    """
    import uvicorn

    local = is_loopback(host)
    settings = (Settings.local(port, max_upload=max_upload, host=host) if local
                else Settings.network(max_upload=max_upload))
    _check_port(host, port)
    app = create_app(settings)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    url = f"http://{shown}:{port}/"
    if settings.token:
        url += f"?token={settings.token}"
        print(f"colead app: warning: --host {host} lets anyone on your network reach the app "
              "(and the survey files you give it); they also need the access token in the "
              "address below. Use the default (127.0.0.1) unless you mean to share it.",
              file=sys.stderr)
    print(f"colead app: open {url}\n"
          "  Your files stay on this computer, in a private folder removed when the app "
          "stops.\n  Press Ctrl+C to stop.", flush=True)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                            access_log=False, lifespan="on", server_header=False)
    server = uvicorn.Server(config)
    if hasattr(signal, "SIGHUP"):  # the terminal window closed: stop as Ctrl+C stops
        signal.signal(signal.SIGHUP, lambda *_: setattr(server, "should_exit", True))
    if open_browser:
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    try:
        server.run()
    except KeyboardInterrupt:  # Ctrl+C is how the app is stopped (uvicorn passes it on)
        pass
    finally:
        app.store.remove()  # type: ignore[attr-defined]
    print("colead app: stopped; the files it was given were removed", flush=True)
    return 0


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise InvalidParameterError(
                f"cannot listen on {host} port {port}: {exc.strerror or exc} (is another "
                "colead app running? choose another port)"
            ) from None


def _open_when_started(server: Any, url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    if server.started:
        webbrowser.open(url)
