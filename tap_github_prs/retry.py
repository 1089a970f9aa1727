"""Every retry decision of the tap, in one policy object.

The client classifies each answer (`responses.classify`) and asks `RetryPolicy.decide` what
to do; a caller whose request was too heavy asks `RetryPolicy.after_too_heavy`. The waits
follow GitHub's documented order for rate limits: `retry-after`, then `x-ratelimit-reset`
when `x-ratelimit-remaining` is 0, then at least 60 s, then exponential backoff with jitter and
a cap, for a bounded number of tries. Other failures:
- a fast 502/504 (probably a transient fault) is retried once at once, as it is; a second one
  in a row asks the caller for less;
- 5xx answers, dropped connections and broken bodies are retried at once, then after 2, 4,
  8 ... s (a single retry is what recovers most transient faults; backoff covers outages);
- an API that cannot be reached at all before anything was answered (refused, DNS, TLS) gets
  quick retries for `connect_retry_seconds`, then the run stops naming the URL and the cause:
  a wrong `api_url` or a network that is down should fail in seconds, not after 8 patient tries.
  Once GitHub has answered, a lost connection is a transient failure like any other.
"""

from __future__ import annotations

import enum
import random
import typing as t
from dataclasses import dataclass, field

from tap_github_prs.errors import GitHubAPIError
from tap_github_prs.responses import Classified, Verdict

MIN_SECONDARY_WAIT = 60.0


class Action(enum.Enum):
    RETURN = "return"  # hand the body to the caller
    RETRY = "retry"  # send again (after `wait`, if any)
    DROP_CREDENTIAL = "drop credential"  # this token is rejected: retry with another
    CREDENTIAL_OUT_OF_QUOTA = "credential exhausted"  # this token is out of quota until its reset
    PAUSE_ALL = "pause all"  # every request waits `wait` seconds (secondary limit)
    SHRINK = "shrink"  # the caller must ask for less
    STOP = "stop"  # a deliberate stop: waiting would take too long; saved state is complete
    UNREACHABLE = "unreachable"  # the API cannot be reached: stop, naming URL and cause
    FAIL = "fail"


@dataclass(frozen=True)
class Decision:
    action: Action
    wait: float = 0.0
    failures: int = 0  # consecutive failures counted so far, for the next decision
    reason: str = ""
    cause: str = ""  # what failed, in short (retries are counted by it)


