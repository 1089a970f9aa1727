"""What a request weighs, in GitHub's own measure: the objects (nodes) it returns.

GitHub stops a query after 10 s of server time, and what takes the time is the nodes a query
returns, not its rate-limit cost (../shared/notes/github-api.md: nested `first` sizes drive
node counts, and so timeouts). The tap cannot see GitHub's clock, but it sees how long each
answer took and how many objects it held, so it learns the share of GitHub's time budget one
object takes (`WeightProfile.observe_time`). From the pull requests it has seen it knows how
many objects a pull request returns with its nested connections cut at a given `first`, and
how many its follow-ups will return (`observe_pull_requests`). Together they let a request be
planned to fit the budget before it is sent (`page_size.RepositorySizing`).
"""

from __future__ import annotations

import math
import threading
import typing as t
from collections import Counter, deque
from dataclasses import dataclass

from tap_github_prs.queries.follow_ups import FOLLOW_UP_PAGE_SIZE, FollowUpRequest

# The page's connections whose `first` is the nested size ($nestedFirst in
# queries/fragments.graphql): follow-up kind -> how to find the connection on a PR node.
NESTED_CONNECTIONS: dict[str, t.Callable[[dict], dict | None]] = {
    "reviews": lambda node: node.get("reviews"),
    "commits": lambda node: node.get("commits"),
    "files": lambda node: node.get("files"),
    "ci_contexts": lambda node: (node.get("statusCheckRollup") or {}).get("contexts"),
    "timeline_events": lambda node: node.get("timelineItems"),
}
# Connections with a fixed small `first`: their items are part of a PR's base weight, but
# their follow-ups need a weight per item too.
FIXED_CONNECTIONS: dict[str, t.Callable[[dict], dict | None]] = {
    "labels": lambda node: node.get("labels"),
    "review_requests": lambda node: node.get("reviewRequests"),
    "closing_issues": lambda node: node.get("closingIssuesReferences"),
}

# How many pull requests (and answers) the estimates remember: recent enough to follow a
# repository whose PRs change with time, enough to average over a few pages.
PROFILE_WINDOW = 200
TIME_MEMORY = 0.75  # weight of the older answers in the time-per-object estimate
# What a page and one round of follow-ups can hold of one connection (the page's 100, then an
# after-page and a tail of 100 each): a longer connection needs more rounds whatever is planned.
ONE_ROUND = 3 * FOLLOW_UP_PAGE_SIZE
# Pages are planned for their expected weight plus this many standard deviations: the next
# page's PRs are not known yet, only the spread of the ones seen.
SPREAD_MARGIN = 1.0


def count_objects(value: t.Any) -> int:
    """Objects in a GraphQL answer (nodes, plus connection and page-info wrappers).

    The wrappers cost GitHub almost nothing, but counting every object keeps the count simple;
    what matters is that estimates and measurements count alike.
    """
    if isinstance(value, dict):
        return 1 + sum(count_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_objects(v) for v in value)
    return 0


@dataclass(frozen=True)
class PullRequestWeight:
    """One PR seen: objects outside its nested connections' items, and what each holds."""

    base: int
    items: tuple[tuple[str, int], ...]  # (nested kind, totalCount)


class WeightProfile:
    """Objects per PR and per follow-up, and the budget share per object, from answers seen.

    Thread-safe: one profile is shared by all repositories as the estimate for a repository
    that has no answer of its own yet.
    """

    def __init__(self, window: int = PROFILE_WINDOW) -> None:
        self._pull_requests: deque[PullRequestWeight] = deque(maxlen=window)
        self._item_objects: Counter[str] = Counter()
        self._items: Counter[str] = Counter()
        self._shares = 0.0
        self._objects = 0.0
        self._lock = threading.Lock()

    # -- learning ------------------------------------------------------------------------------

    def observe_time(self, budget_share: float, objects: int) -> None:
        """An answer of `objects` objects took `budget_share` of GitHub's time budget."""
        if objects <= 0 or budget_share <= 0:
            return
        with self._lock:
            # A ratio of decayed sums: big answers, whose time is mostly GitHub's work rather
            # than the network's, weigh most.
            self._shares = self._shares * TIME_MEMORY + budget_share
            self._objects = self._objects * TIME_MEMORY + objects

    def observe_pull_requests(self, nodes: list[dict]) -> None:
        """Learn from a page's PR nodes: their base weight and their connections' sizes."""
        with self._lock:
            for node in nodes:
                base = count_objects(node)
                items = []
                for kind, find in {**NESTED_CONNECTIONS, **FIXED_CONNECTIONS}.items():
                    connection = find(node) or {}
                    returned = [n for n in connection.get("nodes") or [] if n is not None]
                    if kind in FIXED_CONNECTIONS and not returned:
                        continue
                    objects = count_objects(returned)
                    self._item_objects[kind] += objects
                    self._items[kind] += len(returned)
                    if kind in NESTED_CONNECTIONS:
                        base -= objects
                        total = connection.get("totalCount")
                        items.append((kind, len(returned) if total is None else int(total)))
                self._pull_requests.append(PullRequestWeight(base, tuple(items)))

    # -- estimates -----------------------------------------------------------------------------

    @property
    def known(self) -> bool:
        """Both a time per object and some PRs are known: requests can be planned."""
        return self._objects > 0 and bool(self._pull_requests)

    def share_per_object(self) -> float:
        with self._lock:
            return self._shares / self._objects if self._objects else 0.0

    def objects_per_item(self, kind: str) -> float:
        items = self._items[kind]
        # A kind not seen yet weighs as one object per item plus its wrapper share.
        return self._item_objects[kind] / items if items else 1.0

    def pull_request_objects(self, nested_first: int | None) -> tuple[float, float]:
        """Mean and standard deviation of a PR's objects on a page whose nested connections
        are cut at `nested_first` (None: what the page and one round of follow-ups hold)."""
        with self._lock:
            per_item = {kind: self.objects_per_item(kind) for kind in NESTED_CONNECTIONS}
            weights = []
            for pull_request in self._pull_requests:
                weight = float(pull_request.base)
                for kind, total in pull_request.items:
                    held = min(total, ONE_ROUND if nested_first is None else nested_first)
                    weight += held * per_item[kind]
                weights.append(weight)
        if not weights:
            return 0.0, 0.0
        mean = sum(weights) / len(weights)
        variance = sum((w - mean) ** 2 for w in weights) / len(weights)
        return mean, math.sqrt(variance)

    def page_objects(
        self, page_size: int, nested_first: int | None, *, spread: bool = True
    ) -> float:
        """Objects a page of `page_size` PRs is planned for: expected, plus (`spread`) a margin
        for the spread of PRs not seen yet (a sum of n PRs spreads by sqrt(n) deviations)."""
        mean, deviation = self.pull_request_objects(nested_first)
        margin = SPREAD_MARGIN * math.sqrt(page_size) * deviation if spread else 0.0
        return page_size * mean + margin

    def follow_up_objects(self, request: FollowUpRequest) -> float:
        """Objects a follow-up returns: its items, its node lookup and connection wrappers."""
        with self._lock:
            return request.items * self.objects_per_item(request.kind) + 3
