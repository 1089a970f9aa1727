"""End-to-end syncs against the GitHub stand-in: exact records, incremental, sampling, errors."""

from __future__ import annotations

import contextlib
import io
import logging

import pytest
from github_standin.models import format_datetime
from jsonschema import Draft7Validator, FormatChecker

from tap_github_prs.records import clean_text
from tap_github_prs.tap import TapGitHubPRs
from tests.tap.helpers import (
    TapRun,
    add_pull_request_keys,
    expected_ci_and_event_records,
    expected_keys,
    page_requests,
    parse_messages,
    record_keys,
    run_in_process,
    tap_config,
)

SMALL = {"seed": 5, "prs": 120, "repositories": ["acme/widgets", "antiwork/helper"]}

# The delivery streams (tap_github_prs/delivery) run in the same sync; they are not PR pages.
DELIVERY_OPERATIONS = {"DeploymentsPage", "DeploymentStatuses", "ReleasesPage", "IssuesPage"}


@pytest.fixture(scope="module")
def heavy_server():
    """A dataset with heavy tails: PRs with more than 100 commits, files, reviews, check runs."""
    from github_standin.server import FakeGitHub

    with FakeGitHub(seed=11, prs=400, repositories=["acme/widgets", "posthog/posthog"]) as server:
        yield server


@pytest.fixture(scope="module")
def heavy_run(heavy_server):
    heavy_server.reset_stats()
    return run_in_process(tap_config(heavy_server, max_parallel_repos=2))


def test_every_record_of_the_dataset_is_emitted_exactly_once(heavy_server, heavy_run):
    expected = expected_keys(heavy_server)
    assert record_keys(heavy_run) == expected
    counts = heavy_run.counts()
    assert counts == {stream: len(keys) for stream, keys in expected.items()}
    assert counts["pull_requests"] == 400


def test_heavy_tail_connections_are_followed_to_the_end(heavy_server, heavy_run):
    pulls = [pr for repo in heavy_server.dataset.repositories.values() for pr in repo.pull_requests]
    heavy = {
        "reviews": max(pulls, key=lambda pr: len(pr.reviews)),
        "commits": max(pulls, key=lambda pr: len(pr.commits)),
        "files": max(pulls, key=lambda pr: len(pr.files)),
        "check_runs": max(pulls, key=lambda pr: len(pr.check_runs)),
    }
    for stream, pr in heavy.items():
        expected = len(getattr(pr, stream))
        assert expected > 100, f"the dataset has no heavy {stream} PR"
        emitted = [r for r in heavy_run.records[stream] if r["pull_request_id"] == pr.node_id]
        assert len(emitted) == expected, stream


def test_ci_and_timeline_records_equal_the_datasets_exactly(heavy_server, heavy_run):
    """Every check run, commit status and timeline event, field by field, heavy PRs included."""
    expected: dict[str, list[dict]] = {
        "check_runs": [],
        "commit_statuses": [],
        "pull_request_events": [],
    }
    for pr in heavy_server.dataset.all_pull_requests():
        for stream, records in expected_ci_and_event_records(pr).items():
            expected[stream] += records
    for stream, records in expected.items():
        emitted = sorted(heavy_run.records[stream], key=lambda r: r["id"])
        assert len(emitted) == len(records), stream
        assert emitted == sorted(records, key=lambda r: r["id"]), stream
    prs = heavy_server.dataset.all_pull_requests()
    most_contexts = max(prs, key=lambda pr: len(pr.rollup_contexts))
    most_events = max(prs, key=lambda pr: len(pr.timeline))
    assert len(most_contexts.rollup_contexts) > 100 and len(most_events.timeline) > 100
    assert any(len(pr.commit_statuses) > 100 for pr in prs)
    assert any(pr.commit_statuses and not pr.check_runs for pr in prs)
    assert any(pr.commit_statuses and pr.check_runs for pr in prs)


def test_pull_request_fields_match_the_dataset(heavy_server, heavy_run):
    by_id = {r["id"]: r for r in heavy_run.records["pull_requests"]}
    for repository in heavy_server.dataset.repositories.values():
        for pr in repository.pull_requests[::7]:
            record = by_id[pr.node_id]
            assert record["repository"] == pr.repository
            assert record["number"] == pr.number
            assert record["title"] == clean_text(pr.title)
            assert record["body"] == clean_text(pr.body)
            assert record["state"] == pr.state
            assert record["merged"] == pr.merged
            assert record["is_draft"] == pr.is_draft
            assert record["author_login"] == (pr.author.login if pr.author else None)
            assert record["author_type"] == (pr.author.typename if pr.author else None)
            assert record["updated_at"] == format_datetime(pr.updated_at)
            assert record["merged_at"] == format_datetime(pr.merged_at)
            assert record["head_sha"] == pr.head_ref_oid
            assert record["labels"] == [label.name for label in pr.labels]
            assert record["review_decision"] == pr.review_decision
            assert record["changed_files"] == pr.changed_files
            assert record["commits_count"] == len(pr.commits)
            assert record["reviews_count"] == len(pr.reviews)
            assert len(record["closing_issues"]) == len(pr.closing_issues)
            assert len(record["requested_reviewers"]) == len(pr.review_requests)


