"""`dbt build` on generated raw data, then mart facts checked against the same records.

Needs dbt (``DBT_BIN``, Meltano's ``.meltano/utilities/dbt-postgres/venv/bin/dbt``, or
``dbt`` on PATH) and a PostgreSQL server: ``PGHOST``/``PGPORT``/``PGUSER``/``PGPASSWORD``
(a unix-socket directory works too), by default 127.0.0.1:5432 as postgres.
The test builds its own database, ``dbt_pytest_transform``, and drops it afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from tests.transform.raw_data import AGENT_BOT, AI_TRAILERS, GENERATED_LINE, RawData, generate
from tests.transform.warehouse import load_raw

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_DIR = REPO_ROOT / "transform"
PG_HOST = os.environ.get("PGHOST", "127.0.0.1")
PG_PORT = os.environ.get("PGPORT", "5432")
PG_USER = os.environ.get("PGUSER", "postgres")
PG_PASSWORD = os.environ.get("PGPASSWORD", "")
DATABASE = "dbt_pytest_transform"

pytestmark = pytest.mark.slow


def find_dbt() -> str | None:
    candidates = [
        os.environ.get("DBT_BIN"),
        str(REPO_ROOT / ".meltano/utilities/dbt-postgres/venv/bin/dbt"),
        shutil.which("dbt"),
    ]
    return next((c for c in candidates if c and Path(c).is_file()), None)


def admin_conninfo(dbname: str = "postgres") -> str:
    return psycopg.conninfo.make_conninfo(
        host=PG_HOST,
        port=PG_PORT,
        user=PG_USER,
        password=PG_PASSWORD or None,
        dbname=dbname,
        connect_timeout=3,
    )


def parse_time(value: str | None) -> datetime | None:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ") if value else None


def hours(start: datetime | None, end: datetime | None) -> float | None:
    """Span in hours, null when an end is missing or the span is negative (as the marts)."""
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 3600


def expected_pull_requests(data: RawData) -> dict[str, dict]:
    """Stage durations and the detected AI flag, computed in Python from the raw records."""
    expected = {}
    for pr in data.records["pull_requests"]:
        created, merged = parse_time(pr["created_at"]), parse_time(pr["merged_at"])
        commits = [
            c
            for c in data.records["commits"]
            if c["pull_request_id"] == pr["id"]
            and c["pull_request_updated_at"] == pr["updated_at"]  # force-pushed ones drop
        ]
        first_commit = min(parse_time(c["authored_date"]) for c in commits)
        review_times = [
            parse_time(r["submitted_at"])
            for r in data.records["reviews"]
            if r["pull_request_id"] == pr["id"]
            and r["author_login"] != pr["author_login"]
            and r["author_type"] != "Bot"
            and r["state"] != "PENDING"
            and (merged is None or parse_time(r["submitted_at"]) <= merged)
        ]
        first_review = min(review_times, default=None)
        coding = hours(first_commit, created)
        messages = " ".join(c["message"] for c in commits)
        expected[pr["id"]] = {
            "coding_time_hours": coding,
            "pickup_time_hours": hours(created, first_review),
            "review_time_hours": hours(first_review, merged),
            "cycle_time_hours": (coding or 0) + hours(created, merged) if merged else None,
            "is_ai_assisted_detected": pr["author_login"] == AGENT_BOT
            or GENERATED_LINE in pr["body"]
            or any(trailer in messages for trailer in AI_TRAILERS),
        }
    return expected


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, RawData]:
    dbt = find_dbt()
    if dbt is None:
        pytest.skip("dbt is not installed (set DBT_BIN, or run `meltano install`)")
    try:
        admin = psycopg.connect(admin_conninfo(), autocommit=True)
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL on {PG_HOST}:{PG_PORT}: {error}")
    with admin:
        admin.execute(f'drop database if exists "{DATABASE}" with (force)')
        admin.execute(f'create database "{DATABASE}"')

    data = generate(seed=11, prs=40)
    load_raw(admin_conninfo(DATABASE), data)

    work = tmp_path_factory.mktemp("dbt")
    env = {
        **os.environ,
        "PGHOST": PG_HOST,
        "PGPORT": PG_PORT,
        "PGUSER": PG_USER,
        "PGPASSWORD": PG_PASSWORD,
        "PGDATABASE": DATABASE,
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_PROJECT_DIR": str(PROJECT_DIR),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_VERSION_CHECK": "false",
    }
    result = subprocess.run(
        [dbt, "build", "--no-partial-parse"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    yield admin_conninfo(DATABASE), data

    with psycopg.connect(admin_conninfo(), autocommit=True) as admin:
        admin.execute(f'drop database if exists "{DATABASE}" with (force)')


def query(conninfo: str, statement: str) -> list[tuple]:
    with psycopg.connect(conninfo) as conn:
        return conn.execute(statement).fetchall()


def test_pull_request_grain_and_states(built_warehouse: tuple[str, RawData]) -> None:
    conninfo, data = built_warehouse
    rows = query(conninfo, "select pull_request_id, state from analytics.fct_pull_requests")
    assert dict(rows) == {pr["id"]: pr["state"] for pr in data.records["pull_requests"]}


def test_stage_durations_follow_the_definitions(built_warehouse: tuple[str, RawData]) -> None:
    conninfo, data = built_warehouse
    columns = ["coding_time_hours", "pickup_time_hours", "review_time_hours", "cycle_time_hours"]
    rows = query(
        conninfo,
        "select pull_request_id, coding_time_hours, pickup_time_hours, review_time_hours,"
        " cycle_time_hours from analytics.fct_pull_requests",
    )
    expected = expected_pull_requests(data)
    for pull_request_id, *actual in rows:
        for column, value in zip(columns, actual, strict=True):
            want = expected[pull_request_id][column]
            if want is None:
                assert value is None, (pull_request_id, column, value)
            else:
                assert value is not None, (pull_request_id, column)
                assert abs(float(value) - want) < 0.001, (pull_request_id, column, value, want)
    # The data must exercise each case, or the comparison proves little.
    assert any(e["coding_time_hours"] is None for e in expected.values())
    assert any(e["pickup_time_hours"] is None and e["cycle_time_hours"] for e in expected.values())
    assert any(r["author_type"] == "Bot" for r in data.records["reviews"])


def test_detected_ai_signal(built_warehouse: tuple[str, RawData]) -> None:
    conninfo, data = built_warehouse
    rows = dict(
        query(
            conninfo,
            "select pull_request_id, is_ai_assisted_detected from analytics.fct_pull_requests",
        )
    )
    expected = {
        key: e["is_ai_assisted_detected"] for key, e in expected_pull_requests(data).items()
    }
    assert rows == expected
    assert any(expected.values()) and not all(expected.values())


def test_force_pushed_commits_are_dropped(built_warehouse: tuple[str, RawData]) -> None:
    conninfo, data = built_warehouse
    current = [
        c
        for c in data.records["commits"]
        for pr in data.records["pull_requests"]
        if c["pull_request_id"] == pr["id"] and c["pull_request_updated_at"] == pr["updated_at"]
    ]
    assert len(current) < len(data.records["commits"])
    [(staged,)] = query(conninfo, "select count(*) from analytics_staging.stg_github__commits")
    assert staged == len(data.records["commits"])  # staging is 1:1 with the source
    [(count,)] = query(conninfo, "select count(*) from analytics_intermediate.int_commits__current")
    assert count == len(current)


def test_every_pr_author_is_a_team_member(built_warehouse: tuple[str, RawData]) -> None:
    conninfo, data = built_warehouse
    members = {
        login for (login,) in query(conninfo, "select member_login from analytics.dim_team_members")
    }
    authors = {pr["author_login"] for pr in data.records["pull_requests"] if pr["author_login"]}
    assert authors <= members


def test_weekly_totals_add_up(built_warehouse: tuple[str, RawData]) -> None:
    conninfo, data = built_warehouse
    [(opened, merged)] = query(
        conninfo, "select sum(prs_opened), sum(prs_merged) from analytics.agg_team_metrics_weekly"
    )
    prs = data.records["pull_requests"]
    assert opened == len(prs)
    assert merged == sum(pr["state"] == "MERGED" for pr in prs)


def test_real_jira_keys_become_issues(built_warehouse: tuple[str, RawData]) -> None:
    conninfo, data = built_warehouse
    real = {
        key
        for (key,) in query(
            conninfo,
            "select jira_key from analytics.sim_jira_issues where is_key_from_pull_request",
        )
    }
    in_titles = {
        pr["title"].split(":")[0] for pr in data.records["pull_requests"] if ":" in pr["title"]
    }
    assert in_titles and in_titles <= real
