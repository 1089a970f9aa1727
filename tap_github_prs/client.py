"""GraphQL over HTTP: authentication, token rotation, waits and retries.

Why not singer-sdk's GraphQLStream request loop: repositories are fetched in parallel, the
primary-limit wait can last up to an hour and must rotate across tokens, and 502/504 must
shrink the *caller's* page rather than be retried as is. The client only carries decisions
out: `responses.classify` says what an answer is, `retry.RetryPolicy` what to do about it.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import logging
import threading
import typing as t

import requests

from tap_github_prs.cache import ResponseCache
from tap_github_prs.clock import Clock
from tap_github_prs.errors import (
    APIUnreachableError,
    GitHubAPIError,
    QueryTimeoutError,
    RateLimitWaitExceededError,
    SyncCancelledError,
)
from tap_github_prs.pacing import DEFAULT_POINTS_PER_MINUTE, PointsPacer
from tap_github_prs.page_size import Shrinkable
from tap_github_prs.responses import classify
from tap_github_prs.retry import Action, Attempts, Decision, RetryPolicy, header_float
from tap_github_prs.tokens import Token, TokenPool

COUNTDOWN_LOG_INTERVAL = 60.0
T = t.TypeVar("T")


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
        time_budget: float = 10.0,
        points_per_minute: float = DEFAULT_POINTS_PER_MINUTE,
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
        self._pause_lock = threading.Lock()
        self._not_before = 0.0  # a secondary limit pauses every thread, not just one
        self._cancelled = threading.Event()
        self.stats: dict[str, t.Any] = {
            "requests": 0,
            "cost": 0,
            "cache_hits": 0,
            "retries": collections.Counter(),
            "waited_seconds": 0.0,
        }
        self.time_budget = time_budget
        self.pacer = PointsPacer(self.clock, points_per_minute, wait=self.wait)
        self._answered = threading.Event()  # GitHub has answered: it is reachable
        self._stats_lock = threading.Lock()

    # -- public -------------------------------------------------------------------------------

    def execute(
        self,
        query: str,
        variables: dict[str, t.Any],
        *,
        repository: str | None = None,
        cacheable: bool = True,
    ) -> dict:
        """Return the JSON body of a successful answer (`data` present, maybe with `errors`).

        `cacheable=False`: a question about the present (what changed since the bookmarks)
        is never answered from the response cache, nor stored in it.
        """
        cache = self.cache if cacheable else None
        if cache is not None:
            cached = cache.get(self.api_url, query, variables)
            if cached is not None:
                self._local.last_elapsed = None  # GitHub did no work: nothing to learn its time
                with self._stats_lock:
                    self.stats["cache_hits"] += 1
                return cached
        body = self._execute_with_retries(query, variables)
        if cache is not None:
            cache.put(self.api_url, query, variables, body, repository=repository)
        return body

    def execute_shrinking(
        self,
        size: Shrinkable[T],
        build: t.Callable[[T], tuple[str, dict[str, t.Any]]],
        *,
        repository: str | None = None,
        what: str = "request",
    ) -> tuple[dict, int]:
        """Send `build(size.current)`, asking for less each time GitHub finds it too heavy.

        `size` decides what "less" is (`page_size`: a page size, or a page's whole plan) and
        learns from each success how long it took and what it held. Returns the body and the
        number of requests it took.
        """
        attempts = 0
        failures_at_floor = 0
        while True:
            attempts += 1
            query, variables = build(size.current)
            try:
                body = self.execute(query, variables, repository=repository)
            except QueryTimeoutError as exc:
                reason = f"{what}: {exc}"
                decision = self.policy.after_too_heavy(
                    size.shrink(reason), failures_at_floor, reason
                )
                if decision.action is Action.FAIL:
                    raise GitHubAPIError(f"{decision.reason}.") from exc
                failures_at_floor = decision.failures
                if decision.wait:
                    self.wait(decision.wait, "GitHub timed out at the smallest size")
                continue
            elapsed = getattr(self._local, "last_elapsed", None)
            size.succeeded(None if elapsed is None else elapsed / self.time_budget, body)
            return body, attempts

    # -- the loop -----------------------------------------------------------------------------

    def _execute_with_retries(self, query: str, variables: dict[str, t.Any]) -> dict:
        attempts = Attempts()
        while True:
            if self._cancelled.is_set():
                raise SyncCancelledError("the sync ended before this request was sent")
            token = self._acquire_token()
            self._wait_for_pause()
            reserved = self.pacer.reserve()
            started = self.clock.time()
            try:
                response = self._post(token, query, variables)
                text = response.text  # a body cut short fails here, as a dropped connection
            except requests.RequestException as exc:
                self.pacer.settle(reserved, None)
                classified = classify(error=exc)
                headers: t.Mapping[str, str] = {}
            else:
                headers = response.headers
                self._observe_headers(token, headers)
                classified = classify(
                    status=response.status_code,
                    headers=headers,
                    body=self._json(text),
                    text=text,
                    elapsed=self._elapsed_since(started),
                    time_budget=self.time_budget,
                )
                self.pacer.settle(reserved, self._charged(classified.body, response, reserved))
                self._answered.set()
            decision = self.policy.decide(
                classified,
                attempts,
                headers,
                self.clock.time(),
                answered_before=self._answered.is_set(),
            )
            if decision.action is Action.RETURN:
                body = classified.body
                assert body is not None
                self._observe_rate_limit(token, body)
                return body
            self._carry_out(decision, token, headers)

    def _elapsed_since(self, started: float) -> float:
        elapsed = self.clock.time() - started
        self._local.last_elapsed = elapsed  # per thread: execute_shrinking reads it
        return elapsed

    def _carry_out(self, decision: Decision, token: Token, headers: t.Mapping[str, str]) -> None:
        """Act on a decision that is not "return the body"."""
        action = decision.action
        if action is Action.DROP_CREDENTIAL:
            self.tokens.drop(token)
        elif action is Action.CREDENTIAL_OUT_OF_QUOTA:
            self.tokens.exhaust(token, header_float(headers, "x-ratelimit-reset"))
        elif action is Action.SHRINK:
            self._count_retry(decision.cause)
            raise QueryTimeoutError(decision.reason)
        elif action is Action.UNREACHABLE:
            raise APIUnreachableError(
                f"Cannot reach the GitHub API at {self.api_url}: {decision.reason}. Check "
                "`api_url`, the network and any proxy settings (HTTPS_PROXY), then rerun."
            )
        elif action is Action.STOP:
            raise RateLimitWaitExceededError(decision.reason)
        elif action is Action.FAIL:
            raise GitHubAPIError(decision.reason)
        elif action is Action.PAUSE_ALL:
            self._warn_retry(decision)
            with self._pause_lock:
                self._not_before = max(self._not_before, self.clock.time() + decision.wait)
            self.logger.warning(
                "GitHub %s: pausing requests for %.0f s.", decision.reason, decision.wait
            )
        elif action is Action.RETRY:
            self._warn_retry(decision)
            self.wait(decision.wait, "retry")

    def _count_retry(self, cause: str) -> None:
        with self._stats_lock:
            self.stats["retries"][cause] += 1

    def _warn_retry(self, decision: Decision) -> None:
        self._count_retry(decision.cause)
        self.logger.warning(
            "GitHub request failed (%s), try %d of %d.",
            decision.reason,
            decision.failures,
            self.policy.max_tries,
        )

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
            decision = self.policy.token_wait(result, self.tokens.size)
            if decision.action is Action.STOP:
                raise RateLimitWaitExceededError(decision.reason)
            self.wait(decision.wait, f"{decision.reason}, waiting for reset")

    def _wait_for_pause(self) -> None:
        with self._pause_lock:
            wait = self._not_before - self.clock.time()
        if wait > 0:
            self.wait(wait, "paused after a secondary rate limit")

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
        with self._stats_lock:
            self.stats["waited_seconds"] += max(0.0, self.clock.time() - start)

    # -- observing limits ---------------------------------------------------------------------

    def _observe_headers(self, token: Token, headers: t.Mapping[str, str]) -> None:
        remaining = header_float(headers, "x-ratelimit-remaining")
        self.tokens.observe(
            token,
            int(remaining) if remaining is not None else None,
            header_float(headers, "x-ratelimit-reset"),
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
    def _charged(body: dict | None, response: requests.Response, reserved: float) -> float | None:
        """Points a request cost: its `rateLimit.cost`; a gateway timeout is charged too, at a
        price the answer does not say (the reservation stands in)."""
        rate_limit = ((body or {}).get("data") or {}).get("rateLimit") or {}
        if rate_limit.get("cost") is not None:
            return float(rate_limit["cost"])
        return reserved if response.status_code in (502, 504) else None

    @staticmethod
    def _json(text: str) -> dict | None:
        try:
            body = json.loads(text)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None
