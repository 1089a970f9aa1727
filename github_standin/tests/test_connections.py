"""Connections (cursors, pageInfo, last/before, order), node lookups and nested data over HTTP."""

import pytest

from github_standin.models import format_datetime
from standin_helpers import graphql

pytestmark = pytest.mark.fake_github(
    prs=30, repositories=["acme/widgets", "acme/gadgets"], heavy_tails=False
)

ORDERED = """query($after: String, $before: String, $first: Int, $last: Int,
    $direction: OrderDirection!, $field: IssueOrderField!) {
  repository(owner: "acme", name: "widgets") {
    pullRequests(first: $first, last: $last, after: $after, before: $before,
                 orderBy: {field: $field, direction: $direction}) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { number updatedAt } }
    }
  }
}"""


def page(server, **variables):
    variables = {"direction": "ASC", "field": "CREATED_AT", **variables}
    body = graphql(server, ORDERED, variables).json()
    assert "errors" not in body, body
    return body["data"]["repository"]["pullRequests"]


@pytest.mark.parametrize(
    ("field", "direction"), [("CREATED_AT", "ASC"), ("UPDATED_AT", "ASC"), ("UPDATED_AT", "DESC")]
)
def test_forward_pagination_follows_the_requested_order(fake_github, field, direction):
    numbers, after = [], None
    while True:
        connection = page(fake_github, first=4, after=after, field=field, direction=direction)
        numbers += [edge["node"]["number"] for edge in connection["edges"]]
        assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    prs = fake_github.dataset.repositories["acme/widgets"].pull_requests
    attribute = "created_at" if field == "CREATED_AT" else "updated_at"
    expected = sorted(
        prs, key=lambda pr: (getattr(pr, attribute), pr.number), reverse=direction == "DESC"
    )
    assert numbers == [pr.number for pr in expected]


def test_last_and_before_walk_backwards(fake_github):
    everything = [e["node"]["number"] for e in page(fake_github, first=100)["edges"]]
    tail = page(fake_github, last=3)
    assert [e["node"]["number"] for e in tail["edges"]] == everything[-3:]
    assert tail["pageInfo"]["hasPreviousPage"] is True
    assert tail["pageInfo"]["hasNextPage"] is False
    before = page(fake_github, last=3, before=tail["pageInfo"]["startCursor"])
    assert [e["node"]["number"] for e in before["edges"]] == everything[-6:-3]


def test_cursors_are_opaque_and_stable(fake_github):
    first = page(fake_github, first=5)
    again = page(fake_github, first=5)
    assert first["pageInfo"] == again["pageInfo"]
    assert not first["pageInfo"]["endCursor"].isdigit()


def test_invalid_cursor_is_rejected_like_github(fake_github):
    body = graphql(
        fake_github,
        ORDERED,
        {"first": 2, "after": "bogus", "direction": "ASC", "field": "CREATED_AT"},
    ).json()
    assert body["errors"][0]["type"] == "INVALID_CURSOR_ARGUMENTS"
    assert body["errors"][0]["message"] == "`bogus` does not appear to be a valid cursor."


def test_updated_at_asc_walk_sees_a_pr_updated_during_the_walk_again(fake_github):
    first_half = page(fake_github, first=5, field="UPDATED_AT")
    seen = [e["node"]["number"] for e in first_half["edges"]]
    fake_github.add_review("acme/widgets", seen[0], state="COMMENTED")  # moves to the end
    rest, after = [], first_half["pageInfo"]["endCursor"]
    while after:
        connection = page(fake_github, first=5, after=after, field="UPDATED_AT")
        rest += [e["node"]["number"] for e in connection["edges"]]
        after = (
            connection["pageInfo"]["endCursor"] if connection["pageInfo"]["hasNextPage"] else None
        )
    assert rest[-1] == seen[0]
    assert len(set(seen) | set(rest)) == len(
        fake_github.dataset.repositories["acme/widgets"].pull_requests
    )


DETAIL = """query($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) { pullRequest(number: $number) {
    id number fullDatabaseId title body state isDraft merged author { login __typename }
    mergedBy { login } createdAt updatedAt mergedAt closedAt additions deletions changedFiles
    headRefOid labels(first: 100) { nodes { name } } milestone { title } reviewDecision
    reviewRequests(first: 10) { nodes { requestedReviewer {
      __typename ... on User { login } ... on Team { combinedSlug } } } }
    closingIssuesReferences(first: 10) { nodes { number url repository { nameWithOwner } } }
    reviews(first: 100) {
      totalCount nodes { id state author { login } submittedAt commit { oid } } }
    commits(first: 100) { totalCount nodes { id commit { id oid messageHeadline authoredDate
      author { name email user { login } } changedFilesIfAvailable } } }
    files(first: 100) { totalCount nodes { path additions deletions changeType } }
    head: commits(last: 1) { nodes { commit { oid checkSuites(first: 10) { nodes { id app { slug }
      checkRuns(first: 100) {
        totalCount nodes { id databaseId name status conclusion startedAt } } } } } } }
  } } }"""


