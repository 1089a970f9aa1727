"""GitHub's secondary rate limits, opt-in: requests per minute per token, and requests in flight.

Off by default: a local stand-in answers in milliseconds, so a client sends far more requests per
minute than it could to GitHub. Switch them on to check that a client stays within GitHub's
published numbers (2,000 GraphQL points per minute, 100 concurrent requests).
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
    ) -> None:
        self.per_minute = per_minute
        self.max_concurrent = max_concurrent
        self.wall_clock = wall_clock
        self._recent: dict[str, deque[float]] = {}
        self._in_flight = 0
        self._lock = threading.Lock()

    def enter(self, label: str) -> int | None:
        """Admit a request, or return the seconds to wait (0 when only concurrency is exceeded)."""
        with self._lock:
            if self.max_concurrent is not None and self._in_flight >= self.max_concurrent:
                return 0
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

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
