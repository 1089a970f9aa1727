"""Wait for the loader of the same `meltano run` to say the warehouse is ready.

Meltano starts the tap before the loader, and the loader only reads its first message once
its (slower) start-up is over: without a signal, the tap would already be fetching when a bad
PG* setting surfaces, and it would run pages ahead of what the warehouse has confirmed, which
a killed run throws away. The loader of this project (plugins/target-postgres-drain) checks the
warehouse when it starts and then creates a marker file; the tap waits for that file before its
first request. The tap knows nothing of PostgreSQL: it only waits for a file.

The marker: `<temp dir>/meltano-loader-ready-<uid>/<pid of the meltano process>`, holding the
loader's pid. Tap and loader are both children of that one `meltano` process, so its pid names
this run and no other; a marker left by a killed run counts only while the pid it names is
alive. plugins/target-postgres-drain/target_postgres_drain/ready.py writes it (same rule).
"""

from __future__ import annotations

import logging
import os
import stat
import sys
import tempfile
import time
from pathlib import Path

POLL_SECONDS = 0.1


def marker_path(parent_pid: int | None = None) -> Path:
    """The marker of the run whose `meltano` process is `parent_pid` (default: our parent)."""
    pid = os.getppid() if parent_pid is None else parent_pid
    return Path(tempfile.gettempdir()) / f"meltano-loader-ready-{os.getuid()}" / str(pid)


def loader_ready(path: Path) -> bool:
    """The marker exists and names a live process."""
    try:
        loader_pid = int(path.read_text().strip())
        os.kill(loader_pid, 0)
    except (OSError, ValueError):
        return False
    return True


def writing_to_a_pipe() -> bool:
    """Our output goes to another process (`meltano run`, a shell pipe), not a terminal or file.

    `meltano invoke tap-github-prs` leaves stdout as the user's (terminal, file): there is no
    loader to wait for.
    """
    try:
        mode = os.fstat(sys.stdout.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def wait_for_loader(timeout_seconds: float, logger: logging.Logger) -> bool:
    """Wait until the loader is ready, at most `timeout_seconds` (0: don't wait).

    True when the loader said it is ready; False when there is nothing to wait for or after the
    timeout (the loader may be one that gives no signal): the sync then starts anyway.
    """
    if timeout_seconds <= 0 or not writing_to_a_pipe():
        return False
    path = marker_path()
    deadline = time.monotonic() + timeout_seconds
    logger.info("Waiting for the loader to check the warehouse before the first request.")
    while not loader_ready(path):
        if time.monotonic() >= deadline:
            logger.warning(
                "The loader gave no sign of readiness within %.0f s (wait_for_loader_seconds); "
                "starting anyway.",
                timeout_seconds,
            )
            return False
        time.sleep(POLL_SECONDS)  # another process's progress: nothing to wait on but the file
    logger.info("Loader ready: warehouse reachable.")
    return True
