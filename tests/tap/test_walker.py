"""The repository walk: bookmarks, skipping already emitted PRs, batched follow-ups."""

from __future__ import annotations

import logging

from tap_github_prs.page_size import AdaptivePageSize, PageSizes
from tap_github_prs.walker import Progress, RepositoryWalker

LOGGER = logging.getLogger("test-walker")


def connection(nodes, more=False, cursor=None, total=None):
    result = {"nodes": nodes, "pageInfo": {"hasNextPage": more, "endCursor": cursor}}
    if total is not None:
        result["totalCount"] = total
    return result


def pr_node(number, updated_at, **overrides):
    node = {
        "id": f"PR_{number}",
        "number": number,
        "updatedAt": updated_at,
        "labels": connection([]),
        "reviewRequests": connection([]),
        "closingIssuesReferences": connection([]),
        "reviews": connection([], total=0),
        "commits": connection([], total=0),
        "files": connection([]),
        "statusCheckRollup": {"id": f"SCR_{number}", "contexts": connection([], total=0)},
        "timelineItems": connection([], total=0),
    }
    node.update(overrides)
    return node


class ScriptedClient:
    """Answers page queries from `pages` and follow-ups from `follow_ups`, recording calls."""

    def __init__(self, pages, follow_ups=()):
        self.pages = list(pages)
        self.follow_ups = list(follow_ups)
        self.calls = []

    def execute_shrinking(self, size, build, repository=None, what=""):
        query, variables = build(size.current)
        return self.execute(query, variables, repository=repository), 1

    def execute(self, query, variables, repository=None):
        self.calls.append((query, variables))
        if "query FollowUps" in query:
            return {"data": self.follow_ups.pop(0)}
        nodes, more, *riders = self.pages.pop(0)  # riders: answers to follow-ups riding along
        return {
            "data": {
                "repository": {"nameWithOwner": "acme/widgets"},
                "search": connection(nodes, more, "cursor"),
                **(riders[0] if riders else {}),
            }
        }


def make_walker(client):
    return RepositoryWalker(
        client,
        PageSizes(50, LOGGER, floor=5),
        AdaptivePageSize(20, LOGGER, floor=1),
        LOGGER,
    )


def test_overflowing_connections_of_several_prs_share_one_follow_up_request():
    many_files = pr_node(
        1,
        "2024-01-01T00:00:00Z",
        files=connection([{"path": "a", "changeType": "ADDED"}], more=True, cursor="f1"),
    )
    many_commits = pr_node(
        2,
        "2024-01-02T00:00:00Z",
        commits=connection([{"commit": {"oid": "x1"}}], more=True, cursor="c1", total=2),
    )
    follow_up = {
        "f0": {"connection": connection([{"path": "b", "changeType": "MODIFIED"}])},
        "f1": {"connection": connection([{"commit": {"oid": "x2"}}])},
    }
    client = ScriptedClient([([many_files, many_commits], False)], [follow_up])
    pages = list(make_walker(client).walk("acme/widgets", Progress()))
    assert len(pages) == 1
    assert len(client.calls) == 2
    follow_up_variables = client.calls[1][1]
    assert follow_up_variables == {"id0": "PR_1", "after0": "f1", "id1": "PR_2", "after1": "c1"}
    first, second = pages[0].bundles
    assert [f["path"] for f in first.files] == ["a", "b"]
    assert [c["sha"] for c in second.commits] == ["x1", "x2"]
    assert pages[0].progress == Progress("2024-01-02T00:00:00Z", ["PR_2"])


def test_each_page_restarts_from_the_bookmark_and_skips_prs_already_emitted():
    page_one = [pr_node(1, "2024-01-01T00:00:00Z"), pr_node(2, "2024-01-02T00:00:00Z")]
    page_two = [pr_node(2, "2024-01-02T00:00:00Z"), pr_node(3, "2024-01-03T00:00:00Z")]
    client = ScriptedClient([(page_one, True), (page_two, False)])
    pages = list(make_walker(client).walk("acme/widgets", Progress()))
    numbers = [b.pull_request["number"] for page in pages for b in page.bundles]
    assert numbers == [1, 2, 3]
    second_search = client.calls[1][1]
    assert second_search["after"] is None
    assert "updated:>=2024-01-02T00:00:00+00:00" in second_search["searchQuery"]
    assert "sort:updated-asc" in second_search["searchQuery"]


def test_a_rerun_without_changes_emits_nothing_from_one_request():
    saved = Progress("2024-01-02T00:00:00Z", ["PR_2"])
    client = ScriptedClient([([pr_node(2, "2024-01-02T00:00:00Z")], False)])
    pages = list(make_walker(client).walk("acme/widgets", saved))
    assert [len(page.bundles) for page in pages] == [0]
    assert len(client.calls) == 1
    assert client.calls[0][1]["pageSize"] == 10  # incremental runs start with a cheap page


