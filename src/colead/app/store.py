"""Where the app keeps a team's files: one private temporary folder (readable by its owner
only) for the whole run, a subfolder per upload, everything removed when the app stops.

A request's form is read with python-multipart through Starlette's parser, with every file
held in memory (never in the system's temporary folder) until it is written into the
private folder; the whole request body is bounded by the upload limit (:mod:`.guard`).
"""

from __future__ import annotations

import atexit
import re
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colead.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from starlette.requests import Request

    from colead.app.work import Inspection

#: Workspaces kept at most; the oldest is removed when a new one would pass this.
MAX_WORKSPACES = 20
#: Files a request may carry (export, instrument, mapping, roster, previous wave, norms) and
#: fields.
MAX_FILES, MAX_FIELDS, MAX_FIELD_BYTES = 8, 5000, 64 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass
class Upload:
    """A file a team sent, saved in the private folder under a safe version of its name."""

    path: Path
    name: str


@dataclass
class Workspace:
    """One export being worked on: its files, the team's choices, and what was made."""

    id: str
    folder: Path
    export: Upload
    instrument_name: str | None
    instrument_file: Upload | None
    platform: str = "auto"
    mapping: dict[str, str] = field(default_factory=dict)
    school: str | None = "school_id"
    inspection: Inspection | None = None
    min_n: int = 5
    title: str = ""
    scores: str = "mean"
    outputs: dict[str, Path] = field(default_factory=dict)


class Store:
    """The private folder and the workspaces in it."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._lock = threading.Lock()
        self.workspaces: dict[str, Workspace] = {}
        #: One analysis at a time: matplotlib's pyplot state is not thread-safe.
        self.work_lock = threading.Lock()

    @property
    def folder(self) -> Path:
        """The private folder (mode 0700), made on first use."""
        with self._lock:
            if self._folder is None or not self._folder.is_dir():
                self._folder = Path(tempfile.mkdtemp(prefix="colead-app-"))
                atexit.register(shutil.rmtree, self._folder, True)
            return self._folder

    def remove(self) -> None:
        """Remove the private folder and everything in it (the app is stopping)."""
        with self._lock:
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
            self.workspaces.clear()

    def new_folder(self) -> Path:
        """A fresh subfolder of the private folder (for one workspace or one API call)."""
        path = self.folder / secrets.token_hex(8)
        path.mkdir(mode=0o700)
        return path

    def add(self, workspace: Workspace) -> None:
        with self._lock:
            while len(self.workspaces) >= MAX_WORKSPACES:
                oldest = next(iter(self.workspaces))
                shutil.rmtree(self.workspaces.pop(oldest).folder, ignore_errors=True)
            self.workspaces[workspace.id] = workspace

    def get(self, workspace_id: str) -> Workspace | None:
        return self.workspaces.get(workspace_id)


def safe_name(name: str, default: str) -> str:
    """A file name that is safe to write: the last part of what the browser sent, without
    characters a file system or a message could trip on, at most 100 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE.sub("_", base).strip(" .")[:100]
    return base or default


def save(folder: Path, upload: tuple[str, bytes] | None, default: str) -> Upload | None:
    """Write an uploaded (file name, content) into ``folder``; None when nothing was sent."""
    if upload is None:
        return None
    name = safe_name(upload[0], default)
    path = folder / name
    if path.exists():  # two uploads with one name: keep both
        path = folder / f"{secrets.token_hex(3)}-{name}"
    path.write_bytes(upload[1])
    path.chmod(0o600)
    return Upload(path=path, name=name)


@dataclass
class Form:
    """A request's fields (first value of each) and files (name, content)."""

    fields: dict[str, str]
    files: dict[str, tuple[str, bytes]]

    def text(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default).strip()


async def read_form(request: Request, max_upload: int) -> Form:
    """Parse a multipart or url-encoded body. Empty file inputs (no file chosen) count as
    absent; a file field sent as text is refused."""
    from starlette.formparsers import MultiPartException, MultiPartParser

    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        parser = MultiPartParser(request.headers, request.stream(), max_files=MAX_FILES,
                                 max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES)
        parser.spool_max_size = max_upload + 1  # in memory, never in the system's temp folder
        try:
            data = await parser.parse()
        except MultiPartException as exc:
            raise InvalidParameterError(f"the form could not be read: {exc.message}") from None
    elif kind == "application/x-www-form-urlencoded":
        data = await request.form(max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES)
    else:
        raise InvalidParameterError(
            "send the form as multipart/form-data (files) or "
            f"application/x-www-form-urlencoded; got {kind or 'no content type'!r}"
        )
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for key, value in data.multi_items():
        if isinstance(value, str):
            fields.setdefault(key, value)
            continue
        content: Any = value.file.read()
        await value.close()
        if value.filename or content:
            files.setdefault(key, (value.filename or "", bytes(content)))
    return Form(fields=fields, files=files)
