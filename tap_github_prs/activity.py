"""Which repositories changed since their bookmarks, asked for 100 repositories per request.

An incremental run of an organisation with thousands of repositories would otherwise spend one
request per repository and stream just to learn that nothing changed. Before walking, the tap
asks GitHub once per 100 repositories for each one's newest pull request, issue, release and
deployment (queries/activity.py), then walks only the repositories with something newer than
their bookmark, the most recently active first. A repository that is gone is reported by name;
one that was renamed or transferred is reported with its new name.
"""

from __future__ import annotations

import logging
import typing as t
from dataclasses import dataclass

from tap_github_prs.errors import RepositoryNotFoundError
from tap_github_prs.queries.activity import REPOSITORIES_PER_REQUEST, build_activity_query
from tap_github_prs.records import nodes_of, utc_timestamp

if t.TYPE_CHECKING:
    from tap_github_prs.client import GraphQLClient


@dataclass(frozen=True)
class RepositoryActivity:
    """The newest thing of each kind in one repository (UTC `...Z` timestamps, None if none)."""

    name_with_owner: str
    pull_request_updated_at: str | None = None
    pull_request_id: str | None = None
    issue_updated_at: str | None = None
    release_created_at: str | None = None
    deployment_changed_at: str | None = None

    @property
    def latest(self) -> str:
        """The most recent of all, for ordering repositories by activity."""
        stamps = [
            self.pull_request_updated_at,
            self.issue_updated_at,
            self.release_created_at,
            self.deployment_changed_at,
        ]
        return max((s for s in stamps if s), default="")


def _first(connection: dict | None) -> dict:
    nodes = nodes_of(connection)
    return nodes[0] if nodes else {}


def _activity(node: dict) -> RepositoryActivity:
    pull_request = _first(node.get("latestPullRequest"))
    deployment = _first(node.get("latestDeployment"))
    deployment_stamps = [
        deployment.get("createdAt"),
        (deployment.get("latestStatus") or {}).get("createdAt"),
    ]
    return RepositoryActivity(
        name_with_owner=node["nameWithOwner"],
        pull_request_updated_at=utc_timestamp(pull_request.get("updatedAt")),
        pull_request_id=pull_request.get("id"),
        issue_updated_at=utc_timestamp(_first(node.get("latestIssue")).get("updatedAt")),
        release_created_at=utc_timestamp(_first(node.get("latestRelease")).get("createdAt")),
        deployment_changed_at=max((utc_timestamp(s) for s in deployment_stamps if s), default=None),
    )


def fetch_activity(
    client: GraphQLClient, repositories: list[str], logger: logging.Logger
) -> tuple[dict[str, RepositoryActivity], dict[str, RepositoryNotFoundError], int]:
    """Activity per repository, the repositories that are gone, and the requests it took."""
    found: dict[str, RepositoryActivity] = {}
    missing: dict[str, RepositoryNotFoundError] = {}
    requests = 0
    for start in range(0, len(repositories), REPOSITORIES_PER_REQUEST):
        chunk = repositories[start : start + REPOSITORIES_PER_REQUEST]
        query, variables = build_activity_query(chunk)
        body = client.execute(query, variables, cacheable=False)
        requests += 1
        messages = {
            str((error.get("path") or [""])[0]): error.get("message", "")
            for error in body.get("errors") or []
        }
        for index, repository in enumerate(chunk):
            node = (body.get("data") or {}).get(f"r{index}")
            if node is None:
                detail = messages.get(f"r{index}") or "no such repository"
                missing[repository] = RepositoryNotFoundError(repository, detail)
                continue
            activity = _activity(node)
            if activity.name_with_owner.lower() != repository.lower():
                logger.warning(
                    "%s is now %s (renamed or transferred): put the new name in `repositories`.",
                    repository,
                    activity.name_with_owner,
                )
            found[repository] = activity
    return found, missing, requests


def pull_requests_changed(
    activity: RepositoryActivity, bookmark: str | None, seen_ids: t.Sequence[str]
) -> bool:
    """Whether a walk from `bookmark` could find a pull request not yet emitted."""
    newest = activity.pull_request_updated_at
    if bookmark is None:
        return newest is not None
    if newest is None or newest < bookmark:
        return False
    return newest > bookmark or activity.pull_request_id not in seen_ids
