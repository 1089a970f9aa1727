"""Request sizes: an adaptive size halves on timeouts down to a floor, grows back a step per
success and remembers the size that did not fit; a repository's page plan cuts what is heavy
(riders, PRs, nested connections) to fit GitHub's time budget, learnt from its answers."""

from __future__ import annotations

import logging

from tap_github_prs.page_size import (
    ALLOWANCE_FLOOR,
    NESTED_FLOOR,
    NESTED_MAXIMUM,
    PLAN_SHARE,
    AdaptivePageSize,
    PagePlan,
    PageSizes,
)
from tap_github_prs.page_weight import count_objects
from tap_github_prs.queries.follow_ups import FollowUpRequest

LOGGER = logging.getLogger("t")


def test_halves_to_the_floor_then_refuses(caplog):
    size = AdaptivePageSize(50, LOGGER, floor=5)
    with caplog.at_level(logging.INFO):
        assert size.shrink("HTTP 502")
        assert size.current == 25
        assert size.shrink("HTTP 502") and size.shrink("HTTP 504") and size.shrink("timeout")
        assert size.current == 5
        assert not size.shrink("timeout")
    assert any("from 50 to 25" in message for message in caplog.messages)


def test_grows_back_one_step_per_success_up_to_just_under_the_size_that_failed():
    size = AdaptivePageSize(60, LOGGER, floor=5, step=10, probe_after=3)
    size.shrink("x")  # 60 failed: ceiling 50
    assert (size.current, size.ceiling) == (30, 50)
    size.succeeded()
    size.succeeded()
    assert size.current == 50  # two successes, not five in a row
    size.succeeded()
    size.succeeded()
    assert size.current == 50  # still under the size that timed out
    size.succeeded()  # probe_after successes at the ceiling: lift it one step
    assert (size.current, size.ceiling) == (60, 60)
    size.succeeded()
    assert size.current == 60


def test_a_failure_during_growth_halves_again():
    size = AdaptivePageSize(40, LOGGER, floor=5, step=5)
    size.shrink("x")
    size.succeeded()
    assert size.current == 25
    size.shrink("x")
    assert (size.current, size.ceiling) == (12, 20)


def test_an_answer_near_githubs_time_budget_eases_the_size_down_before_a_timeout():
    size = AdaptivePageSize(60, LOGGER, floor=5, step=10)
    size.succeeded(budget_share=0.9)  # 90% of the budget: aim at 60% of it next time
    assert size.current == 40 and size.ceiling == 40
    size.succeeded(budget_share=0.65)  # comfortable: hold
    assert size.current == 40
    size.succeeded(budget_share=0.2)  # fast, but the ceiling learnt above holds
    assert size.current == 40


def test_fast_answers_grow_the_size():
    size = AdaptivePageSize(60, LOGGER, floor=5, step=10)
    size.shrink("x")
    size.succeeded(budget_share=0.1)
    assert size.current == 40


# -- a repository's plan ------------------------------------------------------------------------


def connection(items, total):
    return {"totalCount": total, "pageInfo": {"hasNextPage": False}, "nodes": items}


def pr(number, commits=0):
    """A PR node with `commits` commits (3 objects each) shown, all of them."""
    items = [{"commit": {"oid": f"{number}-{i}", "author": {"name": "a"}}} for i in range(commits)]
    return {"id": f"PR_{number}", "number": number, "commits": connection(items, commits)}


def page_answer(nodes):
    return {"data": {"search": {"issueCount": len(nodes), "nodes": nodes}}}


def taught(sizing, nodes, share):
    """The repository answered a page of `nodes` in `share` of GitHub's time budget."""
    request = sizing.page_request([], None, rider_cap=20)
    request.succeeded(share, page_answer(nodes))


def objects_allowed(nodes, share):
    """Objects a planned request may return once `nodes` took `share` of the budget."""
    return PLAN_SHARE * count_objects(page_answer(nodes)["data"]) / share


def test_each_repository_keeps_its_own_plan(caplog):
    sizes = PageSizes(60, LOGGER, floor=5)
    big = sizes.for_repository("acme/monorepo").page_request([], None, 20)
    assert big.current == PagePlan(60, NESTED_MAXIMUM, 0)  # nothing measured: as configured
    with caplog.at_level(logging.WARNING):
        assert big.shrink("HTTP 502 after 9.8 s")
    assert big.current == PagePlan(30, 50, 0)  # before any measurement: both halve
    assert caplog.messages == [
        "HTTP 502 after 9.8 s: acme/monorepo page size lowered from 60 to 30; commits, files, "
        "reviews, CI contexts and timeline items per PR lowered from 100 to 50."
    ]
    assert sizes.for_repository("acme/monorepo").page_request([], None, 20).current.page_size == 30
    assert sizes.for_repository("acme/tiny").page_request([], None, 20).current.page_size == 60


def test_light_prs_keep_the_configured_page_and_full_nested_connections():
    sizing = PageSizes(60, LOGGER, floor=5).for_repository("acme/widgets")
    light = [pr(n, commits=2) for n in range(60)]
    taught(sizing, light, share=0.2)  # 60 light PRs took a fifth of the budget
    assert sizing.plan_page([], None, 20) == PagePlan(60, NESTED_MAXIMUM, 0)


