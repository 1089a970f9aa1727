"""Helpers of the end-to-end tests: run Meltano, inspect the warehouse, expect the dataset."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MELTANO = PROJECT_ROOT / ".venv/bin/meltano"
RAW_SCHEMA = "raw_github"
# Each raw table and the columns of its primary key (docs/contracts.md).
RAW_KEYS = {
    "pull_requests": ("id",),
    "reviews": ("id",),
    "commits": ("pull_request_id", "sha"),
    "files": ("pull_request_id", "path"),
    "check_runs": ("id",),
}
PROMISED_COMMAND = ("run", "tap-github-prs", "target-postgres", "dbt:run")


def missing_parts() -> list[str]:
    """Parts of the project the end-to-end tests need but that are not there."""
    missing = []
    if importlib.util.find_spec("tap_github_prs.tap") is None:
        missing.append("the tap (tap_github_prs/tap.py)")
    if not (PROJECT_ROOT / "transform/dbt_project.yml").exists():
        missing.append("the dbt project (transform/)")
    if importlib.util.find_spec("github_standin.server") is None:
        missing.append("the GitHub stand-in (github_standin/, `make install`)")
    if not MELTANO.exists():
        missing.append(".venv/bin/meltano (run `make install`)")
    return missing


def run_meltano(
    *args: str, env: dict[str, str], timeout: float = 300, check: bool = True
) -> subprocess.CompletedProcess:
    """Run `meltano ARGS` in the project; on failure show the end of its log."""
    result = subprocess.run(
        [str(MELTANO), *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
        raise AssertionError(f"meltano {' '.join(args)} exited {result.returncode}:\n{tail}")
    return result


@dataclass
class Warehouse:
    """One test database, reached with libpq variables."""

    variables: dict[str, str]

    @staticmethod
    def arguments(variables: dict[str, str], database: str) -> dict[str, Any]:
        names = {"PGHOST": "host", "PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password"}
        arguments: dict[str, Any] = {
            names[key]: value for key, value in variables.items() if key in names
        }
        arguments["dbname"] = database
        return arguments

    @classmethod
    def create(cls, server: dict[str, str], database: str) -> Warehouse:
        import psycopg
        from psycopg import sql

        with psycopg.connect(**cls.arguments(server, "postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        return cls({**server, "PGDATABASE": database})

    def drop(self) -> None:
        import psycopg
        from psycopg import sql

        database = self.variables["PGDATABASE"]
        with psycopg.connect(
            **self.arguments(self.variables, "postgres"), autocommit=True
        ) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )

    def query(self, statement: Any, params: Iterable[Any] = ()) -> list[tuple]:
        import psycopg

        arguments = self.arguments(self.variables, self.variables["PGDATABASE"])
        with psycopg.connect(**arguments) as connection:
            return connection.execute(statement, tuple(params)).fetchall()

    def table_exists(self, schema: str, table: str) -> bool:
        rows = self.query(
            "select 1 from information_schema.tables where table_schema = %s and table_name = %s",
            (schema, table),
        )
        return bool(rows)

    def raw_keys(self, table: str) -> list[tuple]:
        """Every primary key of a raw table, duplicates included."""
        from psycopg import sql

        if not self.table_exists(RAW_SCHEMA, table):
            return []
        columns = sql.SQL(", ").join(sql.Identifier(column) for column in RAW_KEYS[table])
        statement = sql.SQL("select {} from {}.{}").format(
            columns, sql.Identifier(RAW_SCHEMA), sql.Identifier(table)
        )
        return [tuple(str(value) for value in row) for row in self.query(statement)]

    def raw_snapshot(self) -> dict[str, list[tuple]]:
        """Every raw row without Meltano's _sdc_* columns, sorted: equal means nothing changed."""
        from psycopg import sql

        snapshot = {}
        for table in RAW_KEYS:
            columns = [
                name
                for (name,) in self.query(
                    "select column_name from information_schema.columns "
                    "where table_schema = %s and table_name = %s and column_name not like '_sdc%%' "
                    "order by column_name",
                    (RAW_SCHEMA, table),
                )
            ]
            statement = sql.SQL("select {} from {}.{}").format(
                sql.SQL(", ").join(sql.Identifier(column) for column in columns),
                sql.Identifier(RAW_SCHEMA),
                sql.Identifier(table),
            )
            snapshot[table] = sorted(
                tuple(json.dumps(value, default=str) for value in row)
                for row in self.query(statement)
            )
        return snapshot

    def count(self, schema: str, table: str) -> int:
        from psycopg import sql

        statement = sql.SQL("select count(*) from {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table)
        )
        return self.query(statement)[0][0]


def expected_raw_keys(github: Any, repositories: Iterable[str]) -> dict[str, list[tuple]]:
    """The keys each raw table must hold once `repositories` of the stand-in are extracted."""
    expected: dict[str, list[tuple]] = {table: [] for table in RAW_KEYS}
    for name in repositories:
        for pr in github.dataset.repository(name).pull_requests:
            expected["pull_requests"].append((pr.node_id,))
            expected["reviews"] += [(review.node_id,) for review in pr.reviews]
            expected["commits"] += [(pr.node_id, commit.oid) for commit in pr.commits]
            expected["files"] += [(pr.node_id, changed.path) for changed in pr.files]
            expected["check_runs"] += [(run.node_id,) for run in pr.check_runs]
    return {table: sorted(keys) for table, keys in expected.items()}


def state_ids(env: dict[str, str]) -> list[str]:
    result = run_meltano("state", "list", env=env, timeout=120)
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def state_of(state_id: str, env: dict[str, str]) -> dict:
    result = run_meltano("state", "get", state_id, env=env, timeout=120)
    return json.loads(result.stdout)
