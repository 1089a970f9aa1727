"""Every private singer-sdk member the tap uses still exists, with the shape the tap expects.

An upgrade of singer-sdk that renames or removes one must fail here, with a message naming
the seam, rather than fail (or silently misbehave) in a user's sync.
"""

from __future__ import annotations

import inspect
import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from singer_sdk import Tap
from singer_sdk.streams import Stream

from tap_github_prs import sdk_seams
from tap_github_prs.tap import TapGitHubPRs

PACKAGE = Path(sdk_seams.__file__).parent
# Parameters the tap passes to each seam (beyond self).
EXPECTED_PARAMETERS = {
    "_increment_stream_state": ["latest_record", "context"],
    "_write_state_message": [],
    "_write_schema_message": [],
    "_write_record_message": ["record"],
    "_check_max_record_limit": ["current_record_index"],
    "_write_starting_replication_value": ["context"],
}


def missing_seams(owners_and_names, expected=EXPECTED_PARAMETERS) -> list[str]:
    """Describe every pinned seam that is gone or changed its parameters."""
    problems = []
    for owner, name in owners_and_names:
        member = getattr(owner, name, None)
        if member is None:
            problems.append(
                f"singer-sdk no longer has {owner.__name__}.{name}: "
                "adapt tap_github_prs/sdk_seams.py"
            )
            continue
        parameters = [p for p in inspect.signature(member).parameters if p != "self"]
        if parameters != expected[name]:
            problems.append(
                f"{owner.__name__}.{name} now takes {parameters}, the tap passes "
                f"{expected[name]}: adapt tap_github_prs/sdk_seams.py"
            )
    return problems


def test_every_pinned_seam_exists_in_the_installed_singer_sdk():
    assert missing_seams(sdk_seams.PINNED_SEAMS) == []


def test_the_seam_check_fails_loudly_when_the_sdk_drops_or_changes_a_seam():
    class RenamedSDKStream:  # a stand-in for a future singer-sdk Stream
        def _write_state_message(self, *, force: bool) -> None: ...

    problems = missing_seams(
        [(RenamedSDKStream, "_write_record_message"), (RenamedSDKStream, "_write_state_message")]
    )
    assert problems == [
        "singer-sdk no longer has RenamedSDKStream._write_record_message: "
        "adapt tap_github_prs/sdk_seams.py",
        "RenamedSDKStream._write_state_message now takes ['force'], the tap passes []: "
        "adapt tap_github_prs/sdk_seams.py",
    ]


def test_the_bookmark_override_replaces_the_sdk_method():
    assert "_increment_stream_state" in vars(Stream)  # the override really overrides something
    assert "_increment_stream_state" in vars(sdk_seams.PageBookmarkedStream)
    assert "_write_starting_replication_value" in vars(Stream)
    assert "_write_starting_replication_value" in vars(sdk_seams.PageBookmarkedStream)


def sdk_private_names() -> set[str]:
    """Every private member singer-sdk defines on its taps and streams (class or instance)."""
    tap = TapGitHubPRs(config={}, parse_env_config=False)
    stream = tap.streams["pull_requests"]
    names = set(dir(Stream)) | set(dir(Tap)) | set(vars(tap)) | set(vars(stream))
    names |= set(dir(stream.state_manager)) | set(vars(stream.state_manager))
    ours = {"_saved_progress", "_save_progress", "_sync_pages"}
    return {n for n in names if n.startswith("_") and not n.startswith("__")} - ours


def test_private_sdk_members_are_used_in_the_seam_module_only():
    pattern = re.compile(r"\.(_[a-z]\w*)")
    offenders = []
    private = sdk_private_names()
    assert {"_tap", "_write_record_message", "_increment_stream_state"} <= private
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        if path.name == "sdk_seams.py" or "singer_sdk" not in text:
            continue  # a module that does not touch singer-sdk cannot reach into it
        for number, line in enumerate(text.splitlines(), 1):
            used = [name for name in pattern.findall(line) if name in private]
            if used:
                offenders.append(f"{path.name}:{number}: {used}")
    assert offenders == []


@pytest.mark.fake_github(seed=3, prs=8, repositories=["acme/widgets"], heavy_tails=False)
def test_child_records_go_through_post_process_and_the_record_limit(fake_github, monkeypatch):
    from tap_github_prs.streams import ReviewsStream

    def drop_even(self, row, context=None):  # a user-style post_process that drops records
        return None if row["id"].endswith(("0", "2", "4", "6", "8")) else row

    monkeypatch.setattr(ReviewsStream, "post_process", drop_even)
    config = {
        "auth_token": fake_github.tokens[0],
        "repositories": ["acme/widgets"],
        "api_url": fake_github.graphql_url,
    }
    tap = TapGitHubPRs(config=config, parse_env_config=False)
    tap.streams["commits"].ABORT_AT_RECORD_COUNT = 3
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        tap.sync_all()
    records: dict[str, list[dict]] = {}
    for line in buffer.getvalue().splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            records.setdefault(message["stream"], []).append(message["record"])
    assert records["reviews"], "the dataset should have reviews"
    assert all(not r["id"].endswith(("0", "2", "4", "6", "8")) for r in records["reviews"])
    assert len(records["commits"]) == 3
    assert len(records["pull_requests"]) == 8  # the limit of one child stops only that child
