"""Every failure an operator can meet ends in one clear line: exit code, the line, no token.

Each test runs the tap as a subprocess, as Meltano does, and reads what a user would read.
"""

from __future__ import annotations

import re
import socket

import pytest

from tests.tap.helpers import run_subprocess, tap_config

pytestmark = pytest.mark.slow  # subprocesses: not part of `make test-fast`

SECRET = "ghp_" + "S3cr3tTokenValueThatMustNeverBePrinted00"


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "| ERROR" in line or "| CRITICAL" in line]


def assert_clean_failure(run, *, contains: list[str], secrets=(SECRET,)) -> None:
    assert run.returncode != 0
    errors = error_lines(run.stderr)
    assert 1 <= len(errors) <= 3, errors
    for text in contains:
        assert any(text in line for line in errors), (text, errors)
    assert "Traceback" not in run.stderr
    for secret in secrets:
        assert secret not in run.stderr and secret not in run.stdout


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def test_an_unreachable_api_fails_in_one_line_naming_the_url(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/graphql"
    config = {
        "auth_token": SECRET,
        "repositories": ["acme/widgets"],
        "api_url": url,
        "connect_retry_seconds": 3,
    }
    run = run_subprocess(config, tmp_path, timeout=60)
    assert_clean_failure(run, contains=[f"Cannot reach the GitHub API at {url}", "refused"])
    tries = re.search(r"refused; (\d+) tries in (\d+) s", run.stderr)
    assert tries and int(tries.group(1)) >= 2 and int(tries.group(2)) <= 3  # quick retries first


def test_an_unknown_host_fails_in_one_line_saying_dns(tmp_path):
    url = "https://github.invalid/api/graphql"  # .invalid never resolves (RFC 2606)
    config = {"auth_token": SECRET, "repositories": ["acme/widgets"], "api_url": url}
    config["connect_retry_seconds"] = 2
    run = run_subprocess(config, tmp_path, timeout=60)
    assert_clean_failure(run, contains=[url, "DNS lookup failed"])


def test_no_token_is_one_line_before_any_request(fake_github, tmp_path):
    config = tap_config(fake_github)
    del config["auth_token"]
    run = run_subprocess(config, tmp_path)
    assert_clean_failure(run, contains=["No GitHub token"])
    assert "An unhandled error occurred" not in run.stderr
    assert fake_github.stats()["requests"] == 0


@pytest.mark.fake_github(seed=4, prs=10, repositories=["acme/widgets"])
def test_a_rejected_token_is_named_by_position_and_the_others_carry_on(fake_github, tmp_path):
    config = tap_config(
        fake_github, auth_token=SECRET, additional_auth_tokens=[fake_github.tokens[0]]
    )
    run = run_subprocess(config, tmp_path)
    assert run.returncode == 0
    assert "GitHub rejected token #1 (HTTP 401 Bad credentials)" in run.stderr
    assert len(run.records["pull_requests"]) == 10
    assert SECRET not in run.stderr and SECRET not in run.stdout


@pytest.mark.fake_github(seed=4, prs=10, repositories=["acme/widgets"])
def test_every_token_rejected_stops_in_one_line(fake_github, tmp_path):
    run = run_subprocess(tap_config(fake_github, auth_token=SECRET), tmp_path)
    assert_clean_failure(run, contains=["token"])


@pytest.mark.fake_github(seed=4, prs=10, repositories=["acme/widgets"])
def test_every_repository_unknown_is_a_failed_run(fake_github, tmp_path):
    config = tap_config(fake_github, repositories=["acme/typo", "acme/widgetz"])
    run = run_subprocess(config, tmp_path)
    assert_clean_failure(
        run, contains=["None of the configured repositories", "acme/typo", "acme/widgetz"]
    )


@pytest.mark.fake_github(seed=4, prs=10, repositories=["acme/widgets"])
def test_some_repositories_unknown_are_listed_and_the_run_succeeds(fake_github, tmp_path):
    config = tap_config(fake_github, repositories=["acme/widgets", "acme/typo"])
    run = run_subprocess(config, tmp_path)
    assert run.returncode == 0
    assert len(run.records["pull_requests"]) == 10
    assert "repositories skipped: acme/typo." in run.stderr


@pytest.mark.fake_github(seed=4, prs=10, repositories=["acme/widgets"])
def test_fail_on_missing_repository_stops_in_one_line(fake_github, tmp_path):
    config = tap_config(
        fake_github, repositories=["acme/widgets", "acme/typo"], fail_on_missing_repository=True
    )
    run = run_subprocess(config, tmp_path)
    assert_clean_failure(run, contains=["Repository acme/typo was not found or is not accessible"])
