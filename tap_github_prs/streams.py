"""The five streams. `pull_requests` fetches; the children are emitted from its responses."""

from __future__ import annotations

import contextlib
import logging
import time
import typing as t
from operator import attrgetter

from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.streams import Stream
from typing_extensions import override

from tap_github_prs import schemas
from tap_github_prs.activity import pull_requests_changed
from tap_github_prs.delivery import schemas as delivery_schemas
from tap_github_prs.delivery.stream_base import DeliveryChildStream, DeliveryStream
from tap_github_prs.delivery.walker import DeploymentsWalker, IssuesWalker, ReleasesWalker
from tap_github_prs.errors import RepositoryNotFoundError
from tap_github_prs.progress_log import page_progress, starting_point
from tap_github_prs.sdk_seams import ChildRecordWriter, PageBookmarkedStream, write_progress
from tap_github_prs.walker import Progress

if t.TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context, Record

    from tap_github_prs.sync import SyncSession

    OpenSession = t.Callable[[logging.Logger], SyncSession]

BOOKMARK_KEY = "updated_at"
SEEN_IDS_KEY = "seen_ids_at_bookmark"


class GitHubStream(Stream):
    """A stream of this tap: it gets what a sync needs from the tap, explicitly."""

    def __init__(self, tap: Tap, *, open_session: OpenSession) -> None:
        super().__init__(tap=tap)
        self.open_session = open_session


class PullRequestsStream(PageBookmarkedStream, GitHubStream):
    """Pull requests of every configured repository, one state partition per repository."""

    name = "pull_requests"
    primary_keys = ("id",)
    replication_key = BOOKMARK_KEY
    schema = schemas.PULL_REQUESTS
    # records.py builds every record to its schema already; the SDK's per-value conformance
    # pass was half of the tap's CPU time (pyinstrument, benchmarks/run.py --only profile).
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    # Progress is saved per repository and page by get_records itself (see below).
    is_sorted = False

    @property
    @override
    def partitions(self) -> list[dict] | None:
        # Repositories are walked concurrently inside one get_records call, so the SDK must
        # not iterate partitions itself; per-repository bookmarks live in state partitions.
        return None

    @override
    def generate_child_contexts(self, record: Record, context: Context | None) -> t.Iterable:
        """Children are emitted from the parent's response; they never sync on their own."""
        return ()

    # -- state --------------------------------------------------------------------------------

    def _saved_progress(self, repository: str) -> Progress:
        for partition in self.stream_state.get("partitions") or []:
            if partition.get("context") == {"repository": repository}:
                return Progress(
                    partition.get("replication_key_value"),
                    list(partition.get(SEEN_IDS_KEY) or []),
                )
        return Progress()

    def _save_progress(self, repository: str, progress: Progress) -> None:
        if progress.bookmark is None:
            return
        partition = self.get_context_state({"repository": repository})
        partition["replication_key"] = BOOKMARK_KEY
        partition["replication_key_value"] = progress.bookmark
        partition[SEEN_IDS_KEY] = sorted(progress.seen_ids)
        write_progress(self)

    # -- records ------------------------------------------------------------------------------

    @override
    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        session = self.open_session(self.logger)
        with contextlib.ExitStack() as stack:
            writers = {
                child.name: stack.enter_context(ChildRecordWriter(child))
                for child in self.child_streams
                if child.selected
            }
            try:
                yield from self._sync_pages(session, writers)
            finally:
                for name, writer in writers.items():
                    session.count_records(name, writer.written)

    def _sync_pages(
        self, session: SyncSession, writers: dict[str, ChildRecordWriter]
    ) -> t.Iterator[dict]:
        repositories = session.resolve_repositories()
        progress = {repository: self._saved_progress(repository) for repository in repositories}
        if any(saved.bookmark for saved in progress.values()):
            # An incremental run: walk only what changed (one request per 100 repositories).
            repositories = session.changed_repositories(
                self.name,
                repositories,
                lambda repository, activity: pull_requests_changed(
                    activity, progress[repository].bookmark, progress[repository].seen_ids
                ),
            )
        for repository in repositories:
            self.logger.info(
                starting_point(
                    repository,
                    self.name,
                    progress[repository].bookmark,
                    session.settings.start_date,
                )
            )
        so_far = dict.fromkeys(repositories, 0)
        for event in session.fetch(repositories, progress):
            if event.error is not None:
                if isinstance(event.error, RepositoryNotFoundError):
                    session.skip(event.repository, event.error)
                    continue
                raise event.error
            if event.page is None:
                continue
            session.count_records(self.name, len(event.page.bundles))
            for bundle in event.page.bundles:
                for name, records in (
                    ("reviews", bundle.reviews),
                    ("commits", bundle.commits),
                    ("files", bundle.files),
                    ("check_runs", bundle.check_runs),
                    ("commit_statuses", bundle.commit_statuses),
                    ("pull_request_events", bundle.pull_request_events),
                ):
                    if name in writers:
                        writers[name].write(records)
                yield bundle.pull_request
            self._save_progress(event.repository, event.page.progress)
            session.page_written(event)
            page = event.page
            so_far[event.repository] = so_far.get(event.repository, 0) + len(page.bundles)
            self.logger.info(
                page_progress(
                    event.repository,
                    prs=len(page.bundles),
                    requests=page.requests,
                    so_far=so_far[event.repository],
                    remaining=page.remaining,
                    elapsed=time.monotonic() - page.walk_started,
                    bookmark=page.progress.bookmark,
                )
            )


