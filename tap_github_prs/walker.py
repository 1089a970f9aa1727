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
import time
import typing as t
from dataclasses import dataclass, field

from tap_github_prs.assembly import PageAssembly, PullRequestBundle
from tap_github_prs.client import GraphQLClient
from tap_github_prs.errors import GitHubAPIError, RepositoryNotFoundError
from tap_github_prs.page_size import AdaptivePageSize, PagePlan, PageSizes
from tap_github_prs.queries.follow_ups import (
    FollowUpRequest,
    build_follow_up_query,
    build_page_query,
)
from tap_github_prs.records import nodes_of, utc_timestamp
from tap_github_prs.responses import access_hint
from tap_github_prs.sampling import sample_threshold
from tap_github_prs.search import updated_since_query

INCREMENTAL_FIRST_PAGE = 10
# Unfinished pages whose follow-ups may still ride along with the next page request.
UNFINISHED_PAGES = 2


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
class Page:
    repository: str
    bundles: list[PullRequestBundle]
    progress: Progress
    requests: int
    # PRs the page's search held beyond this page (GitHub's `issueCount`), None if unknown;
    # and when the repository's walk began (time.monotonic), for progress and ETA lines.
    remaining: int | None = None
    walk_started: float = 0.0


@dataclass
class _FetchedPage:
    """A page whose follow-ups may still be pending, with the progress it reaches."""

    assembly: PageAssembly
    progress: Progress
    requests: int
    remaining: int | None = None
    walk_started: float = 0.0


class RepositoryWalker:
    """Produce fully detailed pages of one repository's pull requests."""

    def __init__(
        self,
        client: GraphQLClient,
        page_sizes: PageSizes,
        follow_up_batch: AdaptivePageSize,
        logger: logging.Logger,
    ) -> None:
        self.client = client
        self.page_sizes = page_sizes
        self.follow_up_batch = follow_up_batch
        self.logger = logger

    def walk(
        self,
        repository: str,
        progress: Progress,
        *,
        start_date: str | None = None,
        max_prs: int | None = None,
    ) -> t.Iterator[Page]:
        progress = progress.copy()
        walk_started = time.monotonic()
        lower_bound = progress.bookmark or start_date
        limit = max_prs if progress.bookmark is None else None
        if limit:
            threshold = sample_threshold(self.client, repository, lower_bound, limit, self.logger)
            if threshold and (lower_bound is None or threshold > lower_bound):
                lower_bound = threshold
        emitted = 0
        cursor: str | None = None
        # An incremental run usually finds few changes: a small first page costs a fraction of
        # the points (cost follows `first`); the next pages are full size.
        size_cap: int | None = INCREMENTAL_FIRST_PAGE if progress.bookmark else None
        # Page K's follow-ups ride along with the requests for pages K+1 and K+2 (a connection
        # that needs a second round, or what did not fit the first ride); pages are emitted in
        # order, each once complete. What is still missing after its second ride is fetched
        # on its own, so a page waits for at most two more page requests.
        unfinished: list[_FetchedPage] = []
        while True:
            search = updated_since_query(
                repository, progress.bookmark or lower_bound, newest_first=False
            )
            pending = [request for page in unfinished for request in page.assembly.pending]
            body, requests, riding = self._fetch_page(repository, search, cursor, size_cap, pending)
            size_cap = None
            _absorb_riders(unfinished, riding, body["data"])
            yield from self._emit_complete(repository, unfinished)
            connection = body["data"]["search"] or {}
            nodes = [node for node in nodes_of(connection) if node.get("id")]
            fresh = [
                node
                for node in nodes
                if not progress.already_emitted(utc_timestamp(node["updatedAt"]), node["id"])
            ]
            if limit is not None:
                fresh = fresh[: limit - emitted]
            for node in fresh:
                progress.advance(utc_timestamp(node["updatedAt"]), node["id"])
            emitted += len(fresh)
            remaining = _beyond_page(connection, len(nodes), cursor)
            if limit is not None and remaining is not None:
                remaining = min(remaining, limit - emitted)
            unfinished.append(
                _FetchedPage(
                    PageAssembly(fresh), progress.copy(), requests, remaining, walk_started
                )
            )

            page_info = connection.get("pageInfo") or {}
            # Restart from the bookmark, unless the page made no progress (all at one second).
            cursor = None if fresh else page_info.get("endCursor")
            size_cap = _rest_of_search(connection, len(nodes), progress, cursor)
            if limit is not None and size_cap is not None:
                size_cap = min(size_cap, max(1, limit - emitted))
            last_page = (
                not page_info.get("hasNextPage")
                or (limit is not None and emitted >= limit)
                or (not fresh and not cursor)
            )
            if last_page:
                while unfinished:
                    yield self._finish(repository, unfinished.pop(0))
                return
            yield from self._emit_complete(repository, unfinished)
            while len(unfinished) > UNFINISHED_PAGES:
                yield self._finish(repository, unfinished.pop(0))

    def _emit_complete(self, repository: str, unfinished: list[_FetchedPage]) -> t.Iterator[Page]:
        """Emit the oldest pages while they are complete (in order: bookmarks only advance)."""
        while unfinished and unfinished[0].assembly.complete:
            yield self._finish(repository, unfinished.pop(0))

    # -- requests -----------------------------------------------------------------------------

    def _fetch_page(
        self,
        repository: str,
        search: str,
        cursor: str | None,
        size_cap: int | None,
        pending: list[FollowUpRequest],
    ) -> tuple[dict, int, list[FollowUpRequest]]:
        """One search page, with as many `pending` follow-ups riding along as its plan allows.

        Returns the body, the requests it took and the follow-ups that rode along.
        """
        owner, name = repository.split("/", 1)
        pending = list(pending)
        sizing = self.page_sizes.for_repository(repository)
        request = sizing.page_request(pending, size_cap, self.follow_up_batch.current)
        sent: list[list[FollowUpRequest]] = []

        def build(plan: PagePlan) -> tuple[str, dict[str, t.Any]]:
            sent.append(pending[: plan.riders])
            query, follow_up_variables = build_page_query(sent[-1])
            variables = {
                "owner": owner,
                "name": name,
                "searchQuery": search,
                "pageSize": plan.page_size,
                "nestedFirst": plan.nested_first,
                "after": cursor,
                **follow_up_variables,
            }
            return query, variables

        body, attempts = self.client.execute_shrinking(
            request, build, repository=repository, what=repository
        )
        _raise_if_missing(repository, body)
        return body, attempts, sent[-1]

    def _finish(self, repository: str, page: _FetchedPage) -> Page:
        """Run the follow-ups still pending, then build the page's records."""
        requests = page.requests
        assembly = page.assembly
        sizing = self.page_sizes.for_repository(repository)
        while not assembly.complete:
            sent: list[list[FollowUpRequest]] = []
            batch = sizing.follow_up_request(assembly.pending, self.follow_up_batch.current)

            def build(count: int, sent: list = sent) -> tuple[str, dict[str, t.Any]]:
                sent.append(assembly.take_batch(count))
                return build_follow_up_query(sent[-1])

            body, attempts = self.client.execute_shrinking(
                batch, build, repository=repository, what=f"{repository} follow-ups"
            )
            requests += attempts
            if body.get("errors"):
                raise GitHubAPIError(
                    "Follow-up query failed: "
                    + "; ".join(e.get("message", "") for e in body["errors"])
                )
            assembly.absorb(sent[-1], body["data"])
        return Page(
            repository,
            assembly.bundles(repository),
            page.progress,
            requests,
            page.remaining,
            page.walk_started,
        )