def test_child_fields_match_the_dataset(heavy_server, heavy_run):
    pr = next(
        pr
        for repo in heavy_server.dataset.repositories.values()
        for pr in repo.pull_requests
        if pr.reviews and pr.check_runs
    )
    review = pr.reviews[0]
    record = next(r for r in heavy_run.records["reviews"] if r["id"] == review.node_id)
    assert record["state"] == review.state
    assert record["submitted_at"] == format_datetime(review.submitted_at)
    assert record["pull_request_number"] == pr.number
    assert record["pull_request_updated_at"] == format_datetime(pr.updated_at)
    commit = pr.commits[0]
    record = next(
        r
        for r in heavy_run.records["commits"]
        if (r["pull_request_id"], r["sha"]) == (pr.node_id, commit.oid)
    )
    assert record["message"] == clean_text(commit.message)
    assert record["authored_date"] == format_datetime(commit.authored_date)
    assert record["author_login"] == (commit.author.user.login if commit.author.user else None)
    run = pr.check_runs[0]
    record = next(r for r in heavy_run.records["check_runs"] if r["id"] == run.node_id)
    assert record["database_id"] == run.database_id
    assert record["conclusion"] == run.conclusion
    assert record["head_sha"] == pr.head_ref_oid
    assert record["app_slug"] == pr.check_suites[0].app_slug


def test_text_is_sanitised_for_postgres(heavy_run):
    for stream in heavy_run.records:
        for record in heavy_run.records[stream]:
            for value in record.values():
                if isinstance(value, str):
                    assert "\x00" not in value
                    value.encode("utf-8")  # raises on a lone surrogate


def test_state_is_saved_after_every_page_per_repository(heavy_server, heavy_run):
    pages = page_requests(heavy_server)
    states_with_progress = [
        s
        for s in heavy_run.states
        if s["bookmarks"].get("pull_requests", {}).get("partitions")
        and "deployments" not in s["bookmarks"]  # the PR stream's own STATE messages
    ]
    assert len(states_with_progress) >= pages - 1
    partitions = heavy_run.final_state["bookmarks"]["pull_requests"]["partitions"]
    assert {p["context"]["repository"] for p in partitions} == {"acme/widgets", "posthog/posthog"}
    for partition in partitions:
        repository = heavy_server.dataset.repositories[partition["context"]["repository"]]
        latest = max(pr.updated_at for pr in repository.pull_requests)
        assert partition["replication_key_value"] == format_datetime(latest)
    # Children keep no per-PR state.
    delivery = {"deployments", "releases", "issues"}  # their own per-repository state
    assert set(heavy_run.final_state["bookmarks"]) <= {"pull_requests", *delivery}


@pytest.mark.fake_github(**SMALL)
def test_incremental_rerun_emits_only_changed_prs_with_all_children(fake_github):
    config = tap_config(fake_github)
    first = run_in_process(config)
    assert first.counts()["pull_requests"] == 120

    fake_github.advance_clock(3600)
    new_pr = fake_github.add_pull_request("acme/widgets", title="Brand new")
    widgets = fake_github.dataset.repositories["acme/widgets"].pull_requests
    helper = fake_github.dataset.repositories["antiwork/helper"].pull_requests
    reviewed = widgets[3]
    fake_github.add_review("acme/widgets", reviewed.number, state="APPROVED")
    merged = next(pr for pr in helper if pr.state == "OPEN")
    fake_github.merge_pull_request("antiwork/helper", merged.number)
    fake_github.reset_stats()

    second = run_in_process(config, state=first.final_state)
    changed = {new_pr.node_id, reviewed.node_id, merged.node_id}
    assert {r["id"] for r in second.records["pull_requests"]} == changed
    expected = {stream: set() for stream in second.counts()}
    for pr in (new_pr, reviewed, merged):
        add_pull_request_keys(expected, pr)
    assert record_keys(second) == expected
    merged_record = next(r for r in second.records["pull_requests"] if r["id"] == merged.node_id)
    assert merged_record["state"] == "MERGED"

    fake_github.reset_stats()
    third = run_in_process(config, state=second.final_state)
    assert sum(third.counts().values()) == 0
    pull_request_operations = {
        name: numbers
        for name, numbers in fake_github.stats()["operations"].items()
        if name not in DELIVERY_OPERATIONS
    }
    requests = sum(numbers["requests"] for numbers in pull_request_operations.values())
    cost = sum(numbers["cost"] for numbers in pull_request_operations.values())
    assert requests <= len(config["repositories"])
    assert cost <= 2 * len(config["repositories"])  # small first page


