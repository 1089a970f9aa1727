"""A warehouse filled by the real pipeline on the stand-in's demo-like data, and its report.

Built once per session (the pipeline takes about a minute): a fresh database `report_<random>`
on the PG* server (default 127.0.0.1:5432, user postgres), dropped at the end; then
`meltano run tap-github-prs target-postgres dbt:run report`, so the Meltano utility `report`
writes the page exactly as a user's job would.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.helpers import PROJECT_ROOT, Warehouse, missing_parts, run_meltano

# Several repositories, so per-repository scopes differ from the whole; enough PRs that a
# 26-week period leaves out older ones and a previous period exists.
REPOSITORIES = ("acme/widgets", "acme/gadgets", "globex/api")
PRS = 240
SEED = 16


def fake_github_class():
    from github_standin import FakeGitHub

    return FakeGitHub


@dataclass
class BuiltReport:
    warehouse: Warehouse
    path: Path
    env: dict[str, str]
    meltano_output: str


def _meltano_env(root: Path, warehouse: Warehouse) -> dict[str, str]:
    sys_dir = root / "meltano-sys"
    sys_dir.mkdir()
    for plugin_type in ("extractors", "loaders", "utilities"):
        (sys_dir / plugin_type).symlink_to(PROJECT_ROOT / ".meltano" / plugin_type)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MELTANO_", "TAP_GITHUB_PRS", "TARGET_POSTGRES", "DBT_", "PG"))
        and not key.startswith("REPORT_")
        and key != "GITHUB_TOKEN"
    }
    return (
        env
        | warehouse.variables
        | {
            "MELTANO_SYS_DIR_ROOT": str(sys_dir),
            "MELTANO_ENVIRONMENT": "dev",
            "MELTANO_DATABASE_URI": f"sqlite:///{root / 'meltano.db'}",
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_TARGET_PATH": str(root / "dbt-target"),
            "DBT_LOG_PATH": str(root / "dbt-logs"),
            "REPORT_OUTPUT": str(root / "report.html"),
        }
    )


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltReport]:
    if missing_parts():
        pytest.skip(f"the report's pipeline needs {missing_parts()}")
    import psycopg

    server = {
        "PGHOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PGPORT": os.environ.get("PGPORT", "5432"),
        "PGUSER": os.environ.get("PGUSER", "postgres"),
    }
    if os.environ.get("PGPASSWORD"):
        server["PGPASSWORD"] = os.environ["PGPASSWORD"]
    try:
        psycopg.connect(**Warehouse.arguments(server, "postgres"), connect_timeout=5).close()
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL at {server['PGHOST']}:{server['PGPORT']}: {error}")

    plugin = PROJECT_ROOT / ".meltano/utilities/report/venv/bin/tap-github-prs-report"
    if not plugin.exists():
        run_meltano("install", env=dict(os.environ), timeout=900)

    root = tmp_path_factory.mktemp("report-pipeline")
    warehouse = Warehouse.create(server, f"report_{secrets.token_hex(4)}")
    try:
        with fake_github_class()(seed=SEED, prs=PRS, repositories=REPOSITORIES) as github:
            env = _meltano_env(root, warehouse) | {
                "TAP_GITHUB_PRS_API_URL": github.graphql_url,
                "TAP_GITHUB_PRS_REPOSITORIES": json.dumps(list(REPOSITORIES)),
            }
            result = run_meltano(
                "run",
                "tap-github-prs",
                "target-postgres",
                "dbt:run",
                "report",
                env=env,
                timeout=900,
            )
        yield BuiltReport(warehouse, root / "report.html", env, result.stdout + result.stderr)
    finally:
        warehouse.drop()
