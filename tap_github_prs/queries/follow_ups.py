"""Generated query that continues several overflowing connections in one request.

Each follow-up is an aliased `node(id:)` lookup, so one request serves many pull requests,
e.g. every PR of a page that has more than 100 files.
"""

from __future__ import annotations

from dataclasses import dataclass

from tap_github_prs.queries import with_fragments

FOLLOW_UP_PAGE_SIZE = 100


@dataclass(frozen=True)
class ConnectionKind:
    """A connection that can be continued: owner type, field and node selection."""

    owner_type: str
    field: str
    selection: str


CONNECTIONS: dict[str, ConnectionKind] = {
    "reviews": ConnectionKind("PullRequest", "reviews", "...ReviewFields"),
    "commits": ConnectionKind("PullRequest", "commits", "...CommitFields"),
    "files": ConnectionKind("PullRequest", "files", "...FileFields"),
    "labels": ConnectionKind("PullRequest", "labels", "...LabelFields"),
    "review_requests": ConnectionKind("PullRequest", "reviewRequests", "...ReviewRequestFields"),
    "closing_issues": ConnectionKind(
        "PullRequest", "closingIssuesReferences", "...ClosingIssueFields"
    ),
    "check_suites": ConnectionKind("Commit", "checkSuites", "...CheckSuiteFields"),
    "check_runs": ConnectionKind("CheckSuite", "checkRuns", "...CheckRunFields"),
}


@dataclass(frozen=True)
class FollowUpRequest:
    """Continue connection `kind` of node `node_id` after `cursor`."""

    kind: str
    node_id: str
    cursor: str
    # Also fetch the connection's last page: with at most 200 nodes left, one round finishes it.
    with_tail: bool = False


def build_follow_up_query(requests: list[FollowUpRequest]) -> tuple[str, dict[str, str]]:
    """Return (query, variables) fetching the next page of every requested connection."""
    declarations = []
    selections = []
    variables: dict[str, str] = {}
    size = FOLLOW_UP_PAGE_SIZE
    for index, request in enumerate(requests):
        kind = CONNECTIONS[request.kind]
        declarations.append(f"$id{index}: ID!, $after{index}: String")
        variables[f"id{index}"] = request.node_id
        variables[f"after{index}"] = request.cursor
        selections.append(
            f"  f{index}: node(id: $id{index}) {{\n"
            f"    ... on {kind.owner_type} {{\n"
            f"      connection: {kind.field}(first: {size}, after: $after{index}) {{\n"
            f"        pageInfo {{ ...PageInfoFields }}\n"
            f"        nodes {{ {kind.selection} }}\n"
            f"      }}\n"
            + (
                f"      tail: {kind.field}(last: {size}) {{ nodes {{ {kind.selection} }} }}\n"
                if request.with_tail
                else ""
            )
            + "    }\n"
            "  }"
        )
    body = (
        f"query FollowUps({', '.join(declarations)}) {{\n"
        + "\n".join(selections)
        + "\n  rateLimit { ...RateLimitFields }\n}"
    )
    return with_fragments(body), variables
