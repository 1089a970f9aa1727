"""GitHub's static query analysis: pagination rules, node limit, cost and node count."""

import pytest
from graphql import parse

from github_standin.cost import analyze
from github_standin.schema_loader import load_schema


def report_for(query, variables=None):
    return analyze(load_schema(), parse(query), None, variables)


def test_worked_example_from_the_notes_costs_51_points():
    # 100 repositories x 50 issues x 60 labels: 1 + 100 + 5,000 requests.
    report = report_for(
        """{ viewer { repositories(first: 100) { nodes {
              issues(first: 50) { nodes { labels(first: 60) { nodes { name } } } } } } } }"""
    )
    assert report.requests == 1 + 100 + 5000
    assert report.cost == 51
    assert report.node_count == 100 + 100 * 50 + 100 * 50 * 60
    assert report.errors == []


PR_PAGE = """
query($n: Int!) { repository(owner: "a", name: "b") { pullRequests(first: $n) { nodes {
  reviews(first: 10) { nodes { id } }
  commits(first: 10) { nodes { id } }
  files(first: 10) { nodes { path } }
  labels(first: 10) { nodes { name } }
  head: commits(last: 1) { nodes { commit { oid %s } } }
} } } }
"""


def test_fifty_pr_page_with_five_nested_connections_costs_3_points():
    report = report_for(PR_PAGE % "", {"n": 50})
    assert report.requests == 1 + 5 * 50
    assert report.cost == 3


def test_check_suites_and_runs_under_the_head_commit_add_50_plus_500_requests():
    checks = "checkSuites(first: 10) { nodes { checkRuns(first: 50) { nodes { name } } } }"
    report = report_for(PR_PAGE % checks, {"n": 50})
    assert report.requests == 251 + 50 + 500
    assert report.cost == 8
    assert report.requests > 3 * report_for(PR_PAGE % "", {"n": 50}).requests


def test_status_check_rollup_contexts_adds_only_50_requests():
    rollup = "statusCheckRollup { contexts(first: 100) { nodes { __typename } } }"
    report = report_for(PR_PAGE % rollup, {"n": 50})
    assert report.requests == 251 + 50


def test_nested_first_drives_node_count_but_not_cost():
    small = report_for(PR_PAGE % "", {"n": 50})
    bigger = report_for(PR_PAGE.replace("first: 10", "first: 100") % "", {"n": 50})
    assert bigger.cost == small.cost
    assert bigger.node_count > small.node_count


def test_cheap_query_costs_at_least_one_point():
    report = report_for('{ repository(owner: "a", name: "b") { name } }')
    assert report.requests == 0
    assert report.cost == 1


def test_fragments_and_aliased_node_lookups_are_counted():
    report = report_for(
        """
        query { a: node(id: "x") { ...Commits } b: node(id: "y") { ...Commits } }
        fragment Commits on PullRequest { commits(first: 100) { nodes { id } } }
        """
    )
    assert report.requests == 2
    assert report.node_count == 200


def test_skipped_selections_are_not_counted():
    report = report_for(
        """query($skip: Boolean!) { viewer {
             repositories(first: 10) @skip(if: $skip) { nodes { id } } } }""",
        {"skip": True},
    )
    assert report.requests == 0


def error_for(query, variables=None):
    report = report_for(query, variables)
    assert len(report.errors) == 1
    return report.errors[0]


def test_missing_first_and_last_is_rejected_with_github_wording():
    error = error_for('{ repository(owner: "a", name: "b") { pullRequests { totalCount } } }')
    assert error["type"] == "MISSING_PAGINATION_BOUNDARIES"
    assert error["path"] == ["repository", "pullRequests"]
    assert error["message"] == (
        "You must provide a `first` or `last` value to properly paginate the `pullRequests` "
        "connection."
    )


@pytest.mark.parametrize("argument", ["first", "last"])
def test_more_than_100_is_rejected_with_github_wording(argument):
    error = error_for(
        f'{{ repository(owner: "a", name: "b") {{ pullRequests({argument}: 101) {{ id }} }} }}'
    )
    assert error["type"] == "EXCESSIVE_PAGINATION"
    assert error["message"] == (
        f"Requesting 101 records on the `pullRequests` connection exceeds the `{argument}` limit "
        "of 100 records."
    )


@pytest.mark.parametrize("size", [0, -5])
def test_fewer_than_one_is_rejected(size):
    error = error_for(
        'query($n: Int) { repository(owner: "a", name: "b") { pullRequests(first: $n) '
        "{ totalCount } } }",
        {"n": size},
    )
    assert error["type"] == "EXCESSIVE_PAGINATION"
    assert f"Requesting {size} records" in error["message"]


def test_first_and_last_together_are_rejected():
    error = error_for(
        '{ repository(owner: "a", name: "b") { pullRequests(first: 1, last: 1) { totalCount } } }'
    )
    assert "Passing both `first` and `last`" in error["message"]


def test_boundaries_of_1_and_100_are_accepted():
    for size in (1, 100):
        report = report_for(
            f'{{ repository(owner: "a", name: "b") {{ pullRequests(first: {size}) {{ id }} }} }}'
        )
        assert report.errors == []


def test_one_connection_over_500000_nodes_is_named():
    # As `gh pr list --limit 100 --json commits` meets it: 100 PRs x 100 commits x 100 authors.
    error = error_for(
        """{ repository(owner: "a", name: "b") { pullRequests(first: 100) { nodes {
              commits(first: 100) { nodes { commit { authors(first: 100) { nodes { name } } } } }
            } } } }"""
    )
    assert error["type"] == "MAX_NODE_LIMIT_EXCEEDED"
    assert error["message"] == (
        "By the time this query traverses to the authors connection, it is requesting up to "
        "1,000,000 possible nodes which exceeds the maximum limit of 500,000."
    )


def test_a_total_over_500000_nodes_is_rejected_with_the_total():
    # 50 x 100 x 100 = 500,000 is not over the limit by itself; the total 505,050 is.
    error = error_for(
        """{ repository(owner: "a", name: "b") { pullRequests(first: 50) { nodes {
              commits(first: 100) { nodes { commit { authors(first: 100) { nodes { name } } } } }
            } } } }"""
    )
    assert error["type"] == "MAX_NODE_LIMIT_EXCEEDED"
    assert error["message"] == (
        "This query requests up to 505,050 possible nodes which exceeds the maximum limit of "
        "500,000."
    )


def test_a_query_just_under_the_node_limit_is_allowed():
    report = report_for(
        """{ viewer { repositories(first: 100) { nodes {
              pullRequests(first: 100) { nodes { commits(first: 48) { nodes { id } } } } } } } }"""
    )
    assert report.node_count == 490_100
    assert report.errors == []
