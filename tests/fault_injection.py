"""The command line with a fault injected at the Nth file event under given folders, for
`tests/test_faults.py`:

    python -m tests.fault_injection ACTION N LOG -- run --output-dir OUT --figures-dir FIG ...

N is an event's number in the run (1: the first), or `=KIND:TEXT`: the first event of that kind
(`open`, `os.rename`, ...; empty: any) whose path contains TEXT. It runs `python -m analysis
run ...` in this process, with an audit hook (`sys.addaudithook`)
that sees every file the run creates, writes, renames, links or removes under OUT and FIG (plus
the pyarrow writes of `DataFrame.to_parquet`, which the interpreter does not audit). Each such
event is appended to LOG (one JSON line, written before the fault, so a killed run leaves its
log whole). At event N, ACTION happens:

- `count`: nothing (N is ignored): the log lists the run's events, each with the state a kill
  at that moment would leave (`set_state`: the set `current` points to, its files' digest and
  whether they match its run.json; the published figures' digest): the disk holds at each
  event exactly what a SIGKILL there would leave, as nothing of this process survives one;
- `kill`: SIGKILL of this process, which no handler can catch;
- `enospc`: an `OSError(ENOSPC)`, as a full device raises it;
- `slow`: at every rename, replace or link from event N on, a pause of 1.5 s (a slow disk),
  so that readers can run in between.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
import time

#: Audit events that change files, and which of their arguments is the path.
CHANGES = {
    "open": 0,
    "os.rename": 1,
    "os.replace": 1,
    "os.symlink": 1,
    "os.remove": 0,
    "os.rmdir": 0,
    "os.mkdir": 0,
    "shutil.rmtree": 0,
    "os.truncate": 0,
}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
SWITCHES = {"os.rename", "os.replace", "os.symlink"}
SLOW_SECONDS = 1.5


def _digest(files: dict[str, str]) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]


def _hashes(folder: str) -> dict[str, str]:
    import hashlib

    out = {}
    for base, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(base, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return out


def set_state(out: str, figures: str) -> dict:
    """What readers of `out` would find now: the current set's id, the digest of its files,
    whether they match its run.json; and the digest of the published figures."""
    state: dict = {"set": None, "digest": None, "verified": False}
    try:
        target = os.readlink(os.path.join(out, "current"))
    except OSError:
        target = None
    if target is not None:
        folder = os.path.join(out, target)
        files = _hashes(folder)
        with open(os.path.join(folder, "run.json"), encoding="utf-8") as f:
            record = json.load(f)
        files_but_record = {k: v for k, v in files.items() if k != "run.json"}
        state = {
            "set": os.path.basename(target),
            "digest": _digest(files),
            "verified": files_but_record == record["artifacts"],
            "files": files_but_record,
            # what the record says of the run but how it computed (a rerun whose fits come
            # from their cache starts no engine, and says so)
            "record": {k: v for k, v in record.items() if k != "compute"},
            "compute": record.get("compute"),
        }
    shown = {n: h for n, h in _hashes(figures).items() if os.sep not in n and n[0] != "."}
    state["figures"] = shown
    return state


def _writes(event: str, args: tuple) -> bool:
    if event != "open":
        return True
    mode, flags = args[1], args[2]
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & WRITE_FLAGS)


def install(action: str, n: str, log: str, out: str, figures: str) -> None:
    """Start watching `out` and `figures`: the hook, and `DataFrame.to_parquet` reporting its
    path first."""
    import pandas as pd

    if n.startswith("="):
        kind, _, text = n[1:].partition(":")
        target: list[int | None] = [None]
    else:
        kind, text, target = "", "", [int(n)]

    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    roots = [os.path.abspath(r) + os.sep for r in (out, figures)]
    seen = [0]
    busy = [False]  # the state's own reads are not events

    def fire(event: str, path: str) -> None:
        if busy[0]:
            return
        seen[0] += 1
        k = seen[0]
        if target[0] is None and event.startswith(kind) and text in path:
            target[0] = k
        busy[0] = True
        try:
            state = set_state(out, figures) if action == "count" else None
        finally:
            busy[0] = False
        os.write(fd, (json.dumps([k, event, path, state]) + "\n").encode())
        at = target[0]
        if action == "slow" and at is not None and k >= at and event in SWITCHES:
            if "/.staging." not in path:  # a set being written is no reader's concern
                time.sleep(SLOW_SECONDS)
        elif k == at and action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif k == at and action == "enospc":
            raise OSError(errno.ENOSPC, "No space left on device (injected)", path)

    def hook(event: str, args: tuple) -> None:
        where = CHANGES.get(event)
        if where is None or len(args) <= where:
            return
        path = args[where]
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, (str, os.PathLike)):
            return
        path = os.path.abspath(os.fspath(path))
        if any(path.startswith(r) for r in roots) and _writes(event, args):
            fire(event, path)

    to_parquet = pd.DataFrame.to_parquet

    def watched_to_parquet(self, path=None, *args, **kwargs):
        if isinstance(path, (str, os.PathLike)):
            p = os.path.abspath(os.fspath(path))
            if any(p.startswith(r) for r in roots):
                fire("to_parquet", p)
        return to_parquet(self, path, *args, **kwargs)

    pd.DataFrame.to_parquet = watched_to_parquet
    sys.addaudithook(hook)


def main(argv: list[str]) -> int:
    action, n, log = argv[0], argv[1], argv[2]
    rest = argv[argv.index("--") + 1 :]
    out = rest[rest.index("--output-dir") + 1]
    figures = rest[rest.index("--figures-dir") + 1]
    import analysis  # noqa: F401 - the numerics settings, before numpy
    from analysis.cli import main as cli_main

    install(action, n, log, out, figures)
    return cli_main(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
