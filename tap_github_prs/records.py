"""Map GraphQL nodes to the contract records (docs/contracts.md) and sanitise their text."""

from __future__ import annotations

import datetime as dt
import re
import typing as t

# Lone surrogates cannot be encoded to UTF-8 and PostgreSQL `text` cannot store NUL.
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str | None) -> str | None:
    """Drop NUL characters and replace lone surrogates with U+FFFD."""
    if value is None:
        return None
    return _LONE_SURROGATE.sub("\ufffd", value.replace("\x00", ""))


def utc_timestamp(value: str | None) -> str | None:
    """Normalise an ISO-8601 timestamp to UTC with a `Z` suffix (second precision)."""
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _login(actor: dict | None) -> str | None:
    return actor.get("login") if actor else None


def _actor_type(actor: dict | None) -> str | None:
    return actor.get("__typename") if actor else None


def _reviewer_name(request: dict) -> str | None:
    reviewer = request.get("requestedReviewer")
    if not reviewer:
        return None
    return reviewer.get("combinedSlug") or reviewer.get("login")


def _nodes(connection: dict | None) -> list[dict]:
    return [node for node in ((connection or {}).get("nodes") or []) if node]


class ChildLink(t.TypedDict):
    """Fields every child record repeats from its pull request."""

    repository: str
    pull_request_id: str
    pull_request_number: int
    pull_request_updated_at: str | None


def child_link(repository: str, pull_request: dict) -> ChildLink:
    return {
        "repository": repository,
        "pull_request_id": pull_request["id"],
        "pull_request_number": pull_request["number"],
        "pull_request_updated_at": utc_timestamp(pull_request.get("updatedAt")),
    }


def pull_request_record(repository: str, node: dict, complete: dict[str, list[dict]]) -> dict:
    """Build a `pull_requests` record; `complete` holds fully followed-up small lists."""
    milestone = node.get("milestone") or {}
    return {
        "id": node["id"],
        "repository": repository,
        "number": node["number"],
        "full_database_id": (
            str(node["fullDatabaseId"]) if node.get("fullDatabaseId") is not None else None
        ),
        "title": clean_text(node.get("title")),
        "body": clean_text(node.get("body")),
        "url": node.get("url"),
        "state": node.get("state"),
        "is_draft": node.get("isDraft"),
        "merged": node.get("merged"),
        "author_login": _login(node.get("author")),
        "author_type": _actor_type(node.get("author")),
        "author_association": node.get("authorAssociation"),
        "merged_by_login": _login(node.get("mergedBy")),
        "created_at": utc_timestamp(node.get("createdAt")),
        "updated_at": utc_timestamp(node.get("updatedAt")),
        "merged_at": utc_timestamp(node.get("mergedAt")),
        "closed_at": utc_timestamp(node.get("closedAt")),
        "additions": node.get("additions"),
        "deletions": node.get("deletions"),
        "changed_files": node.get("changedFiles"),
        "base_ref_name": clean_text(node.get("baseRefName")),
        "head_ref_name": clean_text(node.get("headRefName")),
        "head_sha": node.get("headRefOid"),
        "merge_commit_sha": (node.get("mergeCommit") or {}).get("oid"),
        "labels": [clean_text(label["name"]) for label in complete["labels"]],
        "milestone_title": clean_text(milestone.get("title")),
        "review_decision": node.get("reviewDecision"),
        "requested_reviewers": [
            name for name in map(_reviewer_name, complete["review_requests"]) if name
        ],
        "closing_issues": [
            {
                "repository": (issue.get("repository") or {}).get("nameWithOwner"),
                "number": issue.get("number"),
                "url": issue.get("url"),
            }
            for issue in complete["closing_issues"]
        ],
        "commits_count": (node.get("commits") or {}).get("totalCount"),
        "reviews_count": (node.get("reviews") or {}).get("totalCount"),
    }


def review_record(link: ChildLink, review: dict) -> dict:
    return {
        "id": review["id"],
        **link,
        "author_login": _login(review.get("author")),
        "author_type": _actor_type(review.get("author")),
        "author_association": review.get("authorAssociation"),
        "state": review.get("state"),
        "submitted_at": utc_timestamp(review.get("submittedAt")),
        "created_at": utc_timestamp(review.get("createdAt")),
        "body": clean_text(review.get("body")),
        "commit_sha": (review.get("commit") or {}).get("oid"),
    }


