"""singer-sdk's standard tap tests, run against the GitHub stand-in."""

from __future__ import annotations

import pytest
from github_standin.server import DEFAULT_TOKENS, FakeGitHub
from singer_sdk.testing import SuiteConfig, get_tap_test_class

from tap_github_prs.tap import TapGitHubPRs

# The runner is built at import time; the stand-in's URL is filled in once it has started.
CONFIG = {
    "auth_token": DEFAULT_TOKENS[0],
    "repositories": ["acme/widgets"],
    "api_url": "http://127.0.0.1:1/graphql",
    "page_size": 10,
    # The stand-in's small dataset has no incident in acme/widgets, but bug-labelled issues.
    "incident_labels": ["incident", "bug"],
}

_StandardTests = get_tap_test_class(
    TapGitHubPRs,
    config=CONFIG,
    suite_config=SuiteConfig(max_records_limit=200),
    parse_env_config=False,
)


class TestTapGitHubPRsStandard(_StandardTests):
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def stand_in(cls):
        with FakeGitHub(
            seed=12, prs=25, repositories=["acme/widgets"], heavy_tails=False
        ) as server:
            CONFIG["api_url"] = server.graphql_url
            yield server
