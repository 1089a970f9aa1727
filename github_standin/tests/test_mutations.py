"""Clock and changes between runs, through the Python API and the admin HTTP endpoints."""

import pytest

from github_standin.models import format_datetime, parse_datetime
from standin_helpers import graphql, post_json

pytestmark = pytest.mark.fake_github(prs=12, repositories=["acme/widgets"], heavy_tails=False)

QUERY = """query($n: Int!) { repository(owner: "acme", name: "widgets") { pullRequest(number: $n) {
  state updatedAt mergedAt closedAt reviews(last: 1) { totalCount nodes { state } }
  commits(last: 1) { totalCount nodes { commit { oid
    checkSuites(first: 5) { nodes { checkRuns(first: 5) {
    nodes { status conclusion } } } } } } } } } }"""


def fetch(server, number):
    body = graphql(server, QUERY, {"n": number}).json()
    assert "errors" not in body, body
    return body["data"]["repository"]["pullRequest"]


def open_pr(server):
    return next(
        pr for pr in server.dataset.repositories["acme/widgets"].pull_requests if pr.state == "OPEN"
    )


def test_clock_starts_at_the_fixed_default_and_advances(fake_github):
    assert format_datetime(fake_github.now) == "2026-11-01T00:00:00Z"
    assert format_datetime(fake_github.advance_clock(90)) == "2026-11-01T00:01:30Z"


def test_add_pull_request_is_visible_with_the_clock_as_timestamps(fake_github):
    fake_github.advance_clock(3600)
    pr = fake_github.add_pull_request("acme/widgets", title="Brand new", draft=True)
    got = fetch(fake_github, pr.number)
    assert got["state"] == "OPEN"
    assert got["updatedAt"] == "2026-11-01T01:00:00Z"
    assert pr.title == "Brand new" and pr.is_draft
    assert pr.number == max(
        p.number for p in fake_github.dataset.repositories["acme/widgets"].pull_requests
    )
    assert all(c.committed_date <= fake_github.now for c in pr.commits)


def test_add_review_and_commit_bump_updated_at(fake_github):
    pr = open_pr(fake_github)
    reviews_before, commits_before = len(pr.reviews), len(pr.commits)
    fake_github.advance_clock(600)
    fake_github.add_review("acme/widgets", pr.number, state="CHANGES_REQUESTED")
    got = fetch(fake_github, pr.number)
    assert got["updatedAt"] == format_datetime(fake_github.now)
    assert got["reviews"]["totalCount"] == reviews_before + 1
    assert got["reviews"]["nodes"] == [{"state": "CHANGES_REQUESTED"}]
    fake_github.advance_clock(600)
    commit = fake_github.add_commit("acme/widgets", pr.number, message="Fix it")
    got = fetch(fake_github, pr.number)
    assert got["updatedAt"] == format_datetime(fake_github.now)
    assert got["commits"]["totalCount"] == commits_before + 1
    head = got["commits"]["nodes"][0]["commit"]
    assert head["oid"] == commit.oid == pr.head_ref_oid
    assert head["checkSuites"]["nodes"][0]["checkRuns"]["nodes"] == [
        {"status": "QUEUED", "conclusion": None}
    ]


def test_merge_and_close(fake_github):
    first = open_pr(fake_github)
    second = fake_github.add_pull_request("acme/widgets")
    fake_github.advance_clock(60)
    fake_github.merge_pull_request("acme/widgets", first.number)
    got = fetch(fake_github, first.number)
    assert got["state"] == "MERGED"
    assert (
        got["mergedAt"] == got["closedAt"] == got["updatedAt"] == format_datetime(fake_github.now)
    )
    fake_github.close_pull_request("acme/widgets", second.number)
    assert fetch(fake_github, second.number)["state"] == "CLOSED"
    with pytest.raises(ValueError, match="not OPEN"):
        fake_github.close_pull_request("acme/widgets", first.number)


def test_the_same_changes_over_admin_http(fake_github):
    url = fake_github.url + "/_admin"
    clock = post_json(url + "/clock", {"seconds": 7200}).json()
    assert clock == {"now": "2026-11-01T02:00:00Z"}
    created = post_json(
        url + "/pull_requests", {"repository": "acme/widgets", "title": "Via HTTP"}
    ).json()
    number = created["number"]
    assert created["updatedAt"] == "2026-11-01T02:00:00Z"
    post_json(url + "/clock", {"seconds": 60})
    assert (
        post_json(
            url + "/reviews", {"repository": "acme/widgets", "number": number, "state": "APPROVED"}
        ).status
        == 200
    )
    assert (
        post_json(url + "/commits", {"repository": "acme/widgets", "number": number}).status == 200
    )
    merged = post_json(url + "/merge", {"repository": "acme/widgets", "number": number}).json()
    assert merged["state"] == "MERGED"
    assert parse_datetime(merged["updatedAt"]) == fake_github.now
    other = open_pr(fake_github)
    assert (
        post_json(url + "/close", {"repository": "acme/widgets", "number": other.number}).json()[
            "state"
        ]
        == "CLOSED"
    )
    assert post_json(url + "/merge", {"repository": "acme/widgets", "number": 424242}).status == 422
    summary = post_json(url + "/dataset", None, method="GET").json()
    assert summary["repositories"] == {"acme/widgets": 13}


def test_admin_endpoints_need_no_token_and_are_not_accounted(fake_github):
    assert (
        post_json(fake_github.url + "/_admin/clock", None, token=None, method="GET").status == 200
    )
    assert fake_github.stats()["requests"] == 0


def test_unknown_path_is_404(fake_github):
    assert post_json(fake_github.url + "/nope", {}).status == 404
