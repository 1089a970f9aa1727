"""Plain dataclasses of the stand-in's data, as tests see it.

A `Dataset` holds `Repository` objects keyed by `owner/name`; each repository holds its
`PullRequest`s in number order. A pull request's children (reviews, commits, files, check
suites, review requests, closing issues) are generated lazily on first access from the PR's
own seed, so a dataset of 10,000 PRs starts in well under a second. All timestamps are
timezone-aware UTC `datetime`s with whole seconds; `format_datetime` renders them as GitHub does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import datetime, timezone
from typing import Any


def format_datetime(value: datetime | None) -> str | None:
    """Render a timestamp the way GitHub's GraphQL API does: `2025-03-04T05:06:07Z`."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(text: str) -> datetime:
    """Parse an ISO-8601 timestamp (a trailing `Z` is accepted) into an aware UTC datetime."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).replace(microsecond=0)


@dataclass
class Actor:
    """A GitHub account: `typename` is `User`, `Bot` or `Mannequin`."""

    login: str
    typename: str
    database_id: int
    node_id: str
    name: str | None = None
    email: str | None = None

    @property
    def url(self) -> str:
        if self.typename == "Bot":
            return f"https://github.com/apps/{self.login}"
        return f"https://github.com/{self.login}"


@dataclass
class Team:
    organization: str
    slug: str
    name: str
    database_id: int
    node_id: str

    @property
    def combined_slug(self) -> str:
        return f"{self.organization}/{self.slug}"


@dataclass
class Label:
    name: str
    color: str
    description: str | None
    node_id: str


@dataclass
class Milestone:
    number: int
    title: str
    state: str
    due_on: datetime | None
    node_id: str


@dataclass
class IssueReference:
    """An issue a pull request closes (`closingIssuesReferences`)."""

    repository: str
    number: int
    title: str
    state: str
    node_id: str
    database_id: int

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repository}/issues/{self.number}"


@dataclass
class Review:
    node_id: str
    database_id: int
    author: Actor | None
    author_association: str
    state: str
    body: str
    created_at: datetime
    submitted_at: datetime | None
    commit_oid: str | None


@dataclass
class GitSignature:
    """A commit's author or committer (`GitActor`); `user` is None for an e-mail of no user."""

    name: str
    email: str
    date: datetime
    user: Actor | None


@dataclass
class CheckRun:
    node_id: str
    database_id: int
    name: str
    status: str
    conclusion: str | None
    started_at: datetime | None
    completed_at: datetime | None
    details_url: str


@dataclass
class CheckSuite:
    """`check_runs` are the latest run per name; `superseded_runs` the earlier attempts."""

    node_id: str
    database_id: int
    app_name: str
    app_slug: str
    status: str
    conclusion: str | None
    created_at: datetime
    check_runs: list[CheckRun] = field(default_factory=list)
    # Runs a re-run replaced (same name, earlier): GitHub lists them only with checkType ALL.
    superseded_runs: list[CheckRun] = field(default_factory=list)


@dataclass
class StatusContext:
    """One commit status as posted (Statuses API); a later post to a context supersedes it."""

    node_id: str
    context: str
    state: str
    description: str | None
    target_url: str | None
    created_at: datetime
    creator: Actor | None


@dataclass
class Commit:
    """A PR's commit: `node_id` is its `PullRequestCommit` id, `commit_node_id` its `Commit` id."""

    node_id: str
    commit_node_id: str
    oid: str
    message: str
    author: GitSignature
    committer: GitSignature
    additions: int
    deletions: int
    changed_files: int | None
    check_suites: list[CheckSuite] = field(default_factory=list)
    # Every status posted to this commit, oldest first (several per context).
    statuses: list[StatusContext] = field(default_factory=list)

    @property
    def latest_statuses(self) -> list[StatusContext]:
        """The latest status of each context, as the combined status and the rollup show."""
        latest: dict[str, StatusContext] = {}
        for status in sorted(self.statuses, key=lambda s: s.created_at):
            latest[status.context] = status
        return [latest[name] for name in sorted(latest)]

    @property
    def message_headline(self) -> str:
        return self.message.split("\n", 1)[0]

    @property
    def message_body(self) -> str:
        parts = self.message.split("\n", 1)
        return parts[1].strip("\n") if len(parts) > 1 else ""

    @property
    def authored_date(self) -> datetime:
        return self.author.date

    @property
    def committed_date(self) -> datetime:
        return self.committer.date


