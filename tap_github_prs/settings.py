"""The tap's settings as one typed object, with the rules that span several settings.

Each setting's own rules (types, bounds, patterns, allowed values) and its default live in
one place: `TapGitHubPRs.config_jsonschema`. singer-sdk checks them and fills in the defaults
before this module sees the config, so `--about` and Meltano show exactly what is enforced.
What a JSON schema cannot say stays here: a token falling back to GITHUB_TOKEN, a
`cache_mode` that needs a `cache_dir`, a sync that needs repositories and a token, and
`start_date` normalised to UTC.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import typing as t
from dataclasses import dataclass, field, replace

from tap_github_prs.errors import TapConfigError
from tap_github_prs.github_app import GitHubApp, apps_from_config

# GitHub's rules for logins (1-39 characters, alphanumeric or single hyphens) and repository
# names (up to 100 characters of letters, digits, `.`, `_` and `-`).
LOGIN_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$"
REPOSITORY_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$"


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
    connect_retry_seconds: float
    github_timeout_seconds: float
    include_archived: bool = True
    include_forks: bool = True
    repository_name_pattern: re.Pattern[str] | None = None
    github_apps: list[GitHubApp] = field(default_factory=list)  # keys hidden from repr

    def __repr__(self) -> str:  # never show tokens
        return f"Settings(repositories={self.repositories}, tokens={len(self.tokens)} hidden)"

    @classmethod
    def from_config(cls, config: t.Mapping[str, t.Any]) -> Settings:
        """Build the settings from a config already checked against the tap's JSON schema."""
        errors: list[str] = []
        cache_dir = config.get("cache_dir") or None
        cache_mode = config.get("cache_mode") or ("use" if cache_dir else "off")
        if cache_mode != "off" and not cache_dir:
            errors.append(f"`cache_mode` is {cache_mode!r} but `cache_dir` is not set.")
        settings = cls(
            tokens=_tokens(config),
            repositories=list(config.get("repositories") or []),
            organizations=list(config.get("organizations") or []),
            start_date=_start_date(config.get("start_date"), errors),
            api_url=str(config["api_url"]),
            page_size=int(config["page_size"]),
            max_prs_per_repo=config.get("max_prs_per_repo"),
            request_timeout=float(config["request_timeout"]),
            max_rate_limit_wait=float(config["max_rate_limit_wait"]),
            max_parallel_repos=int(config["max_parallel_repos"]),
            fail_on_missing_repository=bool(config["fail_on_missing_repository"]),
            cache_dir=cache_dir,
            cache_mode=cache_mode,
            connect_retry_seconds=float(config["connect_retry_seconds"]),
            github_timeout_seconds=float(config["github_timeout_seconds"]),
            include_archived=bool(config.get("include_archived", True)),
            include_forks=bool(config.get("include_forks", True)),
            repository_name_pattern=_pattern(config.get("repository_name_pattern"), errors),
            github_apps=apps_from_config(config, errors),
        )
        _raise_if_any(errors)
        return settings

    def wants_listed_repository(self, node: t.Mapping[str, t.Any]) -> bool:
        """Whether a repository listed from an organisation passes the listing filters
        (repositories named in `repositories` are always synced)."""
        if node.get("isArchived") and not self.include_archived:
            return False
        if node.get("isFork") and not self.include_forks:
            return False
        pattern = self.repository_name_pattern
        return pattern is None or pattern.search(node["nameWithOwner"]) is not None

    def ready_to_sync(self) -> Settings:
        """These settings, once checked for what a sync needs (sources and a token)."""
        errors = []
        if not self.repositories and not self.organizations:
            errors.append("Set `repositories` (owner/name) and/or `organizations`: both are empty.")
        tokens = self.tokens or _tokens({})  # GITHUB_TOKEN may have been set since start-up
        if not tokens and not self.github_apps:
            errors.append(
                "No GitHub token: set TAP_GITHUB_PRS_AUTH_TOKEN (or GITHUB_TOKEN) in the "
                "environment or .env, or `auth_token` in the tap's config; or a GitHub App "
                "(`github_app_id` and TAP_GITHUB_PRS_GITHUB_APP_PRIVATE_KEY)."
            )
        _raise_if_any(errors)
        return replace(self, tokens=tokens)


def _raise_if_any(errors: list[str]) -> None:
    if errors:
        raise TapConfigError(
            "Invalid tap-github-prs configuration: " + " ".join(errors), errors=errors
        )


# Secrets reach the tap through its environment, never through a file: Meltano writes every
# setting it knows into `.meltano/run/<plugin>/tap.<uuid>.config.json` (0644, left behind by a
# killed run), so the Meltano project does not declare these and the tap reads them here.
TOKEN_VARIABLE = "TAP_GITHUB_PRS_AUTH_TOKEN"  # noqa: S105 (a variable name, not a token)
ADDITIONAL_TOKENS_VARIABLE = "TAP_GITHUB_PRS_ADDITIONAL_AUTH_TOKENS"


def _tokens(config: t.Mapping[str, t.Any]) -> list[str]:
    primary = (
        config.get("auth_token") or os.environ.get(TOKEN_VARIABLE) or os.environ.get("GITHUB_TOKEN")
    )
    additional = config.get("additional_auth_tokens") or _json_list(ADDITIONAL_TOKENS_VARIABLE)
    values = [primary, *additional]
    unique: list[str] = []
    for value in values:
        if value and value not in unique:
            unique.append(value)
    return unique


def _json_list(variable: str) -> list[str]:
    text = os.environ.get(variable, "").strip()
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        # Never echo the value: it holds tokens.
        raise TapConfigError(
            f"Invalid tap-github-prs configuration: {variable} must be a JSON array of strings.",
            errors=[f"{variable} must be a JSON array of strings."],
        ) from None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TapConfigError(
            f"Invalid tap-github-prs configuration: {variable} must be a JSON array of strings.",
            errors=[f"{variable} must be a JSON array of strings."],
        )
    return value


def _pattern(value: t.Any, errors: list) -> re.Pattern[str] | None:
    if not value:
        return None
    try:
        return re.compile(str(value), re.IGNORECASE)
    except re.error as exc:
        errors.append(f"`repository_name_pattern` is not a valid regular expression: {exc}.")
        return None


def _start_date(value: t.Any, errors: list) -> str | None:
    # The JSON schema's `date-time` format is not enforced by singer-sdk's validator.
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
