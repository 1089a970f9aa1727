"""Rate-limit, retry and token policy of the GraphQL client, with a fake clock."""

from __future__ import annotations

import logging
import random

import pytest

from tap_github_prs.client import GraphQLClient
from tap_github_prs.errors import (
    GitHubAPIError,
    NoUsableTokenError,
    QueryTimeoutError,
    RateLimitWaitExceededError,
)
from tap_github_prs.retry import RetryPolicy
from tap_github_prs.tokens import TokenPool
from tests.tap.fakes import OK_BODY, FakeClock, FakeResponse, FakeSession, timeout_error

LOGGER = logging.getLogger("test-client")
RATE_LIMITED = {"data": None, "errors": [{"type": "RATE_LIMITED", "message": "API rate limit"}]}


def make_client(script, tokens=("tok-one", "tok-two"), clock=None, **policy):
    clock = clock or FakeClock()
    session = FakeSession(script, clock)
    client = GraphQLClient(
        api_url="https://example.test/graphql",
        tokens=TokenPool(list(tokens), clock, LOGGER),
        timeout=5,
        logger=LOGGER,
        clock=clock,
        policy=RetryPolicy(rng=random.Random(7), **policy),
        session_factory=lambda: session,
    )
    return client, session, clock


def test_wait_order_prefers_retry_after_then_reset_then_a_minute_then_backoff():
    policy = RetryPolicy(backoff_cap=600, jitter=0.1, rng=random.Random(1))
    now = 1000.0
    both = {"retry-after": "7", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1500"}
    assert policy.limit_wait(both, 1, now) == 7
    reset_only = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1500"}
    assert policy.limit_wait(reset_only, 1, now) == 501
    # remaining > 0: the reset is irrelevant, wait at least a minute, then grow, capped.
    not_exhausted = {"x-ratelimit-remaining": "12", "x-ratelimit-reset": "1500"}
    waits = [policy.limit_wait(not_exhausted, n, now) for n in range(1, 8)]
    assert 60 <= waits[0] <= 66
    assert 120 <= waits[1] <= 132
    assert all(600 <= w <= 660 for w in waits[4:])
    assert waits == sorted(waits[:4]) + waits[4:]


def test_primary_exhaustion_rotates_to_the_other_token_without_waiting():
    reset = 1_700_000_000 + 1800
    exhausted = FakeResponse(
        body=RATE_LIMITED, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
    )
    client, session, clock = make_client(
        [exhausted, FakeResponse(body=OK_BODY), FakeResponse(body=OK_BODY)]
    )
    assert client.execute("{ viewer { login } }", {})["data"]["viewer"]["login"] == "x"
    assert client.execute("{ viewer { login } }", {})["data"]
    assert session.tokens_used == ["tok-one", "tok-two", "tok-two"]
    assert clock.slept == 0


def test_all_tokens_exhausted_waits_for_the_earliest_reset_with_a_countdown(caplog):
    clock = FakeClock()
    start = clock.now

    def exhausted(reset_in):
        return FakeResponse(
            body=RATE_LIMITED,
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(start + reset_in))},
        )

    client, session, clock = make_client(
        [exhausted(900), exhausted(300), FakeResponse(body=OK_BODY)], clock=clock
    )
    with caplog.at_level(logging.INFO):
        assert client.execute("{ viewer { login } }", {})["data"]
    # Waited for token #2's reset (300 s, +1 s margin), not #1's (900 s), then used #2.
    assert 300 <= clock.now - start <= 302
    assert session.tokens_used == ["tok-one", "tok-two", "tok-two"]
    assert any("s left" in message for message in caplog.messages)


def test_wait_longer_than_max_rate_limit_wait_stops_with_a_clear_message():
    exhausted = FakeResponse(
        body=RATE_LIMITED,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(1_700_000_000 + 3000)},
    )
    client, _, clock = make_client(
        [exhausted], tokens=("only-token-value",), max_rate_limit_wait=60
    )
    with pytest.raises(RateLimitWaitExceededError) as excinfo:
        client.execute("{ viewer { login } }", {})
    assert "max_rate_limit_wait" in str(excinfo.value)
    assert "only-token-value" not in str(excinfo.value)
    assert clock.slept == 0


