"""GraphQL over HTTP: authentication, token rotation, rate-limit waits and retries.

Why not singer-sdk's GraphQLStream request loop: repositories are fetched in parallel, the
primary-limit wait can last up to an hour and must rotate across tokens, and 502/504 must
shrink the *caller's* page rather than be retried as is. The waiting order follows GitHub's
documentation: `retry-after`, then `x-ratelimit-reset` when `x-ratelimit-remaining` is 0,
then at least 60 s, then exponential backoff with jitter and a cap, for a bounded number of
tries.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import threading
import typing as t
from dataclasses import dataclass

import requests

from tap_github_prs.cache import ResponseCache
from tap_github_prs.clock import Clock
from tap_github_prs.errors import (
    GitHubAPIError,
    QueryTimeoutError,
    RateLimitWaitExceededError,
    SyncCancelledError,
)
from tap_github_prs.tokens import Token, TokenPool

PRIMARY_LIMIT_ERROR_TYPES = {"RATE_LIMITED", "RATE_LIMIT"}
MIN_SECONDARY_WAIT = 60.0
COUNTDOWN_LOG_INTERVAL = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the retry loop; the waits themselves follow GitHub's order."""

    max_tries: int = 8
    backoff_cap: float = 900.0
    jitter: float = 0.1
    max_rate_limit_wait: float = 3600.0


