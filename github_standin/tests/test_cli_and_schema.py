"""The command line (help and a real run) and the vendored schema's pin."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from github_standin.cli import build_parser, faults_from_args
from github_standin.schema_loader import SCHEMA_PATH, load_schema
from standin_helpers import post_json

ROOT = Path(__file__).resolve().parents[2]


def test_help_documents_every_option():
    result = subprocess.run(
        [sys.executable, "-m", "github_standin", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    options = [
        o for action in build_parser()._actions for o in action.option_strings if o.startswith("--")
    ]
    assert len(options) > 20
    for option in options:
        assert option in result.stdout
    for action in build_parser()._actions:
        assert action.help, action.option_strings


def test_fault_flags_become_fault_rules():
    args = build_parser().parse_args(
        [
            "--secondary-403",
            "--retry-after",
            "9",
            "--timeout-above-nodes",
            "500",
            "--latency",
            "0.1",
            "--fault-every",
            "4",
        ]
    )
    faults = {f.kind: f for f in faults_from_args(args)}
    assert set(faults) == {"secondary_403", "timeout", "latency"}
    assert faults["secondary_403"].retry_after == 9
    assert faults["timeout"].node_threshold == 500
    assert all(f.every == 4 for f in faults.values())


@pytest.mark.slow  # starts the CLI in a subprocess
def test_cli_serves_graphql():
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "github_standin",
            "--port",
            "0",
            "--prs",
            "20",
            "--seed",
            "4",
            "--repositories",
            "acme/widgets",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        banner = json.loads(process.stdout.readline())
        assert banner["repositories"] == {"acme/widgets": 20}
        result = post_json(
            banner["graphql_url"],
            {
                "query": '{ repository(owner: "acme", name: "widgets") '
                "{ pullRequests(first: 1) { totalCount } } }"
            },
        )
        assert result.json()["data"]["repository"]["pullRequests"]["totalCount"] == 20
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_vendored_schema_matches_its_pinned_sha256():
    pinned = (SCHEMA_PATH.parent / "github.graphql.sha256").read_text().split()[0]
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == pinned
    assert (SCHEMA_PATH.parent / "VERSION").read_text().strip() == "15.26.1"


def test_schema_has_the_types_the_tap_relies_on():
    schema = load_schema()
    pull_request = schema.type_map["PullRequest"].fields
    for field in (
        "fullDatabaseId",
        "closingIssuesReferences",
        "reviewDecision",
        "files",
        "reviews",
        "commits",
    ):
        assert field in pull_request
