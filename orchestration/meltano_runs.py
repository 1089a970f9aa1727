"""Meltano, run for one shard at a time, with its state in PostgreSQL.

Two things make parallel shards safe:
- Each run gets a Meltano system directory of its own (`MELTANO_SYS_DIR_ROOT`, read by
  meltano/core/project.py): Meltano writes every plugin's config, catalog and state files to
  `<sys dir>/run/<plugin>/`, one path per project, so two runs in one checkout would overwrite
  and delete each other's files. The plugin virtualenvs are linked into it, not copied.
- Each shard has its own state id (`--state-id-suffix <shard key>`), and that state lives in
  Meltano's system database in PostgreSQL (the warehouse, schema `meltano` by default), so any
  machine resumes any shard. Meltano 4.4.1 has no PostgreSQL `state_backend.uri`; its `systemdb`
  backend on a PostgreSQL `database_uri` is the supported way.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from orchestration.settings import OrchestrationSettings

EXTRACTOR = "tap-github-prs"
LOADER = "target-postgres"
PLUGIN_TYPES = ("extractors", "loaders", "utilities")
SYNCED = re.compile(r"Synced (\d+) pull requests with (\d+) requests")
# Any number will do as long as every process uses the same one: it serialises Meltano's
# first migration of the state schema between shards that start together.
MIGRATION_LOCK = 0x7461_7032  # "tap2"
# Variables a run must not inherit: they would point it at another system directory or state.
ISOLATED_PREFIXES = ("MELTANO_SYS_DIR_ROOT", "MELTANO_DATABASE_URI", "MELTANO_RUN_")


@dataclass(frozen=True)
class ShardRun:
    pull_requests: int
    requests: int


# target-postgres checks whether a table or column exists, then creates it: two shards loading
# a stream for the first time at once can both try, and one fails. Its state is saved and the
# load is an upsert, so running that shard again is correct.
DDL_RACE = re.compile(
    r"DuplicateTable|DuplicateColumn|DuplicateObject|pg_type_typname_nsp_index|"
    r"relation \S+ already exists"
)


class MeltanoError(RuntimeError):
    def __init__(self, message: str, output: str = ""):
        super().__init__(message)
        self.output = output

    @property
    def lost_ddl_race(self) -> bool:
        """Failed only because another shard created the same table or column first."""
        return bool(DDL_RACE.search(self.output))


class MeltanoShards:
    """Runs `meltano run tap-github-prs target-postgres` for one shard's repositories."""

    def __init__(self, settings: OrchestrationSettings, env: Mapping[str, str] | None = None):
        self.settings = settings
        self._env = dict(os.environ if env is None else env)
        self._schema_ready = False

    # -- Meltano's system database ----------------------------------------------------------
    def database_uri(self) -> str:
        """MELTANO_DATABASE_URI if PostgreSQL, else the warehouse (PG*) in a schema of its own."""
        given = self._env.get("MELTANO_DATABASE_URI", "")
        if given.startswith("postgresql"):
            return given
        # No host, user or database: libpq reads PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE.
        return "postgresql+psycopg:///?options=" + quote(
            f"-csearch_path={self.settings.state_schema}"
        )

    def ensure_state_schema(self) -> None:
        """Create the state schema and let one Meltano migrate it, before shards start together.

        Every Meltano command migrates the system database first; two doing it at once on an
        empty schema fail, hence the lock.
        """
        if self._schema_ready:
            return
        import psycopg
        from psycopg import sql

        schema = self.settings.state_schema
        with psycopg.connect(**self._libpq_arguments(), autocommit=True) as connection:
            connection.execute("select pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                connection.execute(
                    sql.SQL("create schema if not exists {}").format(sql.Identifier(schema))
                )
                migrated = connection.execute(
                    "select 1 from information_schema.tables "
                    "where table_schema = %s and table_name = 'alembic_version'",
                    (schema,),
                ).fetchone()
                if not migrated:
                    self._meltano(["state", "list"], self._run_env(), timeout=300)
            finally:
                connection.execute("select pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
        self._schema_ready = True

    def _libpq_arguments(self) -> dict[str, str]:
        names = {
            "PGHOST": "host",
            "PGPORT": "port",
            "PGUSER": "user",
            "PGPASSWORD": "password",
            "PGDATABASE": "dbname",
        }
        return {names[key]: value for key, value in self._env.items() if key in names}

    # -- configuration ------------------------------------------------------------------------
    def tap_config(self) -> dict:
        """The tap's resolved configuration (meltano.yml, .env and environment), secrets hidden."""
        self.ensure_state_schema()
        result = self._meltano(
            ["--environment", self.settings.meltano_environment, "config", "print", EXTRACTOR],
            self._run_env(),
            timeout=300,
        )
        return json.loads(result.stdout)

    # -- runs ---------------------------------------------------------------------------------
    def run_shard(
        self,
        state_suffix: str,
        repositories: Sequence[str],
        token: str | None,
        log: logging.Logger,
    ) -> ShardRun:
        """Extract and load these repositories under state id `<env>:tap-...-to-...:<suffix>`.

        `--force`: a run killed with its machine leaves Meltano's run record "running" for
        5 minutes, and Dagster (one run per partition, see README) already rules out two live
        runs of one shard.
        """
        self.ensure_state_schema()
        env = self._run_env()
        env["TAP_GITHUB_PRS_REPOSITORIES"] = json.dumps(list(repositories))
        env["TAP_GITHUB_PRS_ORGANIZATIONS"] = "[]"  # the shard lists its repositories itself
        if token is not None:
            env["TAP_GITHUB_PRS_AUTH_TOKEN"] = token
            env["TAP_GITHUB_PRS_ADDITIONAL_AUTH_TOKENS"] = "[]"
            env.pop("GITHUB_TOKEN", None)
        args = [
            "--environment", self.settings.meltano_environment,
            "run", "--force", "--state-id-suffix", state_suffix, EXTRACTOR, LOADER,
        ]  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="meltano-sys-") as sys_dir:
            env["MELTANO_SYS_DIR_ROOT"] = self._private_sys_dir(Path(sys_dir))
            result = self._meltano(args, env, timeout=None)
        output = result.stdout + result.stderr
        summaries = [line for line in output.splitlines() if SYNCED.search(line)]
        for line in summaries or output.splitlines()[-20:]:
            log.info("%s", line)  # the tap's own summary; Meltano's log names no secret
        synced = [tuple(map(int, found)) for found in SYNCED.findall(output)]
        run = ShardRun(sum(p for p, _ in synced), sum(r for _, r in synced))
        log.info("%s: %d pull requests, %d requests", state_suffix, run.pull_requests, run.requests)
        return run

    def _run_env(self) -> dict[str, str]:
        env = {k: v for k, v in self._env.items() if not k.startswith(ISOLATED_PREFIXES)}
        env["MELTANO_DATABASE_URI"] = self.database_uri()
        env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        return env

    def _private_sys_dir(self, sys_dir: Path) -> str:
        installed = Path(
            self._env.get("MELTANO_SYS_DIR_ROOT", self.settings.project_root / ".meltano")
        )
        for plugin_type in PLUGIN_TYPES:
            if (installed / plugin_type).exists():
                (sys_dir / plugin_type).symlink_to(installed / plugin_type)
        return str(sys_dir)

    def _meltano(self, args, env, timeout) -> subprocess.CompletedProcess:
        command = [str(self.settings.meltano_executable), *args]
        # Its own process group, so that stopping the Dagster step stops tap and target too.
        process = subprocess.Popen(
            command,
            cwd=self.settings.project_root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        if process.returncode != 0:
            tail = "\n".join((stdout + stderr).splitlines()[-40:])
            raise MeltanoError(
                f"meltano {' '.join(args)} exited {process.returncode}:\n{tail}", stdout + stderr
            )
        return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
