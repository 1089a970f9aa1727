"""`tap-github-prs-check`, the preflight, against the stand-in and a real PostgreSQL.

A good setup passes with every row ok (the token's login, quota and scopes, each repository,
the warehouse, dbt's profile, Meltano's state backend); a bad token, an unknown repository and
a missing database each fail the check (exit 1) on their own row, saying what is wrong.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest

from tests.e2e.helpers import PROJECT_ROOT, missing_parts

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(bool(missing_parts()), reason=f"e2e needs {missing_parts()}"),
]

CHECK = PROJECT_ROOT / ".venv/bin/tap-github-prs-check"
REPOSITORIES = ("acme/widgets", "acme/gadgets")
TOKEN = "fake-token-1"  # noqa: S105 (the stand-in's token)


@pytest.fixture
def github() -> Iterator:
    from github_standin import FakeGitHub

    with FakeGitHub(seed=5, prs=10, repositories=REPOSITORIES, tokens=(TOKEN,)) as stand_in:
        yield stand_in


@pytest.fixture
def env(meltano_env, github) -> dict[str, str]:
    return meltano_env | {
        "MELTANO_ENVIRONMENT": "prod",
        "TAP_GITHUB_PRS_API_URL": github.graphql_url,
        "TAP_GITHUB_PRS_AUTH_TOKEN": TOKEN,
        "TAP_GITHUB_PRS_REPOSITORIES": json.dumps(list(REPOSITORIES)),
    }


def check(env: dict[str, str], *args: str) -> tuple[int, dict[tuple[str, str], str]]:
    """Exit status, and each row of the table by (check, subject): its result and detail."""
    result = subprocess.run(
        [str(CHECK), "--environment", "prod", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]
    rows = {}
    for line in result.stdout.splitlines():
        cells = line.split()
        for width in (2, 1):  # "api url", "state backend", "dbt profile": two words
            name = " ".join(cells[:width])
            if name in {
                "api url",
                "token",
                "repository",
                "organization",
                "warehouse",
                "dbt profile",
                "state backend",
                "running job",
            }:
                rows[(name, cells[width])] = " ".join(cells[width + 1 :])
                break
    return result.returncode, rows


def test_a_good_setup_passes_every_check(env, github):
    status, rows = check(env)
    assert status == 0, rows
    assert rows[("token", "#1")].startswith("ok login ")
    assert "scopes: read:org, repo" in rows[("token", "#1")]
    assert rows[("repository", "acme/widgets")] == "ok reachable"
    assert rows[("repository", "acme/gadgets")] == "ok reachable"
    assert rows[("warehouse", "raw_github")].startswith("ok ")
    assert rows[("dbt profile", next(s for n, s in rows if n == "dbt profile"))].startswith("ok")
    assert rows[("state backend", "systemdb")].startswith("ok ")
    # One request for the token, one for every repository together: nothing more.
    assert github.stats()["requests"] == 2


def test_a_bad_token_fails_its_row(env):
    status, rows = check(env | {"TAP_GITHUB_PRS_AUTH_TOKEN": "not-a-token"}, "--skip-dbt")
    assert status == 1
    assert rows[("token", "#1")].startswith("FAIL 401 Bad credentials")
    assert "not-a-token" not in str(rows)  # a token is named by its position only


def test_an_unknown_repository_fails_its_row(env):
    repositories = json.dumps(["acme/widgets", "acme/no-such-repo"])
    status, rows = check(env | {"TAP_GITHUB_PRS_REPOSITORIES": repositories}, "--skip-dbt")
    assert status == 1
    assert rows[("repository", "acme/widgets")] == "ok reachable"
    assert rows[("repository", "acme/no-such-repo")].startswith("FAIL ")


def test_a_missing_database_fails_the_warehouse_row(env):
    status, rows = check(env | {"PGDATABASE": "no_such_database_i13"}, "--skip-dbt")
    assert status == 1
    detail = rows[("warehouse", "raw_github")]
    assert detail.startswith("FAIL ")
    assert 'database "no_such_database_i13" does not exist' in detail
