"""Tell the tap of the same `meltano run` that the warehouse is ready.

Meltano starts the tap first; the tap (tap_github_prs/loader_ready.py) waits for this marker
before its first request, so a bad PG* setting fails before any GitHub request, and the tap
never runs pages ahead of a loader still starting. The marker:
`<temp dir>/meltano-loader-ready-<uid>/<pid of the meltano process>`, holding this process's
pid, created 0600 once the warehouse check passed, removed at exit. A SIGKILL leaves it behind,
but it names a dead pid then, which the tap ignores.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import tempfile
from pathlib import Path


def marker_path(parent_pid: int | None = None) -> Path:
    pid = os.getppid() if parent_pid is None else parent_pid
    return Path(tempfile.gettempdir()) / f"meltano-loader-ready-{os.getuid()}" / str(pid)


def signal_ready() -> Path:
    """Create the marker (atomically: the tap never reads half a file) and remove it at exit."""
    path = marker_path()
    path.parent.mkdir(mode=0o700, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(str(os.getpid()))
    partial.replace(path)

    def remove() -> None:
        with contextlib.suppress(OSError):
            if path.read_text().strip() == str(os.getpid()):
                path.unlink()

    atexit.register(remove)
    return path