@dataclass
class ChangedFile:
    path: str
    additions: int
    deletions: int
    change_type: str


@dataclass
class ReviewRequest:
    node_id: str
    database_id: int
    reviewer: Actor | Team


@dataclass
class TimelineEvent:
    """A pull request timeline event; `typename` is its GraphQL type (`MergedEvent`, ...).

    Only the fields of its type are set: `requested_reviewer` for review requests, the commit
    oids for force pushes and merges, `merge_ref_name` for merges.
    """

    node_id: str
    typename: str
    created_at: datetime
    actor: Actor | None
    requested_reviewer: Actor | Team | None = None
    before_commit_oid: str | None = None
    after_commit_oid: str | None = None
    commit_oid: str | None = None
    merge_ref_name: str | None = None


# GraphQL `PullRequestTimelineItemsItemType` value of each event type the stand-in generates.
TIMELINE_ITEM_TYPES = {
    "ReadyForReviewEvent": "READY_FOR_REVIEW_EVENT",
    "ConvertToDraftEvent": "CONVERT_TO_DRAFT_EVENT",
    "ReviewRequestedEvent": "REVIEW_REQUESTED_EVENT",
    "ReviewRequestRemovedEvent": "REVIEW_REQUEST_REMOVED_EVENT",
    "MergedEvent": "MERGED_EVENT",
    "ClosedEvent": "CLOSED_EVENT",
    "ReopenedEvent": "REOPENED_EVENT",
    "HeadRefForcePushedEvent": "HEAD_REF_FORCE_PUSHED_EVENT",
}


@dataclass
class PullRequestChildren:
    reviews: list[Review] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)
    files: list[ChangedFile] = field(default_factory=list)
    review_requests: list[ReviewRequest] = field(default_factory=list)
    closing_issues: list[IssueReference] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)


DERIVED_PULL_REQUEST_FIELDS = (
    "merged",
    "additions",
    "deletions",
    "changed_files",
    "head_ref_oid",
    "review_decision",
    "url",
)


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


