"""pytest fixtures for the GitHub stand-in (a pytest11 entry point, active wherever installed).

- `fake_github`: a started `FakeGitHub` for one test. Configure it with a marker, e.g.
  `@pytest.mark.fake_github(prs=20, repositories=["acme/widgets"], heavy_tails=False)`;
  every keyword of `FakeGitHub(...)` is accepted. Defaults: seed 1, 60 PRs, default repositories.
- `fake_github_factory`: call it with `FakeGitHub` keywords to start more servers; all are
  stopped after the test.
- `fake_github_token`: a valid token (`fake-token-1`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .server import DEFAULT_TOKENS, FakeGitHub

DEFAULT_FIXTURE_OPTIONS: dict[str, Any] = {"seed": 1, "prs": 60}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fake_github(**options): options for the `fake_github` fixture's FakeGitHub(...)"
    )


@pytest.fixture
def fake_github_factory() -> Iterator[Callable[..., FakeGitHub]]:
    started: list[FakeGitHub] = []

    def start(**options: Any) -> FakeGitHub:
        server = FakeGitHub(**{**DEFAULT_FIXTURE_OPTIONS, **options}).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def fake_github(
    request: pytest.FixtureRequest, fake_github_factory: Callable[..., FakeGitHub]
) -> FakeGitHub:
    marker = request.node.get_closest_marker("fake_github")
    options = dict(marker.kwargs) if marker else {}
    return fake_github_factory(**options)


@pytest.fixture
def fake_github_token() -> str:
    return DEFAULT_TOKENS[0]
