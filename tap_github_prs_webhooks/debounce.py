"""Run an action once a burst of deliveries has calmed down (the receiver's optional auto-sync)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

LOGGER = logging.getLogger("tap_github_prs_webhooks.debounce")


class Debouncer:
    """`poke()` on every queued delivery; `action` runs `delay` seconds after the last poke, or
    `max_delay` after the first one of a burst that never pauses, never twice at once.

    Pokes that arrive while the action runs start the next burst: their repositories were
    queued after the sync claimed its rows, so they need a run of their own.
    """

    def __init__(
        self, delay: float, action: Callable[[], object], max_delay: float | None = None
    ) -> None:
        self.delay = delay
        self.max_delay = max(delay, max_delay if max_delay is not None else 10 * delay)
        self._action = action
        self._condition = threading.Condition()
        self._first: float | None = None
        self._last: float | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="webhook-debounce", daemon=True)
        self._thread.start()

    def poke(self, _repository: str | None = None) -> None:
        with self._condition:
            now = time.monotonic()
            if self._first is None:
                self._first = now
            self._last = now
            self._condition.notify()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._closed and self._first is None:
                    self._condition.wait()
                if self._closed:
                    return
                assert self._first is not None and self._last is not None
                due = min(self._last + self.delay, self._first + self.max_delay)
                remaining = due - time.monotonic()
                if remaining > 0:
                    self._condition.wait(remaining)
                    continue
                self._first = self._last = None
            try:
                self._action()
            except Exception:  # a failed sync keeps its repositories queued; keep serving
                LOGGER.exception("Automatic sync failed; its repositories stay queued")
