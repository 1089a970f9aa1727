"""Adaptive request sizes: halve when GitHub finds a request too heavy, grow back a step at a time.

How long a successful answer took says how close a page is to GitHub's time budget: a page that
took most of it is made smaller before GitHub cuts one off (a timeout costs ~10 s and its
points); a fast one lets the size grow.

Additive increase, multiplicative decrease: a success adds `step` (a sixth of the maximum), so a
page halved by one bad answer is back to full size within a few requests, while a size that
really timed out is remembered as a ceiling, so the walk does not keep paying 10 s timeouts to
rediscover it. After `probe_after` successes at the ceiling, the ceiling is lifted one step (the
repository's heavy PRs may be behind it). Page sizes are kept per repository: a repository of
huge PRs does not slow a small one down.
"""

from __future__ import annotations

import logging
import threading

# Shares of GitHub's time budget (github_timeout_seconds) an answer may take: above SLOW_SHARE
# the next page is made smaller (aiming at TARGET_SHARE), below FAST_SHARE it may grow.
SLOW_SHARE = 0.8
TARGET_SHARE = 0.6
FAST_SHARE = 0.5


class AdaptivePageSize:
    """One size that shrinks and grows; thread-safe."""

    def __init__(
        self,
        initial: int,
        logger: logging.Logger,
        *,
        floor: int = 5,
        step: int | None = None,
        probe_after: int = 10,
        what: str = "page size",
    ) -> None:
        self.maximum = initial
        self.floor = min(floor, initial)
        self.step = step or max(1, initial // 6)
        self.probe_after = probe_after
        self.what = what
        self._current = initial
        self._ceiling = initial
        self._successes_at_ceiling = 0
        self._logger = logger
        self._lock = threading.Lock()

    @property
    def current(self) -> int:
        return self._current

    @property
    def ceiling(self) -> int:
        return self._ceiling

    def shrink(self, reason: str) -> bool:
        """Halve the size and remember it did not fit; False when it is already at the floor."""
        with self._lock:
            if self._current <= self.floor:
                return False
            previous, self._current = self._current, max(self.floor, self._current // 2)
            self._ceiling = max(self.floor, previous - self.step)
            self._successes_at_ceiling = 0
            self._logger.warning(
                "%s: %s lowered from %d to %d.", reason, self.what, previous, self._current
            )
            return True

    def succeeded(self, budget_share: float | None = None) -> None:
        """Count a success: grow by one step, up to the ceiling (lifted after a while).

        `budget_share`: how much of GitHub's time budget the answer took, when known. Near the
        budget (over `SLOW_SHARE`) the size eases down before GitHub has to cut it off; well
        under it (below `FAST_SHARE`) it grows; in between it holds.
        """
        if budget_share is not None and budget_share > SLOW_SHARE:
            self._ease_down(budget_share)
            return
        if budget_share is not None and budget_share > FAST_SHARE:
            return
        with self._lock:
            if self._current >= self._ceiling:
                if self._ceiling >= self.maximum:
                    return
                self._successes_at_ceiling += 1
                if self._successes_at_ceiling < self.probe_after:
                    return
                self._successes_at_ceiling = 0
                self._ceiling = min(self.maximum, self._ceiling + self.step)
            previous = self._current
            self._current = min(self._ceiling, self._current + self.step)
            if self._current != previous:
                self._logger.info("%s raised from %d to %d.", self.what, previous, self._current)

    def _ease_down(self, budget_share: float) -> None:
        with self._lock:
            target = max(self.floor, int(self._current * TARGET_SHARE / budget_share))
            if target < self._current:
                self._logger.info(
                    "%s: the last answer took %.0f%% of GitHub's time budget; %s lowered from "
                    "%d to %d.",
                    self.what,
                    100 * budget_share,
                    self.what,
                    self._current,
                    target,
                )
                self._current = target
                self._ceiling = min(self._ceiling, max(self.floor, target))
                self._successes_at_ceiling = 0


class PageSizes:
    """One `AdaptivePageSize` per repository, all starting from the configured size."""

    def __init__(self, initial: int, logger: logging.Logger, *, floor: int) -> None:
        self._initial = initial
        self._logger = logger
        self._floor = floor
        self._sizes: dict[str, AdaptivePageSize] = {}
        self._lock = threading.Lock()

    def for_repository(self, repository: str) -> AdaptivePageSize:
        with self._lock:
            if repository not in self._sizes:
                self._sizes[repository] = AdaptivePageSize(
                    self._initial, self._logger, floor=self._floor, what=f"{repository} page size"
                )
            return self._sizes[repository]
