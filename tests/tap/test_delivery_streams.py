"""Deployments, statuses, releases, incidents: equal to the stand-in, incremental, resumable."""

from __future__ import annotations

import json
import signal
import subprocess
import threading

import pytest
from github_standin.delivery import add_deployment, add_deployment_status, delivery_of
from github_standin.models import format_datetime

from tap_github_prs.delivery import walker
from tests.tap.helpers import TapRun, run_in_process, run_subprocess, subprocess_env, tap_command
from tests.tap.helpers import tap_config as base_config

DATA = {"seed": 9, "prs": 80, "repositories": ["acme/widgets", "antiwork/helper"]}
DELIVERY_STREAMS = ("deployments", "deployment_statuses", "releases", "issues")


def tap_config(server, **overrides) -> dict:
    """Only the delivery streams' settings matter here; the PR stream runs too (it is cheap)."""
    return base_config(server, **overrides)


def expected_records(server, *, title_pattern: bool = False) -> dict[str, list[dict]]:
    """What the tap must emit, built from the stand-in's objects (not from its GraphQL)."""
    out: dict[str, list[dict]] = {stream: [] for stream in DELIVERY_STREAMS}
    for name in sorted(server.dataset.repositories):
        delivery = delivery_of(server.dataset, name)
        for d in delivery.deployments:
            latest = d.statuses[-1] if d.statuses else None
            out["deployments"].append(
                {
                    "id": d.node_id,
                    "repository": name,
                    "database_id": d.database_id,
                    "environment": d.environment,
                    "is_production": d.environment.lower() in ("prod", "production"),
                    "commit_sha": d.commit_oid,
                    "created_at": format_datetime(d.created_at),
                    "updated_at": format_datetime(d.updated_at),
                    "latest_status_state": latest.state if latest else None,
                    "statuses_count": len(d.statuses),
                }
            )
            out["deployment_statuses"] += [
                {
                    "id": s.node_id,
                    "deployment_id": d.node_id,
                    "state": s.state,
                    "environment_url": s.environment_url,
                    "created_at": format_datetime(s.created_at),
                }
                for s in d.statuses
            ]
        out["releases"] += [
            {
                "id": r.node_id,
                "tag_name": r.tag_name,
                "tag_commit_sha": r.commit_oid,
                "created_at": format_datetime(r.created_at),
                "published_at": format_datetime(r.published_at),
                "is_draft": r.is_draft,
                "is_prerelease": r.is_prerelease,
            }
            for r in delivery.releases
        ]
        for issue in delivery.issues:
            labelled = any(label.name == "incident" for label in issue.labels)
            titled = title_pattern and issue.title.startswith("[Incident]")
            if labelled or titled:
                out["issues"].append(
                    {
                        "id": issue.node_id,
                        "number": issue.number,
                        "created_at": format_datetime(issue.created_at),
                        "closed_at": format_datetime(issue.closed_at),
                        "labels": [label.name for label in issue.labels],
                        "incident_match": "label" if labelled else "title",
                        "closed_by_pull_requests": [
                            {"repository": pr.repository, "number": pr.number}
                            for pr in issue.closed_by
                        ],
                    }
                )
    return out


