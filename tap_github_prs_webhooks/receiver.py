"""The HTTP side: verify a delivery, find its repository, record it, answer at once.

Standard library only (`ThreadingHTTPServer`): the work per delivery is one HMAC and one small
transaction, so a framework would add a dependency and nothing GitHub needs. Answers come well
within GitHub's 10 s because nothing else happens here; the pipeline runs elsewhere (`sync`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tap_github_prs_webhooks.events import PING, QUEUED_EVENTS, repository_of
from tap_github_prs_webhooks.queue import WebhookQueue
from tap_github_prs_webhooks.settings import WebhookSecret
from tap_github_prs_webhooks.signature import verify

LOGGER = logging.getLogger("tap_github_prs_webhooks.receiver")
# GitHub does not send payloads over 25 MB ("Webhook events and payloads"); anything larger is
# not from GitHub and is refused before it is read.
MAX_BODY_BYTES = 25 * 1024 * 1024


class WebhookReceiver(ThreadingHTTPServer):
    daemon_threads = True
    # Many deliveries can arrive at once (a push to many PRs); the default backlog of 5 would
    # refuse connections under a burst.
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        *,
        secret: WebhookSecret,
        queue: WebhookQueue,
        on_queued: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(address, DeliveryHandler)
        self.secret = secret
        self.queue = queue
        self.on_queued = on_queued

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> threading.Thread:
        """Serve in a background thread (tests, benchmarks); `shutdown()` stops it."""
        thread = threading.Thread(target=self.serve_forever, name="webhook-receiver", daemon=True)
        thread.start()
        return thread


class DeliveryHandler(BaseHTTPRequestHandler):
    server: WebhookReceiver
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, the second waits for
    # the client's delayed ACK (about 40 ms per delivery on a keep-alive connection).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        """Health check for a load balancer: the receiver is up (the queue is checked per POST)."""
        self._answer(HTTPStatus.OK, {"status": "ok"})

    def do_POST(self) -> None:
        length = self._content_length()
        if length is None:
            self._answer(HTTPStatus.LENGTH_REQUIRED, {"message": "Content-Length required"})
            return
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"message": "payload too large"})
            return
        body = self.rfile.read(length)
        self._deliver(body)

    def _deliver(self, body: bytes) -> None:
        event = self.headers.get("X-GitHub-Event", "")
        delivery = self.headers.get("X-GitHub-Delivery", "")
        signature = self.headers.get("X-Hub-Signature-256")
        if not signature:
            LOGGER.warning("Rejected delivery %s: no X-Hub-Signature-256 header", delivery or "-")
            self._answer(HTTPStatus.UNAUTHORIZED, {"message": "missing X-Hub-Signature-256"})
            return
        if not verify(self.server.secret.value, body, signature):
            LOGGER.warning(
                "Rejected delivery %s: X-Hub-Signature-256 does not match the body "
                "(wrong secret, or the body was changed on the way)",
                delivery or "-",
            )
            self._answer(HTTPStatus.UNAUTHORIZED, {"message": "invalid signature"})
            return
        if not event or not delivery:
            self._answer(
                HTTPStatus.BAD_REQUEST, {"message": "missing X-GitHub-Event or X-GitHub-Delivery"}
            )
            return
        if event == PING:
            LOGGER.info("Ping %s answered", delivery)
            self._answer(HTTPStatus.OK, {"message": "pong"})
            return
        if event not in QUEUED_EVENTS:
            self._answer(HTTPStatus.ACCEPTED, {"message": f"ignored: event {event}"})
            return
        payload = self._payload(body)
        if payload is None:
            self._answer(HTTPStatus.BAD_REQUEST, {"message": "body is not a JSON payload"})
            return
        repository = repository_of(event, payload)
        if repository is None:
            self._answer(HTTPStatus.ACCEPTED, {"message": "ignored: no repository.full_name"})
            return
        self._record(delivery, event, repository)

    def _record(self, delivery: str, event: str, repository: str) -> None:
        try:
            new = self.server.queue.record(delivery, event, repository)
        except Exception as error:  # the queue's database: answer 503 instead of hanging
            LOGGER.error(
                "Delivery %s (%s for %s) not queued: the queue's database failed: %s. "
                "GitHub will not retry it; the next scheduled full run covers it, or redeliver "
                "it from the webhook's Recent Deliveries.",
                delivery,
                event,
                repository,
                type(error).__name__,
            )
            self._answer(HTTPStatus.SERVICE_UNAVAILABLE, {"message": "queue unavailable"})
            return
        if not new:
            LOGGER.info("Delivery %s seen before: ignored", delivery)
            self._answer(HTTPStatus.OK, {"message": "duplicate delivery"})
            return
        LOGGER.info("Delivery %s: %s queued %s", delivery, event, repository)
        self._answer(HTTPStatus.ACCEPTED, {"message": "queued", "repository": repository})
        if self.server.on_queued is not None:
            self.server.on_queued(repository)

    def _payload(self, body: bytes) -> Any:
        """The JSON payload of either content type GitHub offers (application/json is advised;
        application/x-www-form-urlencoded sends it as the form field `payload`)."""
        content_type = self.headers.get_content_type()
        try:
            if content_type == "application/x-www-form-urlencoded":
                fields = parse_qs(body.decode("utf-8"))
                return json.loads(fields["payload"][0])
            return json.loads(body)
        except (ValueError, KeyError, UnicodeDecodeError):
            return None

    def _content_length(self) -> int | None:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return None
        return length if length >= 0 else None

    def _answer(self, status: HTTPStatus, body: dict[str, Any]) -> None:
        encoded = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format: str, *args: Any) -> None:
        # Method, path and status only (never headers: the signature is derived from the secret).
        LOGGER.debug("%s %s", self.address_string(), format % args)
