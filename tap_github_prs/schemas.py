"""JSON schemas of the five streams, exactly as fixed in docs/contracts.md."""

from __future__ import annotations

from singer_sdk import typing as th

_S = th.StringType
_I = th.IntegerType
_B = th.BooleanType
_T = th.DateTimeType


def _link() -> list[th.Property]:
    return [
        th.Property("repository", _S, required=True, description="owner/name"),
        th.Property("pull_request_id", _S, required=True, description="PullRequest node id"),
        th.Property("pull_request_number", _I, required=True),
        th.Property(
            "pull_request_updated_at",
            _T,
            description="The parent PR's updatedAt at extraction time",
        ),
    ]


PULL_REQUESTS = th.PropertiesList(
    th.Property("id", _S, required=True, description="PullRequest node id"),
    th.Property("repository", _S, required=True, description="owner/name"),
    th.Property("number", _I, required=True),
    th.Property("full_database_id", _S),
    th.Property("title", _S),
    th.Property("body", _S),
    th.Property("url", _S),
    th.Property("state", _S, description="OPEN, CLOSED or MERGED"),
    th.Property("is_draft", _B),
    th.Property("merged", _B),
    th.Property("author_login", _S),
    th.Property("author_type", _S, description="User, Bot, Mannequin, ...; null if deleted"),
    th.Property("author_association", _S),
    th.Property("merged_by_login", _S),
    th.Property("created_at", _T),
    th.Property("updated_at", _T, required=True),
    th.Property("merged_at", _T),
    th.Property("closed_at", _T),
    th.Property("additions", _I),
    th.Property("deletions", _I),
    th.Property("changed_files", _I),
    th.Property("base_ref_name", _S),
    th.Property("head_ref_name", _S),
    th.Property("head_sha", _S),
    th.Property(
        "merge_commit_sha",
        _S,
        description="The commit the merge created on the base branch; null unless merged",
    ),
    th.Property("labels", th.ArrayType(_S)),
    th.Property("milestone_title", _S),
    th.Property("review_decision", _S),
    th.Property(
        "requested_reviewers",
        th.ArrayType(_S),
        description="login of a user/bot, or org/team-slug of a team",
    ),
    th.Property(
        "closing_issues",
        th.ArrayType(
            th.ObjectType(
                th.Property("repository", _S),
                th.Property("number", _I),
                th.Property("url", _S),
            )
        ),
    ),
    th.Property("commits_count", _I),
    th.Property("reviews_count", _I),
).to_dict()

REVIEWS = th.PropertiesList(
    th.Property("id", _S, required=True),
    *_link(),
    th.Property("author_login", _S),
    th.Property("author_type", _S),
    th.Property("author_association", _S),
    th.Property("state", _S),
    th.Property("submitted_at", _T),
    th.Property("created_at", _T),
    th.Property("body", _S),
    th.Property("commit_sha", _S),
).to_dict()

COMMITS = th.PropertiesList(
    th.Property("sha", _S, required=True),
    *_link(),
    th.Property("message", _S),
    th.Property("message_headline", _S),
    th.Property("authored_date", _T),
    th.Property("committed_date", _T),
    th.Property("author_name", _S),
    th.Property("author_email", _S),
    th.Property("author_login", _S),
    th.Property("committer_name", _S),
    th.Property("committer_email", _S),
    th.Property("committer_login", _S),
    th.Property("additions", _I),
    th.Property("deletions", _I),
    th.Property("changed_files", _I, description="null when GitHub does not know"),
).to_dict()

FILES = th.PropertiesList(
    th.Property("path", _S, required=True),
    *_link(),
    th.Property("change_type", _S),
    th.Property("additions", _I),
    th.Property("deletions", _I),
).to_dict()

CHECK_RUNS = th.PropertiesList(
    th.Property("id", _S, required=True, description="CheckRun node id"),
    th.Property("database_id", _I),
    *_link(),
    th.Property("head_sha", _S),
    th.Property("check_suite_id", _S),
    th.Property("app_name", _S),
    th.Property("app_slug", _S),
    th.Property("name", _S),
    th.Property("status", _S),
    th.Property("conclusion", _S),
    th.Property("started_at", _T),
    th.Property("completed_at", _T),
    th.Property("details_url", _S),
    th.Property("workflow_name", _S, description="GitHub Actions workflow; null for other apps"),
    th.Property("workflow_run_database_id", _I),
).to_dict()

COMMIT_STATUSES = th.PropertiesList(
    th.Property("id", _S, required=True, description="StatusContext node id"),
    *_link(),
    th.Property("head_sha", _S),
    th.Property("context", _S, description="The status's name, e.g. ci/circleci: build"),
    th.Property("state", _S, description="ERROR, EXPECTED, FAILURE, PENDING or SUCCESS"),
    th.Property("description", _S),
    th.Property("target_url", _S),
    th.Property("created_at", _T, description="When this (latest) status was posted"),
    th.Property("creator_login", _S),
    th.Property("creator_type", _S),
).to_dict()

PULL_REQUEST_EVENTS = th.PropertiesList(
    th.Property("id", _S, required=True, description="Timeline event node id"),
    *_link(),
    th.Property("event_type", _S, required=True, description="GraphQL type, e.g. MergedEvent"),
    th.Property("created_at", _T),
    th.Property("actor_login", _S),
    th.Property("actor_type", _S),
    th.Property("requested_reviewer", _S, description="Review requests: login or org/team"),
    th.Property("requested_reviewer_type", _S, description="User, Bot, Mannequin or Team"),
    th.Property("before_commit_sha", _S, description="Force pushes: the rewritten head"),
    th.Property("after_commit_sha", _S, description="Force pushes: the new head"),
    th.Property("merge_commit_sha", _S, description="Merges: the merged commit"),
    th.Property("merge_ref_name", _S, description="Merges: the base branch"),
).to_dict()
