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
    """A connection that can be continued: owner type, field, node selection, fixed arguments."""

    owner_type: str
    field: str
    selection: str
    # Arguments the page gave the connection besides first/after (a continuation must repeat
    # them, or its cursor would walk another list).
    arguments: str = ""


# The timeline event types the page asks for (`timelineItems(itemTypes:)` in fragments.graphql;
# tests/tap/test_queries.py keeps the two lists equal).
TIMELINE_ITEM_TYPES = (
    "READY_FOR_REVIEW_EVENT",
    "CONVERT_TO_DRAFT_EVENT",
    "REVIEW_REQUESTED_EVENT",
    "REVIEW_REQUEST_REMOVED_EVENT",
    "MERGED_EVENT",
    "CLOSED_EVENT",
    "REOPENED_EVENT",
    "HEAD_REF_FORCE_PUSHED_EVENT",
)


CONNECTIONS: dict[str, ConnectionKind] = {
    "reviews": ConnectionKind("PullRequest", "reviews", "...ReviewFields"),
    "commits": ConnectionKind("PullRequest", "commits", "...CommitFields"),
    "files": ConnectionKind("PullRequest", "files", "...FileFields"),
    "labels": ConnectionKind("PullRequest", "labels", "...LabelFields"),
    "review_requests": ConnectionKind("PullRequest", "reviewRequests", "...ReviewRequestFields"),
    "closing_issues": ConnectionKind(
        "PullRequest", "closingIssuesReferences", "...ClosingIssueFields"
    ),
    # The head commit's CI contexts, continued on the StatusCheckRollup node (it has an id).
    "ci_contexts": ConnectionKind("StatusCheckRollup", "contexts", "...CiContextFields"),
    "timeline_events": ConnectionKind(
        "PullRequest",
        "timelineItems",
        "...TimelineEventFields",
        f"itemTypes: [{', '.join(TIMELINE_ITEM_TYPES)}]",
    ),
}


@dataclass(frozen=True)
class FollowUpRequest:
    """Continue connection `kind` of node `node_id` after `cursor`."""

    kind: str
    node_id: str
    cursor: str
    # Also fetch the connection's last page: with at most 200 nodes left, one round finishes it.
    with_tail: bool = False
    # Items the answer is expected to hold (both pages with a tail), to plan its weight.
    items: int = FOLLOW_UP_PAGE_SIZE


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
        extra = f", {kind.arguments}" if kind.arguments else ""
        declarations.append(f"$id{index}: ID!, $after{index}: String")
        variables[f"id{index}"] = request.node_id
        variables[f"after{index}"] = request.cursor
        selections.append(
            f"  f{index}: node(id: $id{index}) {{\n"
            f"    ... on {kind.owner_type} {{\n"
            f"      connection: {kind.field}(first: {size}, after: $after{index}{extra}) {{\n"
            f"        totalCount\n"  # what is left decides whether the next round takes a tail
            f"        pageInfo {{ ...PageInfoFields }}\n"
            f"        nodes {{ {kind.selection} }}\n"
            f"      }}\n"
            + (
                f"      tail: {kind.field}(last: {size}{extra}) "
                f"{{ nodes {{ {kind.selection} }} }}\n"
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
