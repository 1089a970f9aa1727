"""Rate limits, rejected tokens and flaky answers from the stand-in: nothing is lost.

The tap's clock is a FakeClock shared with the stand-in's quota clock, so waiting for a reset
takes no real time and the stand-in sees the reset happen.
"""

from __future__ import annotations

import logging
import time

import pytest

from tap_github_prs.errors import RateLimitWaitExceededError
from tests.tap.fakes import FakeClock
from tests.tap.helpers import expected_keys, record_keys, run_in_process, tap_config

REVOKED = "revoked-token-0042"  # a made-up token the stand-in rejects
DATA = {"seed": 8, "prs": 60, "repositories": ["acme/widgets", "antiwork/helper"]}


@pytest.fixture
def clock(fake_github):
    shared = FakeClock(start=time.time())
    for limiter in fake_github.limiters.values():
        limiter.wall_clock = shared.time
    return shared


def two_token_config(server, **overrides):
    return tap_config(server, additional_auth_tokens=[server.tokens[1]], page_size=10, **overrides)


@pytest.mark.fake_github(**DATA)
def test_primary_exhaustion_of_one_token_rotates_to_the_other(fake_github, clock):
    fake_github.add_fault("rate_limit", times=1, reset_in=3600)
    run = run_in_process(two_token_config(fake_github, max_parallel_repos=1), clock=clock)
    assert record_keys(run) == expected_keys(fake_github)
    assert clock.slept == 0
    tokens = fake_github.stats()["tokens"]
    assert tokens["token-1"]["requests"] == 1  # the exhausted one was not retried
    assert tokens["token-2"]["requests"] > 1


@pytest.mark.fake_github(**DATA)
def test_all_tokens_exhausted_waits_for_the_earliest_reset(fake_github, clock, caplog):
    fake_github.add_fault("rate_limit", times=2, reset_in=120)
    with caplog.at_level(logging.INFO):
        run = run_in_process(two_token_config(fake_github, max_parallel_repos=1), clock=clock)
    assert record_keys(run) == expected_keys(fake_github)
    assert 120 <= clock.slept <= 125
    assert any("s left" in message for message in caplog.messages)


@pytest.mark.fake_github(**DATA, rate_limit=5)
def test_past_max_rate_limit_wait_it_stops_with_state_saved_and_a_rerun_completes(
    fake_github, clock
):
    config = tap_config(fake_github, page_size=10, max_parallel_repos=1, max_rate_limit_wait=60)
    first = run_in_process(config, clock=clock, expect_error=True)
    assert isinstance(first.error, RateLimitWaitExceededError)
    assert "max_rate_limit_wait" in str(first.error)
    assert 0 < first.counts()["pull_requests"] < 60
    assert first.final_state["bookmarks"]["pull_requests"]["partitions"]
    assert clock.slept == 0

    fake_github.reset_stats()  # the quota resets
    second = run_in_process(
        {**config, "max_rate_limit_wait": 7200}, state=first.final_state, clock=clock
    )
    union = {s: record_keys(first)[s] | record_keys(second)[s] for s in record_keys(first)}
    assert union == expected_keys(fake_github)


@pytest.mark.fake_github(**DATA)
def test_a_rejected_token_is_dropped_by_position(fake_github, clock, caplog):
    config = tap_config(
        fake_github, auth_token=REVOKED, additional_auth_tokens=[fake_github.tokens[0]]
    )
    with caplog.at_level(logging.INFO):
        run = run_in_process(config, clock=clock)
    assert record_keys(run) == expected_keys(fake_github)
    # Each of the (at most 2) parallel workers may have sent one request with it.
    assert 1 <= fake_github.stats()["status"].get("401", 0) <= 2
    assert any("token #1" in message for message in caplog.messages)
    assert not any("revoked-token-0042" in message for message in caplog.messages)


@pytest.mark.fake_github(**DATA)
def test_only_rejected_tokens_is_a_clear_error(fake_github, clock):
    run = run_in_process(
        tap_config(fake_github, auth_token=REVOKED), clock=clock, expect_error=True
    )
    assert "rejected" in str(run.error)
    assert REVOKED not in str(run.error)


@pytest.mark.fake_github(**DATA)
def test_secondary_limits_are_waited_out(fake_github, clock):
    fake_github.add_fault("secondary_403", every=3, times=2, retry_after=5)
    fake_github.add_fault("secondary_429", every=5, times=1)
    fake_github.add_fault("secondary_200", every=7, times=1, retry_after=2)
    run = run_in_process(tap_config(fake_github, page_size=10), clock=clock)
    assert record_keys(run) == expected_keys(fake_github)
    faults = fake_github.stats()["faults"]
    assert faults == {"secondary_403": 2, "secondary_429": 1, "secondary_200": 1}
    # 5 + 5 (retry-after) + at least 60 (no header) + 2.
    assert clock.slept >= 72


@pytest.mark.fake_github(**DATA)
def test_timeouts_halve_the_page_size_and_nothing_is_lost(fake_github, clock, caplog):
    fake_github.add_fault("timeout", node_threshold=12_000)
    with caplog.at_level(logging.INFO):
        run = run_in_process(tap_config(fake_github, page_size=40), clock=clock)
    assert record_keys(run) == expected_keys(fake_github)
    assert fake_github.stats()["faults"].get("timeout", 0) >= 1
    assert any("lowered from 40 to 20" in message for message in caplog.messages)


@pytest.mark.fake_github(**DATA)
def test_flaky_answers_are_retried(fake_github, clock):
    fake_github.add_fault("server_error", status=503, every=4, times=2)
    fake_github.add_fault("malformed_json", every=5, times=1)
    fake_github.add_fault("truncated_json", every=6, times=1)
    fake_github.add_fault("partial_data", every=3, times=2)
    run = run_in_process(tap_config(fake_github, page_size=10), clock=clock)
    assert record_keys(run) == expected_keys(fake_github)
    assert sum(fake_github.stats()["faults"].values()) == 6


@pytest.mark.fake_github(**DATA)
def test_a_request_timeout_is_retried_once_then_halves_the_page_and_nothing_is_lost(
    fake_github, clock, caplog
):
    # request_timeout leaves room for the stand-in's own execution on a busy machine (~1 s).
    fake_github.add_fault("latency", seconds=6, times=2)
    config = tap_config(fake_github, page_size=40, request_timeout=2.5, max_parallel_repos=1)
    with caplog.at_level(logging.INFO):
        run = run_in_process(config, clock=clock)
    assert record_keys(run) == expected_keys(fake_github)
    assert any(
        "no answer within request_timeout, twice in a row" in m and "from 40 to 20" in m
        for m in caplog.messages
    )
