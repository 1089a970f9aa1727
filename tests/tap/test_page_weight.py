"""Weights in objects: counted in answers, learnt per PR and per follow-up, timed per object."""

from __future__ import annotations

import pytest

from tap_github_prs.page_weight import WeightProfile, count_objects
from tap_github_prs.queries.follow_ups import FollowUpRequest


def connection(items, total=None):
    result = {"nodes": items, "pageInfo": {"hasNextPage": False, "endCursor": None}}
    if total is not None:
        result["totalCount"] = total
    return result


def commit(n):  # 3 objects: the PullRequestCommit, its commit, the author
    return {"commit": {"oid": f"c{n}", "author": {"name": "a"}}}


def pr(number, commits=0, files=0, shown=None):
    """A PR node holding `shown` (default: all) of its `commits` and `files`."""
    shown_commits = commits if shown is None else min(commits, shown)
    shown_files = files if shown is None else min(files, shown)
    return {
        "id": f"PR_{number}",
        "commits": connection([commit(i) for i in range(shown_commits)], total=commits),
        "files": connection([{"path": f"f{i}"} for i in range(shown_files)], total=files),
    }


def test_every_object_of_an_answer_counts_once():
    assert count_objects({"a": {"b": [{"c": 1}, {"d": None}], "e": "x"}}) == 4
    assert count_objects([]) == 0 and count_objects("text") == 0


def test_a_pr_weighs_its_base_plus_its_items_cut_at_the_nested_size():
    profile = WeightProfile()
    # The page showed 100 of 250 commits: 3 objects each; the profile knows all 250 exist.
    profile.observe_pull_requests([pr(1, commits=250, files=10, shown=100)])
    base = count_objects(pr(1, commits=0, files=0))
    mean_at_50, spread = profile.pull_request_objects(50)
    assert mean_at_50 == base + 50 * 3 + 10 * 1 and spread == 0
    # Everything a page and one round of follow-ups hold: at most 300 per connection.
    assert profile.pull_request_objects(None)[0] == base + 250 * 3 + 10


def test_a_page_is_planned_for_the_spread_of_its_prs_not_only_their_mean():
    profile = WeightProfile()
    profile.observe_pull_requests([pr(1, commits=100), pr(2)])  # one heavy, one light
    mean, spread = profile.pull_request_objects(100)
    assert spread > 0
    assert profile.page_objects(4, 100, spread=False) == pytest.approx(4 * mean)
    assert profile.page_objects(4, 100) == pytest.approx(4 * mean + 2 * spread)  # sqrt(4) = 2
    # Cutting the nested connections shorter narrows the spread.
    assert profile.pull_request_objects(10)[1] < spread


def test_a_follow_up_weighs_its_expected_items_times_their_objects():
    profile = WeightProfile()
    profile.observe_pull_requests([pr(1, commits=4)])  # 3 objects per commit
    request = FollowUpRequest("commits", "PR_1", "cursor", items=40)
    assert profile.follow_up_objects(request) == 40 * 3 + 3  # + node, connection, page info


def test_time_per_object_is_learnt_mostly_from_big_answers():
    profile = WeightProfile()
    assert not profile.known
    profile.observe_time(0.05, 10)  # a tiny answer: mostly the network's time
    profile.observe_time(0.5, 10_000)
    profile.observe_pull_requests([pr(1)])
    assert profile.known
    assert 0.5 / 10_000 < profile.share_per_object() < 0.55 / 7_500
