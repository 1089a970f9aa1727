"""GitHub's secondary rate limits, opt-in: requests per minute per token, requests in flight,
and server (CPU) seconds per minute per token.

Off by default: a local stand-in answers in milliseconds, so a client sends far more requests per
minute than it could to GitHub. Switch them on to check that a client stays within GitHub's
published numbers (2,000 GraphQL points per minute, 100 concurrent requests, 60 s of GraphQL CPU
time per 60 s of real time: https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#secondary-rate-limits).
GitHub says CPU time can be estimated from total response time, so the CPU limit counts the
modelled server seconds of `server_time.py` (it needs the time model on). Its window is 60
*modelled* seconds, i.e. 60 x time_scale wall seconds, so a scaled-down run meets the limit after
the same work as a GitHub-speed one.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SecondaryLimiter:
    def __init__(
        self,
        per_minute: int | None = None,
        max_concurrent: int | None = None,
        wall_clock: Callable[[], float] = time.monotonic,
        cpu_per_minute: float | None = None,
        cpu_window: float = 60.0,
    ) -> None:
        self.per_minute = per_minute
        self.max_concurrent = max_concurrent
        self.wall_clock = wall_clock
        self.cpu_per_minute = cpu_per_minute
        self.cpu_window = cpu_window
        self._recent: dict[str, deque[float]] = {}
        self._cpu: dict[str, deque[tuple[float, float]]] = {}  # label -> (wall time, seconds)
        self._in_flight = 0
        self._lock = threading.Lock()

    def enter(self, label: str) -> int | None:
        """Admit a request, or return the seconds to wait (0 when only concurrency is exceeded)."""
        with self._lock:
            if self.max_concurrent is not None and self._in_flight >= self.max_concurrent:
                return 0
            cpu_wait = self._cpu_wait(label)
            if cpu_wait is not None:
                return cpu_wait
            if self.per_minute is not None:
                now = self.wall_clock()
                recent = self._recent.setdefault(label, deque())
                while recent and recent[0] <= now - 60:
                    recent.popleft()
                if len(recent) >= self.per_minute:
                    return max(1, math.ceil(recent[0] + 60 - now))
                recent.append(now)
            self._in_flight += 1
            return None

    def record_cpu(self, label: str, seconds: float) -> None:
        """Count a finished request's modelled server seconds against its token."""
        if self.cpu_per_minute is None or seconds <= 0:
            return
        with self._lock:
            self._cpu.setdefault(label, deque()).append((self.wall_clock(), seconds))

    def cpu_used(self, label: str) -> float:
        """Modelled server seconds this token used in the current window."""
        with self._lock:
            return sum(seconds for _, seconds in self._cpu_window_of(label))

    def _cpu_window_of(self, label: str) -> deque[tuple[float, float]]:
        now = self.wall_clock()
        spent = self._cpu.setdefault(label, deque())
        while spent and spent[0][0] <= now - self.cpu_window:
            spent.popleft()
        return spent

    def _cpu_wait(self, label: str) -> int | None:
        """Seconds until the token's CPU use in the window drops below the limit, or None."""
        if self.cpu_per_minute is None:
            return None
        spent = self._cpu_window_of(label)
        total = sum(seconds for _, seconds in spent)
        if total < self.cpu_per_minute:
            return None
        for at, seconds in spent:  # oldest first: when enough of it has left the window
            total -= seconds
            if total < self.cpu_per_minute:
                return max(1, math.ceil(at + self.cpu_window - self.wall_clock()))
        return 1  # not reached: the loop empties `total` below the limit

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
