"""Errors a resolver raises to get GitHub's error shape: `type`, `path`, `locations`, `message`."""

from __future__ import annotations


class GitHubError(Exception):
    def __init__(self, message: str, error_type: str) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type


def not_found(message: str) -> GitHubError:
    return GitHubError(message, "NOT_FOUND")
