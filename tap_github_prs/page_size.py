"""Request sizes that fit GitHub's time budget: what to shrink, by how much, and growing back.

GitHub stops a query after 10 s of server time (a 502/504 that still costs points), and the
time goes into the nodes a query returns. Two tools live here:

- `AdaptivePageSize`: one size, halved when GitHub finds a request too heavy, grown back a
  step per success (additive increase, multiplicative decrease). A size that really timed out
  is remembered as a ceiling, so the walk does not keep paying 10 s timeouts to rediscover it;
  after `probe_after` successes at the ceiling, it is lifted one step. How long a success took
  counts too: an answer that took most of the budget eases the size down before GitHub has to
  cut one off. Used for delivery pages and as the follow-up batch's count.
- `RepositorySizing`: the pull request walk's plan per request (PRs per page, items per heavy
  nested connection, follow-ups riding along), made from what the repository's answers
  weighed, so that what is heavy is what gets cut. Kept per repository: a repository of huge
  PRs does not slow a small one down.
"""

from __future__ import annotations

import logging
import threading
import typing as t
from dataclasses import dataclass

from tap_github_prs.page_weight import WeightProfile, count_objects
from tap_github_prs.queries.follow_ups import FollowUpRequest
from tap_github_prs.records import nodes_of

# Shares of GitHub's time budget (github_timeout_seconds) an answer may take: above SLOW_SHARE
# the next page is made smaller (aiming at TARGET_SHARE), below FAST_SHARE it may grow.
SLOW_SHARE = 0.8
TARGET_SHARE = 0.6
FAST_SHARE = 0.5
# A planned request aims at this share of the budget (its spread is planned for separately).
PLAN_SHARE = 0.8
# Items per heavy nested connection: GitHub's largest `first` (the query's default), and the
# fewest a page asks for before it takes fewer PRs instead.
NESTED_MAXIMUM = 100
NESTED_FLOOR = 10
# The allowance (% of the plan) halves per timeout down to this: 100, 50, 25, 12.
ALLOWANCE_FLOOR = 12

T_co = t.TypeVar("T_co", covariant=True)