def _absorb_riders(
    unfinished: list[_FetchedPage], riding: list[FollowUpRequest], data: dict
) -> None:
    """Hand each unfinished page the answers to its follow-ups that rode along.

    `riding` is a prefix of the pages' pending follow-ups, oldest page first, answered under
    aliases f0, f1, ... in that order.
    """
    first_alias = 0
    for page in unfinished:
        batch = riding[first_alias : first_alias + len(page.assembly.pending)]
        if not batch:
            return
        page.assembly.absorb(batch, data, first_alias=first_alias)
        first_alias += len(batch)


def _beyond_page(connection: dict, returned: int, cursor: str | None) -> int | None:
    """How many PRs the search holds beyond this page, for the progress line.

    `issueCount` counts the whole search; a page asked by cursor is not the search's first,
    so what is left after it is not known from the count alone.
    """
    total = connection.get("issueCount")
    if total is None or cursor is not None:
        return None
    return max(0, total - returned)


def _rest_of_search(
    connection: dict, returned: int, progress: Progress, cursor: str | None
) -> int | None:
    """How many PRs the next page's search will find, to ask for no more than that.

    GitHub prices a connection by its `first`, not by what comes back, so a repository's last
    page asked with the full page size costs as much as a full page. The next search restarts
    at the bookmark: it finds what this one had beyond its page, plus the PRs at the bookmark
    second again. A PR updated meanwhile only makes `hasNextPage` true: nothing is skipped.
    """
    total = connection.get("issueCount")
    if total is None or cursor is not None:
        return None
    return max(1, total - returned + len(progress.seen_ids))


def _raise_if_missing(repository: str, body: dict) -> None:
    errors = body.get("errors") or []
    if body["data"].get("repository") is None or body["data"].get("search") is None:
        messages = [e.get("message", "") for e in errors]
        detail = "; ".join(messages) or "no such repository"
        raise RepositoryNotFoundError(repository, detail + access_hint(messages))
    if errors:
        raise GitHubAPIError(
            f"{repository}: GitHub returned errors: "
            + "; ".join(e.get("message", "") for e in errors)
        )
