"""Faults on demand: each rule fires on every Nth request or at random, optionally only K times.

Kinds:
- `latency`: sleep `seconds` before answering.
- `rate_limit`: exhaust the token's primary quota; 200 with `errors[].type = RATE_LIMITED`,
  `x-ratelimit-remaining: 0` and a reset `reset_in` seconds ahead.
- `secondary_403`, `secondary_429`, `secondary_200`: a secondary rate limit (with `retry-after`
  when `retry_after` is set).
- `timeout`: a 502 with GitHub's timeout body, for queries with more than `node_threshold` nodes.
- `server_error`: a fast 5xx (`status`, or one of 500/502/503/504 at random), not charged.
  On the GraphQL endpoint a 502 carries GitHub's "Something went wrong while executing your
  query. This may be the result of a timeout..." body (GitHub sends it for transient errors as
  well as for timeouts) and a 504 GitHub's "We couldn't respond to your request in time" body.
- `dropped_connection`: the request runs (and is charged), then the connection is closed with no
  answer, or with `after_headers=True` after the status line and headers, before the body.
- `transient`: one of a fast 502, a fast 504, a dropped connection or a truncated body, picked
  at random: "N% of requests fail for reasons unrelated to the query" in one rule.
- `malformed_json`, `truncated_json`: a 200 whose body is not valid JSON.
- `partial_data`: `data` with one list element nulled and a matching entry in `errors`.

Random schedules (`probability`) and random picks are drawn from the injector's seed, the rule
and the rule's request count, so the same seed and the same request sequence give the same
faults, and adding a rule does not change which requests another rule hits.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field

FAULT_KINDS = (
    "latency",
    "rate_limit",
    "secondary_403",
    "secondary_429",
    "secondary_200",
    "timeout",
    "server_error",
    "malformed_json",
    "truncated_json",
    "partial_data",
    "dropped_connection",
    "transient",
)
# What a `transient` fault turns into: statuses answer fast; the other two are post-handler.
TRANSIENT_EFFECTS = ("502", "504", "dropped_connection", "truncated_json")


@dataclass
class Fault:
    kind: str
    every: int = 1
    probability: float | None = None
    times: int | None = None
    seconds: float = 0.0
    retry_after: int | None = None
    reset_in: int = 60
    node_threshold: int = 0
    status: int | None = None
    after_headers: bool = False
    seen: int = field(default=0, compare=False)
    fired: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}"
            )
        if self.every < 1:
            raise ValueError("every must be at least 1")
        if self.probability is not None and not 0 <= self.probability <= 1:
            raise ValueError("probability must be between 0 and 1")

    def to_dict(self) -> dict:
        return asdict(self)


class FaultInjector:
    """Holds the active fault rules and decides, per request, which of them fire."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._rules: list[Fault] = []
        self._serials: dict[int, int] = {}  # id(rule) -> the order it was added in
        self._added = 0
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._rules.append(fault)
            self._added += 1
            self._serials[id(fault)] = self._added
        return fault

    def _draw(self, fault: Fault, purpose: str) -> random.Random:
        """A generator for this rule's current request: reproducible from the seed alone."""
        return random.Random(
            f"{self.seed}:{self._serials.get(id(fault), 0)}:{fault.seen}:{purpose}"
        )

    def clear(self, kind: str | None = None) -> None:
        with self._lock:
            self._rules = [f for f in self._rules if kind is not None and f.kind != kind]
            self._serials = {id(f): self._serials[id(f)] for f in self._rules}

    @property
    def rules(self) -> list[Fault]:
        with self._lock:
            return list(self._rules)

    def plan(self) -> dict[str, Fault]:
        """Advance every rule's counter by one request; return the rules that fire now, by kind."""
        firing: dict[str, Fault] = {}
        with self._lock:
            for fault in self._rules:
                if fault.times is not None and fault.fired >= fault.times:
                    continue
                fault.seen += 1
                if fault.probability is not None:
                    fires = self._draw(fault, "fires").random() < fault.probability
                else:
                    fires = fault.seen % fault.every == 0
                if fires and fault.kind not in firing:
                    firing[fault.kind] = fault
            return firing

    def mark_fired(self, fault: Fault) -> None:
        with self._lock:
            fault.fired += 1

    def pick_status(self, fault: Fault) -> int:
        with self._lock:
            return fault.status or self._draw(fault, "status").choice((500, 502, 503, 504))

    def pick_transient(self, fault: Fault) -> str:
        """Which of `TRANSIENT_EFFECTS` a firing `transient` rule has on this request."""
        with self._lock:
            return self._draw(fault, "effect").choice(TRANSIENT_EFFECTS)
