"""A `meltano run` killed with SIGKILL midway resumes on rerun: no gaps, no duplicates."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.e2e.helpers import (
    MELTANO,
    PROJECT_ROOT,
    RAW_KEYS,
    Warehouse,
    expected_raw_keys,
    missing_parts,
    run_meltano,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.long,  # a soak test (`make test-long`), like the 8-kill one in test_operations
    pytest.mark.skipif(bool(missing_parts()), reason=f"e2e needs {missing_parts()}"),
]

REPOSITORIES = ("acme/widgets", "acme/gadgets")
STATE_ID = "dev:tap-github-prs-to-target-postgres"
# Each stand-in answer waits this long, so that the run is still going when it is killed.
LATENCY_SECONDS = 0.4


@pytest.fixture
def github() -> Iterator:
    from github_standin import FakeGitHub

    with FakeGitHub(seed=21, prs=300, repositories=REPOSITORIES) as stand_in:
        yield stand_in


def saved_bookmarks(meltano_db: str) -> list[dict]:
    """Per-repository bookmarks Meltano has saved so far (partial or complete state)."""
    try:
        with sqlite3.connect(meltano_db) as connection:
            row = connection.execute(
                "select partial_state, completed_state from state where state_id = ?", (STATE_ID,)
            ).fetchone()
    except sqlite3.OperationalError:  # the table does not exist yet
        return []
    bookmarks = []
    for text in row or ():
        state = json.loads(text or "{}").get("singer_state", {})
        partitions = state.get("bookmarks", {}).get("pull_requests", {}).get("partitions", [])
        bookmarks += [partition for partition in partitions if "replication_key_value" in partition]
    return bookmarks


def test_killed_run_resumes_without_gaps_or_duplicates(
    meltano_env, github, warehouse, postgres_server, tmp_path
):
    env = meltano_env | {
        "TAP_GITHUB_PRS_API_URL": github.graphql_url,
        "TAP_GITHUB_PRS_REPOSITORIES": json.dumps(list(REPOSITORIES)),
        "TAP_GITHUB_PRS_PAGE_SIZE": "10",
        "TAP_GITHUB_PRS_MAX_PARALLEL_REPOS": "1",
    }
    meltano_db = env["MELTANO_DATABASE_URI"].removeprefix("sqlite:///")
    expected = expected_raw_keys(github, REPOSITORIES)
    github.add_fault("latency", seconds=LATENCY_SECONDS)

    log = (tmp_path / "killed-run.log").open("w")
    run = subprocess.Popen(
        [str(MELTANO), "run", "tap-github-prs", "target-postgres"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: tap, target and Meltano die together
    )
    try:
        deadline = time.monotonic() + 180
        while not saved_bookmarks(meltano_db):
            assert run.poll() is None, "the run ended before any state was saved"
            assert time.monotonic() < deadline, "no state saved within 180 s"
            time.sleep(0.2)  # polling another process's progress
        os.killpg(run.pid, signal.SIGKILL)
    finally:
        run.wait(timeout=30)
        log.close()
    assert run.returncode == -signal.SIGKILL

    loaded_before_rerun = len(warehouse.raw_keys("pull_requests"))
    assert 0 < loaded_before_rerun < len(expected["pull_requests"]), (
        f"not killed midway: {loaded_before_rerun} of {len(expected['pull_requests'])} PRs loaded"
    )

    github.clear_faults()
    # Meltano refuses a plain rerun while the killed run's heartbeat is fresh (5 minutes).
    refused = run_meltano("run", "tap-github-prs", "target-postgres", env=env, check=False)
    assert "already running" in refused.stdout + refused.stderr, refused.stderr[-3000:]
    # The documented resume path (README, Troubleshooting): mark the dead run failed, rerun.
    resumed = subprocess.run(
        [str(PROJECT_ROOT / ".venv/bin/tap-github-prs-check"), "--resume", "--skip-dbt"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "killed run marked failed" in resumed.stdout, resumed.stdout + resumed.stderr[-3000:]
    rerun = run_meltano("run", "tap-github-prs", "target-postgres", env=env)
    (tmp_path / "rerun.log").write_text(rerun.stdout + rerun.stderr)

    for table in RAW_KEYS:
        assert sorted(warehouse.raw_keys(table)) == expected[table], f"raw_github.{table}"
    # The rerun started from the bookmarks saved before the kill, not from scratch.
    synced = [int(n) for n in re.findall(r"Synced (\d+) pull requests", rerun.stderr)]
    assert synced, "the tap should report how many PRs it synced"
    assert sum(synced) < len(expected["pull_requests"])

    # Row for row, the same raw tables as one uninterrupted run into another database.
    uninterrupted = Warehouse.create(postgres_server, f"{warehouse.variables['PGDATABASE']}_ref")
    try:
        run_meltano(
            "run",
            "tap-github-prs",
            "target-postgres",
            env=env
            | uninterrupted.variables
            | {"MELTANO_DATABASE_URI": f"sqlite:///{tmp_path / 'uninterrupted.db'}"},
        )
        assert warehouse.raw_snapshot() == uninterrupted.raw_snapshot()
    finally:
        uninterrupted.drop()
