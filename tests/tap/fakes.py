"""Fake clock and fake HTTP session for unit tests: nothing sleeps, nothing connects."""

from __future__ import annotations

import json
import typing as t
from dataclasses import dataclass, field

import requests


class FakeClock:
    """Time only moves when the code under test sleeps."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0)

    @property
    def slept(self) -> float:
        return sum(self.sleeps)


@dataclass
class FakeResponse:
    status_code: int = 200
    body: t.Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0  # how long the answer takes (moves the session's clock, if any)

    @property
    def text(self) -> str:
        return self.body if isinstance(self.body, str) else json.dumps(self.body)

    def json(self) -> t.Any:
        if isinstance(self.body, str):
            return json.loads(self.body)
        return self.body


OK_BODY = {"data": {"viewer": {"login": "x"}, "rateLimit": {"cost": 1, "remaining": 4999}}}


class FakeSession:
    """Answers from a script: each entry is a FakeResponse, an exception, or a callable."""

    def __init__(self, script: list, clock: FakeClock | None = None) -> None:
        self.script = list(script)
        self.calls: list[dict] = []
        self.clock = clock

    def post(self, url: str, *, json: dict, headers: dict, timeout: float) -> FakeResponse:
        token = headers["Authorization"].split(" ", 1)[1]
        self.calls.append({"url": url, "json": json, "token": token, "timeout": timeout})
        if not self.script:
            return FakeResponse(body=OK_BODY)
        step = self.script.pop(0)
        if callable(step) and not isinstance(step, FakeResponse):
            step = step(token)
        if isinstance(step, Exception):
            raise step
        if self.clock is not None:
            self.clock.now += step.seconds
        return step

    @property
    def tokens_used(self) -> list[str]:
        return [call["token"] for call in self.calls]


def timeout_error() -> requests.Timeout:
    return requests.Timeout("read timed out")
