"""Changes between runs: advance the data clock, add PRs, reviews and commits, merge or close.

Every change to a pull request sets its `updatedAt` to the clock's now, as GitHub does, which is
what incremental syncs key on.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from .generator import child_serial
from .ids import make_id, pr_payload
from .models import Actor, CheckRun, CheckSuite, Commit, Dataset, GitSignature, PullRequest, Review
from .timeline import append_events


def advance_clock(dataset: Dataset, seconds: float) -> None:
    with dataset.lock:
        dataset.now = dataset.now + timedelta(seconds=int(seconds))


def _actor(dataset: Dataset, login: str | None, default: Actor | None) -> Actor | None:
    if login is None:
        return default
    actor = dataset.users.get(login) or dataset.bots.get(login)
    if actor is None:
        raise KeyError(f"unknown login {login!r}")
    return actor


def _serial(dataset: Dataset, repository: str, number: int) -> int:
    return child_serial(list(dataset.repositories), repository, number)


def _touch(dataset: Dataset, pr: PullRequest) -> None:
    pr.updated_at = max(pr.updated_at, dataset.now)


def add_pull_request(
    dataset: Dataset,
    repository: str,
    *,
    title: str | None = None,
    body: str | None = None,
    author: str | None = None,
    draft: bool = False,
) -> PullRequest:
    """Open a new PR created at the clock's now (children generated as for any PR)."""
    with dataset.lock:
        repo = dataset.repositories[repository]
        number = dataset.next_number(repository)
        pr = dataset.generator.pull_request(
            repo,
            number,
            dataset.now,
            dataset.organizations[repo.owner],
            set(),
            state="OPEN",
            now=dataset.now,
        )
        pr.updated_at = dataset.now
        pr.is_draft = draft
        if title is not None:
            pr.title = title
        if body is not None:
            pr.body = body
        if author is not None:
            pr.author = _actor(dataset, author, pr.author)
            pr.author_association = "MEMBER"
        repo.pull_requests.append(pr)
        return pr


def add_review(
    dataset: Dataset,
    repository: str,
    number: int,
    *,
    state: str = "APPROVED",
    author: str | None = None,
    body: str = "",
) -> Review:
    with dataset.lock:
        pr = dataset.pull_request(repository, number)
        reviews = pr.reviews
        members = [
            u
            for u in dataset.generator.members[repository.split("/")[0]]
            if pr.author is None or u.login != pr.author.login
        ]
        reviewer = _actor(dataset, author, members[len(reviews) % len(members)])
        payload = pr_payload(repository, number)
        review = Review(
            node_id=make_id("PRR", f"{payload}:r:{len(reviews)}"),
            database_id=_serial(dataset, repository, number) * 1000 + len(reviews),
            author=reviewer,
            author_association="MEMBER",
            state=state,
            body=body,
            created_at=dataset.now,
            submitted_at=None if state == "PENDING" else dataset.now,
            commit_oid=pr.head_ref_oid,
        )
        reviews.append(review)
        _touch(dataset, pr)
        return review


def add_commit(
    dataset: Dataset,
    repository: str,
    number: int,
    *,
    message: str = "Address review comments",
    author: str | None = None,
) -> Commit:
    """Push a commit: it becomes the head, with one check suite whose run is still queued."""
    with dataset.lock:
        pr = dataset.pull_request(repository, number)
        commits = pr.commits
        person = _actor(
            dataset, author, pr.author if pr.author and pr.author.typename == "User" else None
        )
        index = len(commits)
        payload = pr_payload(repository, number)
        oid = hashlib.sha1(f"{dataset.seed}:{payload}:{index}:pushed".encode()).hexdigest()  # noqa: S324
        name = person.name if person and person.name else "Dev"
        email = person.email if person and person.email else "dev@example.com"
        signature = GitSignature(name, email, dataset.now, person)
        serial = _serial(dataset, repository, number)
        suite_index = 5 + (index % 5)
        suite_db = serial * 10 + suite_index
        suite = CheckSuite(
            node_id=make_id("CS", f"{payload}:{oid[:12]}:0"),
            database_id=suite_db,
            app_name="GitHub Actions",
            app_slug="github-actions",
            status="QUEUED",
            conclusion=None,
            created_at=dataset.now,
            check_runs=[
                CheckRun(
                    node_id=make_id("CR", f"{payload}:{oid[:12]}:0:0"),
                    database_id=serial * 1000 + 800 + index % 200,
                    name="test",
                    status="QUEUED",
                    conclusion=None,
                    started_at=None,
                    completed_at=None,
                    details_url=f"https://github.com/{repository}/actions/runs/{suite_db}",
                )
            ],
        )
        commit = Commit(
            node_id=make_id("PURC", f"{payload}:c:{index}"),
            commit_node_id=make_id("C", f"{payload}:c:{index}"),
            oid=oid,
            message=message,
            author=signature,
            committer=GitSignature(name, email, dataset.now, person),
            additions=3,
            deletions=1,
            changed_files=1,
            check_suites=[suite],
        )
        commits.append(commit)
        _touch(dataset, pr)
        return commit


def merge_pull_request(
    dataset: Dataset, repository: str, number: int, *, merged_by: str | None = None
) -> PullRequest:
    with dataset.lock:
        pr = dataset.pull_request(repository, number)
        if pr.state != "OPEN":
            raise ValueError(f"{repository}#{number} is {pr.state}, not OPEN")
        members = dataset.generator.members[repository.split("/")[0]]
        _ = pr.timeline  # generate the past first: the merge is appended to it
        pr.merged_by = _actor(dataset, merged_by, members[0])
        pr.state, pr.is_draft = "MERGED", False
        pr.merged_at = pr.closed_at = dataset.now
        _touch(dataset, pr)
        append_events(pr, [("MergedEvent", pr.merged_by), ("ClosedEvent", pr.merged_by)])
        return pr


def close_pull_request(dataset: Dataset, repository: str, number: int) -> PullRequest:
    with dataset.lock:
        pr = dataset.pull_request(repository, number)
        if pr.state != "OPEN":
            raise ValueError(f"{repository}#{number} is {pr.state}, not OPEN")
        _ = pr.timeline  # generate the past first: the close is appended to it
        pr.state = "CLOSED"
        pr.closed_at = dataset.now
        _touch(dataset, pr)
        append_events(pr, [("ClosedEvent", pr.author)])
        return pr
