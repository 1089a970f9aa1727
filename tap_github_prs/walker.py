"""Walk one repository's pull requests page by page, oldest update first.

Every page is a fresh search `updated:>=<bookmark>` rather than a cursor continuation:
a PR updated during the walk moves to the end of the ordering, which would shift an
offset cursor and silently skip a PR; restarting from the bookmark cannot skip, and it also
keeps each search well under GitHub's 1,000-result cap. PRs already emitted at exactly the
bookmark second are remembered (`seen_ids`) and skipped. Only when a whole page sits on the
bookmark second (many PRs updated in the same second) is the cursor followed instead.
"""

from __future__ import annotations

import logging
import typing as t
from dataclasses import dataclass, field

from tap_github_prs import queries
from tap_github_prs.client import GraphQLClient, transient_wait_seconds
from tap_github_prs.errors import GitHubAPIError, QueryTimeoutError, RepositoryNotFoundError
from tap_github_prs.page_size import AdaptivePageSize
from tap_github_prs.queries.follow_ups import (
    FOLLOW_UP_PAGE_SIZE,
    FollowUpRequest,
    build_follow_up_query,
    build_page_query,
)
from tap_github_prs.records import (
    check_run_record,
    child_link,
    commit_record,
    file_record,
    nodes_of,
    pull_request_record,
    review_record,
    utc_timestamp,
)

SEARCH_RESULT_CAP = 1000
INCREMENTAL_FIRST_PAGE = 10
TIMEOUT_RETRIES_AT_FLOOR = 3
PROBE_PAGE_SIZE = 100
# Connections continued on the PullRequest node, by follow-up kind -> GraphQL field.
PULL_REQUEST_CONNECTIONS = {
    "reviews": "reviews",
    "commits": "commits",
    "files": "files",
    "labels": "labels",
    "review_requests": "reviewRequests",
    "closing_issues": "closingIssuesReferences",
}

# What identifies a node of each continued connection, to merge overlapping pages.
NODE_KEYS: dict[str, t.Callable[[dict], t.Any]] = {
    "reviews": lambda node: node["id"],
    "commits": lambda node: node["commit"]["oid"],
    "files": lambda node: node["path"],
    "labels": lambda node: node["name"],
    "review_requests": lambda node: repr(node.get("requestedReviewer")),
    "closing_issues": lambda node: node.get("url"),
    "check_suites": lambda node: node["id"],
    "check_runs": lambda node: node["id"],
}


@dataclass
class Progress:
    """Per-repository bookmark: latest emitted `updated_at` and the PR ids emitted at it."""

    bookmark: str | None = None
    seen_ids: list[str] = field(default_factory=list)

    def advance(self, updated_at: str, pull_request_id: str) -> None:
        if self.bookmark is None or updated_at > self.bookmark:
            self.bookmark, self.seen_ids = updated_at, [pull_request_id]
        elif updated_at == self.bookmark and pull_request_id not in self.seen_ids:
            self.seen_ids.append(pull_request_id)

    def already_emitted(self, updated_at: str, pull_request_id: str) -> bool:
        return updated_at == self.bookmark and pull_request_id in self.seen_ids

    def copy(self) -> Progress:
        return Progress(self.bookmark, list(self.seen_ids))


@dataclass
class PullRequestBundle:
    """A pull request record and every child record from the same response."""

    pull_request: dict
    reviews: list[dict]
    commits: list[dict]
    files: list[dict]
    check_runs: list[dict]


@dataclass
class UnfinishedPage:
    """A fetched page whose overflowing connections still await follow-ups."""

    nodes: list[dict]
    collected: list[dict[str, list]]
    pending: list[tuple[FollowUpRequest, list]]
    progress: Progress
    requests: int


@dataclass
class Page:
    repository: str
    bundles: list[PullRequestBundle]
    progress: Progress
    requests: int


def search_qualifier_time(timestamp: str) -> str:
    """GitHub search takes `YYYY-MM-DDTHH:MM:SS+00:00`."""
    return timestamp.replace("Z", "+00:00")


