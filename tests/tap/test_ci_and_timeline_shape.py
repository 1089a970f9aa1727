"""Query shape: CI contexts and timeline events come in the page and are continued on overflow."""

from __future__ import annotations

import re

import graphql

from tap_github_prs import queries
from tap_github_prs.queries.follow_ups import TIMELINE_ITEM_TYPES
from tap_github_prs.walker import Progress
from tests.tap.test_walker import ScriptedClient, connection, make_walker, pr_node


def _pull_request_selection(document: str) -> graphql.language.SelectionSetNode:
    parsed = graphql.parse(document)
    fragment = next(
        d
        for d in parsed.definitions
        if isinstance(d, graphql.FragmentDefinitionNode) and d.name.value == "PullRequestFields"
    )
    return fragment.selection_set


def _field(selection_set, name):
    return next(
        s
        for s in selection_set.selections
        if isinstance(s, graphql.FieldNode) and s.name.value == name
    )


def test_the_page_asks_each_pr_for_its_rollup_contexts_and_timeline_items():
    page = queries.load("pull_requests_page")
    selection = _pull_request_selection(page)
    rollup = _field(selection, "statusCheckRollup")
    assert {s.name.value for s in rollup.selection_set.selections} == {"id", "contexts"}
    contexts = _field(rollup.selection_set, "contexts")
    assert {a.name.value: graphql.print_ast(a.value) for a in contexts.arguments} == {
        "first": "$nestedFirst"  # 100 unless the page must be lighter (test_queries.py)
    }
    timeline = _field(selection, "timelineItems")
    arguments = {a.name.value: graphql.print_ast(a.value) for a in timeline.arguments}
    assert arguments["first"] == "$nestedFirst"
    assert re.findall(r"[A-Z_]+", arguments["itemTypes"]) == list(TIMELINE_ITEM_TYPES)
    # The old path is gone: no commit > checkSuites > checkRuns nesting in the page.
    printed = graphql.print_ast(graphql.parse(page))  # without comments
    assert "checkSuites" not in printed and "checkRuns" not in printed
    # Both kinds of CI context are selected.
    assert "... on CheckRun" in printed and "... on StatusContext" in printed


def _context(kind, number):
    if kind == "CheckRun":
        return {"__typename": "CheckRun", "id": f"CR_{number}", "name": f"job {number}"}
    return {"__typename": "StatusContext", "id": f"SC_{number}", "context": f"ci/{number}"}


def _event(number):
    return {"__typename": "ReadyForReviewEvent", "id": f"RFRE_{number}", "createdAt": None}


def test_overflowing_contexts_and_timeline_items_are_continued_in_one_follow_up():
    first_contexts = [_context("CheckRun", i) for i in range(100)]
    node = pr_node(
        1,
        "2024-01-01T00:00:00Z",
        statusCheckRollup={
            "id": "SCR_1",
            "contexts": connection(first_contexts, more=True, cursor="ctx100", total=103),
        },
        timelineItems=connection([_event(i) for i in range(100)], True, "ev100", total=150),
    )
    follow_up = {
        "f0": {"connection": connection([_event(i) for i in range(100, 150)])},
        "f1": {
            "connection": connection(
                [_context("CheckRun", 100), _context("StatusContext", 101)],
                more=True,
                cursor="ctx102",
            )
        },
    }
    last = {"f0": {"connection": connection([_context("StatusContext", 102)])}}
    client = ScriptedClient([([node], False)], [follow_up, last])
    pages = list(make_walker(client).walk("acme/widgets", Progress()))

    follow_up_query, variables = client.calls[1]
    assert variables == {"id0": "PR_1", "after0": "ev100", "id1": "SCR_1", "after1": "ctx100"}
    assert "timelineItems(first: 100, after: $after0, itemTypes: [" in follow_up_query
    assert "... on StatusCheckRollup" in follow_up_query
    assert "connection: contexts(first: 100, after: $after1)" in follow_up_query
    assert client.calls[2][1] == {"id0": "SCR_1", "after0": "ctx102"}

    bundle = pages[0].bundles[0]
    assert [r["id"] for r in bundle.check_runs] == [f"CR_{i}" for i in range(101)]
    assert [r["id"] for r in bundle.commit_statuses] == ["SC_101", "SC_102"]
    assert [r["id"] for r in bundle.pull_request_events] == [f"RFRE_{i}" for i in range(150)]
    assert {r["event_type"] for r in bundle.pull_request_events} == {"ReadyForReviewEvent"}
