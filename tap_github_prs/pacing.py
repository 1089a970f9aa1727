"""Stay under GitHub's secondary rate limit on points per minute, shared by every thread.

GitHub's secondary limits for GraphQL (../shared/notes/github-api.md): at most 100 concurrent
requests, 2,000 points per minute, and 60 s of CPU time per minute. The tap never has more than
`max_parallel_repos` (at most 16) requests in flight, far under 100; but 16 workers with fast
answers can spend several thousand points a minute, so requests are paced: before sending, a
request reserves the points it is expected to cost (the mean of recent answers), and waits while
the last minute's points plus the reservations would pass the budget. GitHub's answer is still
handled (a secondary-limit answer pauses everyone, see retry.py); pacing just avoids it.
"""

from __future__ import annotations

import collections
import threading
import typing as t

from tap_github_prs.clock import Clock

WINDOW_SECONDS = 60.0
# 10% under GitHub's 2,000 points per minute: costs are only known after the answer.
DEFAULT_POINTS_PER_MINUTE = 1800


class PointsPacer:
    """A sliding one-minute window of spent points, plus points reserved by requests in flight."""

    def __init__(
        self,
        clock: Clock,
        points_per_minute: float = DEFAULT_POINTS_PER_MINUTE,
        wait: t.Callable[[float, str], None] | None = None,
    ) -> None:
        self._clock = clock
        self._budget = points_per_minute
        self._wait = wait or (lambda seconds, _reason: clock.sleep(seconds))
        self._spent: collections.deque[tuple[float, float]] = collections.deque()
        self._reserved = 0.0
        self._recent: collections.deque[float] = collections.deque(maxlen=20)
        self._lock = threading.Lock()

    def estimate(self) -> float:
        with self._lock:
            return sum(self._recent) / len(self._recent) if self._recent else 1.0

    def reserve(self) -> float:
        """Wait until the expected cost fits in the window; return the points reserved."""
        estimate = self.estimate()
        while True:
            with self._lock:
                now = self._clock.time()
                while self._spent and self._spent[0][0] <= now - WINDOW_SECONDS:
                    self._spent.popleft()
                used = sum(cost for _, cost in self._spent) + self._reserved
                if used + estimate <= self._budget or (not self._spent and not self._reserved):
                    self._reserved += estimate
                    return estimate
                wait = (self._spent[0][0] + WINDOW_SECONDS - now) if self._spent else 1.0
            self._wait(max(wait, 0.05), "pacing under GitHub's 2,000 points per minute")

    def settle(self, reserved: float, cost: float | None) -> None:
        """Replace a reservation by what the request really cost (None: not charged/unknown)."""
        with self._lock:
            self._reserved = max(0.0, self._reserved - reserved)
            if cost is not None:
                self._spent.append((self._clock.time(), float(cost)))
                self._recent.append(float(cost))
