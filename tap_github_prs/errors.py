"""Errors of the tap. Messages never contain token values."""

from __future__ import annotations

from singer_sdk.exceptions import ConfigValidationError, FatalAPIError


class TapConfigError(ConfigValidationError):
    """The configuration is invalid; raised before any request."""


class SyncStoppedError(FatalAPIError):
    """The tap stops on purpose; every page emitted so far has its state saved."""


class NoUsableTokenError(SyncStoppedError):
    """No token is configured, or GitHub rejected all of them."""


class APIUnreachableError(SyncStoppedError):
    """The API could not be reached at all (refused, DNS, TLS) for `connect_retry_seconds`."""


class AllRepositoriesMissingError(SyncStoppedError):
    """Not one configured repository or organisation exists or is accessible."""


class RateLimitWaitExceededError(SyncStoppedError):
    """Waiting for a rate-limit reset would take longer than `max_rate_limit_wait`."""


class QueryTimeoutError(Exception):
    """GitHub gave up on the query (502/504) or the request timed out: ask for less."""


class GitHubAPIError(FatalAPIError):
    """An error response that retrying will not fix."""


class RepositoryNotFoundError(Exception):
    """The repository does not exist or the tokens cannot see it."""

    def __init__(self, repository: str, detail: str) -> None:
        super().__init__(f"Repository {repository} was not found or is not accessible: {detail}")
        self.repository = repository


class SyncCancelledError(Exception):
    """A background request gave up because the sync it served has ended."""
