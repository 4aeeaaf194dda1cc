"""Atomic writes: an interrupted run never leaves a half-written artifact behind, nor its temp
file; folders are checked for writability before the work that fills them."""

from __future__ import annotations

import contextlib
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
#: Temp names of `atomic_path` and `StagedWrites` (mkstemp's random part is 8 of [a-z0-9_]; a
#: ".bak" is a target's previous content mid-swap), older ones without a pid.
_TMP_NAME = re.compile(r"^\..+?(?:\.(?P<pid>\d+))?\.[a-z0-9_]{8}(?:\.bak)?\.tmp$")


class WriteError(OSError):
    """A folder or file of the run's outputs cannot be written; its message is one line."""


def check_writable(folder: str | os.PathLike[str], what: str) -> Path:
    """Make `folder` if missing and check a file can be created in it, before any long work;
    raises `WriteError` naming the folder and the reason."""
    folder = Path(folder)
    try:
        if folder.exists() and not folder.is_dir():
            raise WriteError(f"{what} {folder} is a file, not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(
            prefix=f"{TMP_PREFIX}probe.{os.getpid()}.", suffix=TMP_SUFFIX, dir=folder
        )
        os.close(fd)
        os.unlink(probe)
    except WriteError:
        raise
    except OSError as e:
        raise WriteError(f"{what} {folder} is not writable: {e.strerror or e}") from None
    return folder


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
            if p.is_file() and not p.is_symlink():
                p.unlink()
                gone.append(p)
    return gone


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temp path beside `path`; on success it is renamed over `path`, else removed.

    The temp file lives in the same directory so the final `os.replace` is atomic.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f"{TMP_PREFIX}{path.name}.{os.getpid()}.", suffix=TMP_SUFFIX, dir=path.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes 0600 files; give the artifact the usual permissions for new files
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


class StagedWrites:
    """Several files replaced together: each is written to a temp file beside it, and only when
    every write has succeeded are they moved into place. A failed write leaves the earlier
    files untouched and no temp file behind.

        with StagedWrites() as stage:
            df.to_parquet(stage.path(out / "papers.parquet"))
            ...
    """

    def __init__(self) -> None:
        self._temps: list[tuple[Path, Path]] = []

    def path(self, target: str | os.PathLike[str]) -> Path:
        """The temp path to write `target`'s new content to."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f"{TMP_PREFIX}{target.name}.{os.getpid()}.", suffix=TMP_SUFFIX, dir=target.parent
        )
        os.close(fd)
        self._temps.append((Path(tmp), target))
        return Path(tmp)

    def __enter__(self) -> StagedWrites:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        moved: list[tuple[Path, Path | None]] = []  # (target, its previous content's backup)
        try:
            if exc_type is None:
                umask = os.umask(0)
                os.umask(umask)
                for tmp, _ in self._temps:
                    os.chmod(tmp, 0o666 & ~umask)
                for tmp, target in self._temps:
                    backup = None
                    if target.is_file():
                        backup = tmp.with_name(tmp.name.removesuffix(TMP_SUFFIX) + ".bak.tmp")
                        os.replace(target, backup)
                    moved.append((target, backup))
                    os.replace(tmp, target)
                for _, backup in moved:
                    if backup is not None:
                        backup.unlink()
                moved = []
        finally:
            for target, backup in reversed(moved):  # a rename failed: put the old set back
                with contextlib.suppress(OSError):
                    if backup is not None:
                        os.replace(backup, target)
                    elif target.is_file():
                        target.unlink()
            for tmp, _ in self._temps:
                with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                    tmp.unlink()


def write_atomic(path: str | os.PathLike[str], writer: Callable[[Path], Any]) -> Path:
    """Call `writer(tmp_path)` and move the result into place atomically."""
    with atomic_path(path) as tmp:
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
