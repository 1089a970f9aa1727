"""Adaptive page size: halves on timeouts down to a floor, grows back a step per success,
remembers the size that did not fit, and is kept per repository."""

from __future__ import annotations

import logging

from tap_github_prs.page_size import AdaptivePageSize, PageSizes

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


def test_each_repository_keeps_its_own_size():
    sizes = PageSizes(60, LOGGER, floor=5)
    big = sizes.for_repository("acme/monorepo")
    big.shrink("HTTP 502 after 9.8 s")
    assert sizes.for_repository("acme/monorepo").current == 30
    assert sizes.for_repository("acme/tiny").current == 60


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
