"""End-to-end fixtures: the Meltano project run for real against the GitHub stand-in and PostgreSQL.

Each test gets a fresh database `e2e_<random>` (dropped afterwards) on the server named by the
PG* variables (default 127.0.0.1:5432, user postgres), its own Meltano system database (so its
own state), and its own dbt target folder. The stand-in runs in this process, on a free port.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import MELTANO, PROJECT_ROOT, Warehouse

PLUGIN_EXECUTABLES = (
    PROJECT_ROOT / ".meltano/extractors/tap-github-prs/venv/bin/tap-github-prs",
    PROJECT_ROOT / ".meltano/loaders/target-postgres/venv/bin/target-postgres-drain",
    PROJECT_ROOT / ".meltano/utilities/dbt-postgres/venv/bin/dbt_invoker",
)


@pytest.fixture(scope="session")
def meltano_plugins() -> None:
    """Meltano's plugin virtualenvs; installed here when `make install` has not run."""
    if all(path.exists() for path in PLUGIN_EXECUTABLES):
        return
    result = subprocess.run(
        [str(MELTANO), "install"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, f"meltano install failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="session")
def postgres_server() -> dict[str, str]:
    """libpq variables of the test server (database not included)."""
    import psycopg

    variables = {
        "PGHOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PGPORT": os.environ.get("PGPORT", "5432"),
        "PGUSER": os.environ.get("PGUSER", "postgres"),
    }
    if os.environ.get("PGPASSWORD"):
        variables["PGPASSWORD"] = os.environ["PGPASSWORD"]
    try:
        psycopg.connect(**Warehouse.arguments(variables, "postgres"), connect_timeout=5).close()
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL at {variables['PGHOST']}:{variables['PGPORT']}: {error}")
    return variables


@pytest.fixture
def warehouse(postgres_server: dict[str, str]) -> Iterator[Warehouse]:
    """A fresh database, dropped after the test."""
    database = f"e2e_{secrets.token_hex(4)}"
    created = Warehouse.create(postgres_server, database)
    try:
        yield created
    finally:
        created.drop()


def private_meltano_dir(tmp_path: Path) -> Path:
    """A .meltano of this test's own that shares the project's installed plugins.

    Meltano writes each plugin's config and state files to `.meltano/run/<plugin>/`, the same
    path for every concurrent run of that plugin in a project: two test sessions at once would
    overwrite and delete each other's files. The plugin virtualenvs are linked, not copied.
    """
    sys_dir = tmp_path / "meltano-sys"
    sys_dir.mkdir()
    for plugin_type in ("extractors", "loaders", "utilities"):
        (sys_dir / plugin_type).symlink_to(PROJECT_ROOT / ".meltano" / plugin_type)
    return sys_dir


@pytest.fixture
def meltano_env(tmp_path: Path, warehouse: Warehouse, meltano_plugins: None) -> dict[str, str]:
    """Environment for `meltano` in the dev environment, isolated from the developer's
    and from other test sessions: own system database (state), own run folder, own dbt target.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MELTANO_", "TAP_GITHUB_PRS", "TARGET_POSTGRES", "DBT_", "PG"))
        and key != "GITHUB_TOKEN"
    }
    env |= warehouse.variables
    env |= {
        "MELTANO_SYS_DIR_ROOT": str(private_meltano_dir(tmp_path)),
        "MELTANO_ENVIRONMENT": "dev",
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path / 'meltano.db'}",
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        # dbt writes its target/ and logs/ here, not into the shared transform/ folder.
        "DBT_TARGET_PATH": str(tmp_path / "dbt-target"),
        "DBT_LOG_PATH": str(tmp_path / "dbt-logs"),
    }
    return env
