"""Rate-limit bookkeeping over HTTP: rateLimit, headers, dryRun, per-token quotas, stats."""

import pytest

from standin_helpers import TOKEN_1, TOKEN_2, UNKNOWN_TOKEN, graphql, post_json

PAGE = """query Page { rateLimit { cost limit remaining used resetAt nodeCount }
  repository(owner: "acme", name: "widgets") {
    pullRequests(first: 50) { nodes {
      reviews(first: 10) { nodes { id } } commits(first: 10) { nodes { id } }
      files(first: 10) { nodes { path } } labels(first: 10) { nodes { name } }
      head: commits(last: 1) { nodes { id } } } } } }"""
RATE_HEADERS = (
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-used",
    "x-ratelimit-reset",
)


@pytest.mark.fake_github(prs=10, repositories=["acme/widgets"], heavy_tails=False)
def test_rate_limit_object_and_headers_reflect_the_charged_cost(fake_github):
    result = graphql(fake_github, PAGE)
    body = result.json()
    rate = body["data"]["rateLimit"]
    assert rate["cost"] == 3  # 1 + 5 x 50 requests
    assert rate["nodeCount"] == 50 + 50 * (10 * 4 + 1)
    assert (rate["limit"], rate["used"], rate["remaining"]) == (5000, 3, 4997)
    headers = result.headers
    assert headers["x-ratelimit-resource"] == "graphql"
    assert [headers[h] for h in RATE_HEADERS[:3]] == ["5000", "4997", "3"]
    reset = int(headers["x-ratelimit-reset"])
    assert rate["resetAt"].endswith("Z")
    second = graphql(fake_github, PAGE)
    assert second.headers["x-ratelimit-used"] == "6"
    assert int(second.headers["x-ratelimit-reset"]) == reset


def test_every_response_carries_rate_limit_headers(fake_github):
    responses = [
        graphql(fake_github, "{ rateLimit { cost } }"),
        graphql(fake_github, "{ nope }"),
        graphql(
            fake_github, '{ repository(owner: "a", name: "b") { pullRequests { totalCount } } }'
        ),
        graphql(fake_github, "{ rateLimit { cost } }", token=None),
    ]
    for response in responses:
        assert all(h in response.headers for h in RATE_HEADERS), response.headers
        assert response.headers["x-ratelimit-resource"] == "graphql"


def test_pagination_errors_come_back_as_200_before_anything_runs(fake_github):
    result = graphql(
        fake_github,
        '{ repository(owner: "acme", name: "widgets") { pullRequests(first: 500) { totalCount } } }',  # noqa: E501
    )
    assert result.status == 200
    body = result.json()
    assert body["data"] is None
    assert body["errors"][0]["type"] == "EXCESSIVE_PAGINATION"
    assert fake_github.stats()["cost"] == 0


@pytest.mark.fake_github(prs=10, repositories=["acme/widgets"], heavy_tails=False)
def test_dry_run_prices_without_running_or_charging(fake_github):
    query = PAGE.replace("rateLimit {", "rateLimit(dryRun: true) {")
    body = graphql(fake_github, query).json()
    assert body["data"]["rateLimit"]["cost"] == 3
    assert body["data"]["rateLimit"]["remaining"] == 5000
    assert body["data"]["repository"] is None
    assert fake_github.rate_limit("fake-token-1")["used"] == 0


def test_each_token_has_its_own_quota(fake_github):
    graphql(fake_github, PAGE, token=TOKEN_1)
    graphql(fake_github, PAGE, token=TOKEN_1)
    graphql(fake_github, PAGE, token=TOKEN_2)
    assert fake_github.rate_limit("fake-token-1")["used"] == 6
    assert fake_github.rate_limit("fake-token-2")["used"] == 3


@pytest.mark.fake_github(prs=5, rate_limit=7, heavy_tails=False)
def test_a_query_costing_more_than_remaining_is_rate_limited(fake_github):
    assert graphql(fake_github, PAGE).json()["data"]["rateLimit"]["remaining"] == 4
    assert graphql(fake_github, PAGE).json()["data"]["rateLimit"]["remaining"] == 1
    limited = graphql(fake_github, PAGE)
    assert limited.status == 200
    assert limited.json()["errors"][0]["type"] == "RATE_LIMITED"
    assert (
        limited.json()["errors"][0]["message"] == "API rate limit already exceeded for user ID 1."
    )
    assert "data" not in limited.json()
    assert limited.headers["x-ratelimit-remaining"] == "1"
    assert fake_github.stats()["rate_limited"] == 1
    assert graphql(fake_github, PAGE, token=TOKEN_2).status == 200
    assert "errors" not in graphql(fake_github, PAGE, token=TOKEN_2).json()


@pytest.mark.fake_github(prs=5, rate_limit=3, rate_limit_window=60, heavy_tails=False)
def test_quota_resets_when_the_window_ends(fake_github):
    wall = [1_000_000.0]
    fake_github.limiters["graphql"].wall_clock = lambda: wall[0]
    graphql(fake_github, PAGE)
    assert graphql(fake_github, PAGE).json()["errors"][0]["type"] == "RATE_LIMITED"
    wall[0] += 61
    again = graphql(fake_github, PAGE)
    assert "errors" not in again.json()
    assert again.headers["x-ratelimit-reset"] == str(1_000_000 + 60 + 61)


def test_stats_count_requests_and_cost_per_token_and_operation(fake_github):
    graphql(fake_github, PAGE, token=TOKEN_1)
    graphql(fake_github, PAGE, token=TOKEN_2)
    graphql(fake_github, "query Cheap { rateLimit { cost } }", token=TOKEN_2)
    graphql(fake_github, "{ rateLimit { cost } }", token=UNKNOWN_TOKEN)
    stats = post_json(fake_github.url + "/_stats", None, method="GET").json()
    assert stats["requests"] == 4
    assert stats["cost"] == 3 + 3 + 1
    assert stats["tokens"] == {
        "token-1": {"requests": 1, "cost": 3},
        "token-2": {"requests": 2, "cost": 4},
    }
    assert stats["operations"]["Page"] == {"requests": 2, "cost": 6}
    assert stats["operations"]["Cheap"] == {"requests": 1, "cost": 1}
    assert stats["status"] == {"200": 3, "401": 1}
    assert stats["errors_4xx"] == 1
    assert "not-a-token" not in str(stats) and "fake-token" not in str(stats)
    assert post_json(fake_github.url + "/_reset", None).status == 200
    after = fake_github.stats()
    assert after["requests"] == 0 and after["cost"] == 0 and after["tokens"] == {}
    assert fake_github.rate_limit("fake-token-1")["used"] == 0


def test_operation_name_selects_among_several_operations(fake_github):
    query = "query A { rateLimit { cost } } query B { viewer { login } }"
    body = graphql(fake_github, query, operation_name="B").json()
    assert set(body["data"]) == {"viewer"}
    assert fake_github.stats()["operations"] == {"B": {"requests": 1, "cost": 1}}
