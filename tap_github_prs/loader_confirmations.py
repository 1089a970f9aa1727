"""Flow control with the loader: a repository's next page is fetched once its last one is saved.

Meltano carries the tap's output to the loader through a buffer of up to `elt.buffer_size`
(100 MiB by default), and the tap fetches faster than the loader writes: without flow control,
a run killed at any moment threw away every page fetched but not yet in PostgreSQL, several per
repository. This project's loader (plugins/target-postgres-drain) drains its sinks on every
STATE message and then publishes how many STATE messages it has saved, in a file next to its
ready marker (see loader_ready.py); the tap counts the STATE messages it writes. A worker that
handed over a page waits until the loader has saved that page's STATE before fetching the
repository's next page, so a kill loses at most the one page in flight per repository.

The tap waits only for a loader that said it confirms (the file exists when it signals ready)
and only while that loader lives: another loader, or `meltano invoke`, is never waited for.
"""

from __future__ import annotations

import logging
import os
import threading
import typing as t
from pathlib import Path

from singer_sdk.io_base import SingerWriter
from singer_sdk.singerlib import StateMessage

if t.TYPE_CHECKING:
    from singer_sdk.singerlib import Message

POLL_SECONDS = 0.02
# A loader that confirms nothing for this long while alive is not confirming any more (e.g. it
# is stuck retrying a write): the tap says so and stops waiting rather than stall silently.
STALL_WARNING_SECONDS = 120.0


class StateCountingWriter(SingerWriter):
    """The SDK's writer, counting the STATE messages it has written (a public SDK hook:
    `Tap.message_writer_class`)."""

    def __init__(self) -> None:
        super().__init__()
        self.states_written = 0

    def write_message(self, message: Message) -> None:
        super().write_message(message)
        if isinstance(message, StateMessage):
            self.states_written += 1  # written and flushed: the loader can see it now


def confirmations_path(marker: Path) -> Path:
    """Where the loader whose ready marker is `marker` publishes its count."""
    return marker.with_name(f"{marker.name}.confirmed")


class LoaderConfirmations:
    """How far the loader has saved, and a wait for it."""

    def __init__(
        self, path: Path, loader_pid: int, writer: StateCountingWriter, logger: logging.Logger
    ) -> None:
        self.path = path
        self.loader_pid = loader_pid
        self._writer = writer
        self._log = logger
        self._given_up = False

    @classmethod
    def find(
        cls, marker: Path, writer: t.Any, logger: logging.Logger
    ) -> LoaderConfirmations | None:
        """The confirmations of the ready loader behind `marker`, if it publishes them and our
        writer counts STATE messages."""
        if not isinstance(writer, StateCountingWriter):
            return None
        path = confirmations_path(marker)
        try:
            loader_pid = int(marker.read_text().strip())
        except (OSError, ValueError):
            return None
        if not path.exists():
            return None
        logger.info("The loader confirms each saved page: a kill loses at most one per repository.")
        return cls(path, loader_pid, writer, logger)

    def states_written(self) -> int:
        """The number of the last STATE message written: what a page just saved waits for."""
        return self._writer.states_written

    def saved(self) -> int:
        try:
            return int(self.path.read_text().strip() or 0)
        except (OSError, ValueError):
            return 0  # mid-rename or gone with its loader: the caller checks the loader

    def _loader_alive(self) -> bool:
        try:
            os.kill(self.loader_pid, 0)
        except OSError:
            return False
        return True

    def wait_until_saved(self, state_number: int, stop: threading.Event) -> None:
        """Return once the loader saved the `state_number`-th STATE message, `stop` is set, or
        the loader is gone (its own failure is said by it, and our next write fails)."""
        waited = 0.0
        while not self._given_up and self.saved() < state_number:
            if not self._loader_alive():
                return
            if waited >= STALL_WARNING_SECONDS:
                self._given_up = True
                self._log.warning(
                    "The loader confirmed no saved page for %.0f s: no longer waiting for it "
                    "(a kill may now lose more than one page per repository).",
                    waited,
                )
                return
            if stop.wait(POLL_SECONDS):  # another process's progress: nothing to wait on but
                return  # its file; `stop` ends the wait at once when the run ends
            waited += POLL_SECONDS