def commit_record(link: ChildLink, pull_request_commit: dict) -> dict:
    commit = pull_request_commit["commit"]
    author = commit.get("author") or {}
    committer = commit.get("committer") or {}
    return {
        "pull_request_id": link["pull_request_id"],
        "sha": commit["oid"],
        **link,
        "message": clean_text(commit.get("message")),
        "message_headline": clean_text(commit.get("messageHeadline")),
        "authored_date": utc_timestamp(commit.get("authoredDate")),
        "committed_date": utc_timestamp(commit.get("committedDate")),
        "author_name": clean_text(author.get("name")),
        "author_email": clean_text(author.get("email")),
        "author_login": _login(author.get("user")),
        "committer_name": clean_text(committer.get("name")),
        "committer_email": clean_text(committer.get("email")),
        "committer_login": _login(committer.get("user")),
        "additions": commit.get("additions"),
        "deletions": commit.get("deletions"),
        "changed_files": commit.get("changedFilesIfAvailable"),
    }


def file_record(link: ChildLink, changed_file: dict) -> dict:
    return {
        "pull_request_id": link["pull_request_id"],
        "path": clean_text(changed_file["path"]),
        **link,
        "change_type": changed_file.get("changeType"),
        "additions": changed_file.get("additions"),
        "deletions": changed_file.get("deletions"),
    }


def check_run_record(link: ChildLink, head_sha: str | None, run: dict) -> dict:
    """A `CheckRun` context of the head commit's `statusCheckRollup`."""
    suite = run.get("checkSuite") or {}
    app = suite.get("app") or {}
    workflow_run = suite.get("workflowRun") or {}
    return {
        "id": run["id"],
        "database_id": run.get("databaseId"),
        **link,
        "head_sha": head_sha,
        "check_suite_id": suite.get("id"),
        "app_name": clean_text(app.get("name")),
        "app_slug": app.get("slug"),
        "name": clean_text(run.get("name")),
        "status": run.get("status"),
        "conclusion": run.get("conclusion"),
        "started_at": utc_timestamp(run.get("startedAt")),
        "completed_at": utc_timestamp(run.get("completedAt")),
        "details_url": run.get("detailsUrl"),
        "workflow_name": clean_text((workflow_run.get("workflow") or {}).get("name")),
        "workflow_run_database_id": workflow_run.get("databaseId"),
    }


def commit_status_record(link: ChildLink, head_sha: str | None, status: dict) -> dict:
    """A `StatusContext` context of the rollup: the latest status of one context."""
    return {
        "id": status["id"],
        **link,
        "head_sha": head_sha,
        "context": clean_text(status.get("context")),
        "state": status.get("state"),
        "description": clean_text(status.get("description")),
        "target_url": status.get("targetUrl"),
        "created_at": utc_timestamp(status.get("createdAt")),
        "creator_login": _login(status.get("creator")),
        "creator_type": _actor_type(status.get("creator")),
    }


def pull_request_event_record(link: ChildLink, event: dict) -> dict:
    """A timeline event; the fields of other event types are null."""
    reviewer = event.get("requestedReviewer")
    return {
        "id": event["id"],
        **link,
        "event_type": event.get("__typename"),
        "created_at": utc_timestamp(event.get("createdAt")),
        "actor_login": _login(event.get("actor")),
        "actor_type": _actor_type(event.get("actor")),
        "requested_reviewer": _reviewer_name({"requestedReviewer": reviewer}),
        "requested_reviewer_type": _actor_type(reviewer),
        "before_commit_sha": (event.get("beforeCommit") or {}).get("oid"),
        "after_commit_sha": (event.get("afterCommit") or {}).get("oid"),
        "merge_commit_sha": (event.get("commit") or {}).get("oid"),
        "merge_ref_name": clean_text(event.get("mergeRefName")),
    }


def nodes_of(connection: dict | None) -> list[dict]:
    """Non-null nodes of a connection (GitHub may return null entries)."""
    return _nodes(connection)
