"""What the preflight check needs from the Meltano project, read through Meltano's own API.

- `plugin_settings`: a plugin's config and environment exactly as `meltano run` would give
  them (meltano.yml, the active environment, .env, the shell), so the check tests what the
  pipeline will use, not a re-implementation of Meltano's precedence rules.
- `resume_killed_runs`: after a crash or `kill -9`, Meltano still counts the dead run as
  running until its heartbeat is 5 minutes old (HEARTBEAT_VALID_MINUTES, a constant), and
  refuses the next `meltano run` of the same job until then. A live run's heartbeat advances
  every second. A RUNNING job whose heartbeat does not advance while we watch it for
  `stale_after` seconds is dead: it is marked failed through Meltano's Job model, the same
  way Meltano's own stale-job check does after 5 minutes. A job whose heartbeat advances is
  never touched.

Meltano is imported lazily: the tap itself runs without it (in Meltano's plugin virtualenv).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path

DEFAULT_STALE_AFTER_SECONDS = 5.0
_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class PluginSettings:
    config: dict[str, t.Any]
    env: dict[str, str]
    venv_bin: Path | None


@dataclass(frozen=True)
class RunningJob:
    state_id: str
    run_id: str
    started_at: dt.datetime
    heartbeat_age_seconds: float | None
    alive: bool


def _project(environment: str | None) -> t.Any:
    from meltano.core.project import Project

    project = Project.find()
    # As `meltano` picks it: --environment, then MELTANO_ENVIRONMENT, then the default.
    name = (
        environment
        or os.environ.get("MELTANO_ENVIRONMENT")
        or project.settings.get("default_environment")
    )
    if name:
        project.activate_environment(name)
    return project


def _session(project: t.Any) -> t.Any:
    from meltano.core.db import project_engine
    from meltano.core.migration_service import MigrationService

    engine, session_maker = project_engine(project)
    # As every `meltano` command does first: a new system database (a fresh clone, a new
    # MELTANO_DATABASE_URI) has no tables until migrated.
    MigrationService(engine).upgrade(silent=True)
    return session_maker()


def plugin_settings(name: str, plugin_type: str, environment: str | None) -> PluginSettings:
    """Config and environment of plugin `name` as `meltano run` would give them."""
    from meltano.core.plugin import PluginType
    from meltano.core.plugin_invoker import invoker_factory

    project = _project(environment)
    plugin = project.plugins.find_plugin(name, plugin_type=PluginType(plugin_type))
    invoker = invoker_factory(project, plugin)
    session = _session(project)

    async def resolve() -> PluginSettings:
        async with invoker.prepared(session):
            return PluginSettings(
                config=dict(invoker.plugin_config_processed),
                env=dict(invoker.env()),
                venv_bin=Path(invoker.venv.bin_dir) if invoker.venv else None,
            )

    try:
        return asyncio.run(resolve())
    finally:
        session.close()


def state_backend(environment: str | None) -> tuple[str, int]:
    """The state backend's URI (systemdb or a URL without credentials) and its number of ids."""
    from meltano.core.state_service import StateService

    project = _project(environment)
    uri = str(project.settings.get("state_backend.uri") or "systemdb")
    session = _session(project)
    try:
        with StateService(project=project, session=session) as service:
            count = len(list(service.list_state()))
    finally:
        session.close()
    return _without_credentials(uri), count


def _without_credentials(uri: str) -> str:
    scheme, sep, rest = uri.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        rest = rest.split("@", 1)[1]
        return f"{scheme}://…@{rest}"
    return uri


def resume_killed_runs(
    environment: str | None,
    *,
    stale_after: float = DEFAULT_STALE_AFTER_SECONDS,
    mark_failed: bool = True,
) -> list[RunningJob]:
    """Every RUNNING job, each found alive or dead; dead ones are marked failed if asked."""
    from meltano.core.job.job import Job, State

    project = _project(environment)
    session = _session(project)
    try:
        running = session.query(Job).filter(Job.state == State.RUNNING).all()
        first_seen = {job.id: job.last_heartbeat_at for job in running}
        alive: set[int] = set()
        deadline = time.monotonic() + stale_after
        # Watch until every job has either advanced its heartbeat or had `stale_after` seconds
        # to do so. A job already silent for longer than that needs no watching.
        watching = [job for job in running if _age(job) is None or _age(job) < stale_after]
        while watching and time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS)  # Meltano's heartbeat period is 1 s
            session.expire_all()
            for job in list(watching):
                session.refresh(job)
                if job.state != State.RUNNING or job.last_heartbeat_at != first_seen[job.id]:
                    alive.add(job.id)
                    watching.remove(job)
        found = []
        for job in running:
            is_alive = job.id in alive
            found.append(
                RunningJob(
                    state_id=job.job_name,
                    run_id=str(job.run_id),
                    started_at=job.started_at,
                    heartbeat_age_seconds=_age(job),
                    alive=is_alive,
                )
            )
            if not is_alive and mark_failed and job.state == State.RUNNING:
                job.fail(
                    f"No heartbeat for {stale_after:g} s: the run was killed. "
                    "Marked failed by tap-github-prs-check --resume."
                )
                job.save(session)
        return found
    finally:
        session.close()


def _age(job: t.Any) -> float | None:
    if job.last_heartbeat_at is None:
        return None
    beat = job.last_heartbeat_at
    if beat.tzinfo is None:
        beat = beat.replace(tzinfo=dt.timezone.utc)
    return (dt.datetime.now(dt.timezone.utc) - beat).total_seconds()
