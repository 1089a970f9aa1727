"""Configuration is validated before any request, with clear messages."""

from __future__ import annotations

import pytest

from tap_github_prs.errors import TapConfigError
from tap_github_prs.settings import DEFAULT_PAGE_SIZE, parse_settings
from tap_github_prs.tap import TapGitHubPRs

VALID = {"auth_token": "secret-token-value", "repositories": ["acme/widgets"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"repositories": ["acme"]}, "'acme' is not of the form `owner/name`"),
        ({"repositories": ["acme/widgets/extra"]}, "not of the form"),
        ({"repositories": [], "organizations": []}, "both are empty"),
        ({"organizations": ["bad org"]}, "not a valid GitHub login"),
        ({"api_url": "ftp://example.com/graphql"}, "`api_url` must be an http(s) URL"),
        ({"api_url": "api.github.com/graphql"}, "`api_url` must be"),
        ({"page_size": 0}, "`page_size` must be an integer from 1 to 100"),
        ({"page_size": 101}, "from 1 to 100"),
        ({"max_prs_per_repo": -3}, "`max_prs_per_repo` must be a positive integer"),
        ({"max_parallel_repos": 99}, "`max_parallel_repos`"),
        ({"start_date": "yesterday"}, "`start_date` must be an ISO-8601"),
        ({"cache_mode": "sometimes", "cache_dir": "cache"}, "`cache_mode` must be one of"),
        ({"cache_mode": "use"}, "`cache_dir` is not set"),
        ({"request_timeout": -1}, "`request_timeout`"),
    ],
)
def test_invalid_config_is_rejected_with_a_clear_message(change, message):
    with pytest.raises(TapConfigError) as excinfo:
        parse_settings({**VALID, **change})
    assert message in str(excinfo.value)
    assert "secret-token-value" not in str(excinfo.value)


def test_every_problem_is_reported_at_once():
    with pytest.raises(TapConfigError) as excinfo:
        parse_settings({**VALID, "repositories": ["nope"], "page_size": 500})
    assert len(excinfo.value.errors) == 2


def test_defaults_and_token_fallback_to_environment(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "env-token")
    settings = parse_settings({"repositories": ["acme/widgets"], "additional_auth_tokens": ["b"]})
    assert settings.tokens == ["env-token", "b"]
    assert settings.api_url == "https://api.github.com/graphql"
    assert settings.page_size == DEFAULT_PAGE_SIZE
    assert settings.max_parallel_repos == 2
    assert settings.cache_mode == "off"
    assert "env-token" not in repr(settings)


def test_missing_token_is_a_config_error(monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    with pytest.raises(TapConfigError, match="No GitHub token"):
        parse_settings({"repositories": ["acme/widgets"]})


def test_start_date_is_normalised_to_utc():
    settings = parse_settings({**VALID, "start_date": "2024-05-01T12:00:00+02:00"})
    assert settings.start_date == "2024-05-01T10:00:00Z"


def test_the_tap_rejects_a_malformed_config_when_constructed():
    with pytest.raises(TapConfigError, match="owner/name"):
        TapGitHubPRs(config={**VALID, "repositories": ["not-a-repo"]}, validate_config=True)


def test_the_tap_allows_discovery_without_repositories():
    tap = TapGitHubPRs(config={}, validate_config=True)
    assert set(tap.streams) == {"pull_requests", "reviews", "commits", "files", "check_runs"}
