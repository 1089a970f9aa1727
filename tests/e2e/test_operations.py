"""Operating the pipeline: killed runs, secrets on disk, the resume path, warehouse failures.

- Kill the whole `meltano run` (SIGKILL of its process group) at several moments, resume each
  time through the documented path (`tap-github-prs-check --resume`, then the plain
  `meltano run`, never `--force`), and finally: the raw tables equal an uninterrupted run's,
  the extra requests stay within one page per repository in flight per kill, and the token is
  nowhere on disk, in the warehouse or in the logs.
- The resume path leaves a live run alone.
- A missing database, a wrong role, an unreachable host: the run fails in one line
  naming it, before the tap's first request, with no traceback.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import MELTANO, PROJECT_ROOT, Warehouse, missing_parts, run_meltano

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(bool(missing_parts()), reason=f"e2e needs {missing_parts()}"),
]

REPOSITORIES = ("acme/widgets", "acme/gadgets")
STATE_ID = "prod:tap-github-prs-to-target-postgres"
# The needle the test looks for; built from parts so the file holds no token-shaped literal.
SECRET = "ghp_" + "secretKillTest0123456789abcdefABCDEF"
LATENCY_SECONDS = 0.3
PAGE_SIZE = 10
KILLS = 8
CHECK = PROJECT_ROOT / ".venv/bin/tap-github-prs-check"


@pytest.fixture
def github() -> Iterator:
    from github_standin import FakeGitHub

    with FakeGitHub(
        seed=21, prs=120, repositories=REPOSITORIES, tokens=(SECRET, "fake-token-1")
    ) as stand_in:
        yield stand_in


@pytest.fixture
def prod_env(meltano_env, github) -> dict[str, str]:
    """The prod environment against the stand-in; the token only in the environment."""
    return meltano_env | {
        "MELTANO_ENVIRONMENT": "prod",
        "TAP_GITHUB_PRS_API_URL": github.graphql_url,
        "TAP_GITHUB_PRS_AUTH_TOKEN": SECRET,
        "TAP_GITHUB_PRS_REPOSITORIES": json.dumps(list(REPOSITORIES)),
        "TAP_GITHUB_PRS_PAGE_SIZE": str(PAGE_SIZE),
        "TAP_GITHUB_PRS_MAX_PARALLEL_REPOS": "2",
    }


def running_jobs(meltano_db: str) -> int:
    try:
        with sqlite3.connect(meltano_db) as connection:
            return connection.execute(
                "select count(*) from runs where state = 'RUNNING'"
            ).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def saved_state(meltano_db: str) -> str:
    """Meltano's saved state of the job, as text ("" before the first one)."""
    try:
        with sqlite3.connect(meltano_db) as connection:
            row = connection.execute(
                "select coalesce(partial_state, '') || coalesce(completed_state, '') "
                "from state where state_id = ?",
                (STATE_ID,),
            ).fetchone()
    except sqlite3.OperationalError:
        return ""
    return (row or ("",))[0]


def kill_after_states(run: subprocess.Popen, meltano_db: str, states: int) -> bool:
    """SIGKILL the run once `states` new states were saved (0: as soon as it runs)."""
    deadline = time.monotonic() + 180
    seen, changes = saved_state(meltano_db), 0
    while run.poll() is None:
        assert time.monotonic() < deadline, "the run made no progress within 180 s"
        if states == 0 and running_jobs(meltano_db):
            break
        current = saved_state(meltano_db)
        if current != seen:
            seen, changes = current, changes + 1
            if changes >= states:
                break
        time.sleep(0.05)  # polling another process's progress
    if run.poll() is not None:
        return False
    os.killpg(run.pid, signal.SIGKILL)
    return True


def start_run(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(MELTANO), "run", "tap-github-prs", "target-postgres"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: Meltano, tap and target die together
    )


def resume(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHECK), "--resume", "--skip-dbt", "--skip-warehouse"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def files_holding(root: Path, needle: bytes, skip: tuple[str, ...] = ()) -> list[Path]:
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [
            name
            for name in subdirectories
            if not (Path(directory) / name).is_symlink() and name not in skip
        ]
        for name in names:
            path = Path(directory) / name
            if path.is_symlink() or not path.is_file():
                continue
            try:
                if needle in path.read_bytes():
                    found.append(path)
            except OSError:
                continue
    return found


