"""Adaptive page size halves on timeouts down to a floor and grows back after successes."""

from __future__ import annotations

import logging

from tap_github_prs.page_size import AdaptivePageSize


def test_halves_to_the_floor_then_refuses(caplog):
    size = AdaptivePageSize(50, logging.getLogger("t"), floor=5)
    with caplog.at_level(logging.INFO):
        assert size.shrink("HTTP 502")
        assert size.current == 25
        assert size.shrink("HTTP 502") and size.shrink("HTTP 504") and size.shrink("timeout")
        assert size.current == 5
        assert not size.shrink("timeout")
    assert any("from 50 to 25" in message for message in caplog.messages)


def test_grows_back_after_a_run_of_successes_up_to_the_configured_size():
    size = AdaptivePageSize(40, logging.getLogger("t"), floor=5, grow_after=3)
    size.shrink("x")
    size.shrink("x")
    assert size.current == 10
    for _ in range(3):
        size.succeeded()
    assert size.current == 20
    size.succeeded()
    size.shrink("x")  # a failure resets the run
    size.succeeded()
    size.succeeded()
    assert size.current == 10
    for _ in range(9):
        size.succeeded()
    assert size.current == 40
