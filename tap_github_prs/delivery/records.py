"""Map deployment, status, release and issue nodes to the contract records."""

from __future__ import annotations

from tap_github_prs.delivery.settings import DeliverySettings
from tap_github_prs.records import clean_text, nodes_of, utc_timestamp


def _login(actor: dict | None) -> str | None:
    return actor.get("login") if actor else None


def deployment_record(repository: str, node: dict, settings: DeliverySettings) -> dict:
    latest = node.get("latestStatus") or {}
    statuses = node.get("statuses") or {}
    return {
        "id": node["id"],
        "repository": repository,
        "database_id": node.get("databaseId"),
        "environment": clean_text(node.get("environment")),
        "original_environment": clean_text(node.get("originalEnvironment")),
        "latest_environment": clean_text(node.get("latestEnvironment")),
        "is_production": settings.is_production(node.get("environment")),
        "ref": clean_text((node.get("ref") or {}).get("name")),
        "commit_sha": node.get("commitOid"),
        "commit_committed_at": utc_timestamp((node.get("commit") or {}).get("committedDate")),
        "task": clean_text(node.get("task")),
        "description": clean_text(node.get("description")),
        "creator_login": _login(node.get("creator")),
        "created_at": utc_timestamp(node["createdAt"]),
        "updated_at": utc_timestamp(node.get("updatedAt")),
        "state": node.get("state"),
        "latest_status_state": latest.get("state"),
        "latest_status_at": utc_timestamp(latest.get("createdAt")),
        "statuses_count": len(nodes_of(statuses)),
    }


def deployment_status_record(repository: str, deployment_id: str, node: dict) -> dict:
    return {
        "id": node["id"],
        "deployment_id": deployment_id,
        "repository": repository,
        "state": node.get("state"),
        "description": clean_text(node.get("description")),
        "environment": clean_text(node.get("environment")),
        "environment_url": node.get("environmentUrl"),
        "log_url": node.get("logUrl"),
        "creator_login": _login(node.get("creator")),
        "created_at": utc_timestamp(node["createdAt"]),
    }


def release_record(repository: str, node: dict) -> dict:
    return {
        "id": node["id"],
        "repository": repository,
        "database_id": node.get("databaseId"),
        "tag_name": clean_text(node.get("tagName")),
        "name": clean_text(node.get("name")),
        "url": node.get("url"),
        "created_at": utc_timestamp(node["createdAt"]),
        "updated_at": utc_timestamp(node.get("updatedAt")),
        "published_at": utc_timestamp(node.get("publishedAt")),
        "is_prerelease": node.get("isPrerelease"),
        "is_draft": node.get("isDraft"),
        "author_login": _login(node.get("author")),
        "tag_commit_sha": (node.get("tagCommit") or {}).get("oid"),
    }


def issue_labels(node: dict) -> list[str]:
    labels = nodes_of(node.get("labels"))
    return [clean_text(label["name"]) for label in labels if label.get("name")]


def issue_record(repository: str, node: dict, incident_match: str) -> dict:
    return {
        "id": node["id"],
        "repository": repository,
        "number": node["number"],
        "title": clean_text(node.get("title")),
        "url": node.get("url"),
        "state": node.get("state"),
        "state_reason": node.get("stateReason"),
        "author_login": _login(node.get("author")),
        "created_at": utc_timestamp(node.get("createdAt")),
        "updated_at": utc_timestamp(node["updatedAt"]),
        "closed_at": utc_timestamp(node.get("closedAt")),
        "labels": issue_labels(node),
        "incident_match": incident_match,
        "closed_by_pull_requests": [
            {
                "repository": (pr.get("repository") or {}).get("nameWithOwner"),
                "number": pr.get("number"),
            }
            for pr in nodes_of(node.get("closedByPullRequestsReferences"))
        ],
    }
