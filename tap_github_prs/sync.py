"""Everything one sync needs: settings, client, repository list and the parallel walks."""

from __future__ import annotations

import collections
import logging
import threading
import time
import typing as t

from tap_github_prs import queries
from tap_github_prs.activity import RepositoryActivity, fetch_activity
from tap_github_prs.cache import ResponseCache
from tap_github_prs.client import GraphQLClient
from tap_github_prs.clock import Clock
from tap_github_prs.errors import AllRepositoriesMissingError, RepositoryNotFoundError
from tap_github_prs.fetcher import FetchEvent, ParallelFetcher
from tap_github_prs.github_app import installation_tokens
from tap_github_prs.loader_confirmations import LoaderConfirmations
from tap_github_prs.page_size import AdaptivePageSize, PageSizes
from tap_github_prs.retry import RetryPolicy
from tap_github_prs.settings import Settings
from tap_github_prs.tokens import TokenPool
from tap_github_prs.walker import Progress, RepositoryWalker

FOLLOW_UP_BATCH = 20  # aliased node() lookups per follow-up request
# The smallest page a too-heavy answer can shrink to (page_size.py plans the sizes above it).
MIN_PAGE_SIZE = 5


class SyncSession:
    """Built once per sync, after the config was validated and before any request."""

    def __init__(
        self,
        settings: Settings,
        logger: logging.Logger,
        clock: Clock | None = None,
        loader: LoaderConfirmations | None = None,
    ):
        self.settings = settings
        # This project's loader, when it confirms saved pages: flow control (see the module).
        self.loader = loader
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
            policy=RetryPolicy(
                max_rate_limit_wait=settings.max_rate_limit_wait,
                connect_retry_seconds=settings.connect_retry_seconds,
            ),
            cache=cache,
            time_budget=settings.github_timeout_seconds,
        )
        self.page_sizes = PageSizes(settings.page_size, logger, floor=MIN_PAGE_SIZE)
        self.follow_up_batch = AdaptivePageSize(
            FOLLOW_UP_BATCH, logger, floor=1, what="follow-up batch size"
        )
        self.walker = RepositoryWalker(self.client, self.page_sizes, self.follow_up_batch, logger)
        self.pull_requests = 0
        self.missing: list[str] = []
        self.records: collections.Counter[str] = collections.Counter()
        self._repositories: list[str] | None = None
        self._activity: dict[str, RepositoryActivity] | None = None
        self._lock = threading.Lock()
        self._resolve_lock = threading.Lock()
        self._started = time.monotonic()

    def resolve_repositories(self) -> list[str]:
        """Configured repositories plus every repository of the configured organisations.

        Listed once per run, whichever stream asks first.
        """
        with self._resolve_lock:
            if self._repositories is None:
                self._repositories = self._list_repositories()
                self._raise_if_nothing_found()
            return list(self._repositories)

    def _list_repositories(self) -> list[str]:
        repositories = list(self.settings.repositories)
        for organization in self.settings.organizations:
            try:
                found = self._organization_repositories(organization)
            except RepositoryNotFoundError as exc:
                self.skip(f"organization {organization}", exc)
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

    def skip(self, source: str, error: RepositoryNotFoundError) -> None:
        """A repository or organisation that is missing or not accessible: stop or go on.

        Every stream walks the same repositories: each missing one is reported once.
        """
        if self.settings.fail_on_missing_repository:
            raise error
        with self._lock:
            if source in self.missing:
                return
            self.missing.append(source)
        # A warning: the run goes on and the summary line lists it; if nothing at all is
        # found the run fails with one error naming them all.
        self.logger.warning("%s; skipping it.", error)
        self._raise_if_nothing_found()

    def _raise_if_nothing_found(self) -> None:
        """Every configured source missing is a failed run: most likely a typo or a bad token."""
        found = [r for r in self._repositories or [] if r not in self.missing]
        if self.missing and not found:
            raise AllRepositoriesMissingError(
                "None of the configured repositories or organizations was found or is "
                f"accessible: {', '.join(self.missing)}. Check their names and that the token "
                "can read them."
            )

    def changed_repositories(
        self,
        stream: str,
        repositories: list[str],
        changed: t.Callable[[str, RepositoryActivity], bool],
    ) -> list[str]:
        """The repositories with something new for `stream`, the most recently active first.

        The activity of every repository is asked for once per run (100 per request) and shared
        by the streams; gone repositories are reported (once) and left out.
        """
        if self.settings.cache_mode == "use":
            # Replaying from the response cache: the cache answers, GitHub is not asked.
            return list(repositories)
        activity = self._ensure_activity()
        walk = [r for r in repositories if r in activity and changed(r, activity[r])]
        walk.sort(key=lambda repository: activity[repository].latest, reverse=True)
        skipped = len([r for r in repositories if r in activity]) - len(walk)
        if skipped:
            self.logger.info(
                "%s: %d of %d repositories changed since their bookmarks; %d unchanged skipped.",
                stream,
                len(walk),
                len(repositories),
                skipped,
            )
        return walk

    def activity_stamps(
        self, stream: str, stamp: t.Callable[[RepositoryActivity], str | None]
    ) -> dict[str, str | None]:
        """`stamp` of every repository's activity (fetching it if no stream has yet)."""
        if self.settings.cache_mode == "use":
            return {}
        return {repository: stamp(a) for repository, a in self._ensure_activity().items()}

    def _ensure_activity(self) -> dict[str, RepositoryActivity]:
        """Every repository's latest activity, asked for once per run (100 per request)."""
        repositories = self.resolve_repositories()
        with self._resolve_lock:
            if self._activity is None:
                self._activity, gone, requests = fetch_activity(
                    self.client, repositories, self.logger
                )
                self.logger.info(
                    "Checked the latest activity of %d repositories in %d request(s).",
                    len(repositories),
                    requests,
                )
                for repository, error in gone.items():
                    self.skip(repository, error)
            return self._activity

    def count_records(self, stream: str, count: int) -> None:
        with self._lock:
            self.records[stream] += count

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
            names.extend(
                node["nameWithOwner"]
                for node in connection["nodes"]
                if node and self.settings.wants_listed_repository(node)
            )
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

        fetcher = self.parallel_fetcher(repositories, walk)
        # Leaving the loop early (an error) stops the fetcher's workers; a worker still waiting
        # inside the client stops when the run ends (TapGitHubPRs.sync_all cancels the client).
        for event in fetcher.events():
            if event.page is not None:
                self.pull_requests += len(event.page.bundles)
            yield event

    def parallel_fetcher(
        self, repositories: list[str], walk: t.Callable[[str], t.Iterator[t.Any]]
    ) -> ParallelFetcher:
        """Walk `max_parallel_repos` repositories at once, each fetching its next page only
        once its last one is saved (by the loader, when it confirms pages)."""
        return ParallelFetcher(
            repositories,
            walk,
            self.settings.max_parallel_repos,
            self.logger,
            wait_saved=self.loader.wait_until_saved if self.loader else None,
        )

    def page_written(self, event: FetchEvent) -> None:
        """The page's records and STATE are written: its repository's walk may go on, once the
        loader (when it confirms) has saved that STATE."""
        event.acknowledge(self.loader.states_written() if self.loader else None)

    def log_summary(self) -> None:
        """One line that says what the run did: enough to tell a healthy run from a limping one."""
        stats = self.client.stats
        elapsed = time.monotonic() - self._started
        retries = ", ".join(f"{cause} x{n}" for cause, n in sorted(stats["retries"].items()))
        self.logger.info(
            "Synced %d pull requests with %d requests (%d cache hits), GraphQL cost %d, in %.1f s; "
            "records: %s; retries: %s; waited %.1f s; repositories skipped: %s.",
            self.pull_requests,
            stats["requests"],
            stats["cache_hits"],
            stats["cost"],
            elapsed,
            ", ".join(f"{name} {count}" for name, count in self.records.items()) or "none",
            retries or "none",
            stats["waited_seconds"],
            ", ".join(self.missing) or "none",
        )
