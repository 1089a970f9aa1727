"""search(type: ISSUE): repo:, is:pr and updated: qualifiers, sort, GitHub's 1,000-result cap."""

from datetime import timedelta

import pytest

from github_standin.models import format_datetime
from github_standin.search import parse_range, search_pull_requests
from standin_helpers import graphql

SEARCH = """query($q: String!, $after: String) {
  search(query: $q, type: ISSUE, first: 100, after: $after) {
    issueCount pageInfo { hasNextPage endCursor }
    nodes { ... on PullRequest { number updatedAt repository { nameWithOwner } } }
  }
}"""


def search_all(server, query):
    results, after, count = [], None, None
    while True:
        body = graphql(server, SEARCH, {"q": query, "after": after}).json()
        assert "errors" not in body, body
        connection = body["data"]["search"]
        count = connection["issueCount"]
        results += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            return count, results
        after = connection["pageInfo"]["endCursor"]


pytestmark = pytest.mark.fake_github(
    prs=60, repositories=["acme/widgets", "acme/gadgets"], heavy_tails=False
)


def widgets(server):
    return server.dataset.repositories["acme/widgets"].pull_requests


def test_repo_and_is_pr_select_one_repository_sorted_by_update(fake_github):
    count, results = search_all(fake_github, "repo:acme/widgets is:pr sort:updated-asc")
    expected = sorted(widgets(fake_github), key=lambda pr: (pr.updated_at, pr.full_database_id))
    assert count == len(expected)
    assert [r["number"] for r in results] == [pr.number for pr in expected]
    assert {r["repository"]["nameWithOwner"] for r in results} == {"acme/widgets"}


def test_sort_updated_desc(fake_github):
    _, results = search_all(fake_github, "repo:acme/widgets is:pr sort:updated-desc")
    stamps = [r["updatedAt"] for r in results]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize("operator", [">=", ">"])
def test_updated_lower_bound_with_a_date_time(fake_github, operator):
    prs = sorted(widgets(fake_github), key=lambda pr: pr.updated_at)
    pivot = prs[len(prs) // 2].updated_at
    _, results = search_all(
        fake_github, f"repo:acme/widgets is:pr updated:{operator}{format_datetime(pivot)}"
    )
    keep = (lambda t: t >= pivot) if operator == ">=" else (lambda t: t > pivot)
    assert sorted(r["number"] for r in results) == sorted(
        pr.number for pr in prs if keep(pr.updated_at)
    )


def test_updated_range_with_dates_includes_whole_days(fake_github):
    prs = widgets(fake_github)
    start = min(pr.updated_at for pr in prs).date()
    end = start + timedelta(days=200)
    _, results = search_all(fake_github, f"repo:acme/widgets is:pr updated:{start}..{end}")
    expected = [pr.number for pr in prs if start <= pr.updated_at.date() <= end]
    assert expected
    assert sorted(r["number"] for r in results) == sorted(expected)


def test_range_parsing_edges():
    day = parse_range("2024-01-02")
    assert format_datetime(day.low) == "2024-01-02T00:00:00Z"
    assert format_datetime(day.high) == "2024-01-02T23:59:59Z"
    after = parse_range(">2024-01-02")
    assert format_datetime(after.low) == "2024-01-03T00:00:00Z"
    open_end = parse_range("2024-01-02T10:00:00Z..*")
    assert format_datetime(open_end.low) == "2024-01-02T10:00:00Z"
    assert open_end.high is None


def test_search_matches_is_issue_and_other_qualifiers(fake_github):
    everything = fake_github.dataset.all_pull_requests()
    assert search_pull_requests(everything, "repo:acme/widgets is:issue") == []
    merged = search_pull_requests(everything, "org:acme is:pr is:merged")
    assert merged and all(pr.state == "MERGED" for pr in merged)
    assert len(search_pull_requests(everything, "is:pr")) == len(everything)


@pytest.mark.fake_github(prs=1100, repositories=["acme/widgets"], heavy_tails=False)
def test_results_are_capped_at_1000_but_counted_in_full(fake_github):
    count, results = search_all(fake_github, "repo:acme/widgets is:pr sort:updated-asc")
    assert count == 1100
    assert len(results) == 1000


def test_label_negation_and_ignored_qualifiers(fake_github):
    everything = fake_github.dataset.all_pull_requests()
    label = next(pr.labels[0].name for pr in everything if pr.labels)
    labelled = search_pull_requests(everything, f'is:pr label:"{label}"')
    assert labelled and all(label in {x.name for x in pr.labels} for pr in labelled)
    unlabelled = search_pull_requests(everything, f'is:pr -label:"{label}"')
    assert len(labelled) + len(unlabelled) == len(everything)
    not_open = search_pull_requests(everything, "is:pr -is:open")
    assert not_open and all(pr.state != "OPEN" for pr in not_open)
    assert len(search_pull_requests(everything, "is:pr in:title archived:false")) == len(everything)
    merged_window = search_pull_requests(everything, "is:pr merged:>=2000-01-01")
    assert {pr.node_id for pr in merged_window} == {pr.node_id for pr in everything if pr.merged_at}
