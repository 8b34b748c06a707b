"""``colead app`` on the command line: its options, one line per mistake, the warning and
the token on a network address, and a fast ``colead --help`` that loads no web framework."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from colead.app import server
from colead.cli import main


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_help_lists_the_app_and_loads_no_web_framework():
    code = ("import sys, colead.cli\n"
            "text = colead.cli.build_parser().format_help()\n"
            "print('app' in text, [m for m in ('starlette', 'uvicorn', 'jinja2', 'colead.app')"
            " if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "True []"


@pytest.mark.parametrize("argv, message", [
    (["--port", "0"], "--port: must be a whole number of at least 1"),
    (["--port", "70000"], "--port must be 65535 or less"),
    (["--max-upload", "0"], "--max-upload: must be a whole number of at least 1"),
    (["--max-upload", "lots"], "must be a whole number; got 'lots'"),
])
def test_wrong_options_are_one_line_and_exit_2(argv, message, capsys):
    assert main(["app", "--no-browser", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_without_the_app_extra_it_says_how_to_install_it(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "starlette" else real(name, *a))
    assert main(["app", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err == ('colead: error: colead app needs the app extra, which is not installed '
                   '(missing: starlette): pip install "colead[app]"\n')


def test_a_port_in_use_is_one_line(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["app", "--no-browser", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1 port {port}" in err and "another colead app" in err
    assert len(err.strip().splitlines()) == 1


def test_loopback_addresses():
    for host in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"):
        assert server.is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.20", "example.org", ""):
        assert not server.is_loopback(host), host


def test_the_browser_opens_once_the_server_listens(monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(server.webbrowser, "open", opened.append)

    class Server:
        started = False

    s = Server()
    s.started = True
    server._open_when_started(s, "http://127.0.0.1:1/")
    assert opened == ["http://127.0.0.1:1/"]
    server._open_when_started(Server(), "http://never/", timeout=0.3)
    assert opened == ["http://127.0.0.1:1/"]


def test_a_network_address_warns_and_needs_the_token(tmp_path):
    port = _free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "colead", "app", "--host", "0.0.0.0", "--no-browser",
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://\S+", line).group()
        token = re.search(r"\?token=([\w-]+)$", url).group(1)
        assert len(token) >= 32
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
            except urllib.error.HTTPError as exc:
                status = exc.code
                break
            except OSError:
                time.sleep(0.1)
        assert status == 403
        with urllib.request.urlopen(url, timeout=5) as answer:
            assert answer.status == 200 and "colead_token=" in answer.headers["set-cookie"]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert "stopped; the files it was given were removed" in out
    assert process.returncode == 0
    assert "warning: --host 0.0.0.0 lets anyone on your network reach the app" in err
    assert not list(tmp_path.glob("colead-app-*"))


def test_the_macos_launcher_starts_the_app_from_the_colead_folder(tmp_path):
    from .conftest import REPO

    folder = tmp_path / "colead-main"
    (folder / "launchers").mkdir(parents=True)
    launcher = folder / "launchers" / "colead-app.command"
    launcher.write_bytes((REPO / "launchers" / "colead-app.command").read_bytes())
    launcher.chmod(0o755)
    assert os.access(REPO / "launchers" / "colead-app.command", os.X_OK)  # double-clickable
    bin_ = folder / ".venv" / "bin"
    bin_.mkdir(parents=True)
    # an installed environment: this Python (it has the app extra) and a recording colead
    (bin_ / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_ / "colead").write_text('#!/bin/sh\necho "$PWD $*" > "$(dirname "$0")/called"\n')
    for name in ("python", "colead"):
        (bin_ / name).chmod(0o755)
    done = subprocess.run([str(launcher), "--no-browser"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert "installing" not in done.stdout
    assert (bin_ / "called").read_text().strip() == f"{folder} app --no-browser"
    bat = (REPO / "launchers" / "colead-app.bat").read_bytes()
    assert b'".venv\\Scripts\\colead.exe" app %*\r\n' in bat and b"\n" not in bat.replace(
        b"\r\n", b"")
