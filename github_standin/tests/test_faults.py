"""Each fault on demand, via the Python API and the admin endpoint, and fault schedules."""

import json
import time

import pytest

from github_standin.faults import Fault
from standin_helpers import TOKEN_2, graphql, post_json

QUERY = """query Q { repository(owner: "acme", name: "widgets") {
  pullRequests(first: 5) { nodes { number commits(first: 10) { nodes { id } } } } } }"""

pytestmark = pytest.mark.fake_github(prs=8, repositories=["acme/widgets"], heavy_tails=False)


def test_latency_delays_the_answer(fake_github):
    fake_github.add_fault("latency", seconds=0.3)
    started = time.monotonic()
    result = graphql(fake_github, QUERY)
    assert time.monotonic() - started >= 0.3
    assert result.status == 200
    assert fake_github.stats()["faults"] == {"latency": 1}


def test_primary_limit_exhaustion(fake_github):
    fake_github.add_fault("rate_limit", reset_in=120, times=1)
    before = int(time.time())
    result = graphql(fake_github, QUERY)
    assert result.status == 200
    assert result.json()["errors"][0]["type"] == "RATE_LIMITED"
    assert result.headers["x-ratelimit-remaining"] == "0"
    assert before + 120 <= int(result.headers["x-ratelimit-reset"]) <= int(time.time()) + 121
    # The quota really is used up until the reset, even with the fault spent.
    again = graphql(fake_github, QUERY)
    assert again.json()["errors"][0]["type"] == "RATE_LIMITED"
    assert graphql(fake_github, QUERY, token=TOKEN_2).status == 200


@pytest.mark.parametrize(("kind", "status"), [("secondary_403", 403), ("secondary_429", 429)])
@pytest.mark.parametrize("retry_after", [None, 7])
def test_secondary_limits(fake_github, kind, status, retry_after):
    fake_github.add_fault(kind, retry_after=retry_after)
    result = graphql(fake_github, QUERY)
    assert result.status == status
    assert "You have exceeded a secondary rate limit" in result.json()["message"]
    assert result.headers.get("retry-after") == (None if retry_after is None else "7")
    assert int(result.headers["x-ratelimit-remaining"]) > 0


def test_secondary_limit_can_answer_200_with_errors(fake_github):
    fake_github.add_fault("secondary_200")
    result = graphql(fake_github, QUERY)
    assert result.status == 200
    assert "secondary rate limit" in result.json()["errors"][0]["message"]


def test_timeout_only_for_queries_above_the_node_threshold(fake_github):
    fake_github.add_fault("timeout", node_threshold=20)
    small = graphql(fake_github, QUERY.replace("commits(first: 10)", "commits(first: 2)"))
    assert small.status == 200  # 5 + 5 x 2 = 15 nodes
    big = graphql(fake_github, QUERY)  # 5 + 5 x 10 = 55 nodes
    assert big.status == 502
    message = big.json()["errors"][0]["message"]
    assert message.startswith(
        "Something went wrong while executing your query. This may be the result of a timeout"
    )
    stats = fake_github.stats()
    assert stats["faults"] == {"timeout": 1}
    assert stats["cost"] == 2  # a timed-out query still costs points


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_error_with_a_fixed_status(fake_github, status):
    fake_github.add_fault("server_error", status=status)
    assert graphql(fake_github, QUERY).status == status
    assert fake_github.stats()["errors_5xx"] == 1


def test_random_server_errors_are_5xx(fake_github):
    fake_github.add_fault("server_error", probability=0.5)
    statuses = [graphql(fake_github, "{ rateLimit { cost } }").status for _ in range(20)]
    assert {s for s in statuses if s != 200} <= {500, 502, 503, 504}
    assert 0 < statuses.count(200) < 20


def test_malformed_json(fake_github):
    fake_github.add_fault("malformed_json")
    result = graphql(fake_github, QUERY)
    assert result.status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.body)


def test_truncated_json(fake_github):
    fake_github.add_fault("truncated_json")
    result = graphql(fake_github, QUERY)
    assert result.status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.body)
    assert int(result.headers["content-length"]) == len(result.body)


def test_partial_data_nulls_an_element_and_reports_its_path(fake_github):
    fake_github.add_fault("partial_data")
    body = graphql(fake_github, QUERY).json()
    nodes = body["data"]["repository"]["pullRequests"]["nodes"]
    assert nodes[0] is None
    assert all(node is not None for node in nodes[1:])
    assert body["errors"][0]["path"] == ["repository", "pullRequests", "nodes", 0]


def test_every_nth_request_and_times_limit(fake_github):
    fake_github.add_fault("server_error", status=503, every=3, times=2)
    statuses = [graphql(fake_github, "{ rateLimit { cost } }").status for _ in range(12)]
    assert statuses == [200, 200, 503, 200, 200, 503] + [200] * 6


def test_faults_switch_on_and_off_over_admin_http(fake_github):
    added = post_json(
        fake_github.url + "/_admin/faults", {"kind": "secondary_429", "retry_after": 3}
    )
    assert added.status == 200
    assert added.json()["kind"] == "secondary_429"
    assert graphql(fake_github, QUERY).status == 429
    listed = post_json(fake_github.url + "/_admin/faults", None, method="GET").json()
    assert [f["kind"] for f in listed] == ["secondary_429"]
    assert post_json(fake_github.url + "/_admin/faults/clear", {}).status == 200
    assert graphql(fake_github, QUERY).status == 200
    bad = post_json(fake_github.url + "/_admin/faults", {"kind": "meteor"})
    assert bad.status == 422


def test_faults_given_at_construction(fake_github_factory):
    server = fake_github_factory(prs=3, faults=[Fault("server_error", status=500, every=2)])
    assert [graphql(server, "{ rateLimit { cost } }").status for _ in range(4)] == [
        200,
        500,
        200,
        500,
    ]


def test_unknown_fault_kind_is_refused():
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("meteor")


def test_opt_in_secondary_limit_per_minute(fake_github_factory):
    server = fake_github_factory(prs=3, secondary_per_minute=3)
    wall = [100.0]
    server.secondary.wall_clock = lambda: wall[0]
    statuses = [graphql(server, "{ rateLimit { cost } }").status for _ in range(4)]
    assert statuses == [200, 200, 200, 403]
    limited = graphql(server, "{ rateLimit { cost } }")
    assert "secondary rate limit" in limited.json()["message"]
    assert limited.headers["retry-after"] == "60"
    assert graphql(server, "{ rateLimit { cost } }", token=TOKEN_2).status == 200
    wall[0] += 61
    assert graphql(server, "{ rateLimit { cost } }").status == 200
    assert server.stats()["secondary_limited"] == 2


def test_opt_in_concurrency_limit(fake_github_factory):
    from concurrent.futures import ThreadPoolExecutor

    server = fake_github_factory(prs=3, max_concurrent=2)
    server.add_fault("latency", seconds=0.8)  # long enough for all four to overlap
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: graphql(server, "{ rateLimit { cost } }"), range(4)))
    statuses = sorted(r.status for r in results)
    assert statuses == [200, 200, 403, 403]
    assert all("retry-after" not in r.headers for r in results if r.status == 403)


def test_concurrent_requests_are_all_answered_correctly(fake_github):
    from concurrent.futures import ThreadPoolExecutor

    def fetch(_):
        return graphql(fake_github, QUERY).json()["data"]["repository"]["pullRequests"]["nodes"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(fetch, range(16)))
    assert all(answer == answers[0] for answer in answers)
    assert fake_github.stats()["requests"] == 16
