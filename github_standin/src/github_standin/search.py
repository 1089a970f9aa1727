"""GitHub issue-search qualifiers over pull requests.

Understood: `repo:`, `org:`/`user:`, `is:`/`type:` (`pr`, `issue`, `open`, `closed`, `merged`,
`unmerged`, `draft`), `state:`, `author:`, `label:`, `base:`, `head:`, `draft:`, `updated:`,
`created:`, `closed:`, `merged:`, `sort:` (`updated-asc|desc`, `created-asc|desc`), a leading `-`
to negate a filter, and bare words (matched in the title). Other qualifiers are ignored.

Dates accept `YYYY-MM-DD` or a full ISO-8601 date-time; ranges use `>`, `>=`, `<`, `<=` and
`A..B` (either end may be `*`). A bare date means that whole day. Results beyond the first 1,000
cannot be reached, as on GitHub, but `issueCount` reports the full match count.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .models import PullRequest

SEARCH_RESULT_CAP = 1000
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SearchSyntaxError(ValueError):
    pass


def _parse_point(text: str) -> tuple[datetime, datetime]:
    """Return the first and last second a date or date-time stands for."""
    if _DATE_ONLY.match(text):
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
        return day, day + timedelta(days=1) - timedelta(seconds=1)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SearchSyntaxError(text) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment, moment


@dataclass
class DateRange:
    low: datetime | None = None  # inclusive
    high: datetime | None = None  # inclusive

    def contains(self, value: datetime) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


def parse_range(text: str) -> DateRange:
    second = timedelta(seconds=1)
    if ".." in text:
        start, end = text.split("..", 1)
        return DateRange(
            None if start in ("", "*") else _parse_point(start)[0],
            None if end in ("", "*") else _parse_point(end)[1],
        )
    for op in (">=", "<=", ">", "<"):
        if text.startswith(op):
            first, last = _parse_point(text[len(op) :])
            return {
                ">=": DateRange(first, None),
                ">": DateRange(last + second, None),
                "<=": DateRange(None, last),
                "<": DateRange(None, first - second),
            }[op]
    first, last = _parse_point(text)
    return DateRange(first, last)


Predicate = Callable[[PullRequest], bool]

_STATES: dict[str, Predicate] = {
    "open": lambda pr: pr.state == "OPEN",
    "closed": lambda pr: pr.state != "OPEN",
    "merged": lambda pr: pr.state == "MERGED",
    "unmerged": lambda pr: pr.state != "MERGED",
    "draft": lambda pr: pr.is_draft,
}


@dataclass
class SearchQuery:
    """Parsed qualifiers: `repo:`/`org:` are alternatives, everything else must hold."""

    repositories: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)  # pr / issue
    predicates: list[Predicate] = field(default_factory=list)
    sort: str = "best-match"

    def matches(self, pr: PullRequest) -> bool:
        if "issue" in self.kinds and "pr" not in self.kinds:
            return False
        if self.repositories and pr.repository.lower() not in self.repositories:
            return False
        if self.owners and pr.repository.split("/")[0].lower() not in self.owners:
            return False
        return all(predicate(pr) for predicate in self.predicates)

    def order(self, prs: list[PullRequest]) -> list[PullRequest]:
        field_name, _, direction = self.sort.partition("-")
        if field_name == "updated":
            ordered = sorted(prs, key=lambda p: (p.updated_at, p.full_database_id))
        elif field_name == "created":
            ordered = sorted(prs, key=lambda p: (p.created_at, p.full_database_id))
        else:  # best match: newest first is close enough for a stand-in
            return sorted(prs, key=lambda p: (p.created_at, p.full_database_id), reverse=True)
        return ordered if direction == "asc" else ordered[::-1]


def _date_predicate(attribute: str, value: str) -> Predicate:
    window = parse_range(value)

    def holds(pr: PullRequest) -> bool:
        moment = getattr(pr, attribute)
        return moment is not None and window.contains(moment)

    return holds


def _predicate(name: str, value: str) -> Predicate | None:
    """The filter one `name:value` qualifier stands for; None when the stand-in ignores it."""
    lowered = value.lower()
    if name in ("is", "state"):
        return _STATES.get(lowered)
    if name == "author":
        login = lowered.removeprefix("app/").removesuffix("[bot]")
        return lambda pr: pr.author is not None and pr.author.login.lower() == login
    if name == "label":
        return lambda pr: any(label.name.lower() == lowered for label in pr.labels)
    if name == "base":
        return lambda pr: pr.base_ref_name == value
    if name == "head":
        return lambda pr: pr.head_ref_name == value
    if name == "draft":
        return lambda pr: pr.is_draft == (lowered == "true")
    if name in ("updated", "created", "closed", "merged"):
        try:
            return _date_predicate(f"{name}_at", value)
        except SearchSyntaxError:
            return None
    return None


def parse_search(query: str) -> SearchQuery:
    parsed = SearchQuery()
    try:
        tokens = shlex.split(query)
    except ValueError:
        tokens = query.split()
    for token in tokens:
        negated = token.startswith("-") and ":" in token
        name, sep, value = (
            token.removeprefix("-").partition(":") if negated else token.partition(":")
        )
        name = name.lower()
        if not sep or not value:
            word = token.lower()
            parsed.predicates.append(lambda pr, word=word: word in pr.title.lower())
        elif name == "repo" and not negated:
            parsed.repositories.append(value.lower())
        elif name in ("org", "user") and not negated:
            parsed.owners.append(value.lower())
        elif name in ("is", "type") and value.lower() in ("pr", "issue") and not negated:
            parsed.kinds.add(value.lower())
        elif name == "sort":
            parsed.sort = value.lower()
        else:
            predicate = _predicate(name, value)
            if predicate is not None:
                parsed.predicates.append(
                    (lambda pr, p=predicate: not p(pr)) if negated else predicate
                )
    return parsed


def search_pull_requests(prs: list[PullRequest], query: str) -> list[PullRequest]:
    parsed = parse_search(query)
    return parsed.order([pr for pr in prs if parsed.matches(pr)])
