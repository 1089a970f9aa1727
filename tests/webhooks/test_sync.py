"""`sync`: claims the queue, hands the repositories to the pipeline, dequeues only on success.

The pipeline here is a small Python command that records what it was given (the end-to-end
test runs the real Meltano pipeline)."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest

from tap_github_prs_webhooks.debounce import Debouncer
from tap_github_prs_webhooks.queue import SyncAlreadyRunning
from tap_github_prs_webhooks.sync import run_sync


def recording_command(out: Path, exit_code: int = 0) -> list[str]:
    """A pipeline stand-in: writes the two variables the sync sets, then exits `exit_code`."""
    script = (
        "import json, os, sys; "
        f"open({str(out)!r}, 'w').write(json.dumps([os.environ['TAP_GITHUB_PRS_REPOSITORIES'], "
        "os.environ['TAP_GITHUB_PRS_ORGANIZATIONS'], "
        f"os.environ.get('TAP_GITHUB_PRS_WEBHOOK_SECRET')])); sys.exit({exit_code})"
    )
    return [sys.executable, "-c", script]


def fill(queue, *repositories: str) -> None:
    for n, repository in enumerate(repositories):
        queue.record(f"{repository}-{n}", "push", repository)


def queued(queue) -> dict[str, int]:
    return {row.repository: row.event_count for row in queue.pending()}


def test_success_runs_the_queued_repositories_then_dequeues_them(queue, tmp_path, monkeypatch):
    fill(queue, "acme/b", "acme/a", "acme/b")
    out = tmp_path / "given.json"
    monkeypatch.setenv("TAP_GITHUB_PRS_WEBHOOK_SECRET", "must-not-reach-the-pipeline")

    outcome = run_sync(queue, recording_command(out))

    repositories, organizations, secret = json.loads(out.read_text())
    assert json.loads(repositories) == ["acme/a", "acme/b"]
    assert organizations == "[]"  # a configured organisation must not widen the run
    assert secret is None
    assert (outcome.returncode, outcome.repositories, outcome.still_queued) == (
        0,
        ["acme/a", "acme/b"],
        [],
    )
    assert queued(queue) == {}


def test_a_failed_run_keeps_every_repository_queued(queue, tmp_path):
    fill(queue, "acme/a", "acme/b")

    outcome = run_sync(queue, recording_command(tmp_path / "given.json", exit_code=3))

    assert outcome.returncode == 3
    assert queued(queue) == {"acme/a": 1, "acme/b": 1}
    assert all(row.claimed_at is None for row in queue.pending())


def test_an_event_during_the_run_keeps_its_repository_for_the_next_sync(queue):
    fill(queue, "acme/a", "acme/b")
    # What run_sync does around the pipeline, with a delivery for acme/b arriving mid-run.
    claim = queue.claim()
    queue.record("during-run", "pull_request", "acme/b")
    kept = queue.complete(claim)

    assert kept == ["acme/b"]
    assert queued(queue) == {"acme/b": 2}
    assert queue.pending()[0].claimed_at is None


def test_nothing_queued_runs_nothing(queue, tmp_path):
    out = tmp_path / "given.json"
    outcome = run_sync(queue, recording_command(out))
    assert outcome.returncode == 0 and outcome.repositories == []
    assert not out.exists()


def test_only_one_sync_at_a_time(queue, tmp_path):
    fill(queue, "acme/a")
    with queue.sync_lock(), pytest.raises(SyncAlreadyRunning):
        run_sync(queue, recording_command(tmp_path / "given.json"))
    assert queued(queue) == {"acme/a": 1}


def test_limit_takes_the_most_recently_changed_first(queue, tmp_path):
    fill(queue, "acme/old", "acme/mid", "acme/new")
    out = tmp_path / "given.json"

    run_sync(queue, recording_command(out), limit=2)

    assert json.loads(json.loads(out.read_text())[0]) == ["acme/mid", "acme/new"]
    assert queued(queue) == {"acme/old": 1}


def test_debouncer_runs_once_after_a_burst_and_again_for_the_next():
    runs: list[int] = []
    ran = threading.Event()

    def action():
        runs.append(1)
        ran.set()

    debouncer = Debouncer(0.2, action)
    try:
        for _ in range(500):
            debouncer.poke("acme/a")
        assert ran.wait(10)
        assert len(runs) == 1
        ran.clear()
        debouncer.poke("acme/b")
        assert ran.wait(10)
        assert len(runs) == 2
    finally:
        debouncer.close()
