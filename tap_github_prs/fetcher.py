"""Fetch several repositories at once while the main thread emits their pages in order.

Each repository has one worker at a time (at most `max_parallel_repos` workers). A worker
fetches a page, hands it over, and waits until the main thread has written the page's
records and STATE, and (with `wait_saved`) until the loader has saved that STATE, before
fetching the next one: so at most one page per repository is ever fetched but not yet saved,
which is what a SIGKILL can cost.
"""

from __future__ import annotations

import logging
import queue
import threading
import typing as t
from dataclasses import dataclass

from tap_github_prs.walker import Page

_POLL_SECONDS = 0.5


@dataclass
class FetchEvent:
    """One page, the end of a repository, or a repository's failure."""

    repository: str
    page: Page | None = None
    error: BaseException | None = None
    done: bool = False
    _handed: threading.Event | None = None
    # The number of the STATE message that saved this page, when the loader confirms pages.
    saved_as: int | None = None

    def acknowledge(self, saved_as: int | None = None) -> None:
        """The page's records and state are written: its worker may fetch the next page (once
        STATE message number `saved_as` is saved, when given)."""
        self.saved_as = saved_as
        if self._handed is not None:
            self._handed.set()


class ParallelFetcher:
    """Run `walk(repository)` for every repository on a few daemon threads."""

    def __init__(
        self,
        repositories: list[str],
        walk: t.Callable[[str], t.Iterator[Page]],
        max_parallel: int,
        logger: logging.Logger,
        wait_saved: t.Callable[[int, threading.Event], None] | None = None,
    ) -> None:
        self._repositories = list(repositories)
        self._walk = walk
        self._max_parallel = max(1, min(max_parallel, len(self._repositories) or 1))
        self._logger = logger
        self._wait_saved = wait_saved
        self._events: queue.Queue[FetchEvent] = queue.Queue()
        self._todo: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()

    def events(self) -> t.Iterator[FetchEvent]:
        """Yield events as they arrive; stopping the iteration stops the workers."""
        for repository in self._repositories:
            self._todo.put(repository)
        threads = [
            threading.Thread(target=self._work, name=f"repo-worker-{i}", daemon=True)
            for i in range(self._max_parallel)
        ]
        for thread in threads:
            thread.start()
        finished = 0
        try:
            while finished < len(self._repositories):
                event = self._events.get()
                if event.done or event.error is not None:
                    finished += 1
                yield event
        finally:
            self._stop.set()

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                repository = self._todo.get_nowait()
            except queue.Empty:
                return
            try:
                for page in self._walk(repository):
                    handed = threading.Event()
                    event = FetchEvent(repository, page=page, _handed=handed)
                    self._events.put(event)
                    while not handed.wait(_POLL_SECONDS):
                        if self._stop.is_set():
                            return
                    if self._wait_saved is not None and event.saved_as is not None:
                        self._wait_saved(event.saved_as, self._stop)
                    if self._stop.is_set():
                        return
            except BaseException as exc:  # handed to the main thread, which decides
                self._events.put(FetchEvent(repository, error=exc))
                continue
            self._events.put(FetchEvent(repository, done=True))
