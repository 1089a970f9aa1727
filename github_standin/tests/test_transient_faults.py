"""Faults independent of the query: fast 502/504 in GitHub's words, dropped connections,
truncated bodies, at random from a seed (reproducible) or on every Nth request."""

import http.client
import json
from urllib.parse import urlsplit

import pytest

from github_standin.graphql_endpoint import GATEWAY_TIMEOUT_MESSAGE
from standin_helpers import TOKEN, graphql

pytestmark = pytest.mark.fake_github(prs=8, repositories=["acme/widgets"], heavy_tails=False)

QUERY = (
    '{ repository(owner: "acme", name: "widgets") { pullRequests(first: 3) { nodes { number } } } }'
)
TIMEOUT_START = (
    "Something went wrong while executing your query. This may be the result of a timeout, "
    "or it could be a GitHub bug. Please include `"
)


def outcome(server, query=QUERY) -> str:
    """What a client sees: "ok", "502", "504", "dropped" or "truncated" (over raw HTTP)."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        body = json.dumps({"query": query})
        headers = {"Authorization": f"bearer {TOKEN}", "Content-Type": "application/json"}
        connection.request("POST", "/graphql", body, headers)
        response = connection.getresponse()
        payload = response.read()
    except (http.client.RemoteDisconnected, http.client.IncompleteRead, ConnectionError):
        return "dropped"
    finally:
        connection.close()
    if response.status != 200:
        return str(response.status)
    try:
        json.loads(payload)
    except ValueError:
        return "truncated"
    return "ok"


def test_fast_502_carries_githubs_graphql_body_and_costs_nothing(fake_github):
    fake_github.add_fault("server_error", status=502)
    result = graphql(fake_github, QUERY)
    assert result.status == 502
    body = result.json()
    assert body["data"] is None
    assert body["errors"][0]["message"].startswith(TIMEOUT_START)
    assert result.headers["x-github-request-id"] in body["errors"][0]["message"]
    assert fake_github.stats()["cost"] == 0  # answered before the query ran


def test_fast_504_carries_githubs_words(fake_github):
    fake_github.add_fault("server_error", status=504)
    result = graphql(fake_github, QUERY)
    assert result.status == 504
    assert result.json() == {"message": GATEWAY_TIMEOUT_MESSAGE}


def test_every_fifth_request_a_fast_502(fake_github):
    fake_github.add_fault("server_error", status=502, every=5)
    assert [outcome(fake_github) for _ in range(10)] == (["ok"] * 4 + ["502"]) * 2


def test_dropped_connection_before_any_answer_is_charged(fake_github):
    fake_github.add_fault("dropped_connection", times=1)
    assert outcome(fake_github) == "dropped"
    assert outcome(fake_github) == "ok"
    stats = fake_github.stats()
    assert stats["faults"] == {"dropped_connection": 1}
    assert stats["cost"] == 2  # the query ran on the server both times


def test_dropped_connection_after_the_headers(fake_github):
    fake_github.add_fault("dropped_connection", after_headers=True, times=1)
    parts = urlsplit(fake_github.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request(
        "POST", "/graphql", json.dumps({"query": QUERY}), {"Authorization": f"bearer {TOKEN}"}
    )
    response = connection.getresponse()
    assert response.status == 200
    assert int(response.getheader("content-length")) > 0
    with pytest.raises(http.client.IncompleteRead):
        response.read()
    connection.close()
    assert outcome(fake_github) == "ok"


def _transient_run(factory, seed, n=60):
    server = factory(prs=8, repositories=["acme/widgets"], heavy_tails=False, fault_seed=seed)
    server.add_fault("transient", probability=0.25)
    return [outcome(server) for _ in range(n)], server.stats()


def test_transient_faults_are_reproducible_from_the_seed(fake_github_factory):
    first, stats = _transient_run(fake_github_factory, seed=7)
    again, _ = _transient_run(fake_github_factory, seed=7)
    other, _ = _transient_run(fake_github_factory, seed=8)
    assert first == again
    assert first != other
    assert set(first) == {"ok", "502", "504", "dropped", "truncated"}
    failed = sum(o != "ok" for o in first)
    assert 5 <= failed <= 30  # about a quarter of 60
    assert stats["faults"]["transient"] == failed


def test_a_rule_hits_the_same_requests_whatever_other_rules_there_are(fake_github_factory):
    alone = fake_github_factory(prs=3, fault_seed=5)
    alone.add_fault("server_error", status=503, probability=0.3)
    crowded = fake_github_factory(prs=3, fault_seed=5)
    crowded.add_fault("server_error", status=503, probability=0.3)
    crowded.add_fault("latency", seconds=0, probability=0.5)
    query = "{ viewer { login } }"
    assert [outcome(alone, query) for _ in range(30)] == [
        outcome(crowded, query) for _ in range(30)
    ]


def test_probability_must_be_a_probability():
    from github_standin.faults import Fault

    with pytest.raises(ValueError, match="probability"):
        Fault("transient", probability=10)
