"""Writing output files safely: never over an input, never half-written.

Every file colead writes goes through :func:`replacing`: the content is written to a temporary
file in the target's folder and renamed over the target only when it is complete, so a run
that fails (a full disk, an error half-way) leaves the old file, or no file, never a
truncated one. :func:`check_output` refuses a target that is (or resolves to, through
symbolic links, hard links or relative paths) one of the run's input files.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from colead.exceptions import InvalidParameterError

__all__ = ["check_output", "decode_error", "replacing", "same_file", "write_text"]

PathLike = str | os.PathLike[str]


def same_file(a: PathLike, b: PathLike) -> bool:
    """True when ``a`` and ``b`` name the same file (symbolic links and relative paths
    resolved; hard links compared by device and inode when both exist)."""
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
        return pa.resolve() == pb.resolve()
    except OSError:
        return False


def check_output(
    path: PathLike,
    *,
    inputs: Iterable[Any] = (),
    overwrite: bool = True,
    name: str = "path",
    func: str = "",
) -> Path:
    """Check that ``path`` may be written: it is not one of ``inputs`` (entries that are not
    paths, such as DataFrames or bundled instrument names, are skipped), not a folder, and,
    unless ``overwrite``, not an existing file. Returns ``path`` as a Path."""
    target = Path(path)
    where = f"The {name!r} parameter of {func}" if func else f"The output {str(target)!r}"
    for source in inputs:
        if isinstance(source, str | os.PathLike) and Path(source).is_file():
            if same_file(target, source):
                raise InvalidParameterError(
                    f"{where} names the input file {os.fspath(source)!r}; colead never "
                    "overwrites an input: choose another file."
                )
    if target.is_dir():
        raise InvalidParameterError(f"{where} names the folder {str(target)!r}; give a file.")
    folder = target.resolve().parent
    if not folder.is_dir():
        raise InvalidParameterError(
            f"{where} is in the folder {str(target.parent)!r}, which does not exist."
        )
    if not overwrite and (target.exists() or target.is_symlink()):
        raise InvalidParameterError(f"{where} names {str(target)!r}, which already exists.")
    return target


@contextlib.contextmanager
def replacing(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without an error, rename it
    to ``path`` (replacing the file a symbolic link points to, not the link); otherwise remove
    it and leave ``path`` as it was."""
    target = Path(path)
    if target.is_symlink():
        target = target.resolve()
    folder = target.parent
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        os.chmod(temp, _mode_for(target))
        os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def write_text(path: PathLike, text: str, *, inputs: Iterable[Any] = (), name: str = "path",
               func: str = "", newline: str | None = None) -> Path:
    """Write ``text`` as UTF-8 to ``path`` through :func:`replacing`, after
    :func:`check_output`."""
    target = check_output(path, inputs=inputs, name=name, func=func)
    with replacing(target) as temp:
        temp.write_text(text, encoding="utf-8", newline=newline)
    return target


def decode_error(exc: UnicodeDecodeError) -> str:
    """A reason for a file that is not UTF-8 text, for a message."""
    byte = exc.object[exc.start : exc.start + 1].hex()
    return (
        f"is not UTF-8 text (byte 0x{byte} at position {exc.start}); save it with the "
        "encoding UTF-8"
    )


def _mode_for(target: Path) -> int:
    """The permissions of the file being replaced, else those a new file gets (0o666 less
    the umask); mkstemp alone would leave the file readable by its owner only."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
