"""Validated settings: every check runs before the first request."""

from __future__ import annotations

import datetime as dt
import os
import re
import typing as t
from dataclasses import dataclass
from urllib.parse import urlsplit

from tap_github_prs.cache import CACHE_MODES
from tap_github_prs.errors import TapConfigError

# Measured against the stand-in (2,000 PRs over its 9 default repositories, nested sizes as in
# queries/fragments.graphql, a page's follow-ups riding along with the next page's request):
# page size 25 -> 22 PRs per request, 50 -> 40, 60 -> 48, 75 -> 53, 100 -> 62; GraphQL cost
# stays ~135-175 points per 1,000 PRs whatever the size (cost follows the number of nested
# connections, not their `first`). 60 clears the 25-PRs-per-request goal with room to spare
# while requesting ~50k nodes per page (GitHub allows 500k); GitHub's 10 s timeout is what big
# nested pages risk, and a 502/504 halves the size (60 -> 30 -> 15 -> 7 -> 5) and grows it back.
DEFAULT_PAGE_SIZE = 60
MIN_PAGE_SIZE = 5

_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


@dataclass(frozen=True)
class Settings:
    tokens: list[str]
    repositories: list[str]
    organizations: list[str]
    start_date: str | None
    api_url: str
    page_size: int
    max_prs_per_repo: int | None
    request_timeout: float
    max_rate_limit_wait: float
    max_parallel_repos: int
    fail_on_missing_repository: bool
    cache_dir: str | None
    cache_mode: str

    def __repr__(self) -> str:  # never show tokens
        return f"Settings(repositories={self.repositories}, tokens={len(self.tokens)} hidden)"


def _tokens(config: t.Mapping[str, t.Any]) -> list[str]:
    primary = config.get("auth_token") or os.environ.get("GITHUB_TOKEN")
    values = [primary, *(config.get("additional_auth_tokens") or [])]
    unique: list[str] = []
    for value in values:
        if value and value not in unique:
            unique.append(value)
    return unique


def _positive_number(
    config: t.Mapping[str, t.Any], key: str, default: float, errors: list
) -> float:
    value = config.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        errors.append(f"`{key}` must be a non-negative number of seconds, got {value!r}.")
        return default
    return float(value)


def _start_date(value: t.Any, errors: list) -> str | None:
    if value in (None, ""):
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        errors.append(f"`start_date` must be an ISO-8601 date or date-time, got {value!r}.")
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_settings(config: t.Mapping[str, t.Any], *, require_sources: bool = True) -> Settings:
    """Validate `config`; raise one TapConfigError listing every problem."""
    errors: list[str] = []

    repositories = list(config.get("repositories") or [])
    for repository in repositories:
        if not isinstance(repository, str) or not _REPOSITORY.match(repository):
            errors.append(f"Repository {repository!r} is not of the form `owner/name`.")
    organizations = list(config.get("organizations") or [])
    for organization in organizations:
        if not isinstance(organization, str) or not _LOGIN.match(organization):
            errors.append(f"Organization {organization!r} is not a valid GitHub login.")
    if require_sources and not repositories and not organizations:
        errors.append("Set `repositories` (owner/name) and/or `organizations`: both are empty.")

    api_url = config.get("api_url") or "https://api.github.com/graphql"
    parts = urlsplit(str(api_url))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors.append(
            f"`api_url` must be an http(s) URL such as https://HOST/api/graphql, got {api_url!r}."
        )

    page_size = config.get("page_size")
    page_size = DEFAULT_PAGE_SIZE if page_size is None else page_size
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= 100:
        errors.append(f"`page_size` must be an integer from 1 to 100, got {page_size!r}.")
        page_size = DEFAULT_PAGE_SIZE

    max_prs = config.get("max_prs_per_repo")
    if max_prs is not None and (
        isinstance(max_prs, bool) or not isinstance(max_prs, int) or max_prs < 1
    ):
        errors.append(f"`max_prs_per_repo` must be a positive integer, got {max_prs!r}.")
        max_prs = None

    parallel = config.get("max_parallel_repos")
    parallel = 2 if parallel is None else parallel
    if isinstance(parallel, bool) or not isinstance(parallel, int) or not 1 <= parallel <= 16:
        errors.append(f"`max_parallel_repos` must be an integer from 1 to 16, got {parallel!r}.")
        parallel = 2

    cache_mode = config.get("cache_mode") or ("use" if config.get("cache_dir") else "off")
    if cache_mode not in CACHE_MODES:
        errors.append(f"`cache_mode` must be one of {', '.join(CACHE_MODES)}, got {cache_mode!r}.")
    if cache_mode != "off" and not config.get("cache_dir"):
        errors.append(f"`cache_mode` is {cache_mode!r} but `cache_dir` is not set.")

    settings = Settings(
        tokens=_tokens(config),
        repositories=repositories,
        organizations=organizations,
        start_date=_start_date(config.get("start_date"), errors),
        api_url=str(api_url),
        page_size=page_size,
        max_prs_per_repo=max_prs,
        request_timeout=_positive_number(config, "request_timeout", 60.0, errors),
        max_rate_limit_wait=_positive_number(config, "max_rate_limit_wait", 3600.0, errors),
        max_parallel_repos=parallel,
        fail_on_missing_repository=bool(config.get("fail_on_missing_repository", False)),
        cache_dir=config.get("cache_dir"),
        cache_mode=cache_mode if cache_mode in CACHE_MODES else "off",
    )
    if require_sources and not settings.tokens:
        errors.append("No GitHub token: set `auth_token` or the GITHUB_TOKEN environment variable.")
    if errors:
        raise TapConfigError(
            "Invalid tap-github-prs configuration: " + " ".join(errors), errors=errors
        )
    return settings
