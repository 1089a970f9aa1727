"""GitHub's primary rate limit: a quota of points per token, reset on a wall-clock window."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass
class QuotaSnapshot:
    limit: int
    used: int
    reset: int  # UTC epoch seconds

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def reset_at(self) -> str:
        return datetime.fromtimestamp(self.reset, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def headers(self, resource: str = "graphql") -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-reset": str(self.reset),
            "x-ratelimit-resource": resource,
        }


class RateLimiter:
    """Per-token quotas. `window_seconds` is an hour on GitHub; tests may shorten it."""

    def __init__(
        self,
        limit: int = 5000,
        window_seconds: float = 3600,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.wall_clock = wall_clock
        self._quotas: dict[str, list[float]] = {}  # token label -> [used, reset epoch]
        # A GitHub App installation's quota depends on its size (apps.py); others get `limit`.
        self._limits: dict[str, int] = {}
        self._lock = threading.Lock()

    def set_limit(self, label: str, limit: int) -> None:
        """Give one token label its own hourly limit (a GitHub App installation)."""
        with self._lock:
            self._limits[label] = limit

    def limit_for(self, label: str) -> int:
        return self._limits.get(label, self.limit)

    def _quota(self, label: str) -> list[float]:
        now = self.wall_clock()
        quota = self._quotas.get(label)
        if quota is None or now >= quota[1]:
            quota = [0, math.ceil(now + self.window_seconds)]
            self._quotas[label] = quota
        return quota

    def snapshot(self, label: str) -> QuotaSnapshot:
        with self._lock:
            used, reset = self._quota(label)
            return QuotaSnapshot(self.limit_for(label), int(used), int(reset))

    def try_charge(self, label: str, cost: int) -> tuple[bool, QuotaSnapshot]:
        """Charge `cost` points unless that would exceed the limit; return (charged, after)."""
        with self._lock:
            quota, limit = self._quota(label), self.limit_for(label)
            if quota[0] + cost > limit:
                return False, QuotaSnapshot(limit, int(quota[0]), int(quota[1]))
            quota[0] += cost
            return True, QuotaSnapshot(limit, int(quota[0]), int(quota[1]))

    def charge(self, label: str, cost: int) -> QuotaSnapshot:
        """Charge even past the limit (a timed-out query still costs points)."""
        with self._lock:
            quota, limit = self._quota(label), self.limit_for(label)
            quota[0] = min(limit, quota[0] + cost)
            return QuotaSnapshot(limit, int(quota[0]), int(quota[1]))

    def exhaust(self, label: str, reset_in: float) -> QuotaSnapshot:
        """Use up the quota with the reset `reset_in` seconds ahead (the rate-limit fault)."""
        with self._lock:
            quota, limit = self._quota(label), self.limit_for(label)
            quota[0] = limit
            quota[1] = math.ceil(self.wall_clock() + reset_in)
            return QuotaSnapshot(limit, int(quota[0]), int(quota[1]))

    def reset(self) -> None:
        with self._lock:
            self._quotas.clear()