def header_float(headers: t.Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


@dataclass
class Attempts:
    """What one request has met so far; the policy updates it with each decision."""

    failures: int = 0  # failures in a row that count against max_tries
    unsure_gateway_answers: int = 0  # fast 502/504 at the current size
    unreachable_since: float | None = None


@dataclass
class RetryPolicy:
    """Bounds of every retry loop, and the decisions made within them."""

    max_tries: int = 8
    backoff_cap: float = 900.0
    jitter: float = 0.1
    max_rate_limit_wait: float = 3600.0
    # A page still too heavy at the smallest size is retried this often (with backoff).
    too_heavy_tries_at_floor: int = 3
    connect_retry_seconds: float = 30.0
    rng: random.Random = field(default_factory=random.Random)

    # -- waits ---------------------------------------------------------------------------------

    def limit_wait(self, headers: t.Mapping[str, str], failures: int, now: float) -> float:
        """Seconds to wait after the `failures`-th rate-limited answer in a row (1-based)."""
        retry_after = header_float(headers, "retry-after")
        if retry_after is not None:
            return max(retry_after, 0.0)
        reset = header_float(headers, "x-ratelimit-reset")
        if headers.get("x-ratelimit-remaining") == "0" and reset is not None:
            return max(reset - now, 0.0) + 1.0
        backoff = min(MIN_SECONDARY_WAIT * 2 ** (failures - 1), self.backoff_cap)
        return backoff * (1 + self.rng.uniform(0, self.jitter))

    def transient_wait(self, failures: int) -> float:
        """Backoff for transient failures: at once, then 2, 4, 8 ... s with jitter, capped."""
        if failures <= 1:
            return 0.0
        return min(2.0 ** (failures - 1), self.backoff_cap) * (1 + self.rng.uniform(0, self.jitter))

    def connect_wait(self, failures: int) -> float:
        """Quick retries while the API cannot be reached: 1, 2, 4 ... s."""
        return min(2.0 ** (failures - 1), self.connect_retry_seconds)

    # -- decisions -----------------------------------------------------------------------------

    def decide(
        self,
        classified: Classified,
        attempts: Attempts,
        headers: t.Mapping[str, str],
        now: float,
        *,
        answered_before: bool,
    ) -> Decision:
        """What to do with one classified answer; `attempts` is updated for the next one.

        `answered_before`: GitHub has answered this run at least once (so it is reachable).
        """
        verdict = classified.verdict
        if verdict is Verdict.OK:
            return Decision(Action.RETURN)
        if verdict is Verdict.REJECTED_CREDENTIALS:
            return Decision(Action.DROP_CREDENTIAL, reason=classified.detail)
        if verdict is Verdict.TOO_HEAVY:
            return Decision(Action.SHRINK, reason=classified.detail, cause=classified.label)
        if verdict is Verdict.PRIMARY_LIMIT:
            return Decision(Action.CREDENTIAL_OUT_OF_QUOTA, reason=classified.detail)
        if verdict is Verdict.FATAL:
            return Decision(Action.FAIL, reason=classified.detail)
        if verdict is Verdict.GATEWAY_UNSURE:
            attempts.unsure_gateway_answers += 1
            if attempts.unsure_gateway_answers > 1:
                attempts.unsure_gateway_answers = 0
                return Decision(
                    Action.SHRINK,
                    reason=f"{classified.detail}, twice in a row",
                    cause=classified.label,
                )
        if verdict is Verdict.UNREACHABLE and not answered_before:
            return self._while_unreachable(classified, attempts, now)
        attempts.failures = self._count(attempts.failures, classified.detail)
        if verdict is Verdict.SECONDARY_LIMIT:
            wait = self.limit_wait(headers, attempts.failures, now)
            if wait > self.max_rate_limit_wait:
                return Decision(
                    Action.STOP,
                    reason=f"GitHub asked to wait {wait:.0f} s ({classified.detail}), longer "
                    f"than max_rate_limit_wait ({self.max_rate_limit_wait:.0f} s). Stopping; "
                    "the state emitted so far is complete, so rerun with it later.",
                )
            return Decision(
                Action.PAUSE_ALL, wait, attempts.failures, classified.detail, classified.label
            )
        return Decision(
            Action.RETRY,
            self.transient_wait(attempts.failures),
            attempts.failures,
            classified.detail,
            classified.label,
        )

    def _while_unreachable(
        self, classified: Classified, attempts: Attempts, now: float
    ) -> Decision:
        if attempts.unreachable_since is None:
            attempts.unreachable_since = now
        attempts.failures += 1
        waited = now - attempts.unreachable_since
        wait = self.connect_wait(attempts.failures)
        if waited + wait > self.connect_retry_seconds:
            return Decision(
                Action.UNREACHABLE,
                failures=attempts.failures,
                reason=f"{classified.detail}; {attempts.failures} tries in {waited:.0f} s",
            )
        return Decision(Action.RETRY, wait, attempts.failures, classified.detail, classified.label)

    def token_wait(self, seconds_to_reset: float, tokens: int) -> Decision:
        """Every token is out of quota: wait for the earliest reset, unless that is too long."""
        wait = seconds_to_reset + 1.0  # resets are whole seconds; never arrive early
        if wait > self.max_rate_limit_wait:
            return Decision(
                Action.STOP,
                reason=f"All {tokens} GitHub token(s) are rate limited and the earliest reset is "
                f"in {wait:.0f} s, longer than max_rate_limit_wait "
                f"({self.max_rate_limit_wait:.0f} s). Stopping; the state emitted so far is "
                "complete, so rerun with it after the reset.",
            )
        return Decision(Action.RETRY, wait, reason=f"all {tokens} token(s) rate limited")

    def after_too_heavy(self, shrunk: bool, failures_at_floor: int, reason: str) -> Decision:
        """A request was too heavy: `shrunk` says whether the caller could ask for less.

        `failures_at_floor` counts earlier too-heavy answers at the smallest size.
        """
        if shrunk:
            return Decision(Action.RETRY, reason=reason)
        failures = failures_at_floor + 1
        if failures >= self.too_heavy_tries_at_floor:
            return Decision(
                Action.FAIL,
                failures=failures,
                reason=f"GitHub timed out {failures} times even at the smallest size ({reason})",
            )
        return Decision(Action.RETRY, self.transient_wait(failures), failures, reason)

    def _count(self, failures: int, what: str) -> int:
        failures += 1
        if failures >= self.max_tries:
            raise GitHubAPIError(f"Giving up after {failures} tries: {what}.")
        return failures
