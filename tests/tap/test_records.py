"""GraphQL nodes become contract records; text is made safe for PostgreSQL."""

from __future__ import annotations

from tap_github_prs.records import (
    check_run_record,
    child_link,
    clean_text,
    commit_record,
    commit_status_record,
    pull_request_event_record,
    pull_request_record,
    utc_timestamp,
)
from tap_github_prs.schemas import (
    CHECK_RUNS,
    COMMIT_STATUSES,
    COMMITS,
    PULL_REQUEST_EVENTS,
    PULL_REQUESTS,
)

NODE = {
    "id": "PR_1",
    "number": 7,
    "fullDatabaseId": 123456789012,
    "title": "Fix\x00 it \ud800",
    "body": None,
    "url": "https://github.com/acme/widgets/pull/7",
    "state": "MERGED",
    "isDraft": False,
    "merged": True,
    "author": {"__typename": "Bot", "login": "dependabot"},
    "authorAssociation": "NONE",
    "mergedBy": None,
    "createdAt": "2024-01-01T00:00:00Z",
    "updatedAt": "2024-01-02T03:04:05+02:00",
    "mergedAt": None,
    "closedAt": None,
    "additions": 1,
    "deletions": 2,
    "changedFiles": 3,
    "baseRefName": "main",
    "headRefName": "fix",
    "headRefOid": "abc",
    "milestone": None,
    "reviewDecision": None,
    "commits": {"totalCount": 4},
    "reviews": {"totalCount": 0},
}


def test_clean_text_removes_nul_and_replaces_lone_surrogates():
    assert clean_text("a\x00b") == "ab"
    assert clean_text("x\ud83dy") == "x\ufffdy"
    assert clean_text("ok 😀") == "ok 😀"
    assert clean_text(None) is None


def test_timestamps_are_utc_with_z():
    assert utc_timestamp("2024-01-02T03:04:05+02:00") == "2024-01-02T01:04:05Z"
    assert utc_timestamp("2024-01-02T03:04:05.123Z") == "2024-01-02T03:04:05Z"
    assert utc_timestamp(None) is None


def test_pull_request_record_has_exactly_the_contract_columns():
    complete = {
        "labels": [{"name": "bug\x00"}],
        "review_requests": [
            {"requestedReviewer": {"__typename": "Team", "combinedSlug": "acme/core"}},
            {"requestedReviewer": {"__typename": "User", "login": "ann"}},
            {"requestedReviewer": None},
        ],
        "closing_issues": [
            {"number": 3, "url": "u", "repository": {"nameWithOwner": "acme/widgets"}}
        ],
    }
    record = pull_request_record("acme/widgets", NODE, complete)
    assert set(record) == set(PULL_REQUESTS["properties"])
    assert record["title"] == "Fix it \ufffd"
    assert record["full_database_id"] == "123456789012"
    assert record["author_type"] == "Bot"
    assert record["updated_at"] == "2024-01-02T01:04:05Z"
    assert record["labels"] == ["bug"]
    assert record["requested_reviewers"] == ["acme/core", "ann"]
    assert record["closing_issues"] == [{"repository": "acme/widgets", "number": 3, "url": "u"}]
    assert record["commits_count"] == 4


def test_child_records_carry_the_link_to_their_pull_request():
    link = child_link("acme/widgets", NODE)
    commit = commit_record(
        link,
        {
            "commit": {
                "oid": "abc",
                "message": "m",
                "messageHeadline": "m",
                "authoredDate": "2024-01-01T00:00:00Z",
                "committedDate": "2024-01-01T00:00:00Z",
                "author": {"name": "A", "email": "a@x", "user": None},
                "committer": {"name": "C", "email": "c@x", "user": {"login": "c"}},
                "additions": 1,
                "deletions": 0,
                "changedFilesIfAvailable": None,
            }
        },
    )
    assert set(commit) == set(COMMITS["properties"])
    assert commit["author_login"] is None
    assert commit["committer_login"] == "c"
    assert commit["pull_request_updated_at"] == "2024-01-02T01:04:05Z"
    run = check_run_record(
        link,
        "abc",
        {
            "id": "CR_1",
            "databaseId": 5,
            "name": "test",
            "status": "COMPLETED",
            "checkSuite": {
                "id": "CS_1",
                "app": {"name": "GitHub Actions", "slug": "github-actions"},
                "workflowRun": {"databaseId": 9, "workflow": {"name": "CI"}},
            },
        },
    )
    assert set(run) == set(CHECK_RUNS["properties"])
    assert (run["check_suite_id"], run["app_slug"], run["pull_request_number"]) == (
        "CS_1",
        "github-actions",
        7,
    )


def test_commit_status_and_timeline_event_records_have_exactly_the_contract_columns():
    link = child_link("a/b", NODE)
    status = commit_status_record(
        link,
        "abc",
        {
            "__typename": "StatusContext",
            "id": "SC_1",
            "context": "ci/circleci: build",
            "state": "SUCCESS",
            "createdAt": "2024-01-02T03:04:05+02:00",
            "creator": {"__typename": "Bot", "login": "circleci"},
        },
    )
    assert set(status) == set(COMMIT_STATUSES["properties"])
    assert (status["created_at"], status["creator_type"]) == ("2024-01-02T01:04:05Z", "Bot")
    requested = pull_request_event_record(
        link,
        {
            "__typename": "ReviewRequestedEvent",
            "id": "RRE_1",
            "createdAt": "2024-01-02T01:04:05Z",
            "actor": {"__typename": "User", "login": "amy"},
            "requestedReviewer": {"__typename": "Team", "combinedSlug": "acme/core"},
        },
    )
    assert set(requested) == set(PULL_REQUEST_EVENTS["properties"])
    assert (requested["requested_reviewer"], requested["requested_reviewer_type"]) == (
        "acme/core",
        "Team",
    )
    push = pull_request_event_record(
        link,
        {
            "__typename": "HeadRefForcePushedEvent",
            "id": "HRFPE_1",
            "createdAt": "2024-01-02T01:04:05Z",
            "actor": None,
            "beforeCommit": {"oid": "old"},
            "afterCommit": {"oid": "new"},
        },
    )
    assert (push["before_commit_sha"], push["after_commit_sha"], push["actor_login"]) == (
        "old",
        "new",
        None,
    )
    assert push["requested_reviewer"] is None
