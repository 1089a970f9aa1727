"""The five streams. `pull_requests` fetches; the children are emitted from its responses."""

from __future__ import annotations

import typing as t

from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.streams import Stream

from tap_github_prs import schemas
from tap_github_prs.errors import RepositoryNotFoundError
from tap_github_prs.sync import SyncSession
from tap_github_prs.walker import Progress

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context, Record

BOOKMARK_KEY = "updated_at"
SEEN_IDS_KEY = "seen_ids_at_bookmark"


class PullRequestsStream(Stream):
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
    def partitions(self) -> list[dict] | None:
        # Repositories are walked concurrently inside one get_records call, so the SDK must
        # not iterate partitions itself; per-repository bookmarks live in state partitions.
        return None

    def _increment_stream_state(
        self, latest_record: Record, *, context: Context | None = None
    ) -> None:
        """Bookmarks advance per page, per repository, in `_save_progress`."""

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
        self.state_manager.is_flushed = False
        self._write_state_message()

    # -- records ------------------------------------------------------------------------------

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        session = SyncSession.from_tap(self._tap, self.logger)
        children = {stream.name: stream for stream in self.child_streams}
        for child in children.values():
            if child.selected:
                child._write_schema_message()

        repositories = session.resolve_repositories()
        progress = {repository: self._saved_progress(repository) for repository in repositories}
        missing: list[str] = []
        for event in session.fetch(repositories, progress):
            if event.error is not None:
                if isinstance(event.error, RepositoryNotFoundError):
                    missing.append(event.repository)
                    self.logger.error("%s", event.error)
                    if session.settings.fail_on_missing_repository:
                        raise event.error
                    continue
                raise event.error
            if event.page is None:
                continue
            for bundle in event.page.bundles:
                for name, records in (
                    ("reviews", bundle.reviews),
                    ("commits", bundle.commits),
                    ("files", bundle.files),
                    ("check_runs", bundle.check_runs),
                ):
                    child = children.get(name)
                    if child is not None and child.selected:
                        child.emit(records)
                yield bundle.pull_request
            self._save_progress(event.repository, event.page.progress)
            event.acknowledge()
            self.logger.info(
                "%s: %d PRs from %d request(s); bookmark %s.",
                event.repository,
                len(event.page.bundles),
                event.page.requests,
                event.page.progress.bookmark,
            )
        session.log_summary(missing)


class PullRequestChildStream(Stream):
    """A stream filled from the pull request pages; it makes no requests of its own."""

    parent_stream_type = PullRequestsStream
    state_partitioning_keys: t.ClassVar[list[str]] = []  # no per-PR state partitions
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE  # see PullRequestsStream

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        return []

    def finalize_state_progress_markers(self, state: dict | None = None) -> None:
        """Children keep no state: their records are re-sent whenever their PR changes."""

    def emit(self, records: list[dict]) -> None:
        for record in records:
            self._write_record_message(record)
        self.emitted_count = getattr(self, "emitted_count", 0) + len(records)


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


STREAM_TYPES = [PullRequestsStream, ReviewsStream, CommitsStream, FilesStream, CheckRunsStream]