class AdaptivePageSize:
    """One size that shrinks and grows; thread-safe."""

    def __init__(
        self,
        initial: int,
        logger: logging.Logger,
        *,
        floor: int = 5,
        step: int | None = None,
        probe_after: int = 10,
        what: str = "page size",
        log_changes: bool = True,
    ) -> None:
        self.maximum = initial
        self.floor = min(floor, initial)
        self.step = step or max(1, initial // 6)
        self.probe_after = probe_after
        self.what = what
        self._log_changes = log_changes  # False: its owner says what the change means
        self._current = initial
        self._ceiling = initial
        self._successes_at_ceiling = 0
        self._logger = logger
        self._lock = threading.Lock()

    @property
    def current(self) -> int:
        return self._current

    @property
    def ceiling(self) -> int:
        return self._ceiling

    def shrink(self, reason: str) -> bool:
        """Halve the size and remember it did not fit; False when it is already at the floor."""
        with self._lock:
            if self._current <= self.floor:
                return False
            previous, self._current = self._current, max(self.floor, self._current // 2)
            self._ceiling = max(self.floor, previous - self.step)
            self._successes_at_ceiling = 0
            if self._log_changes:
                self._logger.warning(
                    "%s: %s lowered from %d to %d.", reason, self.what, previous, self._current
                )
            return True

    def succeeded(self, budget_share: float | None = None, answer: dict | None = None) -> None:
        """Count a success: grow by one step, up to the ceiling (lifted after a while).

        `budget_share`: how much of GitHub's time budget the answer took, when known. Near the
        budget (over `SLOW_SHARE`) the size eases down before GitHub has to cut it off; well
        under it (below `FAST_SHARE`) it grows; in between it holds. `answer` (the body) is not
        needed here; sizes that learn from what an answer held (`PageRequest`) take it.
        """
        if budget_share is not None and budget_share > SLOW_SHARE:
            self._ease_down(budget_share)
            return
        if budget_share is not None and budget_share > FAST_SHARE:
            return
        with self._lock:
            if self._current >= self._ceiling:
                if self._ceiling >= self.maximum:
                    return
                self._successes_at_ceiling += 1
                if self._successes_at_ceiling < self.probe_after:
                    return
                self._successes_at_ceiling = 0
                self._ceiling = min(self.maximum, self._ceiling + self.step)
            previous = self._current
            self._current = min(self._ceiling, self._current + self.step)
            if self._current != previous and self._log_changes:
                self._logger.info("%s raised from %d to %d.", self.what, previous, self._current)

    def _ease_down(self, budget_share: float) -> None:
        with self._lock:
            target = max(self.floor, int(self._current * TARGET_SHARE / budget_share))
            if target < self._current:
                self._logger.info(
                    "%s: the last answer took %.0f%% of GitHub's time budget; %s lowered from "
                    "%d to %d.",
                    self.what,
                    100 * budget_share,
                    self.what,
                    self._current,
                    target,
                )
                self._current = target
                self._ceiling = min(self._ceiling, max(self.floor, target))
                self._successes_at_ceiling = 0


class Shrinkable(t.Protocol[T_co]):
    """What `GraphQLClient.execute_shrinking` needs of a request size: the size to send now,
    a way to ask for less (False when nothing is left to cut), and news of a success."""

    @property
    def current(self) -> T_co: ...

    def shrink(self, reason: str) -> bool: ...

    def succeeded(self, budget_share: float | None = None, answer: dict | None = None) -> None: ...


@dataclass(frozen=True)
class PagePlan:
    """One page request: PRs, items per heavy nested connection, follow-ups riding along."""

    page_size: int
    nested_first: int
    riders: int


class RepositorySizing:
    """Plans one repository's page and follow-up requests to fit GitHub's time budget.

    A request is planned to return no more objects than take `PLAN_SHARE` of the budget: the
    time per object and the PRs' weights come from the answers seen (`page_weight`; this
    repository's, or every repository's until it has its own). A page's plan:
    - earlier pages' follow-ups ride along first, as many as fit: their weight is known, and
      they complete pages waiting to be emitted;
    - the page size is what fits, up to the configured size: as many PRs as fit one request
      with everything they hold (their follow-ups ride along with the next pages), fewer when
      the riders left less room;
    - the nested size (`$nestedFirst`: commits, files, reviews, CI contexts and timeline items
      per PR) stays 100 unless the page size alone is not enough: when a few PRs with long
      connections make a page's weight unpredictable (a page is planned for the spread of the
      PRs seen, not only their mean), or when even the smallest page does not fit. Cut
      connections are continued by follow-ups.
    Before anything was measured, the plan is the configured size with 100 items.

    A timeout halves `allowance`: the share of the planned weight a request may use, and the
    share of the configured page size, of 100 items and of the riders it may ask for (so a
    timeout always asks for less, even when the times measured said the request was light).
    Each success adds a step back, up to just under the allowance that timed out, which is
    probed again after a while (`AdaptivePageSize`). What a timed-out request held is not
    known, but what comes back next is measured, and the plans follow it.
    """

    def __init__(
        self,
        repository: str,
        maximum: int,
        logger: logging.Logger,
        *,
        floor: int,
        shared: WeightProfile,
    ) -> None:
        self.repository = repository
        self.maximum = maximum
        self.floor = min(floor, maximum)
        self.shared = shared
        self.own = WeightProfile()
        self.allowance = AdaptivePageSize(
            100,
            logger,
            floor=ALLOWANCE_FLOOR,
            what=f"{repository} request weight (% of plan)",
            log_changes=False,  # the plans it changes are logged instead
        )
        self._logger = logger
        self._last_plan: PagePlan | None = None

    # -- plans ---------------------------------------------------------------------------------

    def plan_page(
        self, pending: list[FollowUpRequest], size_cap: int | None, rider_cap: int
    ) -> PagePlan:
        """The next page request, given the follow-ups waiting to ride along."""
        scale = self.allowance.current / 100
        configured = max(1, min(self.maximum, size_cap or self.maximum))
        floor = min(self.floor, configured)
        largest = _capped(configured, scale, floor)
        nested_cap = _capped(NESTED_MAXIMUM, scale, NESTED_FLOOR)
        riders_cap = min(len(pending), _capped(rider_cap, scale, 0))
        profile = self._profile()
        budget = self._objects_allowed(profile)
        if budget is None:  # nothing measured yet: the shape alone
            plan = PagePlan(largest, nested_cap, riders_cap)
        else:
            plan = self._fit_page(
                profile, budget, pending[:riders_cap], range(floor, largest + 1), nested_cap
            )
        if plan != self._last_plan:
            self._logger.debug("%s: next page %s.", self.repository, plan)
            self._last_plan = plan
        return plan

    def plan_follow_ups(self, pending: list[FollowUpRequest], cap: int) -> int:
        """How many of the pending follow-ups the next follow-up request carries (at least 1)."""
        cap = _capped(cap, self.allowance.current / 100, 1)
        profile = self._profile()
        budget = self._objects_allowed(profile)
        if budget is None:
            return cap
        count, weight = 0, 0.0
        for request in pending[:cap]:
            weight += profile.follow_up_objects(request)
            if count and weight > budget:
                break
            count += 1
        return max(1, count)

    def _fit_page(
        self,
        profile: WeightProfile,
        budget: float,
        riders_wanted: list[FollowUpRequest],
        sizes: range,
        nested_cap: int,
    ) -> PagePlan:
        floor, largest = sizes.start, sizes.stop - 1
        lightest_page = profile.page_objects(floor, NESTED_FLOOR)
        riders, carried = 0, 0.0
        for request in riders_wanted:
            weight = profile.follow_up_objects(request)
            if carried + weight > budget - lightest_page:
                break
            riders, carried = riders + 1, carried + weight
        room = budget - carried
        # As many PRs as fit one request with all they hold (expected weight only: their
        # follow-ups ride along later, when their weight is known).
        size = _largest(
            floor, largest, lambda n: profile.page_objects(n, None, spread=False) <= budget
        )
        size = size or floor
        # The nested size such a page needs in a request of its own (the spread of its PRs is
        # what it guards against); the riders' room then sets how many PRs this one takes.
        nested = (
            _largest(NESTED_FLOOR, nested_cap, lambda f: profile.page_objects(size, f) <= budget)
            or NESTED_FLOOR
        )
        fits = _largest(floor, size, lambda n: profile.page_objects(n, nested) <= room)
        if fits is None:  # not even the smallest page: cut the connections shorter instead
            size = floor
            nested = (
                _largest(NESTED_FLOOR, nested, lambda f: profile.page_objects(floor, f) <= room)
                or NESTED_FLOOR
            )
        else:
            size = fits
        return PagePlan(size, nested, riders)

    def _profile(self) -> WeightProfile:
        return self.own if self.own.known else self.shared

    def _objects_allowed(self, profile: WeightProfile) -> float | None:
        """Objects a request may return, or None before anything was measured."""
        if not profile.known:
            return None
        share = profile.share_per_object()
        if share <= 0:
            return None
        return PLAN_SHARE * self.allowance.current / 100 / share

    # -- outcomes ------------------------------------------------------------------------------

    def too_heavy(self, reason: str, plan: t.Any, replan: t.Callable[[], t.Any]) -> bool:
        """GitHub timed out on `plan`: lower the allowance until the plan gets smaller.

        False when it cannot (the allowance is at its floor).
        """
        while self.allowance.shrink(reason):
            if replan() != plan:
                return True
        return False

    def log_smaller(self, reason: str, changes: list[str]) -> None:
        """One warning per timeout: why, and what the next request asks for instead."""
        changes = changes or ["the next request is planned lighter"]
        self._logger.warning("%s: %s %s.", reason, self.repository, "; ".join(changes))

    def answered(self, budget_share: float | None, answer: dict | None, *, page: bool) -> None:
        """Learn from a successful answer: its time per object and (a page) its PRs."""
        data = (answer or {}).get("data") or {}
        if budget_share is not None:
            objects = count_objects(data)
            self.own.observe_time(budget_share, objects)
            self.shared.observe_time(budget_share, objects)
        if page:
            nodes = [n for n in nodes_of(data.get("search")) if n.get("id")]
            self.own.observe_pull_requests(nodes)
            self.shared.observe_pull_requests(nodes)
        self.allowance.succeeded()

    # -- requests for GraphQLClient.execute_shrinking --------------------------------------------

    def page_request(
        self, pending: list[FollowUpRequest], size_cap: int | None, rider_cap: int
    ) -> PageRequest:
        return PageRequest(self, pending, size_cap, rider_cap)

    def follow_up_request(self, pending: list[FollowUpRequest], cap: int) -> FollowUpBatch:
        return FollowUpBatch(self, pending, cap)


class PageRequest:
    """A page request's size (`Shrinkable`): its plan, re-made after each timeout."""

    def __init__(
        self,
        sizing: RepositorySizing,
        pending: list[FollowUpRequest],
        size_cap: int | None,
        rider_cap: int,
    ) -> None:
        self._sizing = sizing
        self._replan = lambda: sizing.plan_page(pending, size_cap, rider_cap)
        self.plan = self._replan()

    @property
    def current(self) -> PagePlan:
        return self.plan

    def shrink(self, reason: str) -> bool:
        shrunk = self._sizing.too_heavy(reason, self.plan, self._replan)
        previous, self.plan = self.plan, self._replan()
        if shrunk:
            self._sizing.log_smaller(reason, _page_changes(previous, self.plan))
        return shrunk

    def succeeded(self, budget_share: float | None = None, answer: dict | None = None) -> None:
        self._sizing.answered(budget_share, answer, page=True)


class FollowUpBatch:
    """A follow-up request's size (`Shrinkable`): how many pending follow-ups it carries."""

    def __init__(self, sizing: RepositorySizing, pending: list[FollowUpRequest], cap: int) -> None:
        self._sizing = sizing
        self._replan = lambda: sizing.plan_follow_ups(pending, cap)
        self.count = self._replan()

    @property
    def current(self) -> int:
        return self.count

    def shrink(self, reason: str) -> bool:
        shrunk = self._sizing.too_heavy(reason, self.count, self._replan)
        previous, self.count = self.count, self._replan()
        if shrunk:
            changes = [f"follow-ups per request lowered from {previous} to {self.count}"]
            self._sizing.log_smaller(reason, changes)
        return shrunk

    def succeeded(self, budget_share: float | None = None, answer: dict | None = None) -> None:
        self._sizing.answered(budget_share, answer, page=False)


def _page_changes(before: PagePlan, after: PagePlan) -> list[str]:
    """What a smaller plan changed, in words (the page size first, as users look for it)."""
    changes = []
    if after.page_size != before.page_size:
        changes.append(f"page size lowered from {before.page_size} to {after.page_size}")
    if after.nested_first != before.nested_first:
        changes.append(
            "commits, files, reviews, CI contexts and timeline items per PR lowered from "
            f"{before.nested_first} to {after.nested_first}"
        )
    if after.riders != before.riders:
        changes.append(f"follow-ups riding along lowered from {before.riders} to {after.riders}")
    return changes


def _capped(value: int, scale: float, floor: int) -> int:
    """`value` scaled down by the allowance, never below `floor` nor above `value`."""
    return max(min(floor, value), min(value, round(value * scale)))


def _largest(low: int, high: int, fits: t.Callable[[int], bool]) -> int | None:
    """The largest n in [low, high] that fits (`fits` holds up to some n, then not), or None."""
    if high < low or not fits(low):
        return None
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


class PageSizes:
    """One `RepositorySizing` per repository, all learning into one shared profile."""

    def __init__(self, initial: int, logger: logging.Logger, *, floor: int) -> None:
        self._initial = initial
        self._logger = logger
        self._floor = floor
        self._sizes: dict[str, RepositorySizing] = {}
        self._lock = threading.Lock()
        # What every repository's answers taught: the estimate for a repository without its own.
        self.shared = WeightProfile()

    def for_repository(self, repository: str) -> RepositorySizing:
        with self._lock:
            if repository not in self._sizes:
                self._sizes[repository] = RepositorySizing(
                    repository, self._initial, self._logger, floor=self._floor, shared=self.shared
                )
            return self._sizes[repository]
