"""The tap's own progress lines: each repository's starting point, and PRs so far with ETA."""

from __future__ import annotations

import logging
import re

import pytest

from tap_github_prs.progress_log import duration, page_progress, starting_point
from tests.tap.helpers import run_in_process, tap_config

SDK_BOOKMARK_LINE = "Starting incremental sync of"


def test_the_starting_point_names_the_bookmark_else_the_start_date():
    assert (
        starting_point("acme/widgets", "pull_requests", "2026-10-01T12:00:00Z", "2018-01-01")
        == "acme/widgets: pull_requests incremental from 2026-10-01T12:00:00Z."
    )
    assert (
        starting_point("acme/widgets", "releases", None, "2018-01-01T00:00:00Z")
        == "acme/widgets: releases first sync from start_date 2018-01-01T00:00:00Z."
    )
    assert starting_point("acme/widgets", "issues", None, None) == (
        "acme/widgets: issues first sync of the whole history (no start_date)."
    )


def test_a_page_line_with_a_count_shows_the_share_done_and_an_eta():
    line = page_progress(
        "acme/widgets",
        prs=50,
        requests=2,
        so_far=150,
        remaining=450,
        elapsed=30.0,
        bookmark="2024-05-01T00:00:00Z",
    )
    # 150 of 600 in 30 s: 450 more at 5 PRs/s is 90 s.
    assert line == (
        "acme/widgets: 50 PRs from 2 request(s), 150 so far of about 600 (25%, ETA 1m30s); "
        "bookmark 2024-05-01T00:00:00Z."
    )


def test_a_page_line_without_a_count_shows_prs_so_far_only():
    line = page_progress(
        "acme/widgets", prs=3, requests=1, so_far=3, remaining=None, elapsed=2.0, bookmark=None
    )
    assert line == "acme/widgets: 3 PRs from 1 request(s), 3 so far; bookmark None."


def test_the_last_page_shows_all_done_without_an_eta():
    line = page_progress(
        "a/b", prs=7, requests=1, so_far=107, remaining=0, elapsed=9.0, bookmark="x"
    )
    assert line == "a/b: 7 PRs from 1 request(s), 107 so far of about 107 (100%); bookmark x."


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.4, "0s"), (59.4, "59s"), (61, "1m01s"), (3599, "59m59s"), (7620, "2h07m")],
)
def test_durations_read_short(seconds, text):
    assert duration(seconds) == text


def pull_request_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("acme/widgets: ")]


@pytest.mark.fake_github(seed=6, prs=45, repositories=["acme/widgets"], heavy_tails=False)
def test_runs_log_each_repository_s_real_starting_point_not_the_sdk_s(fake_github, caplog):
    start_date = "2018-01-01T00:00:00Z"
    config = tap_config(fake_github, start_date=start_date, page_size=20)
    with caplog.at_level(logging.INFO):
        first = run_in_process(config)
    messages = [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if SDK_BOOKMARK_LINE in m]
    lines = pull_request_lines(caplog)
    assert f"acme/widgets: pull_requests first sync from start_date {start_date}." in lines
    pages = [line for line in lines if " PRs from " in line]
    assert len(pages) >= 3  # 45 PRs in pages of 20
    # Counted from GitHub's issueCount: the share grows and the last page says 100%.
    shares = [int(m) for line in pages for m in re.findall(r"\((\d+)%", line)]
    assert shares == sorted(shares) and shares[-1] == 100 and shares[0] < 100
    assert pages[-1].startswith("acme/widgets: ") and " 45 so far of about 45 (100%)" in pages[-1]

    bookmark = next(
        p["replication_key_value"]
        for p in first.final_state["bookmarks"]["pull_requests"]["partitions"]
        if p["context"] == {"repository": "acme/widgets"}
    )
    assert bookmark > start_date
    fake_github.advance_clock(3600)
    fake_github.add_pull_request("acme/widgets", title="after the first run")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        run_in_process(config, state=first.final_state)
    messages = [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if SDK_BOOKMARK_LINE in m]
    assert f"acme/widgets: pull_requests incremental from {bookmark}." in messages