@dataclass(eq=False)
class PullRequest:
    """One pull request. Children are materialised on first access of a child property."""

    repository: str
    number: int
    node_id: str
    full_database_id: int
    title: str
    body: str
    state: str
    is_draft: bool
    author: Actor | None
    author_association: str
    created_at: datetime
    updated_at: datetime
    merged_at: datetime | None
    closed_at: datetime | None
    merged_by: Actor | None
    base_ref_name: str
    head_ref_name: str
    labels: list[Label]
    milestone: Milestone | None
    requires_review: bool
    _children_factory: Callable[[PullRequest], PullRequestChildren] | None = field(
        default=None, repr=False
    )
    _children: PullRequestChildren | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Fields, derived values and children as plain dicts and lists (datetimes kept)."""
        data = {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name[0] != "_"}
        children = ("reviews", "commits", "files", "review_requests", "closing_issues", "timeline")
        for name in children:
            data[name] = _plain(getattr(self, name))
        for name in DERIVED_PULL_REQUEST_FIELDS:
            data[name] = getattr(self, name)
        return data

    @property
    def children(self) -> PullRequestChildren:
        if self._children is None:
            with self._lock:
                if self._children is None:
                    factory = self._children_factory
                    self._children = factory(self) if factory else PullRequestChildren()
        return self._children

    @property
    def reviews(self) -> list[Review]:
        return self.children.reviews

    @property
    def commits(self) -> list[Commit]:
        return self.children.commits

    @property
    def files(self) -> list[ChangedFile]:
        return self.children.files

    @property
    def review_requests(self) -> list[ReviewRequest]:
        return self.children.review_requests

    @property
    def closing_issues(self) -> list[IssueReference]:
        return self.children.closing_issues

    @property
    def timeline(self) -> list[TimelineEvent]:
        return self.children.timeline

    @property
    def head_commit(self) -> Commit | None:
        commits = self.commits
        return commits[-1] if commits else None

    @property
    def head_ref_oid(self) -> str:
        head = self.head_commit
        return head.oid if head else "0" * 40

    @property
    def check_suites(self) -> list[CheckSuite]:
        head = self.head_commit
        return head.check_suites if head else []

    @property
    def check_runs(self) -> list[CheckRun]:
        return [run for suite in self.check_suites for run in suite.check_runs]

    @property
    def commit_statuses(self) -> list[StatusContext]:
        """The head commit's latest status per context (what the rollup lists)."""
        head = self.head_commit
        return head.latest_statuses if head else []

    @property
    def rollup_contexts(self) -> list[CheckRun | StatusContext]:
        """`statusCheckRollup.contexts`: the head commit's latest check run per name in each
        suite, then its latest status per context."""
        return [*self.check_runs, *self.commit_statuses]

    @property
    def merged(self) -> bool:
        return self.merged_at is not None

    @property
    def additions(self) -> int:
        return sum(f.additions for f in self.files)

    @property
    def deletions(self) -> int:
        return sum(f.deletions for f in self.files)

    @property
    def changed_files(self) -> int:
        return len(self.files)

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repository}/pull/{self.number}"

    @property
    def review_decision(self) -> str | None:
        """GitHub's decision from each reviewer's latest opinionated review; None if unprotected."""
        if not self.requires_review:
            return None
        latest: dict[str, str] = {}
        for review in self.reviews:
            if review.author is None or review.state not in ("APPROVED", "CHANGES_REQUESTED"):
                continue
            if self.author is not None and review.author.login == self.author.login:
                continue
            latest[review.author.login] = review.state
        if "CHANGES_REQUESTED" in latest.values():
            return "CHANGES_REQUESTED"
        if "APPROVED" in latest.values():
            return "APPROVED"
        return "REVIEW_REQUIRED"


@dataclass(eq=False)
class Repository:
    owner: str
    name: str
    node_id: str
    database_id: int
    created_at: datetime
    description: str
    labels: list[Label]
    milestones: list[Milestone]
    pull_requests: list[PullRequest] = field(default_factory=list)
    is_private: bool = False
    is_archived: bool = False
    is_fork: bool = False

    @property
    def name_with_owner(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def url(self) -> str:
        return f"https://github.com/{self.name_with_owner}"

    def pull_request(self, number: int) -> PullRequest:
        index = self.__dict__.get("_by_number")
        if index is None or len(index) != len(self.pull_requests):
            index = {pr.number: pr for pr in self.pull_requests}
            self.__dict__["_by_number"] = index
        try:
            return index[number]
        except KeyError:
            raise KeyError(f"{self.name_with_owner}#{number}") from None


@dataclass(eq=False)
class Organization:
    login: str
    node_id: str
    database_id: int
    name: str
    teams: list[Team] = field(default_factory=list)


@dataclass(eq=False)
class Dataset:
    """Everything the stand-in serves. `now` is the data clock, independent of wall time."""

    seed: int
    now: datetime
    repositories: dict[str, Repository]
    organizations: dict[str, Organization]
    users: dict[str, Actor]
    bots: dict[str, Actor]
    mannequins: dict[str, Actor] = field(default_factory=dict)
    generator: Any = field(default=None, repr=False)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def repository(self, name_with_owner: str) -> Repository:
        return self.repositories[name_with_owner]

    def pull_request(self, name_with_owner: str, number: int) -> PullRequest:
        return self.repositories[name_with_owner].pull_request(number)

    def all_pull_requests(self) -> list[PullRequest]:
        return [pr for repo in self.repositories.values() for pr in repo.pull_requests]

    def next_number(self, name_with_owner: str) -> int:
        prs = self.repositories[name_with_owner].pull_requests
        return (max(pr.number for pr in prs) + 1) if prs else 1