def test_unauthorized_token_is_dropped_by_position_never_by_value(caplog):
    bad = FakeResponse(401, {"message": "Bad credentials"})
    client, session, _ = make_client([bad, FakeResponse(body=OK_BODY)])
    with caplog.at_level(logging.INFO):
        assert client.execute("{ viewer { login } }", {})["data"]
        assert client.execute("{ viewer { login } }", {})["data"]
    assert session.tokens_used == ["tok-one", "tok-two", "tok-two"]
    assert any("#1" in message for message in caplog.messages)
    assert not any("tok-one" in message for message in caplog.messages)


def test_no_token_left_is_a_clear_error():
    bad = FakeResponse(401, {"message": "Bad credentials"})
    client, _, _ = make_client([bad, bad])
    with pytest.raises(NoUsableTokenError, match="rejected"):
        client.execute("{ viewer { login } }", {})


@pytest.mark.parametrize(
    ("response", "expected_wait"),
    [
        (
            FakeResponse(
                403, {"message": "You have exceeded a secondary rate limit"}, {"retry-after": "30"}
            ),
            30,
        ),
        (FakeResponse(429, {"message": "slow down"}, {}), 60),
        (
            FakeResponse(
                403,
                {"message": "secondary rate limit"},
                {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(1_700_000_000 + 120)},
            ),
            121,
        ),
    ],
)
def test_secondary_limit_waits_in_githubs_order(response, expected_wait):
    client, session, clock = make_client([response, FakeResponse(body=OK_BODY)])
    assert client.execute("{ viewer { login } }", {})["data"]
    assert expected_wait <= clock.slept <= expected_wait * 1.1 + 0.01
    assert len(session.calls) == 2


def test_repeated_secondary_limits_back_off_exponentially_and_give_up():
    limited = FakeResponse(429, {"message": "secondary rate limit"}, {})
    client, session, clock = make_client([limited] * 10, max_tries=4, backoff_cap=900)
    with pytest.raises(GitHubAPIError, match="Giving up after 4 tries"):
        client.execute("{ viewer { login } }", {})
    assert len(session.calls) == 4
    # 60 + 120 + 240 (+ up to 10% jitter each) before the fourth try failed.
    assert 420 <= clock.slept <= 462


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateway_error_after_most_of_githubs_time_budget_asks_for_less_at_once(status):
    slow = FakeResponse(
        status, "Something went wrong ... may be the result of a timeout", seconds=9.5
    )
    client, session, clock = make_client([slow])
    with pytest.raises(QueryTimeoutError, match="10 s limit"):
        client.execute("{ viewer { login } }", {})
    assert len(session.calls) == 1
    assert clock.slept == 0


@pytest.mark.parametrize(
    "failure",
    [FakeResponse(502, "Bad gateway", seconds=0.3), FakeResponse(504, "x"), timeout_error()],
)
def test_a_fast_gateway_error_is_retried_once_as_is_then_asks_for_less(failure):
    client, session, clock = make_client([failure, FakeResponse(body=OK_BODY)])
    assert client.execute("{ viewer { login } }", {})["data"]  # bad luck: one retry, no wait
    assert len(session.calls) == 2 and clock.slept == 0
    client, session, _ = make_client([failure, failure])
    with pytest.raises(QueryTimeoutError, match="twice in a row"):
        client.execute("{ viewer { login } }", {})
    assert len(session.calls) == 2


def test_server_errors_are_retried_at_once_then_with_backoff():
    oops = FakeResponse(500, "oops")
    client, session, clock = make_client([oops, oops, oops, FakeResponse(body=OK_BODY)])
    assert client.execute("{ viewer { login } }", {})["data"]
    assert len(session.calls) == 4
    assert 6 <= clock.slept <= 6.6  # 0 s, then 2 s and 4 s (+ up to 10% jitter)
    assert client.stats["retries"] == {"HTTP 500": 3}


def test_rate_limit_object_and_headers_update_the_token():
    body = {
        "data": {"rateLimit": {"cost": 3, "remaining": 4321, "resetAt": "2030-01-01T00:00:00Z"}}
    }
    client, _, _ = make_client(
        [FakeResponse(body=body, headers={"x-ratelimit-remaining": "4324"})], tokens=("tok-one",)
    )
    client.execute("{ rateLimit { cost } }", {})
    token = client.tokens.acquire()
    assert token.remaining == 4321
    assert {k: client.stats[k] for k in ("requests", "cost", "cache_hits")} == {
        "requests": 1,
        "cost": 3,
        "cache_hits": 0,
    }
    assert client.stats["retries"] == {} and client.stats["waited_seconds"] == 0
    assert "tok-one" not in repr(token)


