"""The receiver against a real PostgreSQL queue: signatures, events, redeliveries, a burst, and
a restart that loses nothing."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import requests

from tap_github_prs_webhooks.signature import sign
from tests.webhooks.conftest import (
    SECRET,
    delivery_headers,
    open_queue,
    payload_for,
    send,
    start_receiver,
    stop_receiver,
)


def queued(queue) -> dict[str, int]:
    return {row.repository: row.event_count for row in queue.pending()}


def test_valid_signature_is_accepted_and_queues_the_repository(receiver, queue):
    answer = send(receiver.url, "pull_request", payload_for("acme/widgets", "opened"))

    assert answer.status_code == 202
    assert answer.json() == {"message": "queued", "repository": "acme/widgets"}
    assert queued(queue) == {"acme/widgets": 1}
    (row,) = queue.pending()
    assert row.last_event == "pull_request" and row.claimed_at is None


def test_invalid_or_missing_signature_is_rejected_with_401(receiver, queue, caplog):
    caplog.set_level(logging.INFO, logger="tap_github_prs_webhooks")
    wrong = send(receiver.url, "push", payload_for("acme/widgets"), secret="not-the-secret")  # noqa: S106
    missing = send(receiver.url, "push", payload_for("acme/widgets"), secret=None)
    body = json.dumps(payload_for("acme/widgets")).encode()
    tampered = requests.post(
        receiver.url,
        data=body.replace(b"widgets", b"gadgets"),
        headers=delivery_headers("push", body),
        timeout=10,
    )

    assert (wrong.status_code, wrong.json()) == (401, {"message": "invalid signature"})
    assert (missing.status_code, missing.json()) == (
        401,
        {"message": "missing X-Hub-Signature-256"},
    )
    assert tampered.status_code == 401
    assert queued(queue) == {}
    assert "does not match the body" in caplog.text
    assert SECRET not in caplog.text


def test_redelivery_is_ignored(receiver, queue):
    first = send(receiver.url, "check_run", payload_for("acme/widgets"), delivery="d-1")
    again = send(receiver.url, "check_run", payload_for("acme/widgets"), delivery="d-1")

    assert first.status_code == 202
    assert (again.status_code, again.json()) == (200, {"message": "duplicate delivery"})
    assert queued(queue) == {"acme/widgets": 1}


def test_ping_is_answered_and_other_events_are_not_queued(receiver, queue):
    ping = send(receiver.url, "ping", {"zen": "Keep it logically awesome.", "hook_id": 1})
    issues = send(receiver.url, "issues", payload_for("acme/widgets", "opened"))
    no_repository = send(receiver.url, "push", {"ref": "refs/heads/main"})

    assert (ping.status_code, ping.json()) == (200, {"message": "pong"})
    assert (issues.status_code, issues.json()["message"]) == (202, "ignored: event issues")
    assert no_repository.status_code == 202
    assert queued(queue) == {}


def test_form_encoded_deliveries_are_read_too(receiver, queue):
    body = urlencode({"payload": json.dumps(payload_for("acme/gadgets"))}).encode()
    headers = delivery_headers("release", body) | {
        "Content-Type": "application/x-www-form-urlencoded"
    }

    answer = requests.post(receiver.url, data=body, headers=headers, timeout=10)

    assert answer.status_code == 202
    assert queued(queue) == {"acme/gadgets": 1}


def test_signed_body_that_is_not_json_gets_400(receiver, queue):
    body = b"{not json"
    answer = requests.post(
        receiver.url, data=body, headers=delivery_headers("push", body), timeout=10
    )
    assert answer.status_code == 400
    assert queued(queue) == {}


def test_queue_failure_answers_503_and_says_what_to_do(receiver, queue, caplog):
    queue.close()  # the warehouse goes away under a running receiver

    answer = send(receiver.url, "push", payload_for("acme/widgets"), delivery="lost-1")

    assert answer.status_code == 503
    assert "Delivery lost-1 (push for acme/widgets) not queued" in caplog.text
    assert "redeliver" in caplog.text


@pytest.mark.slow  # about 5 s on a shared 2-core machine; its speed is in BENCHMARKS.md
def test_a_burst_of_1000_events_for_10_repositories_queues_10(receiver, queue, warehouse):
    repositories = [f"acme/repo-{n}" for n in range(10)]
    events = ["pull_request", "check_run", "status", "push", "pull_request_review"]
    deliveries = [
        (events[n % len(events)], repositories[n % 10], f"burst-{n}") for n in range(1000)
    ]

    def deliver(item):
        event, repository, delivery = item
        return send(receiver.url, event, payload_for(repository), delivery=delivery).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(deliver, deliveries))

    assert statuses == [202] * 1000
    assert queued(queue) == dict.fromkeys(repositories, 100)
    assert warehouse.query("select count(*) from tap_github_prs_webhooks.deliveries") == [(1000,)]


def test_after_a_restart_nothing_queued_is_lost(queue, warehouse):
    first = start_receiver(queue)
    for n, repository in enumerate(["acme/a", "acme/b", "acme/c"]):
        assert send(first.url, "push", payload_for(repository), delivery=f"r-{n}").ok
    stop_receiver(first)
    queue.close()

    reopened = open_queue(warehouse)  # a new process would do exactly this
    second = start_receiver(reopened)
    try:
        assert queued(reopened) == {"acme/a": 1, "acme/b": 1, "acme/c": 1}
        # GitHub's "Redeliver" of a delivery the first receiver took is still recognised.
        assert send(second.url, "push", payload_for("acme/a"), delivery="r-0").status_code == 200
        assert send(second.url, "push", payload_for("acme/d"), delivery="r-3").status_code == 202
        assert queued(reopened) == {"acme/a": 1, "acme/b": 1, "acme/c": 1, "acme/d": 1}
    finally:
        stop_receiver(second)
        reopened.close()


def test_the_signature_helper_matches_what_github_sends():
    # The fixtures sign with the same function the receiver verifies with; GitHub's own test
    # vector (test_signature.py) ties that function to GitHub.
    assert sign(SECRET, b"{}").startswith("sha256=") and len(sign(SECRET, b"{}")) == 71
