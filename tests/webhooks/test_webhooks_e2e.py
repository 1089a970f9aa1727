"""End to end: signed deliveries into the receiver, then `tap-github-prs-webhooks sync` runs the
real pipeline (Meltano, the tap, target-postgres, dbt) for the queued repositories only."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import PROJECT_ROOT, missing_parts, run_meltano, state_of
from tests.webhooks.conftest import payload_for, send

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(bool(missing_parts()), reason=f"e2e needs {missing_parts()}"),
]

REPOSITORIES = ("acme/one", "acme/two", "acme/three")
STATE_ID = "dev:tap-github-prs-to-target-postgres"
EXECUTABLE = PROJECT_ROOT / ".venv/bin/tap-github-prs-webhooks"
# The default command without dbt:run: the marts take most of a run's minutes on 2 shared cores,
# and tests/e2e/test_pipeline.py already runs the promised command with them.
SYNC = "meltano run tap-github-prs target-postgres"


@pytest.fixture
def github() -> Iterator:
    from github_standin import FakeGitHub

    with FakeGitHub(seed=17, prs=10, repositories=REPOSITORIES) as stand_in:
        yield stand_in


def bookmarks(env: dict[str, str]) -> dict[str, str]:
    partitions = state_of(STATE_ID, env)["singer_state"]["bookmarks"]["pull_requests"]
    return {
        p["context"]["repository"]: p["replication_key_value"] for p in partitions["partitions"]
    }


def test_signed_events_then_sync_reextracts_only_their_repositories(
    meltano_env, github, warehouse, receiver, queue, tmp_path: Path
):
    env = meltano_env | {"TAP_GITHUB_PRS_API_URL": github.graphql_url}
    run_meltano(
        "run",
        "tap-github-prs",
        "target-postgres",
        env=env | {"TAP_GITHUB_PRS_REPOSITORIES": json.dumps(list(REPOSITORIES))},
    )
    before = bookmarks(env)
    assert set(before) == set(REPOSITORIES)

    # Every repository changes on GitHub, but deliveries arrive for two of them only (say the
    # third's webhook delivery failed: the scheduled full run will pick it up).
    github.advance_clock(3600)
    new_prs = {name: github.add_pull_request(name, title=f"New in {name}") for name in REPOSITORIES}
    github.reset_stats()
    for n in range(3):
        answer = send(
            receiver.url, "pull_request", payload_for("acme/one", "opened"), delivery=f"e-{n}"
        )
        assert answer.status_code == 202
    assert (
        send(receiver.url, "pull_request", payload_for("acme/one"), delivery="e-0").status_code
        == 200
    )
    assert (
        send(receiver.url, "check_run", payload_for("acme/two"), delivery="e-9").status_code == 202
    )

    result = subprocess.run(
        [str(EXECUTABLE), "sync", "--project-dir", str(PROJECT_ROOT), "--sync-command", SYNC],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert "Syncing 2 queued repositories: acme/one, acme/two" in result.stderr
    requests_per_repository = github.stats()["repositories"]
    assert set(requests_per_repository) == {"acme/one", "acme/two"}
    extracted = {
        node_id for (node_id,) in warehouse.query("select id from raw_github.pull_requests")
    }
    assert new_prs["acme/one"].node_id in extracted
    assert new_prs["acme/two"].node_id in extracted
    assert new_prs["acme/three"].node_id not in extracted
    assert queue.pending() == []
    # The run kept the untouched repository's bookmark: the next full run resumes from it.
    after = bookmarks(env)
    assert after["acme/three"] == before["acme/three"]
    assert after["acme/one"] > before["acme/one"] and after["acme/two"] > before["acme/two"]
