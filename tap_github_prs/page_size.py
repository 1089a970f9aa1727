"""Adaptive page size: halve on 502/504/timeouts, grow back after a run of successes."""

from __future__ import annotations

import logging
import threading


class AdaptivePageSize:
    """Shared by every repository walk, so a size that GitHub could not serve is not retried."""

    def __init__(
        self,
        initial: int,
        logger: logging.Logger,
        *,
        floor: int = 5,
        grow_after: int = 5,
        what: str = "page size",
    ) -> None:
        self.maximum = initial
        self.floor = min(floor, initial)
        self.grow_after = grow_after
        self.what = what
        self._current = initial
        self._successes = 0
        self._logger = logger
        self._lock = threading.Lock()

    @property
    def current(self) -> int:
        return self._current

    def shrink(self, reason: str) -> bool:
        """Halve the size; return False when it is already at the floor."""
        with self._lock:
            self._successes = 0
            if self._current <= self.floor:
                return False
            previous, self._current = self._current, max(self.floor, self._current // 2)
            self._logger.warning(
                "%s: %s lowered from %d to %d.", reason, self.what, previous, self._current
            )
            return True

    def succeeded(self) -> None:
        """Count a success; after `grow_after` in a row double the size (up to the maximum)."""
        with self._lock:
            if self._current >= self.maximum:
                return
            self._successes += 1
            if self._successes >= self.grow_after:
                self._successes = 0
                previous, self._current = self._current, min(self.maximum, self._current * 2)
                self._logger.info(
                    "%d successes in a row: %s raised from %d to %d.",
                    self.grow_after,
                    self.what,
                    previous,
                    self._current,
                )
