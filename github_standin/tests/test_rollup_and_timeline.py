"""statusCheckRollup (check runs and commit statuses) and timelineItems, served as GitHub does."""

import hashlib
import json

import pytest
from graphql import parse

from github_standin import generate_dataset
from github_standin.cost import analyze
from github_standin.generator import stable_int
from github_standin.models import TIMELINE_ITEM_TYPES, format_datetime
from github_standin.schema_loader import load_schema
from standin_helpers import graphql

pytestmark = pytest.mark.fake_github(seed=11, prs=400, repositories=["acme/widgets", "a/b"])

ROLLUP = """query($id: ID!, $after: String) { node(id: $id) { ... on PullRequest {
  statusCheckRollup { state contexts(first: 100, after: $after) {
    totalCount checkRunCount statusContextCount
    pageInfo { hasNextPage endCursor }
    nodes { __typename
      ... on CheckRun { id name status conclusion databaseId isRequired(pullRequestId: $id)
        checkSuite { id app { slug } workflowRun { databaseId workflow { name } } } }
      ... on StatusContext { id context state description targetUrl createdAt
        isRequired(pullRequestId: $id) creator { login } }
    } } } } } }"""

TIMELINE = """query($id: ID!, $after: String, $types: [PullRequestTimelineItemsItemType!]) {
  node(id: $id) { ... on PullRequest {
  timelineItems(first: 100, after: $after, itemTypes: $types) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { __typename
      ... on Node { id }
      ... on ReadyForReviewEvent { createdAt actor { login } }
      ... on ReviewRequestedEvent { createdAt requestedReviewer { ... on User { login }
        ... on Team { combinedSlug } ... on Bot { login } } }
      ... on HeadRefForcePushedEvent { createdAt beforeCommit { oid } afterCommit { oid } }
      ... on MergedEvent { createdAt mergeRefName commit { oid } actor { login } }
      ... on ClosedEvent { createdAt }
    } } } } }"""


def _all(server, query, variables, path):
    nodes, after = [], None
    while True:
        body = graphql(server, query, {**variables, "after": after}).json()
        assert "errors" not in body, body
        connection = body["data"]["node"]
        for key in path:
            connection = connection[key]
        nodes += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes, connection
        after = connection["pageInfo"]["endCursor"]


def _prs(server):
    return server.dataset.all_pull_requests()


def test_rollup_lists_the_latest_run_per_name_and_the_latest_status_per_context(fake_github):
    pr = next(
        p
        for p in _prs(fake_github)
        if any(s.superseded_runs for s in p.check_suites)
        and len({s.context for s in p.head_commit.statuses}) < len(p.head_commit.statuses)
    )
    nodes, connection = _all(
        fake_github, ROLLUP, {"id": pr.node_id}, ["statusCheckRollup", "contexts"]
    )
    assert [n["id"] for n in nodes] == [c.node_id for c in pr.rollup_contexts]
    superseded = {r.node_id for s in pr.check_suites for r in s.superseded_runs}
    assert superseded and not superseded & {n["id"] for n in nodes}
    statuses = [n for n in nodes if n["__typename"] == "StatusContext"]
    assert len(statuses) == len({s.context for s in pr.head_commit.statuses})
    for node in statuses:
        latest = max(
            (s for s in pr.head_commit.statuses if s.context == node["context"]),
            key=lambda s: s.created_at,
        )
        assert (node["id"], node["state"]) == (latest.node_id, latest.state)
        assert node["createdAt"] == format_datetime(latest.created_at)
    assert connection["checkRunCount"] == len(pr.check_runs)
    assert connection["statusContextCount"] == len(statuses)


def test_more_than_100_contexts_are_paged_with_cursors(fake_github):
    pr = max(_prs(fake_github), key=lambda p: len(p.rollup_contexts))
    assert len(pr.rollup_contexts) > 100
    nodes, connection = _all(
        fake_github, ROLLUP, {"id": pr.node_id}, ["statusCheckRollup", "contexts"]
    )
    assert [n["id"] for n in nodes] == [c.node_id for c in pr.rollup_contexts]
    assert connection["totalCount"] == len(pr.rollup_contexts)


def test_some_prs_have_statuses_only_some_both_some_neither(fake_github):
    kinds = {(bool(p.check_runs), bool(p.commit_statuses)) for p in _prs(fake_github) if p.commits}
    assert kinds == {(True, False), (False, True), (True, True), (False, False)}
    bare = next(p for p in _prs(fake_github) if not p.rollup_contexts)
    body = graphql(fake_github, ROLLUP, {"id": bare.node_id}).json()
    assert body["data"]["node"]["statusCheckRollup"] is None


def test_is_required_follows_branch_protection_and_the_pull_request_asked(fake_github):
    pr = next(p for p in _prs(fake_github) if any(c.name == "test" for c in p.check_runs))
    body = graphql(fake_github, ROLLUP, {"id": pr.node_id}).json()
    test_run = next(
        n
        for n in body["data"]["node"]["statusCheckRollup"]["contexts"]["nodes"]
        if n.get("name") == "test"
    )
    assert test_run["isRequired"] is (stable_int(pr.repository, "protected") % 3 != 0)
    other = next(p for p in _prs(fake_github) if p is not pr)
    asked_other = ROLLUP.replace(
        "isRequired(pullRequestId: $id)", f'isRequired(pullRequestId: "{other.node_id}")'
    )
    body = graphql(fake_github, asked_other, {"id": pr.node_id}).json()
    assert not any(
        n["isRequired"] for n in body["data"]["node"]["statusCheckRollup"]["contexts"]["nodes"]
    )


