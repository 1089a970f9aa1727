"""Configuration is validated before any request, with clear messages, each rule in one place."""

from __future__ import annotations

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tap_github_prs.errors import TapConfigError
from tap_github_prs.tap import DEFAULT_PAGE_SIZE, TapGitHubPRs

VALID = {"auth_token": "secret-token-value", "repositories": ["acme/widgets"]}


def make_tap(config: dict) -> TapGitHubPRs:
    return TapGitHubPRs(config=config, validate_config=True, parse_env_config=False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # Rules of one setting: config_jsonschema, checked by singer-sdk.
        ({"repositories": ["acme"]}, "'acme' does not match"),
        ({"repositories": ["acme/widgets/extra"]}, "does not match"),
        ({"organizations": ["bad org"]}, "'bad org' does not match"),
        ({"api_url": "ftp://example.com/graphql"}, "does not match '^https?://"),
        ({"api_url": "api.github.com/graphql"}, "does not match"),
        ({"page_size": 0}, "0 is less than the minimum of 1 in config['page_size']"),
        ({"page_size": 101}, "101 is greater than the maximum of 100"),
        ({"max_prs_per_repo": -3}, "in config['max_prs_per_repo']"),
        ({"max_parallel_repos": 99}, "in config['max_parallel_repos']"),
        ({"cache_mode": "sometimes", "cache_dir": "cache"}, "'sometimes' is not one of"),
        ({"request_timeout": -1}, "in config['request_timeout']"),
    ],
)
def test_a_setting_outside_its_rules_is_rejected_naming_the_setting(change, message):
    with pytest.raises(ConfigValidationError) as excinfo:
        make_tap({**VALID, **change})
    assert any(message in error for error in excinfo.value.errors), excinfo.value.errors
    assert "secret-token-value" not in str(excinfo.value.errors)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # Rules across settings, or beyond JSON schema: settings.py.
        ({"start_date": "yesterday"}, "`start_date` must be an ISO-8601"),
        ({"cache_mode": "use"}, "`cache_dir` is not set"),
    ],
)
def test_cross_field_rules_are_checked_at_start_up(change, message):
    with pytest.raises(TapConfigError, match=message.replace("`", ".")):
        make_tap({**VALID, **change})


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigValidationError) as excinfo:
        make_tap({**VALID, "repositories": ["nope"], "page_size": 500})
    assert len(excinfo.value.errors) == 2


def test_about_shows_the_bounds_and_patterns():
    properties = TapGitHubPRs.config_jsonschema["properties"]
    assert (properties["page_size"]["minimum"], properties["page_size"]["maximum"]) == (1, 100)
    assert properties["page_size"]["default"] == DEFAULT_PAGE_SIZE
    assert properties["max_parallel_repos"]["maximum"] == 16
    assert properties["request_timeout"]["minimum"] == 0
    assert properties["max_rate_limit_wait"]["minimum"] == 0
    assert "pattern" in properties["repositories"]["items"]
    assert properties["cache_mode"]["enum"] == ["use", "refresh", "off"]


def test_defaults_come_from_the_schema_and_the_token_falls_back_to_the_environment(
    monkeypatch,
):
    monkeypatch.setenv("GITHUB_TOKEN", "env-token")
    tap = make_tap({"repositories": ["acme/widgets"], "additional_auth_tokens": ["b"]})
    settings = tap.settings.ready_to_sync()
    assert settings.tokens == ["env-token", "b"]
    assert settings.api_url == "https://api.github.com/graphql"
    assert settings.page_size == DEFAULT_PAGE_SIZE
    assert settings.max_parallel_repos == 2
    assert settings.cache_mode == "off"
    assert "env-token" not in repr(settings)


def test_a_sync_needs_a_token(monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    tap = make_tap({"repositories": ["acme/widgets"]})
    with pytest.raises(TapConfigError, match="No GitHub token"):
        tap.settings.ready_to_sync()


def test_a_sync_needs_repositories_or_organizations():
    tap = make_tap({**VALID, "repositories": []})
    with pytest.raises(TapConfigError, match="both are empty"):
        tap.settings.ready_to_sync()


def test_start_date_is_normalised_to_utc():
    tap = make_tap({**VALID, "start_date": "2024-05-01T12:00:00+02:00"})
    assert tap.settings.start_date == "2024-05-01T10:00:00Z"


def test_the_tap_allows_discovery_without_repositories():
    tap = make_tap({})
    assert set(tap.streams) >= {"pull_requests", "reviews", "commits", "files", "check_runs"}
    assert set(tap.streams) >= {"deployments", "deployment_statuses", "releases", "issues"}
