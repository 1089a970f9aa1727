"""A tiny HTTP client for the stand-in's own tests (standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from github_standin.server import DEFAULT_TOKENS

TOKEN = TOKEN_1 = DEFAULT_TOKENS[0]
TOKEN_2 = DEFAULT_TOKENS[1]
UNKNOWN_TOKEN = "not-a-configured-token"  # noqa: S105 - a deliberately wrong test token


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def post_json(
    url: str, payload: Any, token: str | None = TOKEN, method: str = "POST"
) -> HttpResult:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"bearer {token}"
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return HttpResult(response.status, _lower(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return HttpResult(error.code, _lower(error.headers), error.read())


def graphql(
    server: Any,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = TOKEN,
    operation_name: str | None = None,
) -> HttpResult:
    payload: dict[str, Any] = {"query": query, "variables": variables or {}}
    if operation_name:
        payload["operationName"] = operation_name
    return post_json(server.graphql_url, payload, token)
