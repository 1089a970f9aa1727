"""PostgreSQL stopped for 5 s in the middle of a load: the run survives, nothing is lost.

The server is this test's own (the `pgserver` wheel's PostgreSQL, data in the test's folder),
so stopping it disturbs nobody else. The loader retries a failed write with a short doubling
pause for `write_retry_seconds` (plugins/target-postgres-drain, sink.py); meanwhile the tap
waits for the loader to confirm its pages, so nothing piles up.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import (
    MELTANO,
    PROJECT_ROOT,
    RAW_KEYS,
    Warehouse,
    expected_raw_keys,
    missing_parts,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.long,  # a fault soak (`make test-long`): its own PostgreSQL, stopped for 5 s
    pytest.mark.skipif(bool(missing_parts()), reason=f"e2e needs {missing_parts()}"),
    pytest.mark.filterwarnings("ignore:XDG_RUNTIME_DIR"),  # pgserver's, harmless
]

REPOSITORIES = ("acme/widgets", "acme/gadgets")
STOPPED_SECONDS = 5.0


class PrivatePostgres:
    """A PostgreSQL server of this test alone, which it may stop and start."""

    def __init__(self, data: Path) -> None:
        import pgserver

        self.server = pgserver.get_server(data, cleanup_mode="delete")
        info = self.server.get_postmaster_info()
        self.variables = {
            "PGHOST": str(info.socket_dir),
            "PGPORT": str(info.port or 5432),
            "PGUSER": "postgres",
        }

    def stop(self) -> None:
        from pgserver._commands import pg_ctl  # pgserver's own call, as root or not

        pg_ctl(
            ["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user
        )

    def start(self) -> None:
        self.server.ensure_postgres_running()


@pytest.fixture
def private_postgres(tmp_path: Path) -> Iterator[PrivatePostgres]:
    server = PrivatePostgres(tmp_path / "pgdata")
    try:
        yield server
    finally:
        server.server.cleanup()


@pytest.fixture
def github() -> Iterator:
    from github_standin import FakeGitHub

    with FakeGitHub(seed=5, prs=120, repositories=REPOSITORIES) as stand_in:
        stand_in.add_fault("latency", seconds=0.3)
        yield stand_in


def saved_states(meltano_db: str) -> int:
    """How many state rows Meltano has (0 before the first one is saved)."""
    try:
        with sqlite3.connect(meltano_db) as connection:
            return connection.execute("select count(*) from state").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_a_five_second_postgres_stop_mid_load_is_survived(
    meltano_env, github, private_postgres, tmp_path
):
    warehouse = Warehouse.create(private_postgres.variables, "warehouse")
    env = (
        meltano_env
        | warehouse.variables
        | {
            "MELTANO_ENVIRONMENT": "prod",
            "TAP_GITHUB_PRS_API_URL": github.graphql_url,
            "TAP_GITHUB_PRS_AUTH_TOKEN": "fake-token-1",
            "TAP_GITHUB_PRS_REPOSITORIES": json.dumps(list(REPOSITORIES)),
            "TAP_GITHUB_PRS_PAGE_SIZE": "10",
        }
    )
    meltano_db = env["MELTANO_DATABASE_URI"].removeprefix("sqlite:///")
    log = tmp_path / "run.log"
    run = subprocess.Popen(
        [str(MELTANO), "run", "tap-github-prs", "target-postgres"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        # Mid-load: once the first page is saved, with pages still to come.
        while saved_states(meltano_db) == 0:
            assert run.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "no page saved within 180 s"
            time.sleep(0.05)  # polling another process's progress
        private_postgres.stop()
        time.sleep(STOPPED_SECONDS)  # the outage itself, not a wait for a result
        private_postgres.start()
        assert run.wait(timeout=300) == 0, log.read_text()[-4000:]
    finally:
        if run.poll() is None:
            os.killpg(run.pid, 9)
            run.wait(timeout=30)

    output = log.read_text()
    # The outage hit a write, which was retried rather than lost or failed.
    assert "retrying in" in output, output[-4000:]
    assert "Traceback" not in output, output[-4000:]
    expected = expected_raw_keys(github, REPOSITORIES)
    for table in RAW_KEYS:
        assert sorted(warehouse.raw_keys(table)) == expected[table], table
