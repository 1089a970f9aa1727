"""Deployments, releases and incidents: consistent with the PRs, served with GitHub's rules."""

from __future__ import annotations

import hashlib
import json

import pytest

from github_standin import generate_dataset
from github_standin.delivery import add_deployment, add_deployment_status, delivery_of
from github_standin.models import format_datetime
from standin_helpers import graphql

pytestmark = pytest.mark.fake_github(prs=120, heavy_tails=False)

DEPLOYMENTS = """query($owner: String!, $name: String!, $n: Int!, $after: String, $env: [String!],
  $dir: OrderDirection!) {
  repository(owner: $owner, name: $name) {
    deployments(first: $n, after: $after, environments: $env,
                orderBy: {field: CREATED_AT, direction: $dir}) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { databaseId environment commitOid createdAt updatedAt state
        commit { oid } latestStatus { state } statuses(first: 100) { nodes { state createdAt } } }
    }
  }
  rateLimit { cost nodeCount }
}"""

ISSUES = """query($owner: String!, $name: String!, $labels: [String!], $since: DateTime) {
  repository(owner: $owner, name: $name) {
    issues(first: 100, labels: $labels, filterBy: {since: $since},
           orderBy: {field: UPDATED_AT, direction: ASC}) {
      nodes { number title createdAt updatedAt closedAt labels(first: 10) { nodes { name } }
        closedByPullRequestsReferences(first: 5) { nodes { number mergedAt } } }
    }
  }
}"""


def _repository_with_deployments(dataset) -> str:
    return next(
        name
        for name in dataset.repositories
        if len(delivery_of(dataset, name).deployments) >= 3
        and any(
            s.state == "SUCCESS" for d in delivery_of(dataset, name).deployments for s in d.statuses
        )
    )


def _query(server, query, **variables):
    body = graphql(server, query, variables).json()
    assert "errors" not in body, body
    return body["data"]


def _pr_fingerprint(dataset) -> str:
    rows = [pr.to_dict() for pr in dataset.all_pull_requests()]
    return hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()


def test_pull_requests_are_byte_identical_whether_or_not_delivery_data_was_generated():
    untouched = generate_dataset(seed=7, prs=80, heavy_tails=False)
    touched = generate_dataset(seed=7, prs=80, heavy_tails=False)
    for name in touched.repositories:
        delivery_of(touched, name)
    assert _pr_fingerprint(untouched) == _pr_fingerprint(touched)


def _deployment_summary(delivery) -> list:
    return [
        (d.commit_oid, d.created_at, [s.state for s in d.statuses]) for d in delivery.deployments
    ]


def test_same_seed_same_delivery_data():
    first, second = (generate_dataset(seed=3, prs=80, heavy_tails=False) for _ in range(2))
    for name in first.repositories:
        a, b = delivery_of(first, name), delivery_of(second, name)
        assert _deployment_summary(a) == _deployment_summary(b)
        assert [r.tag_name for r in a.releases] == [r.tag_name for r in b.releases]


def test_deployments_ship_merge_commits_and_respect_the_clock(fake_github):
    dataset = fake_github.dataset
    for name in dataset.repositories:
        delivery = delivery_of(dataset, name)
        heads = {
            pr.head_ref_oid: pr for pr in dataset.repositories[name].pull_requests if pr.merged_at
        }
        for deployment in delivery.deployments:
            pr = heads[deployment.commit_oid]  # always a merged PR's merge commit
            assert pr.merged_at <= deployment.created_at <= dataset.now
            times = [s.created_at for s in deployment.statuses]
            assert times == sorted(times) and all(t <= dataset.now for t in times)
            assert deployment.statuses[0].state == "QUEUED"
        for release in delivery.releases:
            assert release.commit_oid in heads
        numbers = {pr.number for pr in dataset.repositories[name].pull_requests}
        assert not numbers & {issue.number for issue in delivery.issues}  # one number space


