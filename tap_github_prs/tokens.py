"""A pool of GitHub tokens: per-token primary-limit tracking, rotation, renewal and dropping.

Tokens are only ever named by their 1-based position (#1 is `auth_token`) or, for a GitHub App
installation token, by App and installation id; never by value. An installation token expires
after an hour: the pool renews it before handing it out within `RENEW_AHEAD` of its expiry, so
no request is sent with a token about to expire, and once more when GitHub rejects it.
"""

from __future__ import annotations

import logging
import threading
import typing as t
from dataclasses import dataclass, field

from tap_github_prs.clock import Clock
from tap_github_prs.errors import NoUsableTokenError

# Renew an installation token this long before it expires: a request in flight, a slow retry
# or a few seconds of clock drift never meets an expired token.
RENEW_AHEAD = 300.0


@dataclass
class Token:
    """One token and what its last responses said about its primary rate limit."""

    position: int
    value: str = field(repr=False)
    remaining: int | None = None
    reset_at: float | None = None
    exhausted_until: float | None = None
    # A renewable token (a GitHub App installation's): `renew()` gives a new value and its
    # expiry (epoch seconds); `name` labels it instead of the position.
    renew: t.Callable[[], tuple[str, float]] | None = field(default=None, repr=False)
    expires_at: float | None = None
    renewed_at: float | None = None
    name: str | None = None
    renewed_after_rejection: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def label(self) -> str:
        return self.name or f"#{self.position}"

    def needs_renewal(self, now: float) -> bool:
        return self.renew is not None and (
            self.expires_at is None or self.expires_at - now <= RENEW_AHEAD
        )

    def __repr__(self) -> str:
        return f"Token({self.label}, remaining={self.remaining}, reset_at={self.reset_at})"


class TokenPool:
    """Choose the token with the most budget left; skip exhausted ones; drop rejected ones."""

    def __init__(
        self,
        values: list[str],
        clock: Clock,
        logger: logging.Logger,
        renewable: t.Sequence[Token] = (),
    ) -> None:
        self._tokens = [Token(position, value) for position, value in enumerate(values, 1)]
        self._tokens += renewable
        self._clock = clock
        self._logger = logger
        self._lock = threading.Lock()
        self._handed_out = threading.local()  # the value this thread's last request used
        if not self._tokens:
            raise NoUsableTokenError(
                "No GitHub token configured: set `auth_token` (or the GITHUB_TOKEN environment "
                "variable) and optionally `additional_auth_tokens`, or a GitHub App "
                "(`github_app_id` and its private key)."
            )

    @property
    def size(self) -> int:
        return len(self._tokens)

    def secrets(self) -> list[str]:
        """Every configured token value, for redaction only."""
        return [token.value for token in self._tokens]

    def acquire(self) -> Token | float:
        """Return a usable token, or the seconds until the earliest exhausted one resets.

        An installation token near its expiry is renewed first (outside the pool's lock: the
        other threads go on with the other tokens meanwhile).
        """
        chosen = self._choose()
        if isinstance(chosen, Token):
            if chosen.needs_renewal(self._clock.time()):
                self._renew(chosen, after_rejection=False)
            self._handed_out.value = chosen.value
        return chosen

    def _choose(self) -> Token | float:
        with self._lock:
            if not self._tokens:
                raise NoUsableTokenError(
                    "Every configured GitHub token was rejected (HTTP 401); "
                    "check `auth_token`, `additional_auth_tokens` and any GitHub App."
                )
            now = self._clock.time()
            usable = [t for t in self._tokens if not t.exhausted_until or t.exhausted_until <= now]
            for token in usable:
                token.exhausted_until = None
            if usable:
                return max(usable, key=lambda t: t.remaining if t.remaining is not None else 1e12)
            earliest = min(t.exhausted_until or now for t in self._tokens)
            return max(earliest - now, 0.0)

    def observe(self, token: Token, remaining: int | None, reset_at: float | None) -> None:
        """Record the limit a response reported for `token`."""
        with self._lock:
            if remaining is not None:
                token.remaining = remaining
            if reset_at is not None:
                token.reset_at = reset_at

    def exhaust(self, token: Token, until: float | None) -> None:
        """Skip `token` until `until` (its reset); rotate to the others meanwhile."""
        with self._lock:
            now = self._clock.time()
            # A reset in the past or unknown still needs a pause; GitHub says at least 60 s.
            token.exhausted_until = until if until and until > now else now + 60
            token.remaining = 0
            self._logger.warning(
                "GitHub token %s reached its primary rate limit; skipping it for %.0f s.",
                token.label,
                token.exhausted_until - now,
            )

    def _renew(self, token: Token, *, after_rejection: bool) -> None:
        with token.lock:
            now = self._clock.time()
            # Another thread may have renewed it while this one waited for the lock.
            if after_rejection or token.needs_renewal(now):
                assert token.renew is not None
                lived = now - token.renewed_at if token.renewed_at is not None else None
                token.value, token.expires_at = token.renew()
                token.renewed_at = now
                # A token that lived its normal life earns a fresh "renew once on 401"; one
                # that GitHub keeps rejecting (or that expires at once) does not, so a broken
                # installation is dropped instead of renewed forever.
                if after_rejection:
                    token.renewed_after_rejection = True
                elif lived is not None and lived >= RENEW_AHEAD:
                    token.renewed_after_rejection = False
                self._logger.info(
                    "Renewed GitHub token %s; it expires in %.0f s.",
                    token.label,
                    token.expires_at - self._clock.time(),
                )

    def drop(self, token: Token) -> None:
        """GitHub rejected `token` (HTTP 401): stop using it.

        A renewable token is renewed once instead (it may have been revoked or have expired
        early); rejected again before its next scheduled renewal, it is dropped.
        """
        if getattr(self._handed_out, "value", token.value) != token.value:
            return  # another thread renewed it after this request was sent: just retry
        if token.renew is not None and not token.renewed_after_rejection:
            self._logger.warning(
                "GitHub rejected token %s (HTTP 401 Bad credentials); renewing it once.",
                token.label,
            )
            self._renew(token, after_rejection=True)
            self._handed_out.value = token.value
            return
        with self._lock:
            if token in self._tokens:
                self._tokens.remove(token)
                self._logger.error(
                    "GitHub rejected token %s (HTTP 401 Bad credentials); dropping it, "
                    "%d token(s) left.",
                    token.label,
                    len(self._tokens),
                )
