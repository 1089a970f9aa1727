"""The real command: `serve` killed with SIGKILL and started again loses nothing; the secret
never appears in its output; missing settings fail in one line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest
import requests

from tests.webhooks.conftest import SECRET, payload_for, send

pytestmark = pytest.mark.slow  # starts real processes

EXECUTABLE = Path(__file__).resolve().parents[2] / ".venv/bin/tap-github-prs-webhooks"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(warehouse, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    return env | warehouse.variables | {"TAP_GITHUB_PRS_WEBHOOK_SECRET": SECRET} | extra


def start(warehouse, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(EXECUTABLE), "serve", "--port", str(port)],
        env=environment(warehouse),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Its log says when it listens: wait for that line, not for a time.
    for line in process.stdout:
        if "Receiving GitHub webhooks at" in line:
            return process
    raise AssertionError(f"serve exited {process.wait()} before listening")


def test_killed_receiver_restarts_with_its_queue_and_never_prints_the_secret(warehouse):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    first = start(warehouse, port)
    for n, repository in enumerate(["acme/a", "acme/b", "acme/a"]):
        assert send(url, "pull_request", payload_for(repository), delivery=f"k-{n}").ok
    first.send_signal(signal.SIGKILL)
    output = first.communicate()[0]

    second = start(warehouse, port)
    try:
        assert send(url, "push", payload_for("acme/a"), delivery="k-0").status_code == 200
        assert send(url, "push", payload_for("acme/c"), delivery="k-9").status_code == 202
        assert requests.get(url, timeout=10).json() == {"status": "ok"}
    finally:
        second.send_signal(signal.SIGTERM)
        output += second.communicate(timeout=30)[0]
    assert second.returncode == 0  # SIGTERM stops it cleanly

    status = subprocess.run(
        [str(EXECUTABLE), "status"],
        env=environment(warehouse),
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout.startswith("3 repositories queued")
    counts = {line.split("\t")[0]: line.split("\t")[1] for line in status.stdout.splitlines()[1:]}
    assert counts == {"acme/a": "2 events", "acme/b": "1 events", "acme/c": "1 events"}
    assert "Delivery k-0 seen before: ignored" in output
    assert SECRET not in output + status.stdout + status.stderr


def test_serve_without_a_secret_says_so_in_one_line(warehouse):
    env = environment(warehouse)
    del env["TAP_GITHUB_PRS_WEBHOOK_SECRET"]
    result = subprocess.run(
        [str(EXECUTABLE), "serve", "--port", "0"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "tap-github-prs-webhooks: TAP_GITHUB_PRS_WEBHOOK_SECRET is not set: set it to the "
        "secret of the GitHub webhook (the receiver rejects every delivery it cannot verify)."
    )


def test_unreachable_queue_says_where_in_one_line(warehouse):
    env = environment(warehouse, PGDATABASE="no_such_database_x")
    result = subprocess.run([str(EXECUTABLE), "status"], env=env, capture_output=True, text=True)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("tap-github-prs-webhooks: cannot open the queue at host=")
    assert "dbname=no_such_database_x" in line and line.endswith("Check the PG* variables.")
