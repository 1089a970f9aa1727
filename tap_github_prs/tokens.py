"""A pool of GitHub tokens: per-token primary-limit tracking, rotation and dropping.

Tokens are only ever named by their 1-based position (#1 is `auth_token`), never by value.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from tap_github_prs.clock import Clock
from tap_github_prs.errors import NoUsableTokenError


@dataclass
class Token:
    """One token and what its last responses said about its primary rate limit."""

    position: int
    value: str = field(repr=False)
    remaining: int | None = None
    reset_at: float | None = None
    exhausted_until: float | None = None

    @property
    def label(self) -> str:
        return f"#{self.position}"

    def __repr__(self) -> str:
        return f"Token({self.label}, remaining={self.remaining}, reset_at={self.reset_at})"


class TokenPool:
    """Choose the token with the most budget left; skip exhausted ones; drop rejected ones."""

    def __init__(self, values: list[str], clock: Clock, logger: logging.Logger) -> None:
        self._tokens = [Token(position, value) for position, value in enumerate(values, 1)]
        self._clock = clock
        self._logger = logger
        self._lock = threading.Lock()
        if not self._tokens:
            raise NoUsableTokenError(
                "No GitHub token configured: set `auth_token` (or the GITHUB_TOKEN environment "
                "variable) and optionally `additional_auth_tokens`."
            )

    @property
    def size(self) -> int:
        return len(self._tokens)

    def secrets(self) -> list[str]:
        """Every configured token value, for redaction only."""
        return [token.value for token in self._tokens]

    def acquire(self) -> Token | float:
        """Return a usable token, or the seconds until the earliest exhausted one resets."""
        with self._lock:
            if not self._tokens:
                raise NoUsableTokenError(
                    "Every configured GitHub token was rejected (HTTP 401); "
                    "check `auth_token` and `additional_auth_tokens`."
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

    def drop(self, token: Token) -> None:
        """Stop using a token GitHub rejected."""
        with self._lock:
            if token in self._tokens:
                self._tokens.remove(token)
                self._logger.error(
                    "GitHub rejected token %s (HTTP 401 Bad credentials); dropping it, "
                    "%d token(s) left.",
                    token.label,
                    len(self._tokens),
                )
