"""GitHub issue-search qualifiers over pull requests: repo:, org:, is:, updated:, created:, sort:.

Dates accept `YYYY-MM-DD` or a full ISO-8601 date-time; ranges use `>`, `>=`, `<`, `<=` and
`A..B` (either end may be `*`). A bare date means that whole day. Results beyond the first 1,000
cannot be reached, as on GitHub, but `issueCount` reports the full match count.
"""

from __future__ import annotations

import re
import shlex
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


@dataclass
class SearchQuery:
    repositories: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)  # pr / issue
    states: set[str] = field(default_factory=set)  # open / closed / merged / draft / unmerged
    updated: list[DateRange] = field(default_factory=list)
    created: list[DateRange] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    sort: str = "best-match"
    words: list[str] = field(default_factory=list)

    def matches(self, pr: PullRequest) -> bool:
        if "issue" in self.kinds and "pr" not in self.kinds:
            return False
        if self.repositories and pr.repository.lower() not in self.repositories:
            return False
        if self.owners and pr.repository.split("/")[0].lower() not in self.owners:
            return False
        for state in self.states:
            if state == "open" and pr.state != "OPEN":
                return False
            if state == "closed" and pr.state == "OPEN":
                return False
            if state == "merged" and pr.state != "MERGED":
                return False
            if state == "unmerged" and pr.state == "MERGED":
                return False
            if state == "draft" and not pr.is_draft:
                return False
        if self.authors and (pr.author is None or pr.author.login.lower() not in self.authors):
            return False
        if not all(r.contains(pr.updated_at) for r in self.updated):
            return False
        if not all(r.contains(pr.created_at) for r in self.created):
            return False
        title = pr.title.lower()
        return all(word in title for word in self.words)

    def order(self, prs: list[PullRequest]) -> list[PullRequest]:
        field_name, _, direction = self.sort.partition("-")
        if field_name == "updated":
            ordered = sorted(prs, key=lambda p: (p.updated_at, p.full_database_id))
        elif field_name == "created":
            ordered = sorted(prs, key=lambda p: (p.created_at, p.full_database_id))
        else:  # best match: newest first is close enough for a stand-in
            return sorted(prs, key=lambda p: (p.created_at, p.full_database_id), reverse=True)
        return ordered if direction == "asc" else ordered[::-1]


def parse_search(query: str) -> SearchQuery:
    parsed = SearchQuery()
    try:
        tokens = shlex.split(query)
    except ValueError:
        tokens = query.split()
    for token in tokens:
        name, sep, value = token.partition(":")
        name = name.lower()
        if not sep or not value:
            parsed.words.append(token.lower())
            continue
        if name == "repo":
            parsed.repositories.append(value.lower())
        elif name in ("org", "user"):
            parsed.owners.append(value.lower())
        elif name in ("is", "type") and value.lower() in ("pr", "issue"):
            parsed.kinds.add(value.lower())
        elif name == "is" or name == "state":
            parsed.states.add(value.lower())
        elif name == "author":
            parsed.authors.append(value.lower().removesuffix("[bot]").removeprefix("app/"))
        elif name in ("updated", "created"):
            try:
                getattr(parsed, name).append(parse_range(value))
            except SearchSyntaxError:
                parsed.words.append(token.lower())
        elif name == "sort":
            parsed.sort = value.lower()
        else:
            parsed.words.append(token.lower())
    return parsed


def search_pull_requests(prs: list[PullRequest], query: str) -> list[PullRequest]:
    parsed = parse_search(query)
    return parsed.order([pr for pr in prs if parsed.matches(pr)])
