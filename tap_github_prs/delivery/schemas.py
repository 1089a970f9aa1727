"""JSON schemas of the delivery streams, exactly as fixed in docs/contracts.md."""

from __future__ import annotations

from singer_sdk import typing as th

_S = th.StringType
_I = th.IntegerType
_B = th.BooleanType
_T = th.DateTimeType

DEPLOYMENTS = th.PropertiesList(
    th.Property("id", _S, required=True, description="Deployment node id"),
    th.Property("repository", _S, required=True, description="owner/name"),
    th.Property("database_id", _I),
    th.Property("environment", _S, description="The environment it was deployed to"),
    th.Property("original_environment", _S),
    th.Property("latest_environment", _S),
    th.Property(
        "is_production",
        _B,
        description="environment fully matches the deployment_environments setting",
    ),
    th.Property("ref", _S, description="Branch or tag name; null when deleted"),
    th.Property("commit_sha", _S, description="The deployed commit (commitOid)"),
    th.Property("commit_committed_at", _T),
    th.Property("task", _S),
    th.Property("description", _S),
    th.Property("creator_login", _S),
    th.Property("created_at", _T, required=True),
    th.Property("updated_at", _T),
    th.Property("state", _S, description="GitHub's DeploymentState at extraction"),
    th.Property("latest_status_state", _S),
    th.Property("latest_status_at", _T),
    th.Property("statuses_count", _I),
).to_dict()

DEPLOYMENT_STATUSES = th.PropertiesList(
    th.Property("id", _S, required=True, description="DeploymentStatus node id"),
    th.Property("deployment_id", _S, required=True, description="Deployment node id"),
    th.Property("repository", _S, required=True),
    th.Property("state", _S, description="QUEUED, IN_PROGRESS, SUCCESS, FAILURE, ERROR, ..."),
    th.Property("description", _S),
    th.Property("environment", _S),
    th.Property("environment_url", _S),
    th.Property("log_url", _S),
    th.Property("creator_login", _S),
    th.Property("created_at", _T, required=True),
).to_dict()

RELEASES = th.PropertiesList(
    th.Property("id", _S, required=True, description="Release node id"),
    th.Property("repository", _S, required=True),
    th.Property("database_id", _I),
    th.Property("tag_name", _S),
    th.Property("name", _S),
    th.Property("url", _S),
    th.Property("created_at", _T, required=True),
    th.Property("updated_at", _T),
    th.Property("published_at", _T, description="null for a draft"),
    th.Property("is_prerelease", _B),
    th.Property("is_draft", _B),
    th.Property("author_login", _S),
    th.Property("tag_commit_sha", _S),
).to_dict()

ISSUES = th.PropertiesList(
    th.Property("id", _S, required=True, description="Issue node id"),
    th.Property("repository", _S, required=True),
    th.Property("number", _I, required=True),
    th.Property("title", _S),
    th.Property("url", _S),
    th.Property("state", _S, description="OPEN or CLOSED"),
    th.Property("state_reason", _S),
    th.Property("author_login", _S),
    th.Property("created_at", _T),
    th.Property("updated_at", _T, required=True),
    th.Property("closed_at", _T),
    th.Property("labels", th.ArrayType(_S)),
    th.Property(
        "incident_match",
        _S,
        description="Why it is an incident: label (incident_labels) or title",
    ),
    th.Property(
        "closed_by_pull_requests",
        th.ArrayType(th.ObjectType(th.Property("repository", _S), th.Property("number", _I))),
    ),
).to_dict()
