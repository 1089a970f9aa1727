"""X-Hub-Signature-256: GitHub's documented test vector, and what must not verify."""

from __future__ import annotations

import pytest

from tap_github_prs_webhooks.signature import sign, verify

# "Validating webhook deliveries", section "Testing the webhook payload validation":
# https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
GITHUB_SECRET = "It's a Secret to Everybody"  # noqa: S105 (GitHub's published test value)
GITHUB_PAYLOAD = b"Hello, World!"
GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_githubs_documented_test_vector():
    assert sign(GITHUB_SECRET, GITHUB_PAYLOAD) == GITHUB_SIGNATURE
    assert verify(GITHUB_SECRET, GITHUB_PAYLOAD, GITHUB_SIGNATURE)


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        ("another secret", GITHUB_PAYLOAD, GITHUB_SIGNATURE),  # wrong secret
        (GITHUB_SECRET, b"Hello, World?", GITHUB_SIGNATURE),  # body changed on the way
        (GITHUB_SECRET, GITHUB_PAYLOAD, None),  # no header
        (GITHUB_SECRET, GITHUB_PAYLOAD, ""),
        (GITHUB_SECRET, GITHUB_PAYLOAD, GITHUB_SIGNATURE.removeprefix("sha256=")),  # no prefix
        (GITHUB_SECRET, GITHUB_PAYLOAD, "sha1=" + GITHUB_SIGNATURE[7:]),  # another algorithm
        (GITHUB_SECRET, GITHUB_PAYLOAD, GITHUB_SIGNATURE[:-1] + "é"),  # not ASCII
    ],
)
def test_anything_else_does_not_verify(secret, body, header):
    assert not verify(secret, body, header)
