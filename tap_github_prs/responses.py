"""What a GitHub answer means, decided in one function: `classify`.

Every answer (or failure to get one) falls into exactly one `Verdict`; what to do about it is
the retry policy's job (`retry.RetryPolicy.decide`). GitHub's GraphQL API signals limits in
several shapes: a 200 or 403 whose `errors` say "secondary rate limit", a 429, a `RATE_LIMITED`
error type, or a 403 with `x-ratelimit-remaining: 0` (see ../shared/notes/github-api.md).

A 502 or 504 is ambiguous on GitHub: the same body ("Something went wrong while executing your
query. This may be the result of a timeout...") comes back when a query ran out of its 10 s
of server time and when a server had a transient fault. How long the request took tells them
apart: an answer that came after most of the budget is a timeout (the query is too heavy); a
fast one is probably bad luck, so it is retried once as it is before anything shrinks.
"""

from __future__ import annotations

import enum
import socket
import typing as t
from dataclasses import dataclass

import requests

PRIMARY_LIMIT_ERROR_TYPES = {"RATE_LIMITED", "RATE_LIMIT"}


class Verdict(enum.Enum):
    OK = "ok"
    REJECTED_CREDENTIALS = "bad credentials"  # 401: this token is unusable
    TOO_HEAVY = "too heavy"  # 502/504 after most of GitHub's time budget: ask for less
    GATEWAY_UNSURE = "gateway error"  # a fast 502/504 or a read timeout: retry once, then shrink
    UNREACHABLE = "unreachable"  # no connection at all (refused, DNS, TLS, connect timeout)
    SECONDARY_LIMIT = "secondary rate limit"
    PRIMARY_LIMIT = "primary rate limit"
    TRANSIENT = "transient"  # worth retrying as is (5xx, dropped connection, broken body)
    FATAL = "fatal"  # retrying will not help


@dataclass(frozen=True)
class Classified:
    verdict: Verdict
    detail: str
    status: int | None = None
    body: dict | None = None
    cause: str = ""  # a short name of the failure, to count retries by (detail when empty)

    @property
    def label(self) -> str:
        return self.cause or self.detail


def error_messages(body: dict | None) -> list[str]:
    messages = [str(e.get("message", "")) for e in (body or {}).get("errors") or []]
    if body and body.get("message"):
        messages.append(str(body["message"]))
    return messages


# A 502/504 that took at least this share of GitHub's time budget is a server-side timeout.
TIMEOUT_SHARE_OF_BUDGET = 0.8


def classify(
    *,
    status: int | None = None,
    headers: t.Mapping[str, str] | None = None,
    body: dict | None = None,
    text: str = "",
    error: BaseException | None = None,
    elapsed: float = 0.0,
    time_budget: float = 10.0,
) -> Classified:
    """Classify an HTTP answer (`status`, `headers`, parsed `body`, raw `text`, the `elapsed`
    seconds it took against GitHub's `time_budget`) or the `error` that replaced it."""
    if error is not None:
        return _classify_error(error)
    assert status is not None
    headers = headers or {}
    messages = error_messages(body) if body is not None else [text[:2000]]
    if status == 401:
        return Classified(Verdict.REJECTED_CREDENTIALS, "HTTP 401", status, body)
    if status in (502, 504):
        if elapsed >= TIMEOUT_SHARE_OF_BUDGET * time_budget:
            return Classified(
                Verdict.TOO_HEAVY,
                f"HTTP {status} after {elapsed:.1f} s: GitHub's {time_budget:.0f} s limit (query "
                "too heavy)",
                status,
                cause=f"HTTP {status}",
            )
        return Classified(
            Verdict.GATEWAY_UNSURE,
            f"HTTP {status} after {elapsed:.1f} s",
            status,
            cause=f"HTTP {status}",
        )
    lowered = [m.lower() for m in messages]
    if status == 429 or (
        status in (200, 403) and any("secondary rate limit" in m or "abuse" in m for m in lowered)
    ):
        return Classified(
            Verdict.SECONDARY_LIMIT,
            f"secondary rate limit (HTTP {status})",
            status,
            cause="secondary rate limit",
        )
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
            Verdict.TRANSIENT,
            "partial data: " + "; ".join(messages)[:200],
            status,
            body,
            cause="partial data",
        )
    if status >= 400 or body is None or body.get("data") is None:
        detail = "; ".join(m for m in messages if m) or text[:300]
        return Classified(
            Verdict.FATAL,
            f"GitHub GraphQL request failed (HTTP {status}): {detail}{access_hint(messages)}",
            status,
            body,
        )
    return Classified(Verdict.OK, "ok", status, body)


def _primary_limit_error(body: dict | None) -> bool:
    for error in (body or {}).get("errors") or []:
        if error.get("type") in PRIMARY_LIMIT_ERROR_TYPES or error.get("code") == (
            "graphql_rate_limit"
        ):
            return True
    return False


def _classify_error(error: BaseException) -> Classified:
    """No answer: could not connect at all, or the connection broke during the request."""
    if isinstance(error, requests.ConnectTimeout):
        return Classified(Verdict.UNREACHABLE, "connection timed out")
    if isinstance(error, requests.Timeout):
        return Classified(Verdict.GATEWAY_UNSURE, "no answer within request_timeout")
    if isinstance(error, requests.exceptions.SSLError):
        return Classified(
            Verdict.UNREACHABLE, f"TLS error ({_root_cause(error)})", cause="TLS error"
        )
    cause = _root_cause(error)
    if isinstance(error, requests.ConnectionError) and _is_connect_failure(error):
        return Classified(Verdict.UNREACHABLE, cause)
    return Classified(
        Verdict.TRANSIENT, f"connection dropped ({cause})", cause="connection dropped"
    )


def _chain(error: BaseException) -> t.Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)
        nested = reason if isinstance(reason, BaseException) else None
        if nested is None and current.args and isinstance(current.args[0], BaseException):
            nested = current.args[0]
        current = nested or current.__cause__ or current.__context__


def _is_connect_failure(error: BaseException) -> bool:
    names = {type(e).__name__ for e in _chain(error)}
    return bool(names & {"NewConnectionError", "NameResolutionError", "ConnectTimeoutError"})


def _root_cause(error: BaseException) -> str:
    """A short human cause: "connection refused", "DNS lookup failed", or the innermost text."""
    chain = list(_chain(error))
    names = {type(e).__name__ for e in chain}
    if "NameResolutionError" in names or any(isinstance(e, socket.gaierror) for e in chain):
        return "DNS lookup failed"
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or any(
        "Connection refused" in str(e) for e in chain
    ):
        return "connection refused"
    innermost = chain[-1]
    text = str(innermost)[:120]
    return f"{type(innermost).__name__}: {text}" if text else type(innermost).__name__


def access_hint(messages: list[str]) -> str:
    """What to change when GitHub refuses access (SSO, scopes, permissions), as one sentence."""
    text = " ".join(messages).lower()
    if "saml" in text or "single sign-on" in text or "sso" in text.split():
        return (
            " Authorize the token for the organization's SAML single sign-on (GitHub: Settings"
            " > Developer settings > tokens > Configure SSO), then rerun."
        )
    if "scope" in text:
        return (
            " Give the token the scopes it lacks (classic: `repo` or `public_repo`; "
            "fine-grained: read access to pull requests, contents, checks and deployments)."
        )
    if "resource not accessible" in text or "forbidden" in text or "permission" in text:
        return (
            " The token cannot read this: give it (or the GitHub App) read access to the "
            "repository's pull requests, contents and checks."
        )
    return ""
