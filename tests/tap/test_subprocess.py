"""The tap as a real process: SIGKILL and resume, secrets never leak, config errors."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from tap_github_prs.cache import cache_info
from tests.tap.helpers import (
    TapRun,
    expected_keys,
    page_requests,
    record_keys,
    run_in_process,
    run_subprocess,
    subprocess_env,
    tap_command,
    tap_config,
)

RESUME_DATA = {"seed": 9, "prs": 80, "repositories": ["acme/widgets", "antiwork/helper"]}


def parse_lines(text: str) -> list[dict]:
    messages = []
    for line in text.splitlines():
        try:
            messages.append(json.loads(line))
        except ValueError:
            continue  # the line the kill cut short
    return messages


# Each test here runs the tap as a subprocess (seconds each): not part of `make test-fast`.
pytestmark = pytest.mark.slow


@pytest.mark.fake_github(**RESUME_DATA)
def test_sigkill_then_resume_loses_nothing_and_refetches_at_most_a_page_per_repo(
    fake_github, tmp_path
):
    config = tap_config(fake_github, page_size=5)
    run_in_process(config)
    uninterrupted_pages = page_requests(fake_github)
    fake_github.reset_stats()

    fake_github.add_fault("latency", seconds=0.03)
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    process = subprocess.Popen(
        tap_command(config_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=subprocess_env(),
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        message = json.loads(line)
        if message["type"] == "STATE" and message["value"]["bookmarks"].get(
            "pull_requests", {}
        ).get("partitions"):
            process.send_signal(signal.SIGKILL)
            break
    rest, _ = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    killed = TapRun(parse_lines("".join(lines) + rest))
    assert killed.counts()["pull_requests"] < 80
    pages_before_kill = page_requests(fake_github)
    fake_github.clear_faults()

    resumed = run_subprocess(config, tmp_path, state=killed.final_state)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    union = {s: record_keys(killed)[s] | record_keys(resumed)[s] for s in record_keys(killed)}
    assert union == expected_keys(fake_github)
    # Every page was fetched, and at most one page per repository twice.
    total_pages = page_requests(fake_github)
    assert pages_before_kill < total_pages
    assert uninterrupted_pages <= total_pages <= uninterrupted_pages + len(config["repositories"])


# Built from parts, so the repository holds no token-shaped literal.
SECRET_TOKENS = ("ghp_" + "SecretValueForTesting0001", "ghp_" + "SecretValueForTesting0002")
REVOKED = "ghp_" + "RevokedValueForTesting9999"


@pytest.mark.fake_github(seed=10, prs=30, repositories=["acme/widgets"], tokens=SECRET_TOKENS)
def test_tokens_never_appear_in_any_output(fake_github, tmp_path):
    fake_github.add_fault("rate_limit", times=1, reset_in=3600)  # exhaust one token mid-run
    cache_dir = tmp_path / "cache"
    config = tap_config(
        fake_github,
        auth_token=REVOKED,
        additional_auth_tokens=list(SECRET_TOKENS),
        cache_dir=str(cache_dir),
        cache_mode="use",
        repositories=["acme/widgets", "acme/missing"],
    )
    run = run_subprocess(config, tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.counts()["pull_requests"] == 30
    assert "token #1" in run.stderr  # the 401 was reported, by position
    about = subprocess.run(
        [*tap_command(tmp_path / "config.json"), "--about", "--format", "json"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        check=True,
    )
    state_file = tmp_path / "state-out.json"
    state_file.write_text(json.dumps(run.final_state))
    outputs = {"stdout": run.stdout, "stderr": run.stderr, "about": about.stdout + about.stderr}
    outputs["state"] = state_file.read_text()
    cache_files = list(cache_dir.rglob("*"))
    assert any(path.is_file() for path in cache_files)
    for path in cache_files:
        if path.is_file():
            outputs[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    for secret in (*SECRET_TOKENS, REVOKED):
        for name, text in outputs.items():
            assert secret not in text, f"token found in {name}"


@pytest.mark.fake_github(seed=10, prs=20, repositories=["acme/widgets"])
def test_response_cache_replays_without_requests_and_reports_per_repository(fake_github, tmp_path):
    cache_dir = tmp_path / "cache"
    config = tap_config(fake_github, cache_dir=str(cache_dir))
    first = run_in_process(config)
    fake_github.reset_stats()
    replay = run_in_process(config)
    assert fake_github.stats()["requests"] == 0
    assert record_keys(replay) == record_keys(first)
    [row] = cache_info(cache_dir)
    assert (row["repository"], row["pull_requests"], row["stale"]) == ("acme/widgets", 20, False)

    refresh = run_in_process({**config, "cache_mode": "refresh"})
    assert fake_github.stats()["requests"] > 0
    assert record_keys(refresh) == record_keys(first)

    listing = subprocess.run(
        [sys.executable, "-m", "tap_github_prs.cache", "--info", str(cache_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "acme/widgets" in listing.stdout


@pytest.mark.fake_github(seed=10, prs=5, repositories=["acme/widgets"])
def test_invalid_config_fails_before_any_request(fake_github, tmp_path):
    config = tap_config(fake_github, repositories=["acme"], page_size=500)
    run = run_subprocess(config, tmp_path)
    assert run.returncode != 0
    assert "'acme' does not match" in run.stderr
    assert "in config['repositories'][0]" in run.stderr
    assert "500 is greater than the maximum of 100 in config['page_size']" in run.stderr
    assert fake_github.stats()["requests"] == 0


@pytest.mark.fake_github(seed=10, prs=60, repositories=["acme/widgets"], rate_limit=4)
def test_rate_limit_stop_is_a_clean_message_with_state_saved(fake_github, tmp_path):
    config = tap_config(fake_github, page_size=10, max_rate_limit_wait=30)
    run = run_subprocess(config, tmp_path)
    assert run.returncode == 1
    assert "longer than max_rate_limit_wait (30 s)" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.final_state["bookmarks"]["pull_requests"]["partitions"]
    assert 0 < run.counts()["pull_requests"] < 60


@pytest.mark.fake_github(seed=13, prs=1150, repositories=["acme/widgets"], heavy_tails=False)
def test_a_repository_beyond_the_1000_search_results_cap_is_synced_completely(fake_github):
    run = run_in_process(tap_config(fake_github, page_size=100))
    assert run.counts()["pull_requests"] == 1150
    assert record_keys(run) == expected_keys(fake_github)