@pytest.mark.long  # ~3 min: 10 Meltano runs; outside `make test`'s 15-minute budget
def test_killed_runs_resume_to_the_page_and_leave_no_secret(
    prod_env, github, warehouse, postgres_server, tmp_path
):
    env = prod_env
    meltano_db = env["MELTANO_DATABASE_URI"].removeprefix("sqlite:///")
    log = tmp_path / "runs.log"

    # The reference: one uninterrupted run into another database, counting its requests.
    reference = Warehouse.create(postgres_server, f"{warehouse.variables['PGDATABASE']}_ref")
    try:
        run_meltano(
            "run",
            "tap-github-prs",
            "target-postgres",
            env=env
            | reference.variables
            | {"MELTANO_DATABASE_URI": f"sqlite:///{tmp_path / 'reference.db'}"},
        )
        baseline_requests = github.stats()["requests"]
        baseline_operations = {
            name: counts["requests"] for name, counts in github.stats()["operations"].items()
        }
        expected = reference.raw_snapshot()
    finally:
        reference.drop()
    github.reset_stats()
    github.add_fault("latency", seconds=LATENCY_SECONDS)

    # 8 seeded kill moments: after the n-th state saved by this run (0: as soon as it runs).
    rng = random.Random(13)
    moments = [rng.randrange(0, 3) for _ in range(KILLS)]
    kills = 0
    for moment in moments:
        run = start_run(env, log)
        try:
            kills += kill_after_states(run, meltano_db, moment)
        finally:
            run.wait(timeout=30)
        # The documented resume path: no --force, no 5-minute wait.
        resumed = resume(env)
        assert "Traceback" not in resumed.stderr, resumed.stderr[-2000:]
        assert running_jobs(meltano_db) == 0, resumed.stdout

    github.clear_faults()
    final = run_meltano("run", "tap-github-prs", "target-postgres", env=env)
    log.open("a").write(final.stdout + final.stderr)

    assert kills >= KILLS - 1, f"only {kills} of the runs could be killed before they ended"
    assert warehouse.raw_snapshot() == expected
    # No token on disk: the project folder, Meltano's private folder, the logs.
    needle = SECRET.encode()
    leftovers = files_holding(
        PROJECT_ROOT, needle, skip=(".git", ".venv", "extractors", "loaders", "utilities")
    ) + files_holding(tmp_path, needle)
    assert leftovers == [], f"token found in {leftovers}"
    leftover_configs = list((tmp_path / "meltano-sys").glob("run/*/*.config.json"))
    assert all(SECRET not in path.read_text() for path in leftover_configs)
    # ... nor in the warehouse.
    dump = json.dumps(warehouse.raw_snapshot())
    assert SECRET not in dump

    # Each kill may lose the page in flight of each repository, nothing more; each rerun
    # starts with its one activity request (per 100 repositories), as any run does.
    extra = github.stats()["requests"] - baseline_requests
    by_operation = {
        name: counts["requests"] - baseline_operations.get(name, 0)
        for name, counts in github.stats()["operations"].items()
        if counts["requests"] != baseline_operations.get(name, 0)
    }
    # Shown with `pytest -s`: the figure BENCHMARKS.md reports.
    print(
        f"\n{kills} kills: {extra} extra requests (uninterrupted run: {baseline_requests}); "
        f"by operation: {by_operation}"
    )
    pages = by_operation.pop("PullRequestsPage", 0) + by_operation.pop("FollowUps", 0)
    assert pages <= kills * len(REPOSITORIES), f"{pages} pages fetched again for {kills} kills"
    assert by_operation.pop("RepositoryActivity", 0) <= kills
    assert by_operation == {}, f"other requests made again: {by_operation}"


def test_resume_path_leaves_a_live_run_alone(prod_env, github, tmp_path):
    env = prod_env
    meltano_db = env["MELTANO_DATABASE_URI"].removeprefix("sqlite:///")
    github.add_fault("latency", seconds=1.0)
    run = start_run(env, tmp_path / "live.log")
    try:
        deadline = time.monotonic() + 180
        while running_jobs(meltano_db) == 0:
            assert run.poll() is None, (tmp_path / "live.log").read_text()[-3000:]
            assert time.monotonic() < deadline
            time.sleep(0.1)  # polling another process's progress
        checked = resume(env)
        assert "alive (heartbeat advancing): left alone" in checked.stdout, checked.stdout
        assert running_jobs(meltano_db) == 1
        # A second run at the same time is refused in one line, naming the running one.
        refused = run_meltano("run", "tap-github-prs", "target-postgres", env=env, check=False)
        assert refused.returncode != 0
        assert "already running" in refused.stdout + refused.stderr
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=30)


WAREHOUSE_FAILURES = {
    # PG* override: (what the one line names, PostgreSQL's or libpq's message in it)
    "missing database": (
        {"PGDATABASE": "no_such_database_i13"},
        "database=no_such_database_i13",
        'database "no_such_database_i13" does not exist',
    ),
    "wrong role": ({"PGUSER": "no_such_role_i13"}, "user=no_such_role_i13", "no_such_role_i13"),
    "unreachable host": ({"PGPORT": "1"}, "port=1", "Connection refused"),
}


@pytest.mark.parametrize("case", list(WAREHOUSE_FAILURES))
def test_warehouse_failure_stops_the_run_before_any_request(
    case, prod_env, github, postgres_server
):
    override, names, message = WAREHOUSE_FAILURES[case]
    result = run_meltano(
        "run", "tap-github-prs", "target-postgres", env=prod_env | override, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    # The tap waited for the loader's warehouse check: GitHub saw nothing at all.
    assert github.stats()["requests"] == 0, github.stats()["operations"]
    # The loader's one line: where, PostgreSQL's own message, what to check; no traceback.
    [line] = [line for line in output.splitlines() if "Warehouse failure" in line]
    assert names in line
    assert "host=127.0.0.1" in line
    assert message in line
    assert "Check: PG" in line or "at PGHOST:PGPORT" in line
    assert "[error" in line
    assert "Traceback" not in output, output[-3000:]


@pytest.mark.long  # two full runs at once: ~40 s
def test_two_runs_started_at_the_same_moment_one_runs_the_other_is_refused(
    prod_env, github, warehouse, tmp_path
):
    github.add_fault("latency", seconds=LATENCY_SECONDS)
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    runs = [start_run(prod_env, log) for log in logs]
    codes = [run.wait(timeout=300) for run in runs]
    outputs = [log.read_text() for log in logs]
    refused = [i for i, output in enumerate(outputs) if "already running" in output]
    assert len(refused) == 1, f"exit codes {codes}; {[o[-1500:] for o in outputs]}"
    [ran] = {0, 1} - set(refused)
    assert codes[ran] == 0, outputs[ran][-3000:]
    assert codes[refused[0]] != 0
    # One run loaded everything once (upserts would hide a second, the count would not).
    loaded = warehouse.raw_keys("pull_requests")
    assert (
        len(loaded)
        == len(set(loaded))
        == sum(len(github.dataset.repository(name).pull_requests) for name in REPOSITORIES)
    )
