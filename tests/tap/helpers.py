"""Run the tap in-process or as a real subprocess and collect its Singer messages."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tap_github_prs.tap import TapGitHubPRs

STREAMS = (
    "pull_requests",
    "reviews",
    "commits",
    "files",
    "check_runs",
    "commit_statuses",
    "pull_request_events",
)


@dataclass
class TapRun:
    messages: list[dict]
    stderr: str = ""
    returncode: int = 0
    records: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    states: list[dict] = field(default_factory=list)
    error: BaseException | None = None

    def __post_init__(self) -> None:
        for message in self.messages:
            if message["type"] == "RECORD":
                self.records[message["stream"]].append(message["record"])
            elif message["type"] == "STATE":
                self.states.append(message["value"])

    @property
    def final_state(self) -> dict:
        return self.states[-1] if self.states else {}

    def counts(self) -> dict[str, int]:
        return {stream: len(self.records.get(stream, [])) for stream in STREAMS}


def parse_messages(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip().startswith("{")]


def run_in_process(
    config: dict, state: dict | None = None, clock=None, *, expect_error: bool = False
) -> TapRun:
    """Sync with the tap in this process; `clock` replaces the real one (no real sleeping)."""
    tap = TapGitHubPRs(config=config, state=state or {}, parse_env_config=False)
    if clock is not None:
        tap.clock = clock
    buffer = io.StringIO()
    error = None
    with contextlib.redirect_stdout(buffer):
        try:
            tap.sync_all()
        except Exception as exc:
            if not expect_error:
                raise
            error = exc
    return TapRun(parse_messages(buffer.getvalue()), error=error)


def tap_command(config_path: Path, state_path: Path | None = None) -> list[str]:
    command = [sys.executable, "-m", "tap_github_prs", "--config", str(config_path)]
    if state_path is not None:
        command += ["--state", str(state_path)]
    return command


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_GITHUB_PRS_")}
    env.pop("GITHUB_TOKEN", None)
    env.update(extra)
    return env


def run_subprocess(
    config: dict, tmp_path: Path, state: dict | None = None, timeout: float = 120
) -> TapRun:
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    state_path = None
    if state is not None:
        state_path = tmp_path / "state.json"
        state_path.write_text(json.dumps(state))
    completed = subprocess.run(
        tap_command(config_path, state_path),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=subprocess_env(),
        check=False,
    )
    run = TapRun(parse_messages(completed.stdout), completed.stderr, completed.returncode)
    run.stdout = completed.stdout  # type: ignore[attr-defined]
    return run


def tap_config(server, **overrides) -> dict:
    """Config pointing the tap at a FakeGitHub server with its first token."""
    config = {
        "auth_token": server.tokens[0],
        "repositories": sorted(server.dataset.repositories),
        "api_url": server.graphql_url,
        "max_rate_limit_wait": 7200,
    }
    config.update(overrides)
    return config


def expected_keys(server, repositories=None) -> dict[str, set]:
    """Primary keys of every record the dataset should produce, per stream."""
    from github_standin.models import format_datetime  # noqa: F401  (documents the format)

    keys: dict[str, set] = {stream: set() for stream in STREAMS}
    for name, repository in server.dataset.repositories.items():
        if repositories is not None and name not in repositories:
            continue
        for pr in repository.pull_requests:
            add_pull_request_keys(keys, pr)
    return keys


def add_pull_request_keys(keys: dict[str, set], pr) -> None:
    keys["pull_requests"].add(pr.node_id)
    keys["reviews"].update(review.node_id for review in pr.reviews)
    keys["commits"].update((pr.node_id, commit.oid) for commit in pr.commits)
    keys["files"].update((pr.node_id, changed.path) for changed in pr.files)
    # The rollup's contexts: the latest check run per name in a suite, latest status per context.
    keys["check_runs"].update(run.node_id for run in pr.check_runs)
    keys["commit_statuses"].update(status.node_id for status in pr.commit_statuses)
    keys["pull_request_events"].update(event.node_id for event in pr.timeline)


def record_keys(run: TapRun) -> dict[str, set]:
    return {
        "pull_requests": {r["id"] for r in run.records["pull_requests"]},
        "reviews": {r["id"] for r in run.records["reviews"]},
        "commits": {(r["pull_request_id"], r["sha"]) for r in run.records["commits"]},
        "files": {(r["pull_request_id"], r["path"]) for r in run.records["files"]},
        "check_runs": {r["id"] for r in run.records["check_runs"]},
        "commit_statuses": {r["id"] for r in run.records["commit_statuses"]},
        "pull_request_events": {r["id"] for r in run.records["pull_request_events"]},
    }


def page_requests(server) -> int:
    return server.stats()["operations"].get("PullRequestsPage", {}).get("requests", 0)


def _link(pr) -> dict:
    from github_standin.models import format_datetime

    return {
        "repository": pr.repository,
        "pull_request_id": pr.node_id,
        "pull_request_number": pr.number,
        "pull_request_updated_at": format_datetime(pr.updated_at),
    }


def _actor(actor) -> tuple:
    return (actor.login, actor.typename) if actor is not None else (None, None)


def expected_ci_and_event_records(pr) -> dict[str, list[dict]]:
    """What the tap must emit for `pr` in check_runs, commit_statuses and pull_request_events."""
    from github_standin.models import format_datetime as ts

    from tap_github_prs.records import clean_text

    link, head = _link(pr), pr.head_ref_oid
    runs = [
        {
            "id": run.node_id,
            "database_id": run.database_id,
            **link,
            "head_sha": head,
            "check_suite_id": suite.node_id,
            "app_name": suite.app_name,
            "app_slug": suite.app_slug,
            "name": clean_text(run.name),
            "status": run.status,
            "conclusion": run.conclusion,
            "started_at": ts(run.started_at),
            "completed_at": ts(run.completed_at),
            "details_url": run.details_url,
            "workflow_name": "CI" if suite.app_slug == "github-actions" else None,
            "workflow_run_database_id": (
                suite.database_id if suite.app_slug == "github-actions" else None
            ),
        }
        for suite in pr.check_suites
        for run in suite.check_runs
    ]
    statuses = [
        {
            "id": status.node_id,
            **link,
            "head_sha": head,
            "context": status.context,
            "state": status.state,
            "description": status.description,
            "target_url": status.target_url,
            "created_at": ts(status.created_at),
            "creator_login": _actor(status.creator)[0],
            "creator_type": _actor(status.creator)[1],
        }
        for status in pr.commit_statuses
    ]
    events = []
    for event in pr.timeline:
        reviewer = event.requested_reviewer
        events.append(
            {
                "id": event.node_id,
                **link,
                "event_type": event.typename,
                "created_at": ts(event.created_at),
                "actor_login": _actor(event.actor)[0],
                "actor_type": _actor(event.actor)[1],
                "requested_reviewer": (
                    None
                    if reviewer is None
                    else getattr(reviewer, "combined_slug", None) or reviewer.login
                ),
                "requested_reviewer_type": (
                    None if reviewer is None else getattr(reviewer, "typename", "Team")
                ),
                "before_commit_sha": event.before_commit_oid,
                "after_commit_sha": event.after_commit_oid,
                "merge_commit_sha": event.commit_oid,
                "merge_ref_name": event.merge_ref_name,
            }
        )
    return {"check_runs": runs, "commit_statuses": statuses, "pull_request_events": events}
