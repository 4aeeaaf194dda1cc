"""Atomic writes: an interrupted run never leaves a half-written artifact behind, nor its temp
file; folders are checked for writability before the work that fills them."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

#: How the temp file of `atomic_path` is named: `.{name}.{pid}.{random}.tmp` beside the target
#: (the writer's pid tells a killed run's leftovers from a running one's work).
TMP_PREFIX, TMP_SUFFIX = ".", ".tmp"
#: Temp names of `atomic_path` (mkstemp's random part is 8 of [a-z0-9_]), older ones without a
#: pid, and the ".bak" backups earlier versions of this package made mid-swap.
_TMP_NAME = re.compile(r"^\..+?(?:\.(?P<pid>\d+))?\.[a-z0-9_]{8}(?:\.bak)?\.tmp$")


class WriteError(OSError):
    """A folder or file of the run's outputs cannot be written; its message is one line."""


def usual_mode(base: int) -> int:
    """The permissions a new file (0o666) or folder (0o777) gets under this process's umask;
    for what mkstemp and mkdtemp make private."""
    umask = os.umask(0)
    os.umask(umask)
    return base & ~umask


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB" if n < 1e9 else f"{n / 1e9:,.2f} GB"


def free_space_text(path: str | os.PathLike[str]) -> str:
    """How much room the device holding `path` (or its nearest existing folder) has left."""
    import shutil

    where = Path(path)
    while not where.exists() and where != where.parent:
        where = where.parent
    try:
        return f"{_mb(shutil.disk_usage(where).free)} free there"
    except OSError:
        return "free space unknown"


def no_space(path: str | os.PathLike[str], needed: int | None = None) -> WriteError:
    """The one line for a full device: which file, the room left, the room it needed."""
    need = f"; about {_mb(needed)} needed" if needed else ""
    return WriteError(
        f"cannot write {path}: no space left on the device ({free_space_text(path)}{need})"
    )


def check_writable(folder: str | os.PathLike[str], what: str) -> Path:
    """Make `folder` if missing and check a file can be written in it, before any long work:
    one real byte, flushed to the device (an empty file can be made on a full disk). Raises
    `WriteError` naming the folder and the reason."""
    folder = Path(folder)
    try:
        if folder.exists() and not folder.is_dir():
            raise WriteError(f"{what} {folder} is a file, not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(
            prefix=f"{TMP_PREFIX}probe.{os.getpid()}.", suffix=TMP_SUFFIX, dir=folder
        )
        try:
            os.write(fd, b"\0")
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except WriteError:
        raise
    except OSError as e:
        if e.errno == errno.ENOSPC:
            raise WriteError(
                f"{what} {folder} is not writable: no space left on the device "
                f"({free_space_text(folder)})"
            ) from None
        raise WriteError(f"{what} {folder} is not writable: {e.strerror or e}") from None
    return folder


def check_space(folder: str | os.PathLike[str], what: str, needed: int) -> None:
    """Refuse, before the long work, a folder whose device has less room than `needed` bytes
    (an estimate of what the work will write)."""
    import shutil

    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # unknown: the writes themselves will say
    if free < needed:
        raise WriteError(
            f"{what} {folder} has {_mb(free)} free; this run needs about {_mb(needed)}"
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_temps(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temp files killed runs left in `folder`: `atomic_path`'s whose writer is no
    longer running (or that name none), never a running writer's nor any other file."""
    gone = []
    for p in sorted(Path(folder).glob(f"{TMP_PREFIX}*{TMP_SUFFIX}")):
        m = _TMP_NAME.match(p.name)
        if m is None:
            continue
        if m["pid"] and (int(m["pid"]) == os.getpid() or _alive(int(m["pid"]))):
            continue
        with contextlib.suppress(OSError):
            if p.is_symlink() or p.is_file():  # a link: the run-set pointer being made
                p.unlink()
                gone.append(p)
    return gone


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], needed: int | None = None) -> Iterator[Path]:
    """Yield a temp path beside `path`; on success it is renamed over `path`, else removed.

    The temp file lives in the same directory so the final `os.replace` is atomic. A full
    device is one `WriteError` line naming `path` (and `needed`, the bytes it takes, if known).
    """
    path = Path(path)
    tmp_path = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f"{TMP_PREFIX}{path.name}.{os.getpid()}.", suffix=TMP_SUFFIX, dir=path.parent
        )
        os.close(fd)
        tmp_path = Path(tmp)
        yield tmp_path
        # mkstemp makes 0600 files; give the artifact the usual permissions for new files
        os.chmod(tmp_path, usual_mode(0o666))
        os.replace(tmp_path, path)
    except OSError as e:
        if e.errno == errno.ENOSPC and not isinstance(e, WriteError):
            raise no_space(path, needed) from None
        raise
    finally:
        if tmp_path is not None and tmp_path.exists():
            tmp_path.unlink()


def write_atomic(
    path: str | os.PathLike[str], writer: Callable[[Path], Any], needed: int | None = None
) -> Path:
    """Call `writer(tmp_path)` and move the result into place atomically (`needed`: the bytes
    it writes, if known, for the message of a full device)."""
    with atomic_path(path, needed) as tmp:
        writer(tmp)
    return Path(path)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    return write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


#: What a spreadsheet reads as a formula when a cell starts with it (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made plain text by a leading
    apostrophe (OWASP's advice); any other value as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(df: Any) -> str:
    """A table as CSV text whose every text cell is `spreadsheet_safe`."""
    return df.map(spreadsheet_safe).to_csv(index=False, lineterminator="\n")


def json_text(obj: Any) -> str:
    """The project's one JSON layout: sorted keys, 2-space indent, UTF-8, a final newline."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def write_json_atomic(path: str | os.PathLike[str], obj: Any) -> Path:
    return write_text_atomic(path, json_text(obj))


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_text(*parts: str) -> str:
    """Hash of several strings, unambiguous about where one ends and the next begins."""
    h = hashlib.sha256()
    for p in parts:
        b = p.encode("utf-8")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()