def test_check_type_all_also_lists_superseded_attempts(fake_github):
    pr = next(p for p in _prs(fake_github) if any(s.superseded_runs for s in p.check_suites))
    suite = next(s for s in pr.check_suites if s.superseded_runs)
    query = """query($id: ID!, $type: CheckRunType) { node(id: $id) { ... on CheckSuite {
      checkRuns(first: 100, filterBy: {checkType: $type}) { nodes { id name } } } } }"""
    every = graphql(fake_github, query, {"id": suite.node_id, "type": "ALL"}).json()
    latest = graphql(fake_github, query, {"id": suite.node_id, "type": "LATEST"}).json()
    every_ids = [n["id"] for n in every["data"]["node"]["checkRuns"]["nodes"]]
    latest_ids = [n["id"] for n in latest["data"]["node"]["checkRuns"]["nodes"]]
    assert latest_ids == [r.node_id for r in suite.check_runs]
    assert sorted(every_ids) == sorted(r.node_id for r in suite.check_runs + suite.superseded_runs)


def test_timeline_items_filter_by_type_and_page_past_100(fake_github):
    pr = max(_prs(fake_github), key=lambda p: len(p.timeline))
    assert len(pr.timeline) > 100
    nodes, connection = _all(fake_github, TIMELINE, {"id": pr.node_id}, ["timelineItems"])
    assert [n["id"] for n in nodes] == [e.node_id for e in pr.timeline]
    assert connection["totalCount"] == len(pr.timeline)
    pushes, _ = _all(
        fake_github,
        TIMELINE,
        {"id": pr.node_id, "types": ["HEAD_REF_FORCE_PUSHED_EVENT"]},
        ["timelineItems"],
    )
    expected = [e for e in pr.timeline if e.typename == "HeadRefForcePushedEvent"]
    assert [n["id"] for n in pushes] == [e.node_id for e in expected]
    assert pushes[0]["afterCommit"]["oid"] == expected[0].after_commit_oid
    assert pushes[0]["beforeCommit"]["oid"] == expected[0].before_commit_oid
    assert {n["__typename"] for n in pushes} == {"HeadRefForcePushedEvent"}


def test_timelines_follow_each_pull_requests_life():
    prs = generate_dataset(seed=42, prs=2000).all_pull_requests()
    seen = set()
    for pr in prs:
        events = pr.timeline
        seen.update(e.typename for e in events)
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        assert all(pr.created_at <= e.created_at for e in events)
        others = [
            r.created_at
            for r in pr.reviews
            if r.author and (pr.author is None or r.author.login != pr.author.login)
        ]
        ready = [e.created_at for e in events if e.typename == "ReadyForReviewEvent"]
        if ready and others and not pr.is_draft:
            assert ready[-1] <= min(others), pr.url
        if pr.merged_at is not None:
            assert [(e.typename, e.created_at) for e in events[-2:]] == [
                ("MergedEvent", pr.merged_at),
                ("ClosedEvent", pr.merged_at),
            ]
            assert events[-2].commit_oid == pr.head_ref_oid
        elif pr.closed_at is not None:
            assert (events[-1].typename, events[-1].created_at) == ("ClosedEvent", pr.closed_at)
        for request in pr.review_requests:
            assert any(
                e.typename == "ReviewRequestedEvent" and e.requested_reviewer is request.reviewer
                for e in events
            ), pr.url
    assert seen == set(TIMELINE_ITEM_TYPES)


def test_the_data_generated_before_rollups_and_timelines_did_not_change():
    """PR fields, commits, check suites: the hash recorded before statuses and events existed."""
    dataset = generate_dataset(seed=9, prs=60)
    data = []
    for pr in dataset.all_pull_requests():
        item = pr.to_dict()
        del item["timeline"]
        for commit in item["commits"]:
            del commit["statuses"]
            for suite in commit["check_suites"]:
                del suite["superseded_runs"]
        data.append(item)
    text = json.dumps(data, default=str, sort_keys=True)
    assert hashlib.sha256(text.encode()).hexdigest() == FINGERPRINT_SEED_9


# Computed with the generator of commit 0313c3c, before this data was added.
FINGERPRINT_SEED_9 = "f172ca57f437636fdf3a50373507552a745dfa232eecb062560ff951d46b5ef8"


def test_merging_and_closing_append_their_events(fake_github):
    open_prs = [
        p for p in fake_github.dataset.repositories["a/b"].pull_requests if p.state == "OPEN"
    ]
    merged, closed = open_prs[0], open_prs[1]
    before = len(merged.timeline)
    fake_github.advance_clock(60)
    fake_github.merge_pull_request("a/b", merged.number)
    fake_github.close_pull_request("a/b", closed.number)
    assert len(merged.timeline) == before + 2
    assert [e.typename for e in merged.timeline[-2:]] == ["MergedEvent", "ClosedEvent"]
    assert merged.timeline[-1].created_at == merged.merged_at
    assert closed.timeline[-1].typename == "ClosedEvent"
    assert len({e.node_id for e in merged.timeline}) == len(merged.timeline)


def test_contexts_and_timeline_items_cost_one_request_per_pull_request():
    query = """query($n: Int!) { repository(owner: "a", name: "b") { pullRequests(first: $n) {
      nodes { statusCheckRollup { contexts(first: 100) { nodes { __typename } } }
              timelineItems(first: 100, itemTypes: [MERGED_EVENT]) { nodes { __typename } } }
    } } }"""
    report = analyze(load_schema(), parse(query), None, {"n": 50})
    assert report.requests == 1 + 50 + 50
    assert report.cost == 1
