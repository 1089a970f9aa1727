"""Meltano state (per-repository bookmarks, one state id per preset), tap --state, schedules."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest

from tests.e2e.helpers import (
    PROJECT_ROOT,
    expected_raw_keys,
    missing_parts,
    run_meltano,
    state_ids,
    state_of,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(bool(missing_parts()), reason=f"e2e needs {missing_parts()}"),
]

REPOSITORIES = ("acme/widgets", "acme/gadgets")
TAP = PROJECT_ROOT / ".meltano/extractors/tap-github-prs/venv/bin/tap-github-prs"


@pytest.fixture
def github() -> Iterator:
    from github_standin import FakeGitHub

    with FakeGitHub(seed=3, prs=40, repositories=(*REPOSITORIES, "fastapi/fastapi")) as stand_in:
        yield stand_in


def bookmarks_by_repository(state: dict) -> dict[str, str]:
    partitions = state["singer_state"]["bookmarks"]["pull_requests"]["partitions"]
    return {
        partition["context"]["repository"]: partition["replication_key_value"]
        for partition in partitions
    }


def pull_request_records(tap_output: str) -> list[dict]:
    messages = (json.loads(line) for line in tap_output.splitlines() if line.startswith("{"))
    return [
        message["record"]
        for message in messages
        if message.get("type") == "RECORD" and message.get("stream") == "pull_requests"
    ]


def test_state_shows_per_repository_bookmarks_and_presets_keep_their_own(
    meltano_env, github, warehouse, tmp_path
):
    env = meltano_env | {"TAP_GITHUB_PRS_API_URL": github.graphql_url}
    run_meltano(
        "run",
        "tap-github-prs",
        "target-postgres",
        env=env | {"TAP_GITHUB_PRS_REPOSITORIES": json.dumps(list(REPOSITORIES))},
    )
    run_meltano("run", "tap-github-prs--fastapi", "target-postgres", env=env)

    assert set(state_ids(env)) == {
        "dev:tap-github-prs-to-target-postgres",
        "dev:tap-github-prs--fastapi-to-target-postgres",
    }
    base = bookmarks_by_repository(state_of("dev:tap-github-prs-to-target-postgres", env))
    preset = bookmarks_by_repository(
        state_of("dev:tap-github-prs--fastapi-to-target-postgres", env)
    )
    for name, bookmarks in ((REPOSITORIES, base), (("fastapi/fastapi",), preset)):
        assert set(bookmarks) == set(name)
        for repository in name:
            newest = max(
                pr.updated_at for pr in github.dataset.repository(repository).pull_requests
            )
            assert bookmarks[repository] == newest.strftime("%Y-%m-%dT%H:%M:%SZ")
    fastapi_prs = expected_raw_keys(github, ("fastapi/fastapi",))["pull_requests"]
    assert warehouse.count("raw_github", "pull_requests") == (
        len(expected_raw_keys(github, REPOSITORIES)["pull_requests"]) + len(fastapi_prs)
    )

    # The tap alone resumes from a state file, e.g. one exported from Meltano.
    state_file = tmp_path / "state.json"
    state_file.write_text(
        json.dumps(state_of("dev:tap-github-prs-to-target-postgres", env)["singer_state"])
    )
    config_file = tmp_path / "config.json"
    config_file.write_text(
        json.dumps(
            {
                "auth_token": "fake-token-1",
                "api_url": github.graphql_url,
                "repositories": list(REPOSITORIES),
                "start_date": "2020-01-01T00:00:00Z",
            }
        )
    )
    github.advance_clock(600)
    changed = next(
        pr for pr in github.dataset.repository("acme/gadgets").pull_requests if pr.state == "OPEN"
    )
    github.close_pull_request("acme/gadgets", changed.number)

    def tap(*args: str) -> list[dict]:
        result = subprocess.run(
            [str(TAP), "--config", str(config_file), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return pull_request_records(result.stdout)

    resumed = tap("--state", str(state_file))
    assert [record["id"] for record in resumed] == [changed.node_id]
    assert resumed[0]["state"] == "CLOSED"
    assert len(tap()) == len(expected_raw_keys(github, REPOSITORIES)["pull_requests"])


def test_schedule_and_job_are_listed(meltano_env):
    schedules = json.loads(run_meltano("schedule", "list", "--format=json", env=meltano_env).stdout)
    hourly = [job for job in schedules["schedules"]["job"] if job["name"] == "github-elt-hourly"]
    assert len(hourly) == 1
    assert hourly[0]["interval"] == "@hourly"
    assert hourly[0]["cron_interval"] == "0 * * * *"
    assert hourly[0]["job"]["name"] == "github-elt"
    assert hourly[0]["job"]["tasks"] == ["tap-github-prs target-postgres dbt-postgres:build"]
