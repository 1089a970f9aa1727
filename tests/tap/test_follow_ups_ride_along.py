"""A page's overflowing connections are continued inside the next page's request."""

from __future__ import annotations

import pytest

from tests.tap.helpers import expected_keys, record_keys, run_in_process, tap_config

REPOSITORIES = ["acme/widgets", "antiwork/helper"]


@pytest.mark.fake_github(seed=8, prs=60, repositories=REPOSITORIES)
def test_follow_ups_only_go_alone_at_the_end_of_a_repository(fake_github):
    run = run_in_process(tap_config(fake_github, page_size=10, max_parallel_repos=1))
    assert record_keys(run) == expected_keys(fake_github)
    operations = fake_github.stats()["operations"]
    # Mid-walk follow-ups rode along with page requests; only a repository's last page
    # (and a connection needing more rounds) may send a follow-up-only request.
    assert operations.get("FollowUps", {"requests": 0})["requests"] <= len(REPOSITORIES)
