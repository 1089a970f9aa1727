"""The generator: determinism, realistic distributions, heavy tails, nasty text, timestamps."""

import re
from collections import Counter
from dataclasses import asdict

import pytest

from github_standin import DEFAULT_REPOSITORIES, generate_dataset
from github_standin.models import format_datetime


@pytest.fixture(scope="module")
def dataset():
    return generate_dataset(seed=3, prs=1000)


@pytest.fixture(scope="module")
def prs(dataset):
    return dataset.all_pull_requests()


def fingerprint(dataset):
    return [
        (
            asdict(pr.commits[-1].author),
            pr.title,
            pr.body,
            [asdict(r) for r in pr.reviews],
            [asdict(f) for f in pr.files],
        )
        for pr in dataset.all_pull_requests()
    ]


def test_same_seed_and_size_give_the_same_data():
    assert fingerprint(generate_dataset(seed=9, prs=40)) == fingerprint(
        generate_dataset(seed=9, prs=40)
    )


def test_a_different_seed_gives_different_data():
    assert fingerprint(generate_dataset(seed=9, prs=40)) != fingerprint(
        generate_dataset(seed=10, prs=40)
    )


def test_children_do_not_depend_on_the_order_they_are_read():
    forward = generate_dataset(seed=9, prs=30).all_pull_requests()
    backward = generate_dataset(seed=9, prs=30).all_pull_requests()
    for pr in reversed(backward):
        _ = pr.reviews
    assert [[asdict(c) for c in pr.commits] for pr in forward] == [
        [asdict(c) for c in pr.commits] for pr in backward
    ]


def test_a_pull_request_converts_to_plain_data(prs):
    pr = next(p for p in prs if p.reviews and p.labels)
    data = pr.to_dict()
    assert data["number"] == pr.number
    assert data["reviews"][0]["node_id"] == pr.reviews[0].node_id
    assert data["labels"][0]["name"] == pr.labels[0].name
    assert data["changed_files"] == len(pr.files)
    assert data["commits"][-1]["check_suites"] == [asdict(s) for s in pr.check_suites]
    assert not any(key.startswith("_") for key in data)


def test_prs_are_spread_over_the_default_repositories(dataset, prs):
    assert list(dataset.repositories) == list(DEFAULT_REPOSITORIES)
    assert len(prs) == 1000
    assert all(repo.pull_requests for repo in dataset.repositories.values())
    for repo in dataset.repositories.values():
        numbers = [pr.number for pr in repo.pull_requests]
        assert numbers == sorted(set(numbers))


def test_custom_repository_list():
    small = generate_dataset(seed=1, prs=7, repositories=["acme/a", "acme/b"])
    assert {name: len(r.pull_requests) for name, r in small.repositories.items()} == {
        "acme/a": 4,
        "acme/b": 3,
    }


def test_authors_include_humans_and_bots(prs):
    kinds = Counter(pr.author.typename if pr.author else None for pr in prs)
    bots = {pr.author.login for pr in prs if pr.author and pr.author.typename == "Bot"}
    assert kinds["User"] > 0.6 * len(prs)
    assert bots == {"dependabot", "renovate", "copilot-swe-agent", "devin-ai-integration"}
    assert kinds[None] >= 1  # a deleted account
    assert kinds["Mannequin"] >= 1


def test_all_states_occur(prs):
    states = Counter(pr.state for pr in prs)
    assert set(states) == {"OPEN", "CLOSED", "MERGED"}
    assert any(pr.is_draft for pr in prs)
    assert all(not pr.is_draft for pr in prs if pr.state != "OPEN")
    for pr in prs:
        assert (pr.merged_at is not None) == (pr.state == "MERGED")
        assert (pr.closed_at is not None) == (pr.state != "OPEN")


def test_reviews_have_every_state_mostly_by_others_with_some_self_comments(prs):
    reviews = [(pr, r) for pr in prs for r in pr.reviews]
    assert {r.state for _, r in reviews} == {
        "APPROVED",
        "CHANGES_REQUESTED",
        "COMMENTED",
        "DISMISSED",
        "PENDING",
    }
    own = [r for pr, r in reviews if pr.author and r.author and r.author.login == pr.author.login]
    assert 0 < len(own) < 0.15 * len(reviews)
    assert all(r.state == "COMMENTED" for r in own)
    assert all(r.submitted_at is None for _, r in reviews if r.state == "PENDING")
    bot_reviews = [r for _, r in reviews if r.author and r.author.typename == "Bot"]
    assert {r.author.login for r in bot_reviews} == {
        "copilot-pull-request-reviewer",
        "coderabbitai",
    }
    assert all(r.state == "COMMENTED" and r.author_association == "NONE" for r in bot_reviews)


