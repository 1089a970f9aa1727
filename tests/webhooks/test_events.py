"""Which events queue which repository."""

from __future__ import annotations

import pytest

from tap_github_prs_webhooks.events import QUEUED_EVENTS, repository_of

EVENTS = [
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "check_run",
    "check_suite",
    "status",
    "deployment_status",
    "release",
    "push",
]


def test_the_queued_events_are_exactly_the_ones_that_change_extracted_data():
    assert set(EVENTS) == QUEUED_EVENTS


@pytest.mark.parametrize("event", EVENTS)
def test_each_event_maps_to_its_repository_full_name(event):
    payload = {"repository": {"full_name": "Acme/Widgets", "name": "Widgets"}}
    assert repository_of(event, payload) == "Acme/Widgets"


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("ping", {"repository": {"full_name": "acme/widgets"}}),
        ("issues", {"repository": {"full_name": "acme/widgets"}}),
        ("push", {}),
        ("push", {"repository": None}),
        ("push", {"repository": {"full_name": "no-slash"}}),
        ("push", ["not", "an", "object"]),
    ],
)
def test_no_repository_for_other_events_or_malformed_payloads(event, payload):
    assert repository_of(event, payload) is None
