"""A pull request's timeline events, consistent with the rest of its generated life.

The rules the events keep (what GitHub's timeline shows, and what the marts rely on):
- a PR opened as a draft that is no longer a draft has a ready-for-review event, and the last
  one precedes its first review by someone other than the author; an open draft that was
  reviewed was converted back to a draft after its last review;
- every pending review request has a review-requested event after the PR became ready and
  after the reviewer's last review (a review fulfils a request);
- merged PRs end with a merged event then a closed event at `mergedAt`; closed PRs with a
  closed event at `closedAt`; a reopened PR has closed then reopened events before that;
- everything happens between `createdAt` and the PR's last activity.

Events draw from their own `random.Random`, so the rest of the data does not change.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from .ids import make_id, pr_payload
from .models import Actor, PullRequest, PullRequestChildren, Team, TimelineEvent

ID_PREFIXES = {
    "ReadyForReviewEvent": "RFRE",
    "ConvertToDraftEvent": "CTDE",
    "ReviewRequestedEvent": "RRE",
    "ReviewRequestRemovedEvent": "RRRE",
    "MergedEvent": "ME",
    "ClosedEvent": "CE",
    "ReopenedEvent": "REE",
    "HeadRefForcePushedEvent": "HRFPE",
}
# At the same second, the order GitHub shows them in.
_ORDER = {name: index for index, name in enumerate(ID_PREFIXES)}


def event_id(typename: str, pr: PullRequest, index: int) -> str:
    return make_id(ID_PREFIXES[typename], f"{pr_payload(pr.repository, pr.number)}:e:{index}")


def _between(rng: random.Random, low: datetime, high: datetime) -> datetime:
    span = max(0, int((high - low).total_seconds()))
    return low + timedelta(seconds=rng.randint(0, span))


class _Timeline:
    def __init__(self, pr: PullRequest) -> None:
        self.pr = pr
        self.items: list[TimelineEvent] = []

    def add(self, typename: str, at: datetime, actor: Actor | None, **fields: object) -> None:
        self.items.append(TimelineEvent("", typename, at, actor, **fields))  # type: ignore[arg-type]

    def events(self) -> list[TimelineEvent]:
        ordered = sorted(
            enumerate(self.items), key=lambda p: (p[1].created_at, _ORDER[p[1].typename], p[0])
        )
        result = []
        for index, (_, event) in enumerate(ordered):
            event.node_id = event_id(event.typename, self.pr, index)
            result.append(event)
        return result


def timeline_events(
    seed: int,
    pr: PullRequest,
    children: PullRequestChildren,
    members: list[Actor],
    last_activity: datetime,
    heavy: bool,
) -> list[TimelineEvent]:
    rng = random.Random(f"{seed}:{pr.repository}:{pr.number}:timeline")
    start, end = pr.created_at, max(pr.created_at, last_activity)
    timeline = _Timeline(pr)
    author = pr.author
    human_author = author if author is not None and author.typename == "User" else None
    others = [
        review
        for review in children.reviews
        if review.author is not None and (author is None or review.author.login != author.login)
    ]
    first_review = min((r.created_at for r in others), default=None)
    last_review = max((r.created_at for r in others), default=None)

    # Draft and ready.
    ready_at = start
    if pr.is_draft:
        if last_review is not None:  # reviewed, then converted back to a draft
            timeline.add("ConvertToDraftEvent", _between(rng, last_review, end), author)
    elif rng.random() < (0.08 if human_author is None else 0.22):
        limit = min(x for x in (first_review, pr.closed_at, end) if x is not None)
        ready_at = _between(rng, start, limit)
        if rng.random() < 0.2 and (ready_at - start).total_seconds() > 4:
            first_ready = _between(rng, start, ready_at - timedelta(seconds=2))
            back_to_draft = _between(rng, first_ready, ready_at)
            timeline.add("ReadyForReviewEvent", first_ready, author)
            timeline.add("ConvertToDraftEvent", back_to_draft, author)
        timeline.add("ReadyForReviewEvent", ready_at, author)
    requester = human_author or (members[0] if members else None)

    # Review requests fulfilled by a review.
    first_by: dict[str, tuple[datetime, Actor]] = {}
    for review in others:
        assert review.author is not None
        first_by.setdefault(review.author.login, (review.created_at, review.author))
    for _login, (reviewed_at, reviewer) in sorted(first_by.items()):
        chance = 0.8 if reviewer.typename == "Bot" else 0.7
        if rng.random() < chance and reviewed_at >= ready_at:
            timeline.add(
                "ReviewRequestedEvent",
                _between(rng, ready_at, reviewed_at),
                requester,
                requested_reviewer=reviewer,
            )

    # Pending requests: requested after readiness and after the reviewer's last review.
    for request in children.review_requests:
        reviewer = request.reviewer
        low = ready_at if not pr.is_draft else start
        if isinstance(reviewer, Actor):
            low = max([low, *(r.created_at for r in others if r.author == reviewer)])
        timeline.add(
            "ReviewRequestedEvent",
            _between(rng, low, end),
            requester,
            requested_reviewer=reviewer,
        )

    # A request withdrawn again, now and then (many times for a heavy PR).
    pending = {id(r.reviewer) for r in children.review_requests}
    idle = [m for m in members if m.login not in first_by and id(m) not in pending]
    if author is not None:
        idle = [m for m in idle if m.login != author.login]
    withdrawals = rng.randint(40, 60) if heavy else (1 if rng.random() < 0.08 else 0)
    for _ in range(withdrawals if idle else 0):
        reviewer: Actor | Team = rng.choice(idle)
        asked = _between(rng, ready_at, end)
        timeline.add("ReviewRequestedEvent", asked, requester, requested_reviewer=reviewer)
        timeline.add(
            "ReviewRequestRemovedEvent",
            _between(rng, asked, end),
            requester,
            requested_reviewer=reviewer,
        )

    # Force pushes of the head branch.
    pushes = rng.randint(30, 50) if heavy else (rng.randint(1, 3) if rng.random() < 0.15 else 0)
    if heavy and not idle:
        pushes += 80  # no one left to request: force pushes alone pass 100 events
    payload = pr_payload(pr.repository, pr.number)
    for index in range(pushes):
        at = _between(rng, start, end)
        before = [c for c in children.commits if c.committed_date <= at]
        after = before[-1] if before else children.commits[0]
        rewritten = hashlib.sha1(f"{seed}:{payload}:force:{index}".encode()).hexdigest()  # noqa: S324
        timeline.add(
            "HeadRefForcePushedEvent",
            at,
            author if author is not None and author.typename != "Mannequin" else None,
            before_commit_oid=rewritten,
            after_commit_oid=after.oid,
        )

    # Closed and reopened before the final state.
    if rng.random() < 0.04 and (end - start).total_seconds() > 10:
        closed = _between(rng, start, end - timedelta(seconds=5))
        closer = human_author or rng.choice(members)
        timeline.add("ClosedEvent", closed, closer)
        timeline.add("ReopenedEvent", _between(rng, closed, end), closer)

    # The end of the PR's life.
    if pr.merged_at is not None:
        add_merge(timeline.add, pr, children)
    elif pr.closed_at is not None:
        timeline.add("ClosedEvent", pr.closed_at, human_author or rng.choice(members))
    return timeline.events()


def add_merge(add, pr: PullRequest, children: PullRequestChildren) -> None:
    """A merge shows as a merged event and a closed event, both at `mergedAt`."""
    assert pr.merged_at is not None
    head = children.commits[-1] if children.commits else None
    add(
        "MergedEvent",
        pr.merged_at,
        pr.merged_by,
        commit_oid=head.oid if head else None,
        merge_ref_name=pr.base_ref_name,
    )
    add("ClosedEvent", pr.merged_at, pr.merged_by)


def append_events(pr: PullRequest, typenames_and_actors: list[tuple[str, Actor | None]]) -> None:
    """Record what a mutation just did (merge, close) at the PR's `updatedAt`."""
    timeline = pr.timeline
    for typename, actor in typenames_and_actors:
        event = TimelineEvent(event_id(typename, pr, len(timeline)), typename, pr.updated_at, actor)
        if typename == "MergedEvent":
            event.commit_oid = pr.head_ref_oid
            event.merge_ref_name = pr.base_ref_name
        timeline.append(event)
