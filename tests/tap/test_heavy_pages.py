"""Heavy PRs under GitHub's time budget, end to end against the stand-in's time model.

Half the PRs carry over 100 commits and files: a page of them at the configured size takes
several times GitHub's budget. The stand-in runs at a tenth of GitHub's speed (1 s budget) so
the test takes seconds; the tap is told that budget (`github_timeout_seconds`).
"""

from __future__ import annotations

import statistics

import pytest

from tests.tap.helpers import expected_keys, record_keys, run_in_process, tap_config

HEAVY = {
    "seed": 5,
    "prs": 60,
    "repositories": ["acme/monorepo"],
    "heavy_share": 0.5,
    "time_model": True,
    "time_scale": 0.1,
}


@pytest.mark.slow
@pytest.mark.fake_github(**HEAVY)
def test_heavy_prs_complete_with_at_most_one_timeout_and_pages_that_fill_the_budget(fake_github):
    run = run_in_process(tap_config(fake_github, github_timeout_seconds=1, max_parallel_repos=1))
    assert run.error is None
    assert record_keys(run) == expected_keys(fake_github)
    requests = fake_github.stats()["server_time"]["requests"]
    pages = [r for r in requests if r["operation"] == "PullRequestsPage"]
    # Only the first page, sent before anything was measured, may time out.
    assert sum(r["timed_out"] for r in pages) <= 1
    assert not pages[-1]["timed_out"]
    # Planned pages are not left small: the typical one takes a fair share of the budget (about
    # half here; the plan aims at 80% less a margin for PRs not seen yet, and at this scale the
    # stand-in's own execution time, which a busy machine stretches, counts as GitHub's).
    answered = [r["modelled"] / 10 for r in pages[1:-1] if not r["timed_out"]]
    assert statistics.median(answered) >= 0.3