def test_commits_carry_co_author_trailers_including_ai_tools(prs):
    messages = [c.message for pr in prs for c in pr.commits]
    assert any("Co-authored-by: Claude <noreply@anthropic.com>" in m for m in messages)
    assert any("Co-authored-by: Copilot <" in m for m in messages)
    assert any("Generated with [Claude Code]" in m for m in messages)
    with_ai = sum(
        any(
            "noreply@anthropic.com" in c.message
            or "Copilot <" in c.message
            or "cursor.com" in c.message
            for c in pr.commits
        )
        for pr in prs
    )
    assert 0.02 * len(prs) < with_ai < 0.4 * len(prs)
    assert any(c.author.user is None for pr in prs for c in pr.commits)


def test_files_have_every_change_type_and_consistent_pr_totals(prs):
    assert {f.change_type for pr in prs for f in pr.files} == {
        "ADDED",
        "CHANGED",
        "COPIED",
        "DELETED",
        "MODIFIED",
        "RENAMED",
    }
    for pr in prs[:50]:
        assert pr.changed_files == len(pr.files) == len({f.path for f in pr.files})
        assert pr.additions == sum(f.additions for f in pr.files)


def test_check_runs_on_the_head_commit_have_mixed_conclusions(prs):
    conclusions = Counter(run.conclusion for pr in prs for run in pr.check_runs)
    assert {"SUCCESS", "FAILURE", "SKIPPED", "CANCELLED"} <= set(conclusions)
    assert all(not c.check_suites for pr in prs for c in pr.commits[:-1])
    runs = [run for pr in prs for run in pr.check_runs]
    assert len({run.database_id for run in runs}) == len(runs)
    assert all(run.database_id < 2**31 for run in runs)


def test_metadata_labels_milestones_jira_keys_and_linked_issues(prs):
    assert sum(bool(pr.labels) for pr in prs) > 0.3 * len(prs)
    assert any(pr.milestone for pr in prs)
    assert any(pr.closing_issues for pr in prs)
    jira = re.compile(r"\b[A-Z]{2,}-\d+\b")
    assert any(jira.search(pr.title) for pr in prs)
    assert any(jira.search(pr.head_ref_name) for pr in prs)
    assert any(jira.search(pr.body) for pr in prs)
    assert any(pr.review_requests for pr in prs if pr.state == "OPEN")


def test_heavy_tails_exist(prs):
    assert any(len(pr.commits) > 100 for pr in prs)
    assert any(len(pr.files) > 100 for pr in prs)
    assert any(len(pr.reviews) > 100 for pr in prs)
    assert any(len(pr.check_runs) > 100 for pr in prs)
    assert any(len(pr.body.encode("utf-8", "surrogatepass")) > 1_000_000 for pr in prs)


def test_even_a_tiny_dataset_has_heavy_tails_unless_switched_off():
    tiny = generate_dataset(seed=2, prs=5).all_pull_requests()
    assert any(len(pr.commits) > 100 for pr in tiny)
    calm = generate_dataset(seed=2, prs=5, heavy_tails=False).all_pull_requests()
    assert all(len(pr.commits) <= 100 and len(pr.body) < 100_000 for pr in calm)


def test_nasty_text(prs):
    texts = [pr.title + pr.body for pr in prs] + [c.message for pr in prs for c in pr.commits]
    assert any("\x00" in t for t in texts)
    assert any(re.search("[\ud800-\udfff]", t) for t in texts)
    assert any(any(ord(ch) > 0xFFFF for ch in t) for t in texts)  # emoji


def test_timestamps_are_consistent(dataset, prs):
    for pr in prs:
        assert pr.created_at <= pr.updated_at <= dataset.now
        if pr.closed_at:
            assert pr.created_at <= pr.closed_at <= pr.updated_at
        for review in pr.reviews:
            assert review.created_at >= pr.created_at
            if pr.merged_at:
                assert review.created_at <= pr.merged_at
        for commit in pr.commits:
            assert commit.authored_date <= commit.committed_date <= pr.updated_at
    first_commit_before_pr = sum(pr.commits[0].authored_date <= pr.created_at for pr in prs)
    assert 0.85 * len(prs) < first_commit_before_pr < len(prs)  # mostly, with a few edge cases
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", format_datetime(prs[0].created_at))


@pytest.mark.slow
def test_ten_thousand_prs_generate():
    # How fast: benchmarks/standin.py (BENCHMARKS.md), not a timed test.
    big = generate_dataset(seed=5, prs=10_000)
    assert len(big.all_pull_requests()) == 10_000


def test_hundreds_of_repositories_keep_database_ids_32_bit():
    names = [f"acme/repo-{index:03d}" for index in range(300)]
    dataset = generate_dataset(seed=2, prs=600, repositories=names, heavy_tails=False)
    ids = [
        run.database_id
        for pr in dataset.all_pull_requests()
        for run in pr.check_runs
        if run.database_id is not None
    ]
    assert ids and max(ids) < 2**31
    assert len(ids) == len(set(ids))