class PullRequestChildStream(GitHubStream):
    """A stream filled from the pull request pages; it makes no requests of its own."""

    parent_stream_type = PullRequestsStream
    state_partitioning_keys: t.ClassVar[list[str]] = []  # no per-PR state partitions
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE  # see PullRequestsStream

    @override
    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        return []

    @override
    def finalize_state_progress_markers(self, state: dict | None = None) -> None:
        """Children keep no state: their records are re-sent whenever their PR changes."""


class ReviewsStream(PullRequestChildStream):
    name = "reviews"
    primary_keys = ("id",)
    schema = schemas.REVIEWS


class CommitsStream(PullRequestChildStream):
    name = "commits"
    primary_keys = ("pull_request_id", "sha")
    schema = schemas.COMMITS


class FilesStream(PullRequestChildStream):
    name = "files"
    primary_keys = ("pull_request_id", "path")
    schema = schemas.FILES


class CheckRunsStream(PullRequestChildStream):
    name = "check_runs"
    primary_keys = ("id",)
    schema = schemas.CHECK_RUNS


class CommitStatusesStream(PullRequestChildStream):
    """The head commit's latest commit status per context (statusCheckRollup)."""

    name = "commit_statuses"
    primary_keys = ("id",)
    schema = schemas.COMMIT_STATUSES


class PullRequestEventsStream(PullRequestChildStream):
    """Timeline events: ready for review, draft, review requests, merge, close, force push."""

    name = "pull_request_events"
    primary_keys = ("id",)
    schema = schemas.PULL_REQUEST_EVENTS


class DeploymentsStream(DeliveryStream):
    """GitHub Deployments per repository, newest first down to the lookback window."""

    name = "deployments"
    primary_keys = ("id",)
    replication_key = "created_at"
    schema = delivery_schemas.DEPLOYMENTS
    walker_type = DeploymentsWalker
    activity_stamp = staticmethod(attrgetter("deployment_changed_at"))


class DeploymentStatusesStream(DeliveryChildStream):
    name = "deployment_statuses"
    parent_stream_type = DeploymentsStream
    primary_keys = ("id",)
    schema = delivery_schemas.DEPLOYMENT_STATUSES


class ReleasesStream(DeliveryStream):
    name = "releases"
    primary_keys = ("id",)
    replication_key = "created_at"
    schema = delivery_schemas.RELEASES
    walker_type = ReleasesWalker
    activity_stamp = staticmethod(attrgetter("release_created_at"))


class IssuesStream(DeliveryStream):
    """Issues that count as incidents (incident_labels, incident_title_pattern)."""

    name = "issues"
    primary_keys = ("id",)
    replication_key = "updated_at"
    schema = delivery_schemas.ISSUES
    walker_type = IssuesWalker
    activity_stamp = staticmethod(attrgetter("issue_updated_at"))


STREAM_TYPES = [PullRequestsStream, ReviewsStream, CommitsStream, FilesStream, CheckRunsStream]
STREAM_TYPES += [CommitStatusesStream, PullRequestEventsStream]
STREAM_TYPES += [DeploymentsStream, DeploymentStatusesStream, ReleasesStream, IssuesStream]
