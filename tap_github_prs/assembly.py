"""One page of pull requests, completed by follow-ups, then turned into records.

A page's GraphQL nodes hold the first items of each nested connection (100, or fewer when the
page had to be lighter: `$nestedFirst`). When a connection has more, a follow-up
(`queries.follow_ups.FollowUpRequest`) fetches the next items, in rounds of up to 200. The
assembly keeps every connection's items in its own list, keyed by `(kind, owner node id)`:
follow-ups name the list they complete by that key, the GraphQL nodes are never modified, and
no list is shared with a caller.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from tap_github_prs.queries.follow_ups import FOLLOW_UP_PAGE_SIZE, FollowUpRequest
from tap_github_prs.records import (
    check_run_record,
    child_link,
    commit_record,
    commit_status_record,
    file_record,
    nodes_of,
    pull_request_event_record,
    pull_request_record,
    review_record,
)

# Connections continued on the PullRequest node: follow-up kind -> GraphQL field.
PULL_REQUEST_CONNECTIONS = {
    "reviews": "reviews",
    "commits": "commits",
    "files": "files",
    "labels": "labels",
    "review_requests": "reviewRequests",
    "closing_issues": "closingIssuesReferences",
    "timeline_events": "timelineItems",
}

# What identifies a node of each continued connection, to merge overlapping pages.
NODE_KEYS: dict[str, t.Callable[[dict], t.Any]] = {
    "reviews": lambda node: node["id"],
    "commits": lambda node: node["commit"]["oid"],
    "files": lambda node: node["path"],
    "labels": lambda node: node["name"],
    "review_requests": lambda node: repr(node.get("requestedReviewer")),
    "closing_issues": lambda node: node.get("url"),
    "ci_contexts": lambda node: node["id"],
    "timeline_events": lambda node: node.get("id"),
}

ConnectionKey = tuple[str, str]  # (follow-up kind, id of the node owning the connection)


@dataclass
class PullRequestBundle:
    """A pull request record and every child record from the same response."""

    pull_request: dict
    reviews: list[dict]
    commits: list[dict]
    files: list[dict]
    check_runs: list[dict]
    commit_statuses: list[dict]
    pull_request_events: list[dict]


def rollup_id(node: dict) -> str | None:
    """Id of the PR's `statusCheckRollup` (null when its head commit has no CI at all)."""
    return (node.get("statusCheckRollup") or {}).get("id")


class PageAssembly:
    """A page's pull request nodes and their connections, complete once `pending` is empty."""

    def __init__(self, nodes: list[dict]) -> None:
        self.nodes = list(nodes)
        self.pending: list[FollowUpRequest] = []
        self._items: dict[ConnectionKey, list[dict]] = {}
        for node in self.nodes:
            for kind, field_name in PULL_REQUEST_CONNECTIONS.items():
                self._add(kind, node["id"], node.get(field_name))
            rollup = rollup_id(node)
            if rollup:
                self._add("ci_contexts", rollup, node["statusCheckRollup"].get("contexts"))

    @property
    def complete(self) -> bool:
        return not self.pending

    def take_batch(self, size: int) -> list[FollowUpRequest]:
        """The next follow-ups to send (at most `size`); `absorb` must receive their answer."""
        return self.pending[:size]

    def absorb(self, batch: list[FollowUpRequest], data: dict, *, first_alias: int = 0) -> None:
        """Add the answers to `batch` (aliases f0, f1, ..., from `first_alias` when the request
        also carried another page's follow-ups); queue whatever is still missing."""
        del self.pending[: len(batch)]
        for index, request in enumerate(batch, start=first_alias):
            answer = data.get(f"f{index}") or {}
            connection = answer.get("connection") or {}
            key = (request.kind, request.node_id)
            items = self._items[key]
            new_nodes = nodes_of(connection)
            if request.with_tail:
                # The after-page and the last page overlap or meet: the list is complete.
                node_key = NODE_KEYS[request.kind]
                known = {node_key(node) for node in items} | {node_key(n) for n in new_nodes}
                new_nodes += [n for n in nodes_of(answer.get("tail")) if node_key(n) not in known]
                connection = {}
            items.extend(new_nodes)
            self._queue_if_more(key, connection)

    def bundles(self, repository: str) -> list[PullRequestBundle]:
        """Every pull request's records; call once the assembly is complete."""
        assert self.complete, "follow-ups still pending"
        bundles = []
        for node in self.nodes:
            lists = {kind: self._items[(kind, node["id"])] for kind in PULL_REQUEST_CONNECTIONS}
            rollup = rollup_id(node)
            contexts = self._items[("ci_contexts", rollup)] if rollup else []
            link = child_link(repository, node)
            # The rollup is the head commit's: the PR's headRefOid in the same response.
            head_sha = node.get("headRefOid")
            bundles.append(
                PullRequestBundle(
                    pull_request=pull_request_record(repository, node, lists),
                    reviews=[review_record(link, review) for review in lists["reviews"]],
                    commits=[commit_record(link, commit) for commit in lists["commits"]],
                    files=[file_record(link, changed) for changed in lists["files"]],
                    check_runs=[
                        check_run_record(link, head_sha, context)
                        for context in contexts
                        if context.get("__typename") == "CheckRun"
                    ],
                    commit_statuses=[
                        commit_status_record(link, head_sha, context)
                        for context in contexts
                        if context.get("__typename") == "StatusContext"
                    ],
                    pull_request_events=[
                        pull_request_event_record(link, event)
                        for event in lists["timeline_events"]
                        if event.get("id")  # an item type the tap does not select has no fields
                    ],
                )
            )
        return bundles

    # -- planning ------------------------------------------------------------------------------

    def _add(self, kind: str, owner_id: str, connection: dict | None) -> None:
        key = (kind, owner_id)
        self._items[key] = nodes_of(connection)
        self._queue_if_more(key, connection or {})

    def _queue_if_more(self, key: ConnectionKey, connection: dict) -> None:
        page_info = connection.get("pageInfo") or {}
        if page_info.get("hasNextPage") and page_info.get("endCursor"):
            total = connection.get("totalCount")
            left = (total or 0) - len(self._items[key])
            with_tail = FOLLOW_UP_PAGE_SIZE < left <= 2 * FOLLOW_UP_PAGE_SIZE
            # Without a totalCount, a full page is the most it can return.
            items = min(left, FOLLOW_UP_PAGE_SIZE) if total is not None else FOLLOW_UP_PAGE_SIZE
            if with_tail:
                items = 2 * FOLLOW_UP_PAGE_SIZE  # the after-page and the tail, overlap included
            kind, owner_id = key
            self.pending.append(
                FollowUpRequest(kind, owner_id, page_info["endCursor"], with_tail, max(items, 1))
            )
