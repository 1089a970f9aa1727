"""Which deliveries name a repository whose pull-request data may have changed."""

from __future__ import annotations

from typing import Any

# Each of these changes something the tap extracts (PRs, reviews, review comments, CI runs and
# statuses, deployments, releases, pushed commits), and every one carries `repository`.
QUEUED_EVENTS = frozenset(
    {
        "pull_request",
        "pull_request_review",
        "pull_request_review_comment",
        "check_run",
        "check_suite",
        "status",
        "deployment_status",
        "release",
        "push",
    }
)
# Sent once when a webhook is created (and on "Redeliver"/"Test" for it): answered, not queued.
PING = "ping"


def repository_of(event: str, payload: Any) -> str | None:
    """`owner/name` of a queued event's repository, or None (another event, or no repository)."""
    if event not in QUEUED_EVENTS or not isinstance(payload, dict):
        return None
    repository = payload.get("repository")
    if not isinstance(repository, dict):
        return None
    full_name = repository.get("full_name")
    if not isinstance(full_name, str) or full_name.count("/") != 1:
        return None
    return full_name