class RepositoryWalker:
    """Produce fully detailed pages of one repository's pull requests."""

    def __init__(
        self,
        client: GraphQLClient,
        page_size: AdaptivePageSize,
        follow_up_batch: AdaptivePageSize,
        logger: logging.Logger,
    ) -> None:
        self.client = client
        self.page_size = page_size
        self.follow_up_batch = follow_up_batch
        self.logger = logger

    # -- the walk -----------------------------------------------------------------------------

    def walk(
        self,
        repository: str,
        progress: Progress,
        *,
        start_date: str | None = None,
        max_prs: int | None = None,
    ) -> t.Iterator[Page]:
        progress = progress.copy()
        lower_bound = progress.bookmark or start_date
        limit = max_prs if progress.bookmark is None else None
        if limit:
            threshold = self._sample_threshold(repository, lower_bound, limit)
            if threshold and (lower_bound is None or threshold > lower_bound):
                lower_bound = threshold
        emitted = 0
        cursor: str | None = None
        # An incremental run usually finds few changes: a small first page costs a fraction of
        # the points (cost follows `first`); the next pages are full size.
        size_cap: int | None = INCREMENTAL_FIRST_PAGE if progress.bookmark else None
        # Page K's follow-ups ride along with the request for page K+1; page K is emitted
        # once they are answered. A page without follow-ups is emitted right away.
        unfinished: UnfinishedPage | None = None
        while True:
            search = self._search_query(repository, progress.bookmark or lower_bound)
            riding = unfinished.pending[: self.follow_up_batch.current] if unfinished else []
            body, requests = self._fetch_page(repository, search, cursor, size_cap, riding)
            size_cap = None
            if unfinished:
                self._absorb_follow_ups(riding, body["data"], unfinished.pending)
                yield self._finish(repository, unfinished)
            connection = body["data"]["search"] or {}
            nodes = [node for node in nodes_of(connection) if node.get("id")]
            fresh = []
            for node in nodes:
                updated_at = utc_timestamp(node["updatedAt"])
                if not progress.already_emitted(updated_at, node["id"]):
                    fresh.append(node)
            if limit is not None:
                fresh = fresh[: limit - emitted]
            collected, pending = self._collect(fresh)
            for node in fresh:
                progress.advance(utc_timestamp(node["updatedAt"]), node["id"])
            emitted += len(fresh)
            unfinished = UnfinishedPage(fresh, collected, pending, progress.copy(), requests)

            page_info = connection.get("pageInfo") or {}
            # Restart from the bookmark, unless the page made no progress (all at one second).
            cursor = None if fresh else page_info.get("endCursor")
            last_page = (
                not page_info.get("hasNextPage")
                or (limit is not None and emitted >= limit)
                or (not fresh and not cursor)
            )
            if last_page or not pending:
                yield self._finish(repository, unfinished)
                unfinished = None
            if last_page:
                return

    def _search_query(self, repository: str, lower_bound: str | None) -> str:
        query = f"repo:{repository} is:pr sort:updated-asc"
        if lower_bound:
            query += f" updated:>={search_qualifier_time(lower_bound)}"
        return query

    def _sample_threshold(self, repository: str, lower_bound: str | None, limit: int) -> str | None:
        """updatedAt of the `limit`-th most recently updated PR (None if there are fewer)."""
        query = f"repo:{repository} is:pr sort:updated-desc"
        if lower_bound:
            query += f" updated:>={search_qualifier_time(lower_bound)}"
        seen: list[str] = []
        cursor = None
        while len(seen) < min(limit, SEARCH_RESULT_CAP):
            body = self.client.execute(
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
        self.logger.info(
            "%s: sampling the %d most recently updated PRs (updated since %s).",
            repository,
            limit,
            threshold,
        )
        return threshold

    # -- requests -----------------------------------------------------------------------------

    def _fetch_page(
        self,
        repository: str,
        search: str,
        cursor: str | None,
        size_cap: int | None = None,
        riding: list[tuple[FollowUpRequest, list]] | None = None,
    ) -> tuple[dict, int]:
        """One search page, plus the follow-ups `riding` along in the same request."""
        query, follow_up_variables = build_page_query([request for request, _ in riding or []])
        owner, name = repository.split("/", 1)
        attempts = 0
        floor_failures = 0
        while True:
            attempts += 1
            variables = {
                "owner": owner,
                "name": name,
                "searchQuery": search,
                "pageSize": min(self.page_size.current, size_cap or self.page_size.current),
                "after": cursor,
                **follow_up_variables,
            }
            try:
                body = self.client.execute(query, variables, repository=repository)
            except QueryTimeoutError as exc:
                if not self.page_size.shrink(f"{repository}: {exc}"):
                    floor_failures += 1
                    if floor_failures >= TIMEOUT_RETRIES_AT_FLOOR:
                        raise GitHubAPIError(
                            f"{repository}: GitHub timed out {floor_failures} times even at the "
                            f"smallest page size ({self.page_size.current})."
                        ) from exc
                    self.client.wait(
                        transient_wait_seconds(floor_failures, self.client.policy, self.client.rng),
                        "GitHub timed out at the smallest page size",
                    )
                continue
            self._raise_if_missing(repository, body)
            self.page_size.succeeded()
            return body, attempts

    @staticmethod
    def _raise_if_missing(repository: str, body: dict) -> None:
        errors = body.get("errors") or []
        if body["data"].get("repository") is None or body["data"].get("search") is None:
            detail = "; ".join(e.get("message", "") for e in errors) or "no such repository"
            raise RepositoryNotFoundError(repository, detail)
        if errors:
            raise GitHubAPIError(
                f"{repository}: GitHub returned errors: "
                + "; ".join(e.get("message", "") for e in errors)
            )

    # -- follow-ups and assembly --------------------------------------------------------------

    def _collect(
        self, nodes: list[dict]
    ) -> tuple[list[dict[str, list]], list[tuple[FollowUpRequest, list]]]:
        """Each node's connection lists, and the follow-ups that will complete them."""
        pending: list[tuple[FollowUpRequest, list]] = []
        collected: list[dict[str, list]] = []
        for node in nodes:
            lists: dict[str, list] = {}
            for kind, field_name in PULL_REQUEST_CONNECTIONS.items():
                connection = node.get(field_name) or {}
                lists[kind] = nodes_of(connection)
                self._queue_if_more(pending, kind, node["id"], connection, lists[kind])
            head = self._head_commit(node)
            suites_connection = (head or {}).get("checkSuites") or {}
            lists["check_suites"] = nodes_of(suites_connection)
            if head:
                self._queue_if_more(
                    pending, "check_suites", head["id"], suites_connection, lists["check_suites"]
                )
            for suite in lists["check_suites"]:
                self._prepare_suite(pending, suite)
            collected.append(lists)
        return collected, pending

    def _finish(self, repository: str, page: UnfinishedPage) -> Page:
        """Run the follow-ups still pending, then build the page's records."""
        requests = page.requests + self._run_follow_ups(page.pending, repository)
        bundles = []
        for node, lists in zip(page.nodes, page.collected, strict=True):
            pull_request = pull_request_record(repository, node, lists)
            link = child_link(repository, node)
            head = self._head_commit(node)
            head_sha = (head or {}).get("oid") or node.get("headRefOid")
            bundles.append(
                PullRequestBundle(
                    pull_request=pull_request,
                    reviews=[review_record(link, review) for review in lists["reviews"]],
                    commits=[commit_record(link, commit) for commit in lists["commits"]],
                    files=[file_record(link, changed) for changed in lists["files"]],
                    check_runs=[
                        check_run_record(link, head_sha, suite, run)
                        for suite in lists["check_suites"]
                        for run in suite["_runs"]
                    ],
                )
            )
        return Page(repository, bundles, page.progress, requests)

    @staticmethod
    def _head_commit(node: dict) -> dict | None:
        head_nodes = nodes_of(node.get("headCommit"))
        return head_nodes[-1].get("commit") if head_nodes else None

    @staticmethod
    def _queue_if_more(
        pending: list, kind: str, node_id: str, connection: dict, sink: list
    ) -> None:
        page_info = connection.get("pageInfo") or {}
        if page_info.get("hasNextPage") and page_info.get("endCursor"):
            left = (connection.get("totalCount") or 0) - len(sink)
            with_tail = FOLLOW_UP_PAGE_SIZE < left <= 2 * FOLLOW_UP_PAGE_SIZE
            pending.append(
                (FollowUpRequest(kind, node_id, page_info["endCursor"], with_tail), sink)
            )

    def _prepare_suite(self, pending: list, suite: dict) -> None:
        runs_connection = suite.get("checkRuns") or {}
        suite["_runs"] = nodes_of(runs_connection)
        self._queue_if_more(pending, "check_runs", suite["id"], runs_connection, suite["_runs"])

    def _run_follow_ups(self, pending: list[tuple[FollowUpRequest, list]], repository: str) -> int:
        requests = 0
        floor_failures = 0
        while pending:
            batch = pending[: self.follow_up_batch.current]
            query, variables = build_follow_up_query([request for request, _ in batch])
            requests += 1
            try:
                body = self.client.execute(query, variables, repository=repository)
            except QueryTimeoutError as exc:
                if not self.follow_up_batch.shrink(f"follow-ups: {exc}"):
                    floor_failures += 1
                    if floor_failures >= TIMEOUT_RETRIES_AT_FLOOR:
                        raise GitHubAPIError(
                            "GitHub kept timing out on follow-up queries."
                        ) from exc
                continue
            if body.get("errors"):
                raise GitHubAPIError(
                    "Follow-up query failed: "
                    + "; ".join(e.get("message", "") for e in body["errors"])
                )
            self.follow_up_batch.succeeded()
            self._absorb_follow_ups(batch, body["data"], pending)
        return requests

    def _absorb_follow_ups(
        self, batch: list[tuple[FollowUpRequest, list]], data: dict, pending: list
    ) -> None:
        """Add the answers (aliases f0, f1, ...) to their lists; queue what is still missing."""
        del pending[: len(batch)]
        for index, (request, sink) in enumerate(batch):
            connection = ((data.get(f"f{index}") or {}).get("connection")) or {}
            new_nodes = nodes_of(connection)
            if request.with_tail:
                # The after-page and the last page overlap or meet: the list is complete.
                tail = nodes_of((data.get(f"f{index}") or {}).get("tail"))
                key = NODE_KEYS[request.kind]
                known = {key(node) for node in sink} | {key(node) for node in new_nodes}
                new_nodes += [node for node in tail if key(node) not in known]
                connection = {}
            sink.extend(new_nodes)
            if request.kind == "check_suites":
                for suite in new_nodes:
                    self._prepare_suite(pending, suite)
            self._queue_if_more(pending, request.kind, request.node_id, connection, sink)
