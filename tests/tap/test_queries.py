"""Every GraphQL document the tap sends validates against the vendored GitHub schema."""

from __future__ import annotations

import functools

import graphql
import pytest
from github_standin.schema_loader import SCHEMA_PATH

from tap_github_prs import queries
from tap_github_prs.queries.follow_ups import (
    CONNECTIONS,
    FollowUpRequest,
    build_follow_up_query,
    build_page_query,
)


@functools.cache
def github_schema() -> graphql.GraphQLSchema:
    sdl = SCHEMA_PATH.read_text(encoding="utf-8")
    return graphql.build_schema(sdl, assume_valid_sdl=True, assume_valid=True)


def assert_valid(document: str) -> None:
    errors = graphql.validate(github_schema(), graphql.parse(document))
    assert errors == [], [error.message for error in errors]


def test_there_are_graphql_files():
    assert {"pull_requests_page", "updated_at_probe", "organization_repositories"} <= set(
        queries.operation_names()
    )


@pytest.mark.parametrize("name", queries.operation_names())
def test_graphql_file_validates_against_the_github_schema(name):
    assert_valid(queries.load(name))


def test_generated_follow_up_query_with_every_connection_kind_validates():
    requests = [FollowUpRequest(kind, f"node-{kind}", "cursor") for kind in CONNECTIONS]
    query, variables = build_follow_up_query(requests)
    assert_valid(query)
    assert variables["id0"] == "node-reviews"
    assert query.count("node(id:") == len(CONNECTIONS)


def test_page_query_with_follow_ups_riding_along_validates():
    requests = [FollowUpRequest(kind, f"node-{kind}", "cursor", True) for kind in CONNECTIONS]
    query, variables = build_page_query(requests)
    assert_valid(query)
    assert "search(query: $searchQuery" in query
    assert query.count("node(id:") == len(CONNECTIONS)
    assert variables["after0"] == "cursor"


def test_page_query_without_follow_ups_is_the_plain_page_operation():
    assert build_page_query([]) == (queries.load("pull_requests_page"), {})


def test_the_schema_check_would_catch_a_wrong_field():
    with pytest.raises(AssertionError):
        assert_valid("query { viewer { noSuchField } }")


def test_unused_fragments_are_not_sent():
    document = queries.load("organization_repositories")
    assert "fragment PullRequestFields" not in document
    assert "fragment PageInfoFields" in document


def test_heavy_nested_connections_take_the_nested_size_with_githubs_largest_as_default():
    document = graphql.parse(queries.load("pull_requests_page"))
    operation = next(
        d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)
    )
    nested = next(
        v for v in operation.variable_definitions if v.variable.name.value == "nestedFirst"
    )
    assert (
        graphql.print_ast(nested.default_value) == "100"
    )  # unchanged unless a page must be lighter
    printed = graphql.print_ast(document)
    for connection in ("reviews", "commits", "files", "contexts"):
        assert f"{connection}(first: $nestedFirst)" in printed
    assert "timelineItems(\n    first: $nestedFirst\n    itemTypes:" in printed
    # The small fixed connections keep their sizes.
    assert "labels(first: 20)" in printed and "closingIssuesReferences(first: 10)" in printed


def test_follow_ups_ask_for_the_total_so_the_next_round_knows_what_is_left():
    query, _ = build_follow_up_query([FollowUpRequest("commits", "PR_1", "cursor")])
    assert "connection: commits(first: 100, after: $after0) {\n        totalCount" in query
