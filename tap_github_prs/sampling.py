"""Sampling: where a repository's N most recently updated pull requests begin."""

from __future__ import annotations

import logging

from tap_github_prs import queries
from tap_github_prs.client import GraphQLClient
from tap_github_prs.records import nodes_of, utc_timestamp
from tap_github_prs.search import SEARCH_RESULT_CAP, updated_since_query

PROBE_PAGE_SIZE = 100


def sample_threshold(
    client: GraphQLClient,
    repository: str,
    lower_bound: str | None,
    limit: int,
    logger: logging.Logger,
) -> str | None:
    """updatedAt of the `limit`-th most recently updated PR (None if there are fewer).

    Only `updatedAt` is asked for, 100 at a time: a cheap probe before the detailed walk.
    """
    query = updated_since_query(repository, lower_bound, newest_first=True)
    seen: list[str] = []
    cursor = None
    while len(seen) < min(limit, SEARCH_RESULT_CAP):
        body = client.execute(
            queries.load("updated_at_probe"),
            {"searchQuery": query, "pageSize": PROBE_PAGE_SIZE, "after": cursor},
            repository=repository,
        )
        connection = body["data"]["search"] or {}
        seen.extend(node["updatedAt"] for node in nodes_of(connection) if node.get("updatedAt"))
        page_info = connection.get("pageInfo") or {}
        if not page_info.get("hasNextPage"):
            break
        cursor = page_info.get("endCursor")
    if len(seen) < limit:
        return None
    threshold = utc_timestamp(seen[min(limit, SEARCH_RESULT_CAP) - 1])
    logger.info(
        "%s: sampling the %d most recently updated PRs (updated since %s).",
        repository,
        limit,
        threshold,
    )
    return threshold
