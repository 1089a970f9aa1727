"""Tell the tap of the same `meltano run` that the warehouse is ready, then what it has saved.

Meltano starts the tap first; the tap (tap_github_prs/loader_ready.py) waits for the ready
marker before its first request, so a bad PG* setting fails before any GitHub request, and the
tap never runs pages ahead of a loader still starting. The marker:
`<temp dir>/meltano-loader-ready-<uid>/<pid of the meltano process>`, holding this process's
pid, created 0600 once the warehouse check passed, removed at exit. A SIGKILL leaves it behind,
but it names a dead pid then, which the tap ignores.

Next to it, `<pid>.confirmed` holds how many STATE messages this loader has taken in and made
good: the records before each are in PostgreSQL and the state went on to Meltano. The tap
counts the STATE messages it writes, and fetches a repository's next page only once the
previous page's STATE is confirmed (tap_github_prs/loader_confirmations.py): flow control, so
that a killed run loses at most the page in flight per repository, whatever Meltano buffers
between the two processes. The file is created (holding 0) with the marker, so the tap knows
this loader confirms; a loader that never creates it is simply not waited for.
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


def confirmations_path(marker: Path) -> Path:
    return marker.with_name(f"{marker.name}.confirmed")


def _write_atomically(path: Path, text: str) -> None:
    """Write via a private file renamed into place: a reader never sees half a number."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    partial.replace(path)


class Confirmations:
    """Counts the STATE messages taken in, and publishes the count once they are saved."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.received = 0
        _write_atomically(path, "0")

    def state_received(self) -> None:
        self.received += 1

    def saved(self) -> None:
        """Everything up to the last STATE received is in PostgreSQL and sent on to Meltano."""
        _write_atomically(self.path, str(self.received))


def signal_ready(*, confirm: bool = True) -> Confirmations | None:
    """Create the marker (and, with `confirm`, the confirmations file); removed at exit."""
    path = marker_path()
    path.parent.mkdir(mode=0o700, exist_ok=True)
    # The confirmations file first: once the tap sees the marker, it looks for this file.
    confirmations = Confirmations(confirmations_path(path)) if confirm else None
    _write_atomically(path, str(os.getpid()))

    def remove() -> None:
        with contextlib.suppress(OSError):
            if path.read_text().strip() == str(os.getpid()):
                path.unlink()
                confirmations_path(path).unlink(missing_ok=True)

    atexit.register(remove)
    return confirmations
