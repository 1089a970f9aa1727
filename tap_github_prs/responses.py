"""What a GitHub answer means, decided in one function: `classify`.

Every answer (or failure to get one) falls into exactly one `Verdict`; what to do about it is
the retry policy's job (`retry.RetryPolicy.decide`). GitHub's GraphQL API signals limits in
several shapes: a 200 or 403 whose `errors` say "secondary rate limit", a 429, a `RATE_LIMITED`
error type, or a 403 with `x-ratelimit-remaining: 0` (see ../shared/notes/github-api.md).
"""

from __future__ import annotations

import enum
import typing as t
from dataclasses import dataclass

import requests

PRIMARY_LIMIT_ERROR_TYPES = {"RATE_LIMITED", "RATE_LIMIT"}


class Verdict(enum.Enum):
    OK = "ok"
    REJECTED_CREDENTIALS = "bad credentials"  # 401: this token is unusable
    TOO_HEAVY = "too heavy"  # 502/504 or a client timeout: ask for less
    SECONDARY_LIMIT = "secondary rate limit"
    PRIMARY_LIMIT = "primary rate limit"
    TRANSIENT = "transient"  # worth retrying as is
    FATAL = "fatal"  # retrying will not help


@dataclass(frozen=True)
class Classified:
    verdict: Verdict
    detail: str
    status: int | None = None
    body: dict | None = None


def error_messages(body: dict | None) -> list[str]:
    messages = [str(e.get("message", "")) for e in (body or {}).get("errors") or []]
    if body and body.get("message"):
        messages.append(str(body["message"]))
    return messages


def classify(
    *,
    status: int | None = None,
    headers: t.Mapping[str, str] | None = None,
    body: dict | None = None,
    text: str = "",
    error: BaseException | None = None,
) -> Classified:
    """Classify an HTTP answer (`status`, `headers`, parsed `body`, raw `text`) or an `error`."""
    if error is not None:
        if isinstance(error, requests.Timeout):
            return Classified(Verdict.TOO_HEAVY, "request timed out")
        return Classified(Verdict.TRANSIENT, f"connection error ({type(error).__name__})")
    assert status is not None
    headers = headers or {}
    messages = error_messages(body) if body is not None else [text[:2000]]
    if status == 401:
        return Classified(Verdict.REJECTED_CREDENTIALS, "HTTP 401", status, body)
    if status in (502, 504):
        return Classified(
            Verdict.TOO_HEAVY, f"HTTP {status} from GitHub (query too heavy or slow)", status
        )
    lowered = [m.lower() for m in messages]
    if status == 429 or (
        status in (200, 403) and any("secondary rate limit" in m or "abuse" in m for m in lowered)
    ):
        return Classified(Verdict.SECONDARY_LIMIT, f"secondary rate limit (HTTP {status})", status)
    if _primary_limit_error(body) or (
        status == 403 and headers.get("x-ratelimit-remaining") == "0"
    ):
        return Classified(Verdict.PRIMARY_LIMIT, f"primary rate limit (HTTP {status})", status)
    if status >= 500:
        return Classified(Verdict.TRANSIENT, f"HTTP {status}", status)
    if status == 200 and body is None:
        return Classified(Verdict.TRANSIENT, "unreadable JSON body", status)
    if status == 200 and any("something went wrong" in m or "timeout" in m for m in lowered):
        # GitHub nulls what it could not load in time; records built from it would be incomplete.
        return Classified(
            Verdict.TRANSIENT, "partial data: " + "; ".join(messages)[:200], status, body
        )
    if status >= 400 or body is None or body.get("data") is None:
        detail = "; ".join(m for m in messages if m) or text[:300]
        return Classified(
            Verdict.FATAL, f"GitHub GraphQL request failed (HTTP {status}): {detail}", status, body
        )
    return Classified(Verdict.OK, "ok", status, body)


def _primary_limit_error(body: dict | None) -> bool:
    for error in (body or {}).get("errors") or []:
        if error.get("type") in PRIMARY_LIMIT_ERROR_TYPES or error.get("code") == (
            "graphql_rate_limit"
        ):
            return True
    return False
