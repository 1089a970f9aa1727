"""The singer-sdk stream that drives delivery walks, `max_parallel_repos` repositories at once."""

from __future__ import annotations

import contextlib
import logging
import typing as t

from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.streams import Stream
from typing_extensions import override

from tap_github_prs.activity import RepositoryActivity
from tap_github_prs.delivery.settings import DeliverySettings
from tap_github_prs.delivery.walker import DELIVERY_PAGE_SIZE, DeliveryPage
from tap_github_prs.errors import RepositoryNotFoundError
from tap_github_prs.progress_log import starting_point
from tap_github_prs.sdk_seams import ChildRecordWriter, PageBookmarkedStream, write_progress

if t.TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context, Record

    from tap_github_prs.sync import SyncSession

    OpenSession = t.Callable[[logging.Logger], SyncSession]


# Per-repository state key: the newest item's stamp when the repository was last walked.
ACTIVITY_SEEN = "activity_seen"


class DeliveryStream(PageBookmarkedStream):
    """One state partition per repository; state is written after every page."""

    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE  # records.py builds them to the schema
    is_sorted = False
    # The walker's class; its walk(repository, saved_state, start_date) yields DeliveryPages.
    walker_type: t.ClassVar[type]
    # What tells, from the repository's activity, that this stream has something new.
    activity_stamp: t.ClassVar[t.Callable[[RepositoryActivity], str | None]]

    def __init__(self, tap: Tap, *, open_session: OpenSession) -> None:
        super().__init__(tap=tap)
        self.open_session = open_session

    @property
    @override
    def partitions(self) -> list[dict] | None:
        return None  # repositories are walked inside one get_records call

    @override
    def generate_child_contexts(self, record: Record, context: Context | None) -> t.Iterable:
        return ()  # children are written from the parent's pages

    def _saved(self, repository: str) -> dict[str, t.Any]:
        for partition in self.stream_state.get("partitions") or []:
            if partition.get("context") == {"repository": repository}:
                return partition
        return {}

    def _save(self, repository: str, page: DeliveryPage) -> None:
        partition = self.get_context_state({"repository": repository})
        for key in ("replication_key_value", "walk"):
            partition.pop(key, None)
        partition.update(page.state)
        if "replication_key_value" in page.state:
            partition["replication_key"] = self.replication_key
        write_progress(self)

    @override
    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        session = self.open_session(self.logger)
        settings = DeliverySettings.from_config(self.config)
        # The tap's page_size caps these pages too (tests use small pages to get many).
        size = min(session.settings.page_size, DELIVERY_PAGE_SIZE)
        repositories = self._changed(session)
        # Read in this thread, before any worker starts: the workers never touch the state.
        saved = {repository: self._saved(repository) for repository in repositories}
        for repository in repositories:
            self.logger.info(
                starting_point(
                    repository,
                    self.name,
                    saved[repository].get("replication_key_value"),
                    session.settings.start_date,
                )
            )

        def walk(repository: str) -> t.Iterator[DeliveryPage]:
            # A walker per repository: each has its own adaptive page size, as PR walks do.
            walker = self.walker_type(session.client, settings, self.logger, size)
            return walker.walk(repository, saved[repository], session.settings.start_date)

        # Repositories are walked `max_parallel_repos` at a time, like the PR pages: walking
        # them one by one left most of a run waiting on one request at a time. The fetcher
        # keeps at most one unsaved page per repository in flight (the same kill guarantee).
        fetcher = session.parallel_fetcher(repositories, walk)
        with contextlib.ExitStack() as stack:
            writers = [
                stack.enter_context(ChildRecordWriter(child))
                for child in self.child_streams
                if child.selected
            ]
            for event in fetcher.events():
                if event.error is not None:
                    if isinstance(event.error, RepositoryNotFoundError):
                        session.skip(event.repository, event.error)
                        continue
                    raise event.error
                if event.done:
                    self._remember_activity(event.repository)
                    continue
                page = event.page
                for writer in writers:
                    writer.write(page.children)
                    session.count_records(writer.stream.name, len(page.children))
                session.count_records(self.name, len(page.records))
                yield from page.records
                self._save(event.repository, page)
                session.page_written(event)
                self.logger.info(
                    "%s: %d %s from %d request(s).",
                    event.repository,
                    len(page.records),
                    self.name,
                    page.requests,
                )

    def _changed(self, session: SyncSession) -> list[str]:
        """The repositories whose newest item of this stream is not the one seen last time.

        `activity_seen` (in each repository's state) is the newest item's stamp when the
        repository was last walked to the end; if GitHub still reports the same stamp, nothing
        was added or changed at the top, and the repository is skipped. An older deployment
        that gets a new status while a newer one exists is picked up once the newest changes,
        or by a webhook-triggered run (deployment_status events).
        """
        self._activity = session.activity_stamps(self.name, self.activity_stamp)
        return session.changed_repositories(
            self.name,
            session.resolve_repositories(),
            lambda repository, activity: (
                self.activity_stamp(activity) is not None
                and self.activity_stamp(activity) != self._saved(repository).get(ACTIVITY_SEEN)
            ),
        )

    def _remember_activity(self, repository: str) -> None:
        stamp = self._activity.get(repository)
        if stamp is not None:
            self.get_context_state({"repository": repository})[ACTIVITY_SEEN] = stamp
            write_progress(self)


class DeliveryChildStream(Stream):
    """Filled from its parent's pages; it makes no requests and keeps no state of its own."""

    state_partitioning_keys: t.ClassVar[list[str]] = []
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: Tap, *, open_session: OpenSession) -> None:
        super().__init__(tap=tap)
        self.open_session = open_session

    @override
    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        return []

    @override
    def finalize_state_progress_markers(self, state: dict | None = None) -> None:
        """Statuses are re-sent with their deployment whenever it is fetched again."""
