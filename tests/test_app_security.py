"""The app's wall: security headers on every response, the Host and same-origin checks, the
access token on a network host, the upload limit, no stack trace, and the private folder
(owner-only, removed when the app stops, nothing written outside it)."""

from __future__ import annotations

import os
import stat

import pytest

from colead.app import create_app
from colead.app.guard import PAGE_POLICY, REPORT_POLICY, Settings

from .app_support import ORIGIN, make_client, post, qualtrics_export, running

TEACHER = {"instrument": "colead-teacher"}
SECURITY = ("content-security-policy", "x-content-type-options", "cache-control",
            "referrer-policy", "x-frame-options")


@pytest.fixture(scope="module")
def export() -> bytes:
    return qualtrics_export()


@pytest.fixture
def client():
    with running() as c:
        yield c


def secured(response, policy: str = PAGE_POLICY) -> bool:
    h = response.headers
    return (all(name in h for name in SECURITY) and h["content-security-policy"] == policy
            and h["x-content-type-options"] == "nosniff" and h["cache-control"] == "no-store"
            and "traceback" not in response.text.lower())


def test_every_kind_of_response_carries_the_security_headers(client, export):
    answers = {
        "page": client.get("/"),
        "script": client.get("/static/htmx.min.js"),
        "style": client.get("/static/app.css"),
        "missing static": client.get("/static/nothing.js"),
        "missing page": client.get("/w/nothing"),
        "missing output": client.get("/w/nothing/report.html"),
        "wrong method": client.get("/api/validate"),
        "json": client.get("/api/instruments"),
        "api error": post(client, "/api/validate", data=TEACHER),
        "page error": post(client, "/start", data=TEACHER),
        "cross-site": client.post("/api/validate", headers={"origin": "http://evil.example"}),
        "wrong host": client.get("/", headers={"host": "evil.example:8765"}),
    }
    expected = {"page": 200, "script": 200, "style": 200, "missing static": 404,
                "missing page": 404, "missing output": 404, "wrong method": 405, "json": 200,
                "api error": 400, "page error": 400, "cross-site": 403, "wrong host": 403}
    assert {k: r.status_code for k, r in answers.items()} == expected
    for name, response in answers.items():
        assert secured(response), name
    assert answers["script"].headers["content-type"].split(";")[0] in (
        "text/javascript", "application/javascript")
    assert answers["missing output"].headers["x-frame-options"] == "DENY"


def test_the_policy_allows_nothing_from_elsewhere():
    directives = dict(d.strip().split(" ", 1) for d in PAGE_POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "style-src", "connect-src", "form-action", "frame-src"):
        assert directives[name] == "'self'", name
    assert "unsafe" not in PAGE_POLICY and "http" not in PAGE_POLICY
    report = dict((d.strip() + " ").split(" ", 1) for d in REPORT_POLICY.split(";"))
    assert "script-src" not in report and report["default-src"].strip() == "'none'"
    assert "sandbox" in report


def test_the_host_must_be_the_app_itself(client):
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765"):
        assert client.get("/", headers={"host": host}).status_code == 200, host
    for host in ("evil.example:8765", "127.0.0.1:9999", "attacker.127.0.0.1.nip.io:8765", ""):
        r = client.get("/", headers={"host": host})
        assert r.status_code == 403 and secured(r), host


@pytest.mark.parametrize("url", ["/start", "/w/x/mapping", "/w/x/report", "/api/validate",
                                 "/api/report", "/api/scores"])
