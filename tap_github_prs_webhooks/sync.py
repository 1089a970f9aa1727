"""A run of only the queued repositories: claim them, run the pipeline for them, then dequeue.

The pipeline is Meltano's (`meltano run tap-github-prs target-postgres dbt:run` by default):
the queued repositories reach the tap as `TAP_GITHUB_PRS_REPOSITORIES` (a JSON list, which
Meltano maps to the tap's `repositories` setting, over meltano.yml and the environment's
config), and `TAP_GITHUB_PRS_ORGANIZATIONS` is emptied so a configured organisation does not
widen the run back to all its repositories. The state id is the scheduled run's, so the run is
incremental from the same bookmarks.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tap_github_prs_webhooks.queue import WebhookQueue
from tap_github_prs_webhooks.settings import SECRET_VARIABLE

LOGGER = logging.getLogger("tap_github_prs_webhooks.sync")


@dataclass
class SyncOutcome:
    returncode: int
    repositories: list[str] = field(default_factory=list)
    still_queued: list[str] = field(default_factory=list)


def resolve_command(command: str | Sequence[str]) -> list[str]:
    """The command as argv; a bare `meltano` is looked up next to this Python first (.venv/bin)."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if not argv:
        raise ValueError("the sync command is empty")
    if os.sep not in argv[0]:
        beside = str(Path(sys.executable).parent)
        found = shutil.which(argv[0], path=os.pathsep.join([beside, os.environ.get("PATH", "")]))
        if found:
            argv[0] = found
    return argv


def pipeline_environment(
    repositories: Sequence[str], environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    env = dict(os.environ if environ is None else environ)
    # The pipeline has no use for the webhook secret: keep it out of every child process.
    env.pop(SECRET_VARIABLE, None)
    env["TAP_GITHUB_PRS_REPOSITORIES"] = json.dumps(list(repositories))
    env["TAP_GITHUB_PRS_ORGANIZATIONS"] = "[]"
    return env


def run_sync(
    queue: WebhookQueue,
    command: str | Sequence[str],
    *,
    cwd: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    limit: int | None = None,
) -> SyncOutcome:
    """One sync. Raises `SyncAlreadyRunning` when another sync holds the lock."""
    argv = resolve_command(command)
    with queue.sync_lock():
        claim = queue.claim(limit)
        if not claim.counts:
            LOGGER.info("Nothing queued: no run")
            return SyncOutcome(0)
        LOGGER.info(
            "Syncing %d queued repositories: %s", len(claim.counts), ", ".join(claim.repositories)
        )
        try:
            result = subprocess.run(
                argv, cwd=cwd, env=pipeline_environment(claim.repositories, environ), check=False
            )
        except BaseException:  # cannot start it, or interrupted: nothing was synced for sure
            queue.release(claim)
            raise
        if result.returncode != 0:
            queue.release(claim)
            LOGGER.error(
                "The pipeline exited %d: the %d repositories stay queued for the next sync",
                result.returncode,
                len(claim.counts),
            )
            return SyncOutcome(result.returncode, claim.repositories, claim.repositories)
        kept = queue.complete(claim)
        if kept:
            LOGGER.info("Changed again during the run, still queued: %s", ", ".join(kept))
        return SyncOutcome(0, claim.repositories, kept)
