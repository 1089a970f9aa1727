"""The promised command and its dbt-postgres:build twin, end to end, into a fresh database."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.e2e.helpers import (
    PROMISED_COMMAND,
    RAW_KEYS,
    Warehouse,
    expected_raw_keys,
    missing_parts,
    run_meltano,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(bool(missing_parts()), reason=f"e2e needs {missing_parts()}"),
]

REPOSITORIES = ("acme/widgets", "acme/gadgets")


@pytest.fixture
def github() -> Iterator:
    from github_standin import FakeGitHub

    with FakeGitHub(seed=11, prs=50, repositories=REPOSITORIES) as stand_in:
        yield stand_in


@pytest.fixture
def env(meltano_env: dict[str, str], github) -> dict[str, str]:
    return meltano_env | {
        "TAP_GITHUB_PRS_API_URL": github.graphql_url,
        "TAP_GITHUB_PRS_REPOSITORIES": json.dumps(list(REPOSITORIES)),
    }


def assert_raw_tables_hold(warehouse: Warehouse, expected: dict[str, list[tuple]]) -> None:
    for table in RAW_KEYS:
        assert sorted(warehouse.raw_keys(table)) == expected[table], f"raw_github.{table}"


def prs_per_repository_in_mart(warehouse: Warehouse) -> dict[str, int]:
    rows = warehouse.query(
        "select repository, count(*) from analytics.fct_pull_requests group by repository"
    )
    return dict(rows)


def test_promised_command_fills_raw_tables_and_marts(env, github, warehouse):
    run_meltano(*PROMISED_COMMAND, env=env)

    expected = expected_raw_keys(github, REPOSITORIES)
    assert all(expected.values()), "the stand-in dataset should have rows in every stream"
    assert_raw_tables_hold(warehouse, expected)
    assert prs_per_repository_in_mart(warehouse) == {
        name: len(github.dataset.repository(name).pull_requests) for name in REPOSITORIES
    }
    assert warehouse.count("analytics", "fct_check_runs") == len(expected["check_runs"])
    assert 0 < warehouse.count("analytics", "fct_reviews") <= len(expected["reviews"])
    assert warehouse.count("analytics", "dim_team_members") > 0


def test_build_twin_then_rerun_adds_and_changes_nothing(env, github, warehouse):
    run_meltano("run", "tap-github-prs", "target-postgres", "dbt-postgres:build", env=env)

    expected = expected_raw_keys(github, REPOSITORIES)
    assert_raw_tables_hold(warehouse, expected)
    marts_before = prs_per_repository_in_mart(warehouse)
    assert sum(marts_before.values()) == len(expected["pull_requests"])
    raw_before = warehouse.raw_snapshot()

    run_meltano("run", "tap-github-prs", "target-postgres", "dbt-postgres:build", env=env)

    assert warehouse.raw_snapshot() == raw_before
    assert prs_per_repository_in_mart(warehouse) == marts_before


def test_rerun_after_changes_reemits_only_changed_prs(env, github, warehouse):
    run_meltano("run", "tap-github-prs", "target-postgres", env=env)
    received_before = dict(
        warehouse.query("select id, _sdc_received_at from raw_github.pull_requests")
    )

    widgets = github.dataset.repository("acme/widgets")
    open_prs = [pr for pr in widgets.pull_requests if pr.state == "OPEN"]
    assert len(open_prs) >= 2, "the dataset should have open PRs to change"
    merged, reviewed = open_prs[0], open_prs[1]
    github.advance_clock(3600)
    github.merge_pull_request("acme/widgets", merged.number)
    review = github.add_review("acme/widgets", reviewed.number, state="APPROVED")
    # PostgreSQL text holds neither NUL nor lone surrogates: stored cleaned, not dropped.
    new_pr = github.add_pull_request(
        "acme/gadgets", title="A new\x00 change", body="lone \ud800 surrogate"
    )

    run_meltano(*PROMISED_COMMAND, env=env)

    received_after = dict(
        warehouse.query("select id, _sdc_received_at from raw_github.pull_requests")
    )
    reemitted = {pr for pr, at in received_after.items() if received_before.get(pr) != at}
    assert reemitted == {merged.node_id, reviewed.node_id, new_pr.node_id}
    assert warehouse.query(
        "select state, merged_at is not null from raw_github.pull_requests where id = %s",
        (merged.node_id,),
    ) == [("MERGED", True)]
    assert warehouse.query(
        "select state from raw_github.reviews where id = %s", (review.node_id,)
    ) == [("APPROVED",)]
    assert warehouse.query(
        "select is_merged from analytics.fct_pull_requests where pull_request_id = %s",
        (merged.node_id,),
    ) == [(True,)]
    assert warehouse.query(
        "select title, body from raw_github.pull_requests where id = %s", (new_pr.node_id,)
    ) == [("A new change", "lone \ufffd surrogate")]
    assert_raw_tables_hold(warehouse, expected_raw_keys(github, REPOSITORIES))