def _header_float(headers: t.Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def retry_wait_seconds(
    headers: t.Mapping[str, str],
    failures: int,
    now: float,
    policy: RetryPolicy,
    rng: random.Random,
) -> float:
    """Seconds to wait after the `failures`-th rate-limited answer in a row (1-based)."""
    retry_after = _header_float(headers, "retry-after")
    if retry_after is not None:
        return max(retry_after, 0.0)
    reset = _header_float(headers, "x-ratelimit-reset")
    if headers.get("x-ratelimit-remaining") == "0" and reset is not None:
        return max(reset - now, 0.0) + 1.0
    backoff = min(MIN_SECONDARY_WAIT * 2 ** (failures - 1), policy.backoff_cap)
    return backoff * (1 + rng.uniform(0, policy.jitter))


def transient_wait_seconds(failures: int, policy: RetryPolicy, rng: random.Random) -> float:
    """Backoff for 5xx answers and dropped connections: 2, 4, 8 ... s with jitter, capped."""
    return min(2.0**failures, policy.backoff_cap) * (1 + rng.uniform(0, policy.jitter))


def _error_messages(body: dict | None) -> list[str]:
    messages = [str(e.get("message", "")) for e in (body or {}).get("errors") or []]
    if body and body.get("message"):
        messages.append(str(body["message"]))
    return messages


def _is_secondary_limit(status: int, body: dict | None, text: str) -> bool:
    """429, or a 200/403 whose error says so (GraphQL answers secondary limits with either)."""
    if status == 429:
        return True
    if status not in (200, 403):
        return False
    messages = _error_messages(body) if body is not None else [text[:2000]]
    return any("secondary rate limit" in m.lower() or "abuse" in m.lower() for m in messages)


def _transient_problem(status: int, body: dict | None) -> str | None:
    """A failure worth retrying as is: server errors, unreadable bodies, partial data."""
    if status >= 500:
        return f"HTTP {status}"
    if status == 200 and body is None:
        return "unreadable JSON body"
    messages = [m.lower() for m in _error_messages(body)]
    if status == 200 and any("something went wrong" in m or "timeout" in m for m in messages):
        # GitHub nulls what it could not load in time; records built from it would be incomplete.
        return "partial data: " + "; ".join(_error_messages(body))[:200]
    return None


def _primary_limit_error(body: dict | None) -> bool:
    for error in (body or {}).get("errors") or []:
        if error.get("type") in PRIMARY_LIMIT_ERROR_TYPES or error.get("code") == (
            "graphql_rate_limit"
        ):
            return True
    return False


def _iso_to_epoch(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class GraphQLClient:
    """Send GraphQL documents to GitHub with every token and limit rule applied."""

    def __init__(
        self,
        *,
        api_url: str,
        tokens: TokenPool,
        timeout: float,
        logger: logging.Logger,
        clock: Clock | None = None,
        policy: RetryPolicy | None = None,
        cache: ResponseCache | None = None,
        session_factory: t.Callable[[], requests.Session] = requests.Session,
        user_agent: str = "tap-github-prs",
        rng: random.Random | None = None,
    ) -> None:
        self.api_url = api_url
        self.tokens = tokens
        self.timeout = timeout
        self.logger = logger
        self.clock = clock or Clock()
        self.policy = policy or RetryPolicy()
        self.cache = cache
        self._session_factory = session_factory
        self._local = threading.local()
        self._user_agent = user_agent
        self.rng = rng or random.Random()
        self._pause_lock = threading.Lock()
        self._not_before = 0.0  # a secondary limit pauses every thread, not just one
        self._cancelled = threading.Event()
        self.stats = {"requests": 0, "cost": 0, "cache_hits": 0}
        self._stats_lock = threading.Lock()

    # -- public -------------------------------------------------------------------------------

    def execute(
        self, query: str, variables: dict[str, t.Any], *, repository: str | None = None
    ) -> dict:
        """Return the JSON body of a successful answer (`data` present, maybe with `errors`)."""
        if self.cache is not None:
            cached = self.cache.get(self.api_url, query, variables)
            if cached is not None:
                with self._stats_lock:
                    self.stats["cache_hits"] += 1
                return cached
        body = self._execute_with_retries(query, variables)
        if self.cache is not None:
            self.cache.put(self.api_url, query, variables, body, repository=repository)
        return body

    # -- the loop -----------------------------------------------------------------------------

    def _execute_with_retries(self, query: str, variables: dict[str, t.Any]) -> dict:
        failures = 0
        while True:
            if self._cancelled.is_set():
                raise SyncCancelledError("the sync ended before this request was sent")
            token = self._acquire_token()
            self._wait_for_pause()
            try:
                response = self._post(token, query, variables)
            except requests.Timeout as exc:
                raise QueryTimeoutError("request timed out") from exc
            except requests.ConnectionError as exc:
                failures = self._count_failure(failures, f"connection error ({type(exc).__name__})")
                self._sleep(transient_wait_seconds(failures, self.policy, self.rng), "retry")
                continue

            self._observe_headers(token, response.headers)
            status = response.status_code
            if status == 401:
                self.tokens.drop(token)
                continue
            if status in (502, 504):
                raise QueryTimeoutError(f"HTTP {status} from GitHub (query too heavy or slow)")
            text = response.text
            body = self._json(response)
            if _is_secondary_limit(status, body, text):
                failures = self._count_failure(failures, f"secondary rate limit (HTTP {status})")
                wait = retry_wait_seconds(
                    response.headers, failures, self.clock.time(), self.policy, self.rng
                )
                self._pause_everyone(wait, f"secondary rate limit (HTTP {status})")
                continue
            if _primary_limit_error(body) or (status == 403 and self._remaining_zero(response)):
                self.tokens.exhaust(token, _header_float(response.headers, "x-ratelimit-reset"))
                continue
            transient = _transient_problem(status, body)
            if transient:
                failures = self._count_failure(failures, transient)
                self._sleep(transient_wait_seconds(failures, self.policy, self.rng), "retry")
                continue
            if status >= 400 or body is None or body.get("data") is None:
                raise GitHubAPIError(self._describe_failure(status, body, text))
            self._observe_rate_limit(token, body)
            return body

    def _post(self, token: Token, query: str, variables: dict[str, t.Any]) -> requests.Response:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self._session_factory()
        with self._stats_lock:
            self.stats["requests"] += 1
        return session.post(
            self.api_url,
            json={"query": query, "variables": variables},
            headers={
                "Authorization": f"bearer {token.value}",
                "User-Agent": self._user_agent,
                "Accept": "application/json",
            },
            timeout=self.timeout,
        )

    # -- tokens and waits ---------------------------------------------------------------------

    def _acquire_token(self) -> Token:
        """A usable token; when all are exhausted wait for the earliest reset (bounded)."""
        while True:
            result = self.tokens.acquire()
            if isinstance(result, Token):
                return result
            wait = result + 1.0  # resets are whole seconds; never arrive early
            if wait > self.policy.max_rate_limit_wait:
                raise RateLimitWaitExceededError(
                    f"All {self.tokens.size} GitHub token(s) are rate limited and the earliest "
                    f"reset is in {wait:.0f} s, longer than max_rate_limit_wait "
                    f"({self.policy.max_rate_limit_wait:.0f} s). Stopping; the state emitted so "
                    "far is complete, so rerun with it after the reset."
                )
            self._sleep(wait, f"all {self.tokens.size} token(s) rate limited, waiting for reset")

    def _pause_everyone(self, wait: float, reason: str) -> None:
        if wait > self.policy.max_rate_limit_wait:
            raise RateLimitWaitExceededError(
                f"GitHub asked to wait {wait:.0f} s ({reason}), longer than max_rate_limit_wait "
                f"({self.policy.max_rate_limit_wait:.0f} s). Stopping; the state emitted so far "
                "is complete, so rerun with it later."
            )
        with self._pause_lock:
            self._not_before = max(self._not_before, self.clock.time() + wait)
        self.logger.warning("GitHub %s: pausing requests for %.0f s.", reason, wait)

    def _wait_for_pause(self) -> None:
        with self._pause_lock:
            wait = self._not_before - self.clock.time()
        if wait > 0:
            self._sleep(wait, "paused after a secondary rate limit")

    def cancel(self) -> None:
        """Make every waiting or retrying call stop soon (the sync is over)."""
        self._cancelled.set()

    def wait(self, seconds: float, reason: str) -> None:
        """Sleep in one-second slices (so a cancel is seen), logging a countdown for long waits."""
        start = self.clock.time()
        end = start + seconds
        long_wait = seconds >= COUNTDOWN_LOG_INTERVAL
        if long_wait:
            self.logger.warning("Waiting %.0f s: %s.", seconds, reason)
        next_log = start + COUNTDOWN_LOG_INTERVAL
        while (left := end - self.clock.time()) > 0:
            if self._cancelled.is_set():
                raise SyncCancelledError("the sync ended while a request was waiting")
            self.clock.sleep(min(left, 1.0))
            now = self.clock.time()
            if long_wait and now >= next_log and end > now:
                self.logger.info("... %.0f s left (%s).", end - now, reason)
                next_log += COUNTDOWN_LOG_INTERVAL

    _sleep = wait

    def _count_failure(self, failures: int, what: str) -> int:
        failures += 1
        if failures >= self.policy.max_tries:
            raise GitHubAPIError(f"Giving up after {failures} tries: {what}.")
        self.logger.warning(
            "GitHub request failed (%s), try %d of %d.", what, failures, self.policy.max_tries
        )
        return failures

    # -- observing limits ---------------------------------------------------------------------

    def _observe_headers(self, token: Token, headers: t.Mapping[str, str]) -> None:
        remaining = _header_float(headers, "x-ratelimit-remaining")
        self.tokens.observe(
            token,
            int(remaining) if remaining is not None else None,
            _header_float(headers, "x-ratelimit-reset"),
        )

    def _observe_rate_limit(self, token: Token, body: dict) -> None:
        rate_limit = (body.get("data") or {}).get("rateLimit") or {}
        if not rate_limit:
            return
        with self._stats_lock:
            self.stats["cost"] += int(rate_limit.get("cost") or 0)
        self.tokens.observe(
            token, rate_limit.get("remaining"), _iso_to_epoch(rate_limit.get("resetAt"))
        )

    @staticmethod
    def _remaining_zero(response: requests.Response) -> bool:
        return response.headers.get("x-ratelimit-remaining") == "0"

    @staticmethod
    def _json(response: requests.Response) -> dict | None:
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError):
            return None
        return body if isinstance(body, dict) else None

    @staticmethod
    def _describe_failure(status: int, body: dict | None, text: str) -> str:
        messages = _error_messages(body)
        detail = "; ".join(m for m in messages if m) or text[:300]
        return f"GitHub GraphQL request failed (HTTP {status}): {detail}"
