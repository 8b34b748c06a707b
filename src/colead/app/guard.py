"""The app's outer wall, an ASGI middleware around everything else.

For every request, before the app sees it:

- the ``Host`` header must name the app itself (127.0.0.1, localhost or ::1 at its port)
  when it serves this computer only, so that a web page cannot reach it through a domain
  name that resolves to 127.0.0.1 (DNS rebinding);
- when it serves the network (``--host``), the random access token must come with the
  request: in the URL (``?token=``) the first time, then in a cookie the app sets
  (``HttpOnly; SameSite=Strict``);
- a request that changes something (any method but GET, HEAD, OPTIONS) must come from the
  app's own pages: its ``Origin`` header must be the app's origin. A browser always sends
  ``Origin`` with a POST, so another site open in the same browser cannot post to the app;
  a request with no ``Origin`` is accepted only when the browser's ``Sec-Fetch-Site`` does
  not say it came from elsewhere (tools such as curl send neither);
- the request body may not exceed the upload limit (refused with 413 before it is read when
  ``Content-Length`` says so, and while it is read otherwise).

And on every response: a strict Content-Security-Policy (the app's own scripts and styles
only, nothing from elsewhere), ``X-Content-Type-Options: nosniff``, ``Cache-Control:
no-store``, no referrer, no framing by other sites. An error escaping the app becomes a 500
with a short message, never a stack trace.
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The app's own pages: scripts, styles, images and requests from the app only; forms post
#: to the app only; frames show the app's own report only.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
#: A report: one self-contained page with its own style sheet and embedded images, no
#: scripts at all, sandboxed (an opaque origin, also when opened on its own); only the app's
#: page may show it in a frame.
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
    "frame-ancestors 'self'; base-uri 'none'; sandbox"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_COOKIE = "colead_token"
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


class UploadTooLarge(Exception):
    """The request body passed the upload limit while it was read."""


@dataclass(frozen=True)
class Settings:
    """How the app is reached: the hosts it answers to (None: any, when a token guards it),
    the access token (None on this computer only), and the upload limit in bytes."""

    max_upload: int = 50 * 1024 * 1024
    token: str | None = None
    hosts: frozenset[str] | None = None

    @classmethod
    def local(cls, port: int, *, max_upload: int = 50 * 1024 * 1024, host: str = "127.0.0.1"
              ) -> Settings:
        """This computer only, at ``port``: the Host header must name a loopback address."""
        names = {*_LOOPBACK, host if ":" not in host else f"[{host}]"}
        hosts = {f"{name}:{port}" for name in names}
        if port == 80:
            hosts |= names
        return cls(max_upload=max_upload, hosts=frozenset(hosts))

    @classmethod
    def network(cls, *, max_upload: int = 50 * 1024 * 1024) -> Settings:
        """The network: any Host, a fresh random token required."""
        return cls(max_upload=max_upload, token=secrets.token_urlsafe(24))

    @property
    def body_limit(self) -> int:
        """The largest request body: the upload limit and room for the form's other fields."""
        return self.max_upload + 256 * 1024


def security_headers(policy: str = PAGE_POLICY) -> list[tuple[bytes, bytes]]:
    frame = b"SAMEORIGIN" if "frame-ancestors 'self'" in policy else b"DENY"
    return [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
        # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on
        # the pages' own form posts, which the same-origin check must refuse
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", frame),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]


class Guard:
    """The middleware (see the module's notes)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # no websockets
            await send({"type": "websocket.close", "code": 1008})
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        started = False
        cookie: str | None = None

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                own = [(k, v) for k, v in message.get("headers", [])]
                policy = next((v.decode() for k, v in own
                               if k.lower() == b"content-security-policy"), PAGE_POLICY)
                kept = [(k, v) for k, v in own if k.lower() not in _SECURITY_NAMES]
                message["headers"] = kept + security_headers(policy)
                if cookie:
                    message["headers"].append((b"set-cookie", cookie.encode()))
            await send(message)

        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _plain(send_secured, scope, *refusal)
            return
        token = self.settings.token
        if token and _query_token(scope) == token and _cookie_token(headers) != token:
            cookie = f"{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"

        limit, seen = self.settings.body_limit, 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise UploadTooLarge
            return message

        try:
            await self.app(scope, counted, send_secured)
        except Exception as exc:  # never a stack trace to the browser
            print(f"colead app: internal error: {type(exc).__name__}: "
                  f"{str(exc).splitlines()[0][:200] if str(exc) else ''}", file=sys.stderr)
            if not started:
                await _plain(send_secured, scope, 500, "internal error",
                             "colead could not finish this request (a bug in colead); "
                             "please report it with what you did")

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str, str] | None:
        s = self.settings
        host = headers.get("host", "")
        if s.hosts is not None and host.lower() not in s.hosts:
            return (403, "not this app's address",
                    f"this app answers at 127.0.0.1 only, not at {host[:80]!r}")
        if s.token is not None:
            given = _query_token(scope) or _cookie_token(headers)
            if not given or not secrets.compare_digest(given, s.token):
                return (403, "access token missing or wrong",
                        "open the app with the address it printed when it started "
                        "(it ends in ?token=...)")
        if scope["method"] not in SAFE_METHODS:
            origin = headers.get("origin")
            own = f"{scope.get('scheme', 'http')}://{host}".lower()
            if origin is not None and origin.lower() != own:
                return (403, "request from another site",
                        "the app accepts changes only from its own pages (Origin "
                        f"{origin[:80]!r} is not {own!r})")
            site = headers.get("sec-fetch-site")
            if origin is None and site not in (None, "same-origin", "none"):
                return (403, "request from another site",
                        "the app accepts changes only from its own pages")
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > s.body_limit:
            return too_large(s.max_upload)
        return None


_SECURITY_NAMES = {name for name, _ in security_headers()}


def too_large(max_upload: int) -> tuple[int, str, str]:
    return (413, "upload too large",
            f"the files sent are larger than the app's limit of {max_upload / 2**20:g} MB; "
            "start it with --max-upload to allow more")


def _query_token(scope: Scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return values[0] if values else None


def _cookie_token(headers: dict[str, str]) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == TOKEN_COOKIE:
            return value
    return None


def wants_json(scope: Scope) -> bool:
    return str(scope.get("path", "")).startswith("/api/")


async def _plain(send: Send, scope: Scope, status: int, error: str, detail: str) -> None:
    """A refusal: JSON for the API, a short HTML page otherwise."""
    if wants_json(scope):
        body = json.dumps({"error": error, "problems": [{"row": None, "column": None,
                                                         "value": None, "reason": detail}]})
        kind = b"application/json"
    else:
        body = (f"<!doctype html><html lang=\"en\"><title>colead: {escape(error)}</title>"
                f"<main><h1>colead: {escape(error)}</h1><p>{escape(detail)}</p></main></html>")
        kind = b"text/html; charset=utf-8"
    data = body.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})
