"""A run's whole output, data and figures, as one set that becomes current in one atomic step.

    processed/
      current -> runs/<id>          the one pointer readers follow (a symlink)
      runs/<id>/                    a complete set: data files, figures/, run.json
      runs/.staging.<pid>.<rand>/   a set being written (never read)

A run writes its set into a staging folder; when every file is written, the folder is renamed
to `runs/<id>` (the id is the set's own content hash, so the same results give the same id) and
`current` is switched to it by replacing the symlink with `os.replace`, which is atomic. Until
that one step the previous set stays current and whole; after it the new one is. Old sets are
pruned only after the switch, and the one just replaced is kept, so a reader that resolved
`current` a moment before still finds its files. Readers resolve `current` once and read every
file of one set (`current_set`), checked against the sha256 its `run.json` records.

Staging folders of killed runs (their writer's pid no longer running) are removed at the next
run's start.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .io import WriteError, usual_mode

__all__ = [
    "CURRENT",
    "RUNS",
    "RunSetError",
    "current_set",
    "file_hashes",
    "prune",
    "remove_stale_staging",
    "staging",
    "switch",
]

#: The pointer to the current set, and the folder of sets, inside the output folder.
CURRENT = "current"
RUNS = "runs"
_STAGING = re.compile(r"^\.staging\.(?P<pid>\d+)\.[a-z0-9_]+$")


class RunSetError(OSError):
    """The output folder's current set is missing, incomplete or altered; one line."""


def current_set(out: str | os.PathLike[str]) -> Path | None:
    """The folder of the current set (resolved once: read every file from it), None when the
    output folder has none."""
    pointer = Path(out) / CURRENT
    try:
        target = os.readlink(pointer)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:  # a file, not a link: not a set this code wrote
        raise RunSetError(f"{pointer}: not a pointer to a run set ({e.strerror or e})") from None
    folder = (pointer.parent / target).resolve()
    if not folder.is_dir():
        raise RunSetError(f"{pointer} points to {target}, which is missing")
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_staging(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the staging folders in `folder` (the output folder's `runs/`, or the figures
    folder) of runs that died (their pid no longer runs)."""
    gone = []
    folder = Path(folder)
    if not folder.is_dir():
        return gone
    for p in sorted(folder.iterdir()):
        m = _STAGING.match(p.name)
        if m and int(m["pid"]) != os.getpid() and not _alive(int(m["pid"])):
            shutil.rmtree(p, ignore_errors=True)
            gone.append(p)
    return gone


@contextlib.contextmanager
def staging(parent: str | os.PathLike[str]) -> Iterator[Path]:
    """A fresh staging folder in `parent` (the output folder's `runs/` for a set); removed
    with what it holds if the block fails, and in any case if it is still there at the end."""
    parent = Path(parent)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f".staging.{os.getpid()}.", dir=parent))
        os.chmod(folder, usual_mode(0o777))  # mkdtemp's 0700 would keep the set from others
    except OSError as e:
        raise WriteError(f"cannot write {parent}: {e.strerror or e}") from None
    try:
        yield folder
    finally:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)


def file_hashes(folder: Path, skip: tuple[str, ...] = ("run.json",)) -> dict[str, str]:
    """sha256 of every file of a set folder by its path inside it ("figures/theme_map.png")."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel not in skip:
            h = hashlib.sha256()
            with open(p, "rb") as f:
                while block := f.read(1 << 20):
                    h.update(block)
            out[rel] = h.hexdigest()
    return out


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def switch(out: str | os.PathLike[str], staged: Path, set_id: str) -> Path:
    """Make the staged set current: flush its files to the device, rename it to
    runs/<set_id> (an identical set already there is kept and the staged copy dropped), then
    replace the `current` link in one step."""
    out = Path(out)
    final = out / RUNS / set_id
    if final.is_dir() and file_hashes(final, skip=()) == file_hashes(staged, skip=()):
        shutil.rmtree(staged, ignore_errors=True)
    else:
        if final.is_dir():  # the same id but altered since: set aside, replaced, removed
            aside = Path(tempfile.mkdtemp(prefix=f".staging.{os.getpid()}.", dir=final.parent))
            os.replace(final, aside / set_id)
            shutil.rmtree(aside, ignore_errors=True)
        for p in sorted(staged.rglob("*")):
            _fsync(p)
        _fsync(staged)
        os.rename(staged, final)
        _fsync(final.parent)
    link = out / f".{CURRENT}.{os.getpid()}.{secrets.token_hex(4)}.tmp"  # as io's temp names
    os.symlink(Path(RUNS) / set_id, link)
    os.replace(link, out / CURRENT)
    _fsync(out)
    return final


def prune(out: str | os.PathLike[str], keep: set[str]) -> list[Path]:
    """Remove every set but those named in `keep` (the current one and the one it replaced)."""
    runs = Path(out) / RUNS
    gone = []
    for p in sorted(runs.iterdir()) if runs.is_dir() else []:
        if p.is_dir() and not p.name.startswith(".") and p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
            gone.append(p)
    return gone