def test_a_page_entirely_at_the_bookmark_second_follows_the_cursor():
    saved = Progress("2024-01-02T00:00:00Z", ["PR_1", "PR_2"])
    same_second = [pr_node(1, "2024-01-02T00:00:00Z"), pr_node(2, "2024-01-02T00:00:00Z")]
    client = ScriptedClient([(same_second, True), ([pr_node(3, "2024-01-02T00:00:00Z")], False)])
    pages = list(make_walker(client).walk("acme/widgets", saved))
    assert client.calls[1][1]["after"] == "cursor"
    assert [b.pull_request["number"] for b in pages[1].bundles] == [3]
    assert pages[1].progress.seen_ids == ["PR_1", "PR_2", "PR_3"]


def test_the_page_plan_sets_the_page_size_and_the_nested_size():
    client = ScriptedClient([([pr_node(1, "2024-01-01T00:00:00Z")], False)])
    list(make_walker(client).walk("acme/widgets", Progress()))
    variables = client.calls[0][1]
    assert (variables["pageSize"], variables["nestedFirst"]) == (50, 100)  # nothing measured


def test_a_connection_needing_a_second_round_rides_along_again_and_pages_stay_in_order():
    long_history = pr_node(
        1,
        "2024-01-01T00:00:00Z",
        commits=connection([{"commit": {"oid": "x1"}}], more=True, cursor="c1", total=3),
    )
    page_two = [pr_node(2, "2024-01-02T00:00:00Z")]
    page_three = [pr_node(3, "2024-01-03T00:00:00Z")]
    # The page's 1 of 3 commits; a follow-up answers 1 more (and has more), then the last.
    round_one = {"f0": {"connection": connection([{"commit": {"oid": "x2"}}], True, "c2", 3)}}
    round_two = {"f0": {"connection": connection([{"commit": {"oid": "x3"}}], False, None, 3)}}
    client = ScriptedClient(
        [([long_history], True), (page_two, True, round_one), (page_three, False, round_two)]
    )
    pages = list(make_walker(client).walk("acme/widgets", Progress()))
    assert not [call for call in client.calls if "query FollowUps" in call[0]]  # none alone
    assert [client.calls[n][1].get("after0") for n in range(3)] == [None, "c1", "c2"]
    numbers = [[b.pull_request["number"] for b in page.bundles] for page in pages]
    assert numbers == [[1], [2], [3]]  # page 1 waited for its second round; order kept
    assert [c["sha"] for c in pages[0].bundles[0].commits] == ["x1", "x2", "x3"]
    assert [page.progress.bookmark for page in pages] == [
        "2024-01-01T00:00:00Z",
        "2024-01-02T00:00:00Z",
        "2024-01-03T00:00:00Z",
    ]


def test_follow_ups_of_two_pages_share_one_ride_each_reading_its_own_answers():
    first = pr_node(
        1,
        "2024-01-01T00:00:00Z",
        commits=connection([{"commit": {"oid": "a1"}}], more=True, cursor="c1", total=3),
    )
    second = pr_node(
        2,
        "2024-01-02T00:00:00Z",
        files=connection([{"path": "b1", "changeType": "ADDED"}], more=True, cursor="f1"),
    )
    round_one = {"f0": {"connection": connection([{"commit": {"oid": "a2"}}], True, "c2", 3)}}
    shared_ride = {
        "f0": {"connection": connection([{"commit": {"oid": "a3"}}], False, None, 3)},
        "f1": {"connection": connection([{"path": "b2", "changeType": "ADDED"}])},
    }
    client = ScriptedClient(
        [
            ([first], True),
            ([second], True, round_one),
            ([pr_node(3, "2024-01-03T00:00:00Z")], False, shared_ride),
        ]
    )
    pages = list(make_walker(client).walk("acme/widgets", Progress()))
    third_request = client.calls[2][1]
    assert (third_request["id0"], third_request["id1"]) == ("PR_1", "PR_2")  # oldest page first
    assert [c["sha"] for c in pages[0].bundles[0].commits] == ["a1", "a2", "a3"]
    assert [f["path"] for f in pages[1].bundles[0].files] == ["b1", "b2"]
    assert len(client.calls) == 3


def test_a_page_still_incomplete_after_two_rides_is_finished_on_its_own():
    endless = pr_node(
        1,
        "2024-01-01T00:00:00Z",
        commits=connection([{"commit": {"oid": "x1"}}], more=True, cursor="c1", total=9),
    )

    def more_commits(n):
        return {"f0": {"connection": connection([{"commit": {"oid": f"x{n}"}}], True, f"c{n}", 9)}}

    last = {"f0": {"connection": connection([{"commit": {"oid": "x4"}}], False, None, 9)}}
    pages_script = [
        ([endless], True),
        ([pr_node(2, "2024-01-02T00:00:00Z")], True, more_commits(2)),
        ([pr_node(3, "2024-01-03T00:00:00Z")], True, more_commits(3)),
        ([pr_node(4, "2024-01-04T00:00:00Z")], False),
    ]
    client = ScriptedClient(pages_script, follow_ups=[last])
    walk = make_walker(client).walk("acme/widgets", Progress())
    first = next(walk)
    # Page 1 rode along with pages 2 and 3, then was finished alone before page 4's request.
    assert [c["sha"] for c in first.bundles[0].commits] == ["x1", "x2", "x3", "x4"]
    assert ["query FollowUps" in call[0] for call in client.calls] == [False] * 3 + [True]
    rest = [[b.pull_request["number"] for b in page.bundles] for page in walk]
    assert rest == [[2], [3], [4]]