def test_some_deployments_fail_some_cause_incidents_and_get_rolled_back():
    dataset = generate_dataset(seed=42, prs=3000)
    states, incidents, rollbacks, styles = set(), 0, 0, set()
    for name in dataset.repositories:
        delivery = delivery_of(dataset, name)
        styles.add(delivery.style)
        states |= {s.state for d in delivery.deployments for s in d.statuses}
        rollbacks += sum(d.description.startswith("Rollback") for d in delivery.deployments)
        incidents += sum(
            any(label.name == "incident" for label in issue.labels)
            or issue.title.startswith("[Incident]")
            for issue in delivery.issues
        )
    assert {"SUCCESS", "FAILURE", "INACTIVE", "IN_PROGRESS", "QUEUED"} <= states
    assert incidents >= 10 and rollbacks == incidents
    assert "none" in styles  # a repository without deployments, for the marts' "no data" rows


def test_deployments_connection_pages_filters_and_costs_like_github(fake_github):
    name = _repository_with_deployments(fake_github.dataset)
    owner, short = name.split("/")
    expected = delivery_of(fake_github.dataset, name).deployments
    seen, after = [], None
    while True:
        data = _query(
            fake_github, DEPLOYMENTS, owner=owner, name=short, n=2, after=after, dir="DESC"
        )
        connection = data["repository"]["deployments"]
        assert data["rateLimit"] == {"cost": 1, "nodeCount": 2 + 2 * 100}
        seen += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert [n["databaseId"] for n in seen] == [
        d.database_id for d in sorted(expected, key=lambda d: d.created_at, reverse=True)
    ]
    first = seen[-1]
    oldest = min(expected, key=lambda d: d.created_at)
    assert first["commitOid"] == first["commit"]["oid"] == oldest.commit_oid
    assert [s["state"] for s in first["statuses"]["nodes"]] == [s.state for s in oldest.statuses]
    assert first["latestStatus"]["state"] == oldest.statuses[-1].state
    staging = _query(
        fake_github, DEPLOYMENTS, owner=owner, name=short, n=100, env=["staging"], dir="ASC"
    )["repository"]["deployments"]
    assert {n["environment"] for n in staging["nodes"]} <= {"staging"}
    assert staging["totalCount"] == sum(d.environment == "staging" for d in expected)


def test_issues_filter_by_label_and_since(fake_github):
    dataset = fake_github.dataset
    name = next(n for n in dataset.repositories if delivery_of(dataset, n).issues)
    owner, short = name.split("/")
    issues = delivery_of(dataset, name).issues
    everything = _query(fake_github, ISSUES, owner=owner, name=short)["repository"]["issues"]
    assert len(everything["nodes"]) == len(issues)
    labelled = _query(fake_github, ISSUES, owner=owner, name=short, labels=["incident"])
    assert {n["number"] for n in labelled["repository"]["issues"]["nodes"]} == {
        i.number for i in issues if any(label.name == "incident" for label in i.labels)
    }
    middle = sorted(i.updated_at for i in issues)[len(issues) // 2]
    recent = _query(fake_github, ISSUES, owner=owner, name=short, since=format_datetime(middle))
    assert {n["number"] for n in recent["repository"]["issues"]["nodes"]} == {
        i.number for i in issues if i.updated_at >= middle
    }


def test_a_new_status_moves_updated_at_and_is_served(fake_github):
    dataset = fake_github.dataset
    name = _repository_with_deployments(dataset)
    fake_github.advance_clock(3600)
    deployment = add_deployment(dataset, name, state=None)
    assert deployment.statuses == []
    add_deployment_status(dataset, name, deployment.database_id, state="IN_PROGRESS")
    fake_github.advance_clock(60)
    add_deployment_status(dataset, name, deployment.database_id, state="SUCCESS")
    owner, short = name.split("/")
    newest = _query(fake_github, DEPLOYMENTS, owner=owner, name=short, n=1, dir="DESC")
    node = newest["repository"]["deployments"]["nodes"][0]
    assert node["databaseId"] == deployment.database_id
    assert [s["state"] for s in node["statuses"]["nodes"]] == ["IN_PROGRESS", "SUCCESS"]
    assert node["updatedAt"] == format_datetime(dataset.now) and node["state"] == "ACTIVE"
