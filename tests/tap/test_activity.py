"""An incremental run asks once per 100 repositories what changed, and walks only those."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from tap_github_prs.activity import RepositoryActivity, pull_requests_changed
from tap_github_prs.queries.activity import build_activity_query
from tap_github_prs.tap import TapGitHubPRs
from tests.tap.helpers import tap_config
from tests.tap.test_queries import assert_valid

PR_STREAMS = {"pull_requests", "reviews", "commits", "files", "check_runs"}
REPOSITORIES = [f"acme/repo-{index:03d}" for index in range(120)]


def sync_pull_requests(config: dict, state: dict | None = None) -> tuple[list[dict], dict]:
    """Sync the pull request streams only; return (records, final state)."""
    tap = TapGitHubPRs(config=config, state=state or {}, parse_env_config=False)
    for name, stream in tap.streams.items():
        stream.selected = name in PR_STREAMS
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        tap.sync_all()
    messages = [json.loads(line) for line in buffer.getvalue().splitlines()]
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    return [m for m in messages if m["type"] == "RECORD"], states[-1]


def test_the_activity_query_validates_for_a_hundred_repositories():
    query, variables = build_activity_query(REPOSITORIES[:100])
    assert_valid(query)
    assert len(variables) == 200
    with pytest.raises(ValueError, match="between 1 and 100"):
        build_activity_query(REPOSITORIES[:101])


@pytest.mark.parametrize(
    ("newest", "newest_id", "bookmark", "seen", "changed"),
    [
        ("2026-01-02T00:00:00Z", "PR_2", "2026-01-01T00:00:00Z", ["PR_1"], True),
        ("2026-01-01T00:00:00Z", "PR_1", "2026-01-01T00:00:00Z", ["PR_1"], False),
        # Same second, a PR not emitted yet: walk (the search would find it).
        ("2026-01-01T00:00:00Z", "PR_3", "2026-01-01T00:00:00Z", ["PR_1"], True),
        (None, None, "2026-01-01T00:00:00Z", [], False),
        ("2025-12-31T00:00:00Z", "PR_0", None, [], True),  # no bookmark yet: first sync
    ],
)
def test_a_repository_is_walked_only_when_a_pr_could_be_new(
    newest, newest_id, bookmark, seen, changed
):
    activity = RepositoryActivity("acme/widgets", newest, newest_id)
    assert pull_requests_changed(activity, bookmark, seen) is changed


@pytest.mark.slow
@pytest.mark.fake_github(seed=21, prs=240, repositories=REPOSITORIES, heavy_tails=False)
def test_a_no_change_rerun_costs_one_request_per_100_repositories_then_walks_what_changed(
    fake_github,
):
    config = tap_config(fake_github, max_parallel_repos=4)
    _, state = sync_pull_requests(config)

    fake_github.reset_stats()
    records, state = sync_pull_requests(config, state)
    assert records == []
    assert fake_github.stats()["requests"] == 2  # 120 repositories, 100 per request

    fake_github.advance_clock(3600)
    changed = ["acme/repo-007", "acme/repo-050", "acme/repo-119"]
    for minutes, repository in enumerate(changed):
        fake_github.advance_clock(60)
        fake_github.add_pull_request(repository, title=f"New in {repository} ({minutes})")
    fake_github.reset_stats()
    records, _ = sync_pull_requests(config | {"max_parallel_repos": 1}, state)
    pull_requests = [r for r in records if r["type"] == "RECORD" and r["stream"] == "pull_requests"]
    assert sorted(r["record"]["repository"] for r in pull_requests) == sorted(changed)
    # Most recently active first: with one worker, the walk order is the emit order.
    assert [r["record"]["repository"] for r in pull_requests] == list(reversed(changed))
    page_requests = fake_github.stats()["operations"]["PullRequestsPage"]["requests"]
    assert page_requests == 3


@pytest.mark.slow
@pytest.mark.fake_github(seed=22, prs=60, repositories=REPOSITORIES[:15], heavy_tails=False)
def test_a_no_change_rerun_of_every_stream_costs_one_request(fake_github):
    config = tap_config(fake_github)
    first = TapGitHubPRs(config=config, parse_env_config=False)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        first.sync_all()
    states = [json.loads(line) for line in buffer.getvalue().splitlines()]
    state = [m["value"] for m in states if m["type"] == "STATE"][-1]
    fake_github.reset_stats()
    rerun = TapGitHubPRs(config=config, state=state, parse_env_config=False)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        rerun.sync_all()
    records = [line for line in buffer.getvalue().splitlines() if '"type": "RECORD"' in line]
    assert records == []
    assert fake_github.stats()["requests"] == 1  # deployments, releases, issues, PRs: all skipped


ORG = ["acme/api", "acme/web", "acme/api-fork", "acme/legacy", "antiwork/helper"]


@pytest.mark.fake_github(seed=23, prs=50, repositories=ORG, heavy_tails=False)
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"acme/api", "acme/web", "acme/api-fork", "acme/legacy"}),
        ({"include_forks": False, "include_archived": False}, {"acme/api", "acme/web"}),
        ({"repository_name_pattern": "^acme/api"}, {"acme/api", "acme/api-fork"}),
    ],
)
def test_organization_listing_filters_archived_forks_and_names(fake_github, filters, expected):
    fake_github.dataset.repositories["acme/api-fork"].is_fork = True
    fake_github.dataset.repositories["acme/legacy"].is_archived = True
    config = tap_config(fake_github, repositories=[], organizations=["acme"], **filters)
    records, _ = sync_pull_requests(config)
    walked = {r["record"]["repository"] for r in records if r["stream"] == "pull_requests"}
    assert walked == expected
