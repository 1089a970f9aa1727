"""Opaque global node ids that still let `Query.node(id:)` find the object again.

An id is `<PREFIX>_<base64url payload>` with GitHub's prefixes (`PR_`, `PRR_`, `C_`, ...). The
payload names the owning repository and pull request, so a child is found without a global index.
"""

from __future__ import annotations

import base64
import binascii

PREFIXES = {
    "PR": "PullRequest",
    "PRR": "PullRequestReview",
    "PURC": "PullRequestCommit",
    "C": "Commit",
    "CS": "CheckSuite",
    "CR": "CheckRun",
    "RR": "ReviewRequest",
    "R": "Repository",
    "O": "Organization",
    "U": "User",
    "BOT": "Bot",
    "MDM": "Mannequin",
    "T": "Team",
    "LA": "Label",
    "MI": "Milestone",
    "I": "Issue",
    "SC": "StatusContext",
    "SCR": "StatusCheckRollup",
    "RFRE": "ReadyForReviewEvent",
    "CTDE": "ConvertToDraftEvent",
    "RRE": "ReviewRequestedEvent",
    "RRRE": "ReviewRequestRemovedEvent",
    "ME": "MergedEvent",
    "CE": "ClosedEvent",
    "REE": "ReopenedEvent",
    "HRFPE": "HeadRefForcePushedEvent",
}


def make_id(prefix: str, payload: str) -> str:
    encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return f"{prefix}_kw{encoded}"


def parse_id(node_id: str) -> tuple[str, str] | None:
    """Return (prefix, payload) or None when the id is not one of ours."""
    prefix, sep, rest = node_id.partition("_")
    if not sep or prefix not in PREFIXES or not rest.startswith("kw"):
        return None
    encoded = rest[2:]
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return prefix, payload


def pr_payload(repository: str, number: int) -> str:
    return f"{repository}#{number}"


def split_pr_payload(payload: str) -> tuple[str, int, str] | None:
    """`owner/name#12[:rest]` -> (repository, number, rest)."""
    repo, sep, tail = payload.partition("#")
    if not sep:
        return None
    number_text, _, rest = tail.partition(":")
    if not number_text.isdigit():
        return None
    return repo, int(number_text), rest
