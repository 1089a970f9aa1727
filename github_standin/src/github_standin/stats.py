"""Accounting behind `GET /_stats`: requests and cost, in total, per token and per operation."""

from __future__ import annotations

import copy
import threading
from collections import Counter, defaultdict, deque
from typing import Any

SERVER_TIME_LOG = 1000  # the last N requests' modelled server time, for tests and benchmarks


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._requests = 0
            self._cost = 0
            self._status = Counter()
            self._faults = Counter()
            self._by_kind = Counter()
            self._tokens: dict[str, dict[str, int]] = defaultdict(
                lambda: {"requests": 0, "cost": 0}
            )
            self._operations: dict[str, dict[str, int]] = defaultdict(
                lambda: {"requests": 0, "cost": 0}
            )
            self._nodes = 0
            self._repositories: Counter[str] = Counter()
            self._rate_limited = 0
            self._secondary_limited = 0
            self._server_seconds = 0.0
            self._server_timeouts = 0
            self._server_by_token: dict[str, float] = defaultdict(float)
            self._server_log: deque[dict[str, Any]] = deque(maxlen=SERVER_TIME_LOG)

    def record(
        self,
        *,
        kind: str,
        status: int,
        token_label: str | None,
        operation: str | None,
        cost: int = 0,
        node_count: int = 0,
        faults: list[str] | tuple[str, ...] = (),
        rate_limited: bool = False,
        secondary_limited: bool = False,
        server_time: dict[str, Any] | None = None,
        repositories: tuple[str, ...] = (),
    ) -> None:
        with self._lock:
            for repository in repositories:
                self._repositories[repository] += 1
            if server_time is not None:
                self._record_server_time(server_time, status, token_label, operation)
            self._requests += 1
            self._rate_limited += rate_limited
            self._secondary_limited += secondary_limited
            self._cost += cost
            self._nodes += node_count
            self._status[str(status)] += 1
            self._by_kind[kind] += 1
            for fault in faults:
                self._faults[fault] += 1
            if token_label is not None:
                self._tokens[token_label]["requests"] += 1
                self._tokens[token_label]["cost"] += cost
            if operation is not None:
                self._operations[operation]["requests"] += 1
                self._operations[operation]["cost"] += cost

    def _record_server_time(
        self, server_time: dict[str, Any], status: int, token: str | None, operation: str | None
    ) -> None:
        """`server_time`: `seconds` spent (at most the budget), `modelled`, `timed_out`."""
        self._server_seconds += server_time["seconds"]
        self._server_timeouts += bool(server_time["timed_out"])
        if token is not None:
            self._server_by_token[token] += server_time["seconds"]
        self._server_log.append(
            {**server_time, "status": status, "operation": operation, "token": token}
        )

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(
                {
                    "requests": self._requests,
                    "cost": self._cost,
                    "node_count": self._nodes,
                    "by_kind": dict(self._by_kind),
                    "status": dict(self._status),
                    "errors_4xx": sum(n for s, n in self._status.items() if s.startswith("4")),
                    "errors_5xx": sum(n for s, n in self._status.items() if s.startswith("5")),
                    "faults": dict(self._faults),
                    "rate_limited": self._rate_limited,
                    "secondary_limited": self._secondary_limited,
                    "tokens": dict(self._tokens),
                    "operations": dict(self._operations),
                    "repositories": dict(self._repositories),
                    "server_time": {
                        "seconds": round(self._server_seconds, 6),
                        "timeouts": self._server_timeouts,
                        "tokens": {k: round(v, 6) for k, v in self._server_by_token.items()},
                        "requests": list(self._server_log),
                    },
                }
            )