def test_many_light_prs_that_fill_the_budget_make_the_page_smaller_not_the_connections():
    sizing = PageSizes(60, LOGGER, floor=5).for_repository("acme/widgets")
    light = [pr(n, commits=2) for n in range(60)]
    taught(sizing, light, share=1.6)  # twice PLAN_SHARE: half as many PRs fit
    plan = sizing.plan_page([], None, 20)
    assert plan.nested_first == NESTED_MAXIMUM  # cutting connections would not help
    assert 25 <= plan.page_size <= 30


def test_prs_heavy_even_one_at_a_time_get_shorter_nested_connections():
    sizing = PageSizes(60, LOGGER, floor=5).for_repository("acme/monorepo")
    heavy = [pr(n, commits=100) for n in range(5)]
    taught(sizing, heavy, share=2.0)  # 5 PRs of 100 commits: twice the budget
    plan = sizing.plan_page([], None, 20)
    assert plan.page_size == 5  # the floor: fewer PRs than this is not the answer
    assert NESTED_FLOOR <= plan.nested_first < 50  # the heavy connections are cut instead
    per_pr = count_objects(pr(0, commits=plan.nested_first))
    assert 5 * per_pr <= objects_allowed(heavy, 2.0)


def test_follow_ups_ride_along_first_and_the_page_takes_the_room_left():
    sizing = PageSizes(60, LOGGER, floor=5).for_repository("acme/widgets")
    light = [pr(n, commits=10) for n in range(60)]
    taught(sizing, light, share=PLAN_SHARE)  # 60 such PRs fill the plan exactly
    per_pr = count_objects(light[0])
    # Ten follow-ups of 30 commits (3 objects each), about 22 PRs' worth.
    pending = [FollowUpRequest("commits", f"PR_{n}", "c", items=30) for n in range(10)]
    plan = sizing.plan_page(pending, None, rider_cap=20)
    assert plan.riders == 10
    assert plan.nested_first == NESTED_MAXIMUM
    assert 60 - 10 * (30 * 3 + 3) / per_pr - 3 <= plan.page_size < 60 - 10 * 90 / per_pr
    # The count cap holds whatever the room.
    assert sizing.plan_page(pending, None, rider_cap=4).riders == 4


def test_a_timeout_lowers_the_allowance_until_the_plan_is_smaller_then_it_grows_back():
    sizing = PageSizes(60, LOGGER, floor=5).for_repository("acme/widgets")
    light = [pr(n, commits=10) for n in range(60)]
    taught(sizing, light, share=PLAN_SHARE)
    request = sizing.page_request([], None, 20)
    assert request.current.page_size == 60
    assert request.shrink("HTTP 502 after 10.1 s")
    assert request.current.page_size in (29, 30)  # half the allowance: half the PRs
    for _ in range(3):  # additive: a step (a sixth) per success, up to just under what failed
        request.succeeded(None, None)
    assert sizing.allowance.current == sizing.allowance.ceiling == 100 - 100 // 6
    assert sizing.plan_page([], None, 20).page_size == 50


def test_at_the_smallest_plan_a_timeout_cannot_shrink_anything():
    sizing = PageSizes(60, LOGGER, floor=5).for_repository("acme/monorepo")
    taught(sizing, [pr(n, commits=100) for n in range(5)], share=40.0)
    request = sizing.page_request([], None, 20)
    assert request.current == PagePlan(5, NESTED_FLOOR, 0)
    assert not request.shrink("HTTP 502 after 10.2 s")
    assert sizing.allowance.current == ALLOWANCE_FLOOR


def test_the_rest_of_a_search_caps_the_page_size():
    sizing = PageSizes(60, LOGGER, floor=5).for_repository("acme/widgets")
    assert sizing.plan_page([], 3, 20).page_size == 3


def test_follow_up_requests_carry_as_many_follow_ups_as_fit():
    sizing = PageSizes(60, LOGGER, floor=5).for_repository("acme/monorepo")
    pending = [FollowUpRequest("commits", f"PR_{n}", "c", items=100) for n in range(30)]
    assert sizing.follow_up_request(pending, 20).current == 20  # nothing measured: the cap
    heavy = [pr(n, commits=100) for n in range(10)]
    taught(sizing, heavy, share=PLAN_SHARE)  # ten PRs of 100 commits fill a request
    assert sizing.follow_up_request(pending, 20).current == 10  # as many commits as they held


def test_a_timeout_asks_for_less_even_when_the_times_measured_said_the_page_was_light():
    # E.g. two fast 502s in a row: GitHub's verdict, whatever the estimate says.
    sizing = PageSizes(60, LOGGER, floor=5).for_repository("acme/widgets")
    taught(sizing, [pr(n, commits=3) for n in range(60)], share=0.01)
    pending = [FollowUpRequest("commits", f"PR_{n}", "c", items=10) for n in range(20)]
    request = sizing.page_request(pending, None, 20)
    assert request.current == PagePlan(60, NESTED_MAXIMUM, 20)
    assert request.shrink("HTTP 502 after 0.3 s, twice in a row")
    assert request.current == PagePlan(30, 50, 10)