def test_tokens_with_more_budget_are_preferred():
    low = FakeResponse(body=OK_BODY, headers={"x-ratelimit-remaining": "10"})
    client, session, _ = make_client([low, FakeResponse(body=OK_BODY)])
    client.execute("{ viewer { login } }", {})
    client.execute("{ viewer { login } }", {})
    assert session.tokens_used == ["tok-one", "tok-two"]


def test_secondary_limit_inside_a_200_answer_is_recognised():
    body = {
        "errors": [{"type": "RATE_LIMITED", "message": "You have exceeded a secondary rate limit."}]
    }
    client, session, clock = make_client(
        [FakeResponse(200, body, {"retry-after": "5"}), FakeResponse(body=OK_BODY)]
    )
    assert client.execute("{ viewer { login } }", {})["data"]
    assert clock.slept == 5
    assert session.tokens_used == ["tok-one", "tok-one"]  # not treated as primary exhaustion


@pytest.mark.parametrize(
    "broken",
    [
        FakeResponse(200, '{"data": {"viewer": '),
        FakeResponse(
            200,
            {
                "data": {"viewer": None},
                "errors": [{"path": ["viewer"], "message": "Something went wrong while executing"}],
            },
        ),
    ],
)
def test_unreadable_or_partial_answers_are_retried(broken):
    client, session, _ = make_client([broken, FakeResponse(body=OK_BODY)])
    assert client.execute("{ viewer { login } }", {})["data"]["viewer"] == {"login": "x"}
    assert len(session.calls) == 2


def test_not_found_errors_are_returned_to_the_caller():
    body = {"data": {"repository": None}, "errors": [{"type": "NOT_FOUND", "message": "nope"}]}
    client, session, _ = make_client([FakeResponse(body=body)])
    assert client.execute("{ viewer { login } }", {})["errors"][0]["type"] == "NOT_FOUND"
    assert len(session.calls) == 1


def test_every_request_path_shrinks_then_backs_off_at_the_floor_then_gives_up():
    from tap_github_prs.page_size import AdaptivePageSize

    gateway = FakeResponse(502, "Bad gateway", seconds=9.5)  # after most of GitHub's 10 s
    client, session, clock = make_client([gateway] * 6)
    size = AdaptivePageSize(20, LOGGER, floor=5)
    sizes = []

    def build(current):
        sizes.append(current)
        return "{ viewer { login } }", {"size": current}

    with pytest.raises(GitHubAPIError, match="timed out 3 times even at the smallest size"):
        client.execute_shrinking(size, build, what="follow-ups")
    assert sizes == [20, 10, 5, 5, 5]  # halve to the floor, then retry there with backoff
    assert 2 <= clock.slept <= 2.2  # at the floor: at once, then 2 s (+ up to 10% jitter)
    assert len(session.calls) == 5


def test_a_shrunk_request_that_succeeds_reports_its_attempts():
    from tap_github_prs.page_size import AdaptivePageSize

    slow = FakeResponse(504, "x", seconds=9)
    client, _, clock = make_client([slow, FakeResponse(body=OK_BODY)])
    size = AdaptivePageSize(20, LOGGER, floor=5)
    body, attempts = client.execute_shrinking(size, lambda n: ("{ viewer { login } }", {}))
    assert body["data"] and attempts == 2
    assert size.current == 13  # halved to 10, then one step (20 // 6) back
    assert clock.slept == 0


@pytest.mark.parametrize(
    ("message", "hint"),
    [
        (
            "Resource protected by organization SAML enforcement. You must grant your Personal "
            "Access token access to this organization.",
            "SAML single sign-on",
        ),
        ("Your token has not been granted the required scopes to execute this query.", "scopes"),
        ("Resource not accessible by integration", "read access"),
    ],
)
def test_a_refusal_says_what_to_change(message, hint):
    body = {"data": None, "errors": [{"type": "FORBIDDEN", "message": message}]}
    client, _, _ = make_client([FakeResponse(403, body)])
    with pytest.raises(GitHubAPIError) as excinfo:
        client.execute("{ viewer { login } }", {})
    assert message in str(excinfo.value) and hint in str(excinfo.value)
