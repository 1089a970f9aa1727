"""Requests are paced under GitHub's 2,000 points per minute, across threads."""

from __future__ import annotations

from tap_github_prs.pacing import PointsPacer
from tests.tap.fakes import FakeClock


def test_requests_wait_once_the_last_minute_has_spent_the_budget():
    clock = FakeClock(start=1000.0)
    pacer = PointsPacer(clock, points_per_minute=100)
    for _ in range(10):  # ten requests of 10 points each fill the minute
        reserved = pacer.reserve()
        pacer.settle(reserved, 10)
    assert clock.slept == 0
    reserved = pacer.reserve()  # the eleventh waits until the first leaves the window
    assert 59 <= clock.slept <= 60.1
    pacer.settle(reserved, 10)


def test_reservations_in_flight_count_against_the_budget():
    clock = FakeClock(start=1000.0)
    pacer = PointsPacer(clock, points_per_minute=30)
    pacer.settle(pacer.reserve(), 10)  # the estimate becomes 10 points per request
    pacer.reserve()
    pacer.reserve()  # 10 spent + 2 x 10 reserved: the budget is full, nothing waited yet
    assert clock.slept == 0
    assert pacer.estimate() == 10


def test_an_unknown_cost_releases_the_reservation():
    clock = FakeClock(start=1000.0)
    pacer = PointsPacer(clock, points_per_minute=10)
    for _ in range(5):
        pacer.settle(pacer.reserve(), None)  # e.g. a refused connection: nothing charged
    assert clock.slept == 0