def test_changes_come_from_the_apps_own_pages_only(client, export, url):
    files = {"file": ("t.csv", export)}
    for origin in ("http://evil.example", "null", "http://127.0.0.1:8766",
                   "https://127.0.0.1:8765"):
        r = client.post(url, files=files, data=TEACHER, headers={"origin": origin})
        assert r.status_code == 403, (url, origin)
        assert secured(r)
    r = client.post(url, files=files, data=TEACHER, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    # the app's own origin, or a tool that sends no Origin (curl), gets past the wall
    assert post(client, url, files=files, data=TEACHER).status_code != 403
    assert client.post(url, files=files, data=TEACHER).status_code != 403


def test_a_network_host_needs_the_token_then_a_cookie():
    settings = Settings.network()
    token = settings.token
    assert token and len(token) >= 32
    with make_client(create_app(settings)) as c:
        r = c.get("/")
        assert r.status_code == 403 and secured(r) and "token" in r.text
        assert c.get("/?token=wrong").status_code == 403
        assert c.get("/api/instruments", headers={"host": "anything:1"}).status_code == 403
        r = c.get(f"/?token={token}")
        assert r.status_code == 200
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(f"colead_token={token};")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert c.get("/api/instruments").status_code == 200  # the cookie carries the token
        c.cookies.clear()
        assert c.get("/api/instruments").status_code == 403


def test_uploads_over_the_limit_are_refused(export):
    with running(max_upload=10_000) as c:
        big = b"x" * 400_000
        r = post(c, "/api/validate", files={"file": ("t.csv", big)}, data=TEACHER)
        assert r.status_code == 413 and secured(r)
        assert "limit of 0.00953674 MB" in r.json()["problems"][0]["reason"]
        r = post(c, "/start", files={"file": ("t.csv", big)}, data=TEACHER)
        assert r.status_code == 413 and "--max-upload" in r.text and secured(r)

        def chunks():  # no Content-Length: counted while it is read
            head = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\""
                    b"\r\n\r\n")
            yield head
            for _ in range(40):
                yield b"y" * 10_000
            yield b"\r\n--b--\r\n"

        r = c.post("/api/validate", content=chunks(), headers={
            "origin": ORIGIN, "content-type": "multipart/form-data; boundary=b"})
        assert "content-length" not in r.request.headers
        assert r.status_code == 413 and secured(r)
        # under the limit it is read
        small = qualtrics_export(personal=False)[:9_000]
        r = post(c, "/api/validate", files={"file": ("t.csv", small)}, data=TEACHER)
        assert r.status_code in (200, 400) and r.status_code != 413


def test_an_internal_error_is_a_short_500_without_a_traceback(client, export, monkeypatch,
                                                              capsys):
    from colead.app import work

    def broken(*args, **kwargs):
        raise RuntimeError("deep inside: secret detail\nline two")

    monkeypatch.setattr(work, "inspect_export", broken)
    r = post(client, "/api/validate", files={"file": ("t.csv", export)}, data=TEACHER)
    assert r.status_code == 500 and secured(r)
    assert r.json()["error"] == "internal error" and "secret" not in r.text
    r = post(client, "/start", files={"file": ("t.csv", export)}, data=TEACHER)
    assert r.status_code == 500 and secured(r) and "secret" not in r.text
    assert "RuntimeError: deep inside: secret detail" in capsys.readouterr().err


def test_the_private_folder_is_owner_only_and_removed_when_the_app_stops(export):
    with running() as c:
        store = c.app_under_test.store
        folder = store.folder
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        r = post(c, "/start", files={"file": ("../../etc/teachers.csv", export)}, data=TEACHER,
                 follow_redirects=False)
        assert r.status_code == 303
        (workspace,) = store.workspaces.values()
        saved = workspace.export.path
        assert saved.parent.parent == folder and saved.name == "teachers.csv"
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
        # an API call keeps its files only while it runs
        before = set(os.listdir(folder))
        post(c, "/api/validate", files={"file": ("t.csv", export)}, data=TEACHER)
        post(c, "/api/scores", files={"file": ("t.csv", export)}, data=TEACHER)
        assert set(os.listdir(folder)) == before
    assert not folder.exists()


def test_uploads_are_parsed_in_memory_never_in_the_system_temporary_folder(export,
                                                                         monkeypatch):
    import tempfile

    from starlette import formparsers

    spooled: list[tempfile.SpooledTemporaryFile] = []

    class Recorded(tempfile.SpooledTemporaryFile):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            spooled.append(self)

    monkeypatch.setattr(formparsers, "SpooledTemporaryFile", Recorded)
    big = export * (3_000_000 // len(export) + 1)  # more than Starlette's 1 MB spool
    with running() as c:
        r = post(c, "/api/validate", files={"file": ("t.csv", big)}, data=TEACHER)
        assert r.status_code in (200, 400)
    assert spooled and all(not f._rolled for f in spooled)


def test_old_workspaces_make_room_and_their_files_go(tmp_path):
    from colead.app.store import MAX_WORKSPACES, Store, Upload, Workspace

    store = Store()
    try:
        made = []
        for i in range(MAX_WORKSPACES + 3):
            folder = store.new_folder()
            made.append(folder)
            store.add(Workspace(id=str(i), folder=folder, export=Upload(folder / "x", "x"),
                                instrument_name="colead-teacher", instrument_file=None))
        assert len(store.workspaces) == MAX_WORKSPACES
        assert [f.exists() for f in made] == [False] * 3 + [True] * MAX_WORKSPACES
        assert store.get("0") is None and store.get(str(MAX_WORKSPACES + 2)) is not None
    finally:
        store.remove()
    assert not any(f.exists() for f in made)