def test_a_pull_request_matches_the_dataset_field_by_field(fake_github):
    prs = fake_github.dataset.repositories["acme/widgets"].pull_requests
    pr = max(prs, key=lambda p: (len(p.reviews) > 0) + (len(p.check_runs) > 0) + bool(p.labels))
    body = graphql(
        fake_github, DETAIL, {"owner": "acme", "name": "widgets", "number": pr.number}
    ).json()
    assert "errors" not in body
    got = body["data"]["repository"]["pullRequest"]
    assert got["id"] == pr.node_id
    assert got["fullDatabaseId"] == str(pr.full_database_id)
    assert (got["title"], got["body"], got["state"], got["isDraft"]) == (
        pr.title,
        pr.body,
        pr.state,
        pr.is_draft,
    )
    assert got["author"] == (
        {"login": pr.author.login, "__typename": pr.author.typename} if pr.author else None
    )
    assert got["createdAt"] == format_datetime(pr.created_at)
    assert got["updatedAt"] == format_datetime(pr.updated_at)
    assert (got["additions"], got["deletions"], got["changedFiles"]) == (
        pr.additions,
        pr.deletions,
        pr.changed_files,
    )
    assert got["headRefOid"] == pr.commits[-1].oid
    assert [n["name"] for n in got["labels"]["nodes"]] == [label.name for label in pr.labels]
    assert got["reviewDecision"] == pr.review_decision
    assert [n["id"] for n in got["reviews"]["nodes"]] == [r.node_id for r in pr.reviews]
    assert [n["commit"]["oid"] for n in got["commits"]["nodes"]] == [c.oid for c in pr.commits]
    assert [n["path"] for n in got["files"]["nodes"]] == [f.path for f in pr.files]
    suites = got["head"]["nodes"][0]["commit"]["checkSuites"]["nodes"]
    runs = [run for suite in suites for run in suite["checkRuns"]["nodes"]]
    assert [r["databaseId"] for r in runs] == [r.database_id for r in pr.check_runs]


def test_unknown_pull_request_number_is_not_found(fake_github):
    body = graphql(
        fake_github, DETAIL, {"owner": "acme", "name": "widgets", "number": 99999}
    ).json()
    assert body["data"]["repository"]["pullRequest"] is None
    assert body["errors"][0]["type"] == "NOT_FOUND"


NODE_QUERY = """query($id: ID!) { node(id: $id) { __typename id } }"""


def test_node_finds_every_kind_of_object(fake_github):
    pr = next(
        p
        for p in fake_github.dataset.all_pull_requests()
        if p.reviews and p.check_runs and p.labels
    )
    head = pr.commits[-1]
    expected = {
        pr.node_id: "PullRequest",
        pr.reviews[0].node_id: "PullRequestReview",
        head.node_id: "PullRequestCommit",
        head.commit_node_id: "Commit",
        head.check_suites[0].node_id: "CheckSuite",
        pr.check_runs[0].node_id: "CheckRun",
        pr.labels[0].node_id: "Label",
        fake_github.dataset.repositories[pr.repository].node_id: "Repository",
        fake_github.dataset.organizations["acme"].node_id: "Organization",
    }
    for node_id, typename in expected.items():
        body = graphql(fake_github, NODE_QUERY, {"id": node_id}).json()
        assert body["data"]["node"] == {"__typename": typename, "id": node_id}


def test_aliased_node_follow_up_pages_a_nested_connection(fake_github_factory):
    server = fake_github_factory(prs=5, repositories=["acme/widgets"], heavy_tails=True)
    pr = max(server.dataset.all_pull_requests(), key=lambda p: len(p.commits))
    assert len(pr.commits) > 100
    query = """query($a: ID!, $after: String) { pr0: node(id: $a) { ... on PullRequest {
      commits(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { commit { oid } } } } } }"""
    oids, after = [], None
    while True:
        connection = graphql(server, query, {"a": pr.node_id, "after": after}).json()["data"][
            "pr0"
        ]["commits"]
        oids += [n["commit"]["oid"] for n in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert oids == [c.oid for c in pr.commits]


def test_unknown_node_ids_are_not_found(fake_github):
    body = graphql(fake_github, NODE_QUERY, {"id": "PR_kwnonsense"}).json()
    assert body["data"]["node"] is None
    assert body["errors"][0]["type"] == "NOT_FOUND"
    pr = fake_github.dataset.all_pull_requests()[0]
    nodes = graphql(
        fake_github,
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [pr.node_id, "X_missing"]},
    ).json()
    assert nodes["data"]["nodes"] == [{"id": pr.node_id}, None]
    assert nodes["errors"][0]["path"] == ["nodes", 1]


def test_organization_repositories(fake_github):
    query = """{ organization(login: "acme") {
      repositories(first: 1, orderBy: {field: NAME, direction: ASC}) {
        totalCount pageInfo { hasNextPage endCursor } nodes { nameWithOwner } } } }"""
    connection = graphql(fake_github, query).json()["data"]["organization"]["repositories"]
    assert connection["totalCount"] == 2
    assert connection["nodes"] == [{"nameWithOwner": "acme/gadgets"}]
    assert connection["pageInfo"]["hasNextPage"] is True
    missing = graphql(fake_github, '{ organization(login: "nope") { id } }').json()
    assert missing["errors"][0]["type"] == "NOT_FOUND"
    assert (
        missing["errors"][0]["message"]
        == "Could not resolve to an Organization with the login of 'nope'."
    )


def test_unmodelled_fields_resolve_without_breaking_non_null(fake_github):
    query = """{ repository(owner: "acme", name: "widgets") { pullRequests(first: 1) { nodes {
        viewerCanUpdate mergeable
        comments(first: 5) { totalCount nodes { __typename } } } } } }"""
    body = graphql(fake_github, query).json()
    assert "errors" not in body
    node = body["data"]["repository"]["pullRequests"]["nodes"][0]
    assert node["viewerCanUpdate"] is False
    assert node["comments"] == {"totalCount": 0, "nodes": []}
