"""GitHub's delivery signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`.

https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """The header value GitHub sends for `body` under `secret`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """True when `header` is the signature of the raw `body`; compared in constant time."""
    if not header:
        return False
    # compare_digest wants both sides ASCII (or bytes): a header with other characters is
    # simply wrong, not an exception.
    return hmac.compare_digest(sign(secret, body).encode(), header.strip().encode("utf-8"))
