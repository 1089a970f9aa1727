"""Fixtures of the webhook receiver's tests: a fresh database per test holding the queue, and a
receiver serving on a free port in this process."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator

import pytest
import requests

from tap_github_prs_webhooks.queue import WebhookQueue
from tap_github_prs_webhooks.receiver import WebhookReceiver
from tap_github_prs_webhooks.settings import WebhookSecret, connection_arguments
from tap_github_prs_webhooks.signature import sign
from tests.e2e.conftest import meltano_env, meltano_plugins, postgres_server, warehouse
from tests.e2e.helpers import Warehouse

__all__ = ["meltano_env", "meltano_plugins", "postgres_server", "warehouse"]

SECRET = "test-webhook-secret-0f3c9a"  # noqa: S105 (a test secret, grepped for in outputs)


def open_queue(warehouse: Warehouse) -> WebhookQueue:
    return WebhookQueue(connection_arguments(warehouse.variables)).open()


@pytest.fixture
def queue(warehouse: Warehouse) -> Iterator[WebhookQueue]:
    opened = open_queue(warehouse)
    try:
        yield opened
    finally:
        opened.close()


def start_receiver(queue: WebhookQueue, **options) -> WebhookReceiver:
    receiver = WebhookReceiver(
        ("127.0.0.1", 0), secret=WebhookSecret(SECRET), queue=queue, **options
    )
    receiver.start()
    return receiver


def stop_receiver(receiver: WebhookReceiver) -> None:
    receiver.shutdown()
    receiver.server_close()


@pytest.fixture
def receiver(queue: WebhookQueue) -> Iterator[WebhookReceiver]:
    started = start_receiver(queue)
    try:
        yield started
    finally:
        stop_receiver(started)


def payload_for(repository: str, action: str = "synchronize") -> dict:
    owner, name = repository.split("/")
    return {
        "action": action,
        "repository": {"full_name": repository, "name": name, "owner": {"login": owner}},
    }


def delivery_headers(
    event: str, body: bytes, *, delivery: str | None = None, secret: str | None = SECRET
) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/test",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
    }
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(secret, body)
    return headers


Send = Callable[..., requests.Response]


def send(
    url: str,
    event: str,
    payload: dict,
    *,
    delivery: str | None = None,
    secret: str | None = SECRET,
    session: requests.Session | None = None,
) -> requests.Response:
    """POST one delivery the way GitHub does: raw JSON body, signed, with its headers."""
    body = json.dumps(payload).encode()
    poster = session or requests
    return poster.post(
        url,
        data=body,
        headers=delivery_headers(event, body, delivery=delivery, secret=secret),
        timeout=10,
    )
