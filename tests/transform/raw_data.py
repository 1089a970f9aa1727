"""Deterministic Singer messages for the five raw streams, with the tap's own schemas.

The dbt tests load these through target-postgres (or the same DDL by hand) so that the
marts can be built and checked against facts computed here from the very same records.

Run ``python -m tests.transform.raw_data --seed 7 --prs 60`` to print the messages.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from tap_github_prs.streams import STREAM_TYPES

BASE_TIME = datetime(2025, 3, 3, 9, 0, 0, tzinfo=timezone.utc)
REPOSITORIES = ("acme/widgets", "acme/gadgets")
HUMANS = ("alice", "bob", "carol", "dave", "erin", "frank")
DEPENDENCY_BOTS = ("dependabot[bot]", "renovate[bot]")
AGENT_BOT = "copilot-swe-agent[bot]"
REVIEW_BOT = "copilot-pull-request-reviewer"  # typed Bot; an AI reviewer, never a pickup
AI_TRAILERS = (
    "Co-authored-by: Claude <noreply@anthropic.com>",
    "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
    "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
)
GENERATED_LINE = "🤖 Generated with [Claude Code](https://claude.com/claude-code)"
JIRA_PROJECTS = ("WID", "GAD")


# The tap's own stream schemas and keys (tap_github_prs/schemas.py, streams.py): the
# generated records must be what the tap could emit, and the raw tables what it would load.
SCHEMAS: dict[str, tuple[dict, list[str]]] = {
    stream.name: (stream.schema, list(stream.primary_keys)) for stream in STREAM_TYPES
}


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RawData:
    """Records per stream, in the order the tap would emit them."""

    records: dict[str, list[dict]] = field(default_factory=lambda: {s: [] for s in SCHEMAS})


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.data = RawData()
        self.next_number = dict.fromkeys(REPOSITORIES, 0)
        self.sha_counter = 0

    def sha(self) -> str:
        self.sha_counter += 1
        return f"{self.rng.getrandbits(128):032x}{self.sha_counter:08x}"

    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=round(self.rng.uniform(low, high) * 3600))

    def author(self) -> tuple[str | None, str | None]:
        roll = self.rng.random()
        if roll < 0.10:
            return self.rng.choice(DEPENDENCY_BOTS), "Bot"
        if roll < 0.16:
            return AGENT_BOT, "Bot"
        if roll < 0.18:
            return None, None  # a deleted user
        return self.rng.choice(HUMANS), "User"

    def pull_request(self, index: int) -> None:
        rng = self.rng
        repository = REPOSITORIES[index % len(REPOSITORIES)]
        self.next_number[repository] += 1
        number = self.next_number[repository]
        pr_id = f"PR_{index:05d}"
        author, author_type = self.author()
        created = BASE_TIME + timedelta(hours=7 * index) + self.hours(0, 3)
        project = JIRA_PROJECTS[index % len(JIRA_PROJECTS)]
        jira_key = f"{project}-{100 + index}"
        jira_place = rng.choice(("title", "branch", "body", None, None))
        title = f"Improve module {index}"
        head_ref = f"feature/change-{index}"
        body_lines = [f"Change number {index}."]
        if jira_place == "title":
            title = f"{jira_key}: {title}"
        elif jira_place == "branch":
            head_ref = f"feature/{jira_key}-change"
        elif jira_place == "body":
            body_lines.append(f"Fixes https://jira.example.com/browse/{jira_key}")
        ai_trailer = rng.choice(AI_TRAILERS) if rng.random() < 0.25 else None
        if rng.random() < 0.12:
            body_lines.append(GENERATED_LINE)

        roll = rng.random()
        state = "MERGED" if roll < 0.65 else "CLOSED" if roll < 0.77 else "OPEN"
        is_draft = state == "OPEN" and rng.random() < 0.5

        # Commits: normally authored before the PR opens; sometimes only after (negative coding).
        commits_before = rng.random() >= 0.1
        first_commit = created - self.hours(0.5, 48) if commits_before else created
        commit_times = sorted(
            first_commit + self.hours(0.05, 6) * i if i else first_commit + self.hours(0, 0.1)
            for i in range(rng.randint(1, 4))
        )
        if not commits_before:
            commit_times = [created + self.hours(0.1, 2) + timedelta(minutes=i) for i in range(2)]

        reviewers = [h for h in HUMANS if h != author]
        reviews: list[tuple[str, str, datetime]] = []
        end = created + self.hours(2, 120)
        with_reviews = state != "OPEN" or not is_draft
        if with_reviews and rng.random() >= 0.18:
            moment = created + self.hours(0.2, 30)
            if rng.random() < 0.2:
                reviews.append((REVIEW_BOT, "COMMENTED", created + self.hours(0.001, 0.01)))
            if author in HUMANS and rng.random() < 0.4:
                # The author answers first: their own review must never start pickup.
                reviews.append((author, "COMMENTED", created + self.hours(0.01, 0.15)))
            if rng.random() < 0.3:
                reviews.append((rng.choice(reviewers), "CHANGES_REQUESTED", moment))
                moment += self.hours(1, 20)
            if rng.random() < 0.3:
                reviews.append((rng.choice(reviewers), "COMMENTED", moment))
                moment += self.hours(0.5, 5)
            reviews.append((rng.choice(reviewers), "APPROVED", moment))
            end = moment + self.hours(0.1, 24)
        merged_at = end if state == "MERGED" else None
        closed_at = end if state in ("MERGED", "CLOSED") else None
        updated = (closed_at or end) + timedelta(minutes=5)

        head_sha = ""
        commit_records = []
        for position, authored in enumerate(commit_times):
            head_sha = self.sha()
            message = f"Step {position + 1} of change {index}"
            if ai_trailer and position == len(commit_times) - 1:
                message += f"\n\nBody text.\n\n{ai_trailer}"
            human = author if author in HUMANS else None
            commit_records.append(
                {
                    "sha": head_sha,
                    "message": message,
                    "message_headline": message.split("\n")[0],
                    "authored_date": iso(authored),
                    "committed_date": iso(authored + timedelta(minutes=1)),
                    "author_name": human or author or "Ghost",
                    "author_email": f"{human or 'someone'}@example.com",
                    "author_login": human or author,
                    "committer_name": "GitHub",
                    "committer_email": "noreply@github.com",
                    "committer_login": None,
                    "additions": rng.randint(1, 200),
                    "deletions": rng.randint(0, 80),
                    "changed_files": rng.choice((None, 1, 2, 3)),
                }
            )
        # A commit dropped by a force-push: extracted with an older parent updated_at.
        stale_commit = rng.random() < 0.15
        files = [f"src/module_{index}/part_{n}.py" for n in range(rng.randint(1, 4))]

        additions = sum(c["additions"] for c in commit_records)
        deletions = sum(c["deletions"] for c in commit_records)
        conclusions = (
            ["SUCCESS", "SUCCESS", "FAILURE", "NEUTRAL", "SKIPPED"]
            if rng.random() < 0.25
            else ["SUCCESS", "SUCCESS"]
        )
        self.data.records["pull_requests"].append(
            {
                "id": pr_id,
                "repository": repository,
                "number": number,
                "full_database_id": str(9000000 + index),
                "title": title,
                "body": "\n\n".join(body_lines),
                "url": f"https://github.com/{repository}/pull/{number}",
                "state": state,
                "is_draft": is_draft,
                "merged": state == "MERGED",
                "author_login": author,
                "author_type": author_type,
                "author_association": "MEMBER" if author in HUMANS else "NONE",
                "merged_by_login": reviewers[0] if merged_at else None,
                "created_at": iso(created),
                "updated_at": iso(updated),
                "merged_at": iso(merged_at) if merged_at else None,
                "closed_at": iso(closed_at) if closed_at else None,
                "additions": additions,
                "deletions": deletions,
                "changed_files": len(files),
                "base_ref_name": "main",
                "head_ref_name": head_ref,
                "head_sha": head_sha,
                "labels": rng.sample(
                    ["bug", "feature", "chore", "dependencies"], rng.randint(0, 2)
                ),
                "milestone_title": None,
                "review_decision": "APPROVED" if reviews else None,
                "requested_reviewers": [reviewers[1], "acme/backend"],
                "closing_issues": [
                    {
                        "repository": repository,
                        "number": index,
                        "url": f"https://github.com/{repository}/issues/{index}",
                    }
                ]
                if rng.random() < 0.3
                else [],
                "commits_count": len(commit_records),
                "reviews_count": len(reviews),
            }
        )
        parent = {
            "repository": repository,
            "pull_request_id": pr_id,
            "pull_request_number": number,
            "pull_request_updated_at": iso(updated),
        }
        for n, (login, review_state, submitted) in enumerate(reviews):
            self.data.records["reviews"].append(
                {
                    "id": f"PRR_{index:05d}_{n}",
                    **parent,
                    "author_login": login,
                    "author_type": "Bot" if login == REVIEW_BOT else "User",
                    "author_association": "MEMBER",
                    "state": review_state,
                    "submitted_at": iso(submitted),
                    "created_at": iso(submitted - timedelta(minutes=2)),
                    "body": "Looks good" if review_state == "APPROVED" else "Please check",
                    "commit_sha": head_sha,
                }
            )
        for commit in commit_records:
            self.data.records["commits"].append({**commit, **parent})
        if stale_commit:
            orphan = {**commit_records[0], **parent, "sha": self.sha()}
            orphan["authored_date"] = iso(first_commit - timedelta(days=3))
            orphan["pull_request_updated_at"] = iso(created)
            self.data.records["commits"].append(orphan)
            self.data.records["files"].append(
                {**parent, "path": "src/removed_by_force_push.py", "change_type": "ADDED"}
                | {"additions": 5, "deletions": 0, "pull_request_updated_at": iso(created)}
            )
        for path in files:
            self.data.records["files"].append(
                {
                    **parent,
                    "path": path,
                    "change_type": rng.choice(("ADDED", "MODIFIED", "DELETED")),
                    "additions": rng.randint(0, 100),
                    "deletions": rng.randint(0, 40),
                }
            )
        run_end = created + timedelta(minutes=15)
        for n, conclusion in enumerate(conclusions):
            running = state == "OPEN" and n == 0 and rng.random() < 0.3
            self.data.records["check_runs"].append(
                {
                    "id": f"CR_{index:05d}_{n}",
                    "database_id": 70000 + index * 10 + n,
                    **parent,
                    "head_sha": head_sha,
                    "check_suite_id": f"CS_{index:05d}",
                    "app_name": "GitHub Actions",
                    "app_slug": "github-actions",
                    "name": f"job-{n}",
                    "status": "IN_PROGRESS" if running else "COMPLETED",
                    "conclusion": None if running else conclusion,
                    "started_at": iso(run_end - timedelta(minutes=10)),
                    "completed_at": None if running else iso(run_end),
                    "details_url": f"https://ci.example.com/runs/{index}/{n}",
                }
            )


def generate(seed: int = 7, prs: int = 60) -> RawData:
    """Build ``prs`` pull requests with their children, deterministically from ``seed``."""
    builder = _Builder(seed)
    for index in range(prs):
        builder.pull_request(index)
    return builder.data


def singer_messages(data: RawData) -> Iterator[dict]:
    """SCHEMA then RECORD messages per stream, then a STATE message, like a tap run."""
    for stream, (schema, key_properties) in SCHEMAS.items():
        yield {
            "type": "SCHEMA",
            "stream": stream,
            "schema": schema,
            "key_properties": key_properties,
        }
        for record in data.records[stream]:
            yield {"type": "RECORD", "stream": stream, "record": record}
    yield {"type": "STATE", "value": {}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--prs", type=int, default=60)
    args = parser.parse_args(argv)
    for message in singer_messages(generate(args.seed, args.prs)):
        sys.stdout.write(json.dumps(message) + "\n")


if __name__ == "__main__":
    main()
