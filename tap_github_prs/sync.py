"""Everything one sync needs: settings, client, repository list and the parallel walks."""

from __future__ import annotations

import logging
import time
import typing as t

from tap_github_prs import queries
from tap_github_prs.cache import ResponseCache
from tap_github_prs.client import GraphQLClient
from tap_github_prs.clock import Clock
from tap_github_prs.errors import RepositoryNotFoundError
from tap_github_prs.fetcher import FetchEvent, ParallelFetcher
from tap_github_prs.github_app import installation_tokens
from tap_github_prs.page_size import AdaptivePageSize
from tap_github_prs.retry import RetryPolicy
from tap_github_prs.settings import Settings
from tap_github_prs.tokens import TokenPool
from tap_github_prs.walker import Progress, RepositoryWalker

FOLLOW_UP_BATCH = 20  # aliased node() lookups per follow-up request
# The smallest page a too-heavy answer can shrink to (60 -> 30 -> 15 -> 7 -> 5).
MIN_PAGE_SIZE = 5


class SyncSession:
    """Built once per sync, after the config was validated and before any request."""

    def __init__(self, settings: Settings, logger: logging.Logger, clock: Clock | None = None):
        self.settings = settings
        self.logger = logger
        self.clock = clock or Clock()
        cache = (
            ResponseCache(settings.cache_dir, settings.cache_mode, logger)
            if settings.cache_dir and settings.cache_mode != "off"
            else None
        )
        self.client = GraphQLClient(
            api_url=settings.api_url,
            # Personal tokens and one renewable token per GitHub App installation, rotated
            # together: each has its own quota.
            tokens=TokenPool(
                settings.tokens,
                self.clock,
                logger,
                installation_tokens(
                    settings.github_apps,
                    settings.api_url,
                    self.clock,
                    settings.request_timeout,
                    logger,
                    first_position=len(settings.tokens) + 1,
                ),
            ),
            timeout=settings.request_timeout,
            logger=logger,
            clock=self.clock,
            policy=RetryPolicy(max_rate_limit_wait=settings.max_rate_limit_wait),
            cache=cache,
        )
        self.page_size = AdaptivePageSize(
            settings.page_size, logger, floor=MIN_PAGE_SIZE, what="page size"
        )
        self.follow_up_batch = AdaptivePageSize(
            FOLLOW_UP_BATCH, logger, floor=1, what="follow-up batch size"
        )
        self.walker = RepositoryWalker(self.client, self.page_size, self.follow_up_batch, logger)
        self.pull_requests = 0
        self._started = time.monotonic()

    def resolve_repositories(self) -> list[str]:
        """Configured repositories plus every repository of the configured organisations."""
        repositories = list(self.settings.repositories)
        for organization in self.settings.organizations:
            try:
                found = self._organization_repositories(organization)
            except RepositoryNotFoundError as exc:
                self.logger.error("%s", exc)
                if self.settings.fail_on_missing_repository:
                    raise
                continue
            self.logger.info("Organization %s has %d repositories.", organization, len(found))
            repositories.extend(found)
        unique: list[str] = []
        seen: set[str] = set()
        for repository in repositories:
            if repository.lower() not in seen:
                seen.add(repository.lower())
                unique.append(repository)
        return unique

    def _organization_repositories(self, organization: str) -> list[str]:
        names: list[str] = []
        cursor = None
        while True:
            body = self.client.execute(
                queries.load("organization_repositories"), {"login": organization, "after": cursor}
            )
            org = body["data"].get("organization")
            if org is None:
                detail = "; ".join(e.get("message", "") for e in body.get("errors") or [])
                raise RepositoryNotFoundError(f"organization {organization}", detail or "not found")
            connection = org["repositories"]
            names.extend(node["nameWithOwner"] for node in connection["nodes"] if node)
            if not connection["pageInfo"]["hasNextPage"]:
                return names
            cursor = connection["pageInfo"]["endCursor"]

    def fetch(
        self, repositories: list[str], progress: dict[str, Progress]
    ) -> t.Iterator[FetchEvent]:
        def walk(repository: str):
            return self.walker.walk(
                repository,
                progress[repository],
                start_date=self.settings.start_date,
                max_prs=self.settings.max_prs_per_repo,
            )

        fetcher = ParallelFetcher(repositories, walk, self.settings.max_parallel_repos, self.logger)
        try:
            for event in fetcher.events():
                if event.page is not None:
                    self.pull_requests += len(event.page.bundles)
                yield event
        finally:
            self.client.cancel()  # workers still fetching or waiting stop soon

    def log_summary(self, missing: list[str]) -> None:
        stats = self.client.stats
        elapsed = time.monotonic() - self._started
        self.logger.info(
            "Synced %d pull requests with %d requests (%d cache hits), GraphQL cost %d, in %.1f s.",
            self.pull_requests,
            stats["requests"],
            stats["cache_hits"],
            stats["cost"],
            elapsed,
        )
        if missing:
            self.logger.error(
                "These repositories were skipped because they were not found or not accessible: %s",
                ", ".join(missing),
            )