def emitted(run: TapRun, expected: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The emitted records, latest version per key, projected on the expected fields."""
    out = {}
    for stream, rows in expected.items():
        fields = rows[0].keys() if rows else ("id",)
        latest = {record["id"]: record for record in run.records[stream]}
        out[stream] = sorted(
            ({f: record.get(f) for f in fields} for record in latest.values()),
            key=lambda r: r["id"],
        )
    return out


def by_id(expected: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {stream: sorted(rows, key=lambda r: r["id"]) for stream, rows in expected.items()}


@pytest.mark.fake_github(**DATA)
def test_records_equal_the_stand_ins_delivery_data(fake_github):
    run = run_in_process(tap_config(fake_github))
    expected = expected_records(fake_github)
    assert all(expected[stream] for stream in DELIVERY_STREAMS)
    assert emitted(run, expected) == by_id(expected)
    # Page-level state per repository, with no walk left unfinished.
    partitions = run.final_state["bookmarks"]["deployments"]["partitions"]
    assert {p["context"]["repository"] for p in partitions} == set(DATA["repositories"])
    assert all("walk" not in p and p["replication_key_value"] for p in partitions)


@pytest.mark.fake_github(**DATA)
def test_repositories_are_walked_max_parallel_repos_at_a_time(fake_github, monkeypatch):
    """Each repository's first deployments page waits at a barrier until the other's is asked
    for too: walked one by one, the first would wait alone and the barrier would break."""
    repositories = DATA["repositories"]
    barrier = threading.Barrier(len(repositories), timeout=30)
    first_pages: set[str] = set()
    original = walker.DeploymentsWalker._page

    def page(self, repository, variables):
        if repository not in first_pages:
            first_pages.add(repository)
            barrier.wait()
        return original(self, repository, variables)

    monkeypatch.setattr(walker.DeploymentsWalker, "_page", page)
    run = run_in_process(tap_config(fake_github, max_parallel_repos=len(repositories)))
    assert first_pages == set(repositories)
    assert not barrier.broken
    expected = expected_records(fake_github)
    assert emitted(run, expected) == by_id(expected)
    # Every repository's walk finished and saved its own state.
    partitions = run.final_state["bookmarks"]["deployments"]["partitions"]
    assert {p["context"]["repository"] for p in partitions} == set(repositories)
    assert all("walk" not in p and p["replication_key_value"] for p in partitions)


@pytest.mark.fake_github(**DATA)
def test_a_title_pattern_adds_issues_titled_as_incidents(fake_github):
    run = run_in_process(tap_config(fake_github, incident_title_pattern=r"^\[incident\]"))
    expected = expected_records(fake_github, title_pattern=True)
    assert emitted(run, expected)["issues"] == by_id(expected)["issues"]


@pytest.mark.fake_github(**DATA)
def test_production_is_a_whole_name_match_of_the_setting(fake_github):
    run = run_in_process(tap_config(fake_github, deployment_environments="staging"))
    flags = {(r["environment"], r["is_production"]) for r in run.records["deployments"]}
    assert ("staging", True) in flags
    assert all(not production for environment, production in flags if environment != "staging")


@pytest.mark.fake_github(**DATA)
def test_incremental_run_picks_up_new_statuses_and_new_deployments(fake_github):
    config = tap_config(fake_github, deployment_lookback_days=3)
    first = run_in_process(config)
    dataset = fake_github.dataset
    name = "antiwork/helper"
    recent = max(delivery_of(dataset, name).deployments, key=lambda d: d.created_at)
    fake_github.advance_clock(3600)
    status = add_deployment_status(dataset, name, recent.database_id, state="INACTIVE")
    fake_github.advance_clock(60)
    new = add_deployment(dataset, name, state="SUCCESS")
    fake_github.reset_stats()

    second = run_in_process(config, state=first.final_state)
    statuses = {r["id"]: r for r in second.records["deployment_statuses"]}
    assert statuses[status.node_id]["state"] == "INACTIVE"
    assert new.node_id in {r["id"] for r in second.records["deployments"]}
    updated = next(r for r in second.records["deployments"] if r["id"] == recent.node_id)
    assert updated["latest_status_state"] == "INACTIVE"
    assert updated["updated_at"] == format_datetime(status.created_at)
    # The lookback bounds the re-read: far fewer deployments than the whole history.
    assert len(second.records["deployments"]) < len(first.records["deployments"]) / 2
    union = TapRun(first.messages + second.messages)
    expected = expected_records(fake_github)
    assert emitted(union, expected) == by_id(expected)


@pytest.mark.slow
@pytest.mark.fake_github(**DATA)
def test_sigkill_during_the_deployment_walk_then_resume_loses_nothing(fake_github, tmp_path):
    config = tap_config(fake_github, page_size=5)
    fake_github.add_fault("latency", seconds=0.02)
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    process = subprocess.Popen(
        tap_command(config_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=subprocess_env(),
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        message = json.loads(line)
        partitions = (
            message["value"]["bookmarks"].get("deployments", {}).get("partitions", [])
            if message["type"] == "STATE"
            else []
        )
        if any("walk" in p for p in partitions):  # mid-walk, a cursor saved
            process.send_signal(signal.SIGKILL)
            break
    rest, _ = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    messages = []
    for text in ("".join(lines) + rest).splitlines():
        try:
            messages.append(json.loads(text))
        except ValueError:
            continue  # the line the kill cut short
    killed = TapRun(messages)
    expected = expected_records(fake_github)
    assert 0 < len(killed.records["deployments"]) < len(expected["deployments"])
    fake_github.clear_faults()

    resumed = run_subprocess(config, tmp_path, state=killed.final_state)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    # The resumed run finished the saved walk rather than starting over from the newest.
    assert len(resumed.records["deployments"]) < len(expected["deployments"])
    union = TapRun(killed.messages + resumed.messages)
    assert emitted(union, expected) == by_id(expected)