@pytest.mark.fake_github(seed=2, prs=80, repositories=["acme/widgets", "antiwork/helper"])
def test_sampling_takes_the_most_recently_updated_prs_then_goes_incremental(fake_github):
    config = tap_config(fake_github, max_prs_per_repo=7, page_size=3)
    first = run_in_process(config)
    for name, repository in fake_github.dataset.repositories.items():
        newest = sorted(repository.pull_requests, key=lambda pr: pr.updated_at)[-7:]
        emitted = {r["id"] for r in first.records["pull_requests"] if r["repository"] == name}
        assert emitted == {pr.node_id for pr in newest}
    fake_github.advance_clock(60)
    fake_github.add_pull_request("acme/widgets", title="after sampling")
    second = run_in_process(config, state=first.final_state)
    assert [r["title"] for r in second.records["pull_requests"]] == ["after sampling"]


@pytest.mark.fake_github(seed=3, prs=40, repositories=["acme/widgets", "antiwork/helper"])
def test_start_date_limits_the_first_sync(fake_github):
    pulls = [pr for repo in fake_github.dataset.repositories.values() for pr in repo.pull_requests]
    cut = sorted(pr.updated_at for pr in pulls)[len(pulls) // 2]
    run = run_in_process(tap_config(fake_github, start_date=format_datetime(cut)))
    assert {r["id"] for r in run.records["pull_requests"]} == {
        pr.node_id for pr in pulls if pr.updated_at >= cut
    }


@pytest.mark.fake_github(seed=4, prs=30, repositories=["acme/widgets", "antiwork/helper"])
def test_organizations_expand_to_their_repositories_on_an_enterprise_url(fake_github):
    config = tap_config(
        fake_github,
        repositories=[],
        organizations=["antiwork"],
        api_url=f"{fake_github.url}/api/graphql",  # GitHub Enterprise Server's path
    )
    run = run_in_process(config)
    assert {r["repository"] for r in run.records["pull_requests"]} == {"antiwork/helper"}
    assert record_keys(run) == expected_keys(fake_github, {"antiwork/helper"})


@pytest.mark.fake_github(seed=4, prs=30, repositories=["acme/widgets"])
def test_a_missing_repository_is_named_and_the_others_continue(fake_github, caplog):
    config = tap_config(fake_github, repositories=["acme/does-not-exist", "acme/widgets"])
    with caplog.at_level(logging.WARNING):
        run = run_in_process(config)
    assert run.counts()["pull_requests"] == 30
    assert any("acme/does-not-exist" in message for message in caplog.messages)

    with pytest.raises(Exception, match="acme/does-not-exist"):
        run_in_process({**config, "fail_on_missing_repository": True})


@pytest.mark.fake_github(
    seed=6, prs=90, repositories=["acme/widgets", "antiwork/helper", "fastapi/fastapi"]
)
def test_parallel_and_serial_syncs_emit_the_same_records(fake_github):
    serial = run_in_process(tap_config(fake_github, max_parallel_repos=1, page_size=7))
    parallel = run_in_process(tap_config(fake_github, max_parallel_repos=3, page_size=7))
    assert record_keys(serial) == record_keys(parallel) == expected_keys(fake_github)


@pytest.mark.fake_github(seed=4, prs=20, repositories=["acme/widgets"])
def test_stream_maps_and_flattening_apply_to_parent_and_children(fake_github):
    config = tap_config(
        fake_github,
        stream_maps={
            "reviews": {"body": "__NULL__"},
            "files": {"__filter__": "additions > 10"},
            "pull_requests": {"title_upper": "title.upper()"},
        },
        flattening_enabled=True,
        flattening_max_depth=1,
    )
    run = run_in_process(config)
    assert run.records["reviews"] and all("body" not in r for r in run.records["reviews"])
    assert run.records["files"] and all(r["additions"] > 10 for r in run.records["files"])
    assert all(r["title_upper"] == r["title"].upper() for r in run.records["pull_requests"])


@pytest.mark.fake_github(seed=4, prs=20, repositories=["acme/widgets"])
def test_a_child_stream_can_be_selected_without_its_parent(fake_github):
    config = tap_config(fake_github)
    catalog = TapGitHubPRs(config=config, parse_env_config=False).catalog_dict
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] == "files"
    tap = TapGitHubPRs(config=config, catalog=catalog, parse_env_config=False)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        tap.sync_all()
    run = TapRun(parse_messages(buffer.getvalue()))
    assert set(run.records) == {"files"}
    assert record_keys(run)["files"] == expected_keys(fake_github)["files"]
    assert run.final_state["bookmarks"]["pull_requests"]["partitions"]


def test_every_record_is_valid_against_its_stream_schema(heavy_run):
    # The streams skip the SDK's type-conformance pass (records.py builds typed records), so
    # this is what guards the types the target relies on.
    schemas = {
        stream.name: stream.schema
        for stream in TapGitHubPRs(config={}, parse_env_config=False).streams.values()
    }
    for stream, records in heavy_run.records.items():
        validator = Draft7Validator(schemas[stream], format_checker=FormatChecker())
        for record in records:
            errors = [error.message for error in validator.iter_errors(record)]
            assert not errors, f"{stream} record {record.get('id')}: {errors[:3]}"
            assert set(record) <= set(schemas[stream]["properties"]), stream
