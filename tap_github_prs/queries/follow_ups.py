"""Generated query that continues several overflowing connections in one request.

Each follow-up is an aliased `node(id:)` lookup, so one request serves many pull requests,
e.g. every PR of a page that has more than 100 files.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

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


def _aliased_follow_ups(
    requests: list[FollowUpRequest],
) -> tuple[list[str], list[str], dict[str, str]]:
    """Variable declarations, aliased `fN: node(id:)` selections and variables."""
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
    return declarations, selections, variables


def build_follow_up_query(requests: list[FollowUpRequest]) -> tuple[str, dict[str, str]]:
    """Return (query, variables) fetching the next page of every requested connection."""
    declarations, selections, variables = _aliased_follow_ups(requests)
    body = (
        f"query FollowUps({', '.join(declarations)}) {{\n"
        + "\n".join(selections)
        + "\n  rateLimit { ...RateLimitFields }\n}"
    )
    return with_fragments(body), variables


def build_page_query(requests: list[FollowUpRequest]) -> tuple[str, dict[str, str]]:
    """The search-page operation with `requests` (a previous page's follow-ups) riding along.

    Returns (query, follow-up variables); the page's own variables are added by the caller.
    """
    page = _page_operation()
    if not requests:
        return with_fragments(page), {}
    declarations, selections, variables = _aliased_follow_ups(requests)
    page = page.replace(_PAGE_LAST_VARIABLE, _PAGE_LAST_VARIABLE + ", " + ", ".join(declarations))
    page = page.replace(_PAGE_RATE_LIMIT, "\n".join(selections) + "\n" + _PAGE_RATE_LIMIT)
    return with_fragments(page), variables


_PAGE_LAST_VARIABLE = "$after: String"
_PAGE_RATE_LIMIT = "  rateLimit {"


def _page_operation() -> str:
    text = resources.files("tap_github_prs.queries").joinpath("pull_requests_page.graphql")
    page = text.read_text(encoding="utf-8")
    assert page.count(_PAGE_LAST_VARIABLE) == 1 and page.count(_PAGE_RATE_LIMIT) == 1
    return page
