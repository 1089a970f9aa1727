"""The only place where the tap uses singer-sdk members that are not public API.

The tap fetches one GraphQL page that holds a pull request *and* its reviews, commits, files
and check runs, and it saves state per repository after every page, from inside a single
`get_records` call that walks several repositories at once. singer-sdk's public hooks assume
one request per stream and per parent record, with state advanced record by record; none of
them can (a) write a child stream's records from the parent's response, or (b) write a STATE
message at a moment the tap chooses. Each seam below names the private member it uses and
why no public hook fits. `tests/tap/test_sdk_seams.py` pins every one of them against the
installed singer-sdk, so an upgrade that renames or removes one fails that test, loudly,
rather than the tap failing in production.
"""

from __future__ import annotations

import typing as t

from singer_sdk.exceptions import AbortedSyncFailedException, AbortedSyncPausedException
from singer_sdk.streams import Stream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context, Record
    from singer_sdk.metrics import Counter

# Every private singer-sdk member the tap touches: (owner, attribute). Pinned by the seam test.
PINNED_SEAMS: tuple[tuple[type, str], ...] = (
    (Stream, "_increment_stream_state"),
    (Stream, "_write_state_message"),
    (Stream, "_write_schema_message"),
    (Stream, "_write_record_message"),
    (Stream, "_check_max_record_limit"),
    (Stream, "_write_starting_replication_value"),
)


class PageBookmarkedStream(Stream):
    """A stream whose bookmarks advance per saved page, never per record.

    Seam: `Stream._increment_stream_state`. The SDK advances a bookmark after every record it
    writes; this tap's records arrive from several repositories interleaved, and a bookmark
    may only move once the whole page (with its follow-ups) is written, so the per-record
    increment is switched off and `write_progress` saves the page's bookmark instead. There
    is no public hook for "don't bookmark this record".
    """

    def _increment_stream_state(
        self, latest_record: Record, *, context: Context | None = None
    ) -> None:
        """Bookmarks advance per page and repository, through `write_progress`."""

    def _write_starting_replication_value(self, context: Context | None) -> None:
        """No stream-wide starting value: each repository's walk logs its own.

        Seam: `Stream._write_starting_replication_value`. The SDK computes one starting value
        for the stream (the tap's partitions are not iterated by the SDK) and logs "Starting
        incremental sync of 'pull_requests' with bookmark value: <start_date>" even when every
        repository resumes from a later bookmark. The value it stores is read only by
        `get_starting_replication_key_value`, which the tap never calls (the walkers read the
        repository's own partition). No public hook controls that line.
        """


def write_progress(stream: Stream) -> None:
    """Write a STATE message now, with whatever the stream's state holds.

    Seams: `state_manager.is_flushed` and `Stream._write_state_message`. The SDK writes state
    every `STATE_MSG_FREQUENCY` records and at the end; the tap must write it right after each
    page so that a kill loses at most one page per repository. `_write_state_message` skips
    the write when the state manager says it is flushed, so the flag is cleared first.
    """
    stream.state_manager.is_flushed = False
    stream._write_state_message()


def write_schema(stream: Stream) -> None:
    """Write the stream's SCHEMA message (through its stream maps).

    Seam: `Stream._write_schema_message`. A child stream never runs `sync()` here (its records
    come from the parent's pages), so the SDK never sends its SCHEMA; this sends it once,
    before the child's first record.
    """
    stream._write_schema_message()


class ChildRecordWriter:
    """Write a child stream's records the way the SDK's own record loop does.

    Seams: `Stream._write_record_message` and `Stream._check_max_record_limit`. The SDK's
    record loop (`_sync_records`) only runs for records a stream fetches itself, through
    `sync()` per parent record: a SCHEMA message, a STATE message and a "Beginning sync" log
    line for every pull request and child stream. Instead, each record goes through the same
    steps the loop applies, in its order: the public `post_process` hook (a `None` drops the
    record), the `max_records_limit` check, the record message (selection mask, stream maps),
    and the public record counter (`record_count` metrics). A stream that reaches its
    `max_records_limit` stops receiving records while the others go on, as the SDK's
    `_sync_children` does. What it skips, and why that is right here: the per-record bookmark
    (children keep no state: they are re-sent whenever their PR changes) and child-of-child
    syncing (these streams have no children).
    """

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.written = 0
        self.limit_reached = False
        self._counter: Counter | None = None

    def __enter__(self) -> ChildRecordWriter:
        write_schema(self.stream)
        self._counter = self.stream.get_record_counter()
        self._counter.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._counter is not None:
            self._counter.__exit__(*exc_info)

    def write(self, records: t.Iterable[Record]) -> None:
        for raw in records:
            if self.limit_reached:
                return
            record = self.stream.post_process(raw, None)
            if record is None:
                continue
            try:
                self.stream._check_max_record_limit(current_record_index=self.written)
            except (AbortedSyncFailedException, AbortedSyncPausedException):
                self.limit_reached = True
                return
            self.stream._write_record_message(record)
            self.written += 1
            if self._counter is not None:
                self._counter.increment()
