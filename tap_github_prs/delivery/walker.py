"""Walk one repository's deployments, releases or issues page by page, resumable per page.

Deployments and releases: GitHub orders them only by creation and has no `since` filter, and
a deployment changes after creation (new statuses; INACTIVE once superseded). So each run walks
newest first and stops at a floor: the previous run's newest `created_at` minus the lookback
window (`deployment_lookback_days`). Everything created since, plus everything in the window,
is sent again and upserted by key. A run that is killed mid-walk saved its cursor, floor and
high-water mark after every page, and the next run finishes that walk first; items created in
the meantime are newer than the high-water mark, so the next walk reaches them.

Issues: `filterBy: {since}` exists, so the walk goes oldest update first from the bookmark (the
last page's newest `updatedAt`); GitHub's `since` is inclusive, so the issues at the bookmark
are sent again and upserted, never skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
import typing as t
from dataclasses import dataclass, field

from tap_github_prs import queries
from tap_github_prs.client import GraphQLClient
from tap_github_prs.delivery import records
from tap_github_prs.delivery.settings import DeliverySettings
from tap_github_prs.errors import GitHubAPIError, RepositoryNotFoundError
from tap_github_prs.page_size import AdaptivePageSize
from tap_github_prs.records import nodes_of, utc_timestamp

# 50 deployments with 100 statuses each request ~5,000 nodes and cost 1 point.
DELIVERY_PAGE_SIZE = 50
BOOKMARK = "replication_key_value"
WALK = "walk"


@dataclass
class DeliveryPage:
    """Records of one page and the repository's state once they are written."""

    repository: str
    records: list[dict]
    state: dict[str, t.Any]
    requests: int
    children: list[dict] = field(default_factory=list)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _minus_days(timestamp: str, days: int) -> str:
    parsed = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return _iso(parsed - dt.timedelta(days=days))


class _Walker:
    operation: str
    what: str

    def __init__(
        self,
        client: GraphQLClient,
        settings: DeliverySettings,
        logger: logging.Logger,
        page_size: int = DELIVERY_PAGE_SIZE,
    ) -> None:
        self.client = client
        self.settings = settings
        self.logger = logger
        self.page_size = AdaptivePageSize(page_size, logger, floor=5, what=f"{self.what} page size")

    def _page(self, repository: str, variables: dict[str, t.Any]) -> tuple[dict, int]:
        owner, name = repository.split("/", 1)
        query = queries.load(self.operation)

        def build(size: int) -> tuple[str, dict[str, t.Any]]:
            return query, {"owner": owner, "name": name, "pageSize": size, **variables}

        body, attempts = self.client.execute_shrinking(
            self.page_size, build, repository=repository, what=f"{repository} {self.what}"
        )
        data = body.get("data") or {}
        errors = body.get("errors") or []
        if data.get("repository") is None:
            detail = "; ".join(e.get("message", "") for e in errors) or "no such repository"
            raise RepositoryNotFoundError(repository, detail)
        if errors:
            raise GitHubAPIError(
                f"{repository}: GitHub returned errors: "
                + "; ".join(e.get("message", "") for e in errors)
            )
        return data["repository"], attempts


class NewestFirstWalker(_Walker):
    """Deployments or releases, newest first, down to the lookback floor."""

    connection: str

    def walk(
        self, repository: str, saved: dict[str, t.Any], start_date: str | None
    ) -> t.Iterator[DeliveryPage]:
        bookmark: str | None = saved.get(BOOKMARK)
        walk = saved.get(WALK) or {}
        if walk:
            cursor, floor, high = walk.get("after"), walk.get("floor"), walk.get("high_water")
        else:
            cursor, high = None, None
            floor = _minus_days(bookmark, self.settings.lookback_days) if bookmark else start_date
        while True:
            repo, requests = self._page(repository, {"after": cursor})
            connection = repo[self.connection] or {}
            nodes = [node for node in nodes_of(connection) if node.get("id")]
            kept = [n for n in nodes if floor is None or utc_timestamp(n["createdAt"]) >= floor]
            for node in kept:
                created = utc_timestamp(node["createdAt"])
                high = created if high is None or created > high else high
            built = [self.build(repository, node) for node in kept]
            requests += sum(extra for _record, _children, extra in built)
            page_info = connection.get("pageInfo") or {}
            done = len(kept) < len(nodes) or not page_info.get("hasNextPage")
            if done:
                newest = max(filter(None, (high, bookmark)), default=None)
                state = {BOOKMARK: newest} if newest else {}
            else:
                cursor = page_info.get("endCursor")
                state = {WALK: {"after": cursor, "floor": floor, "high_water": high}}
                if bookmark:
                    state[BOOKMARK] = bookmark
            yield DeliveryPage(
                repository,
                [record for record, _children, _extra in built],
                state,
                requests,
                [child for _record, children, _extra in built for child in children],
            )
            if done:
                return

    def build(self, repository: str, node: dict) -> tuple[dict, list[dict], int]:
        """The node's record, its children's records and the extra requests they took."""
        raise NotImplementedError


class DeploymentsWalker(NewestFirstWalker):
    operation = "deployments_page"
    connection = "deployments"
    what = "deployments"

    def build(self, repository: str, node: dict) -> tuple[dict, list[dict], int]:
        statuses = node.get("statuses") or {}
        status_nodes = list(nodes_of(statuses))
        extra = 0
        page_info = statuses.get("pageInfo") or {}
        while page_info.get("hasNextPage"):  # more statuses than one page holds
            body = self.client.execute(
                queries.load("deployment_statuses"),
                {"id": node["id"], "after": page_info.get("endCursor")},
                repository=repository,
            )
            extra += 1
            more = ((body.get("data") or {}).get("node") or {}).get("statuses") or {}
            status_nodes += nodes_of(more)
            page_info = more.get("pageInfo") or {}
        node = {**node, "statuses": {"nodes": status_nodes}}
        record = records.deployment_record(repository, node, self.settings)
        children = [
            records.deployment_status_record(repository, node["id"], status)
            for status in status_nodes
        ]
        return record, children, extra


class ReleasesWalker(NewestFirstWalker):
    operation = "releases_page"
    connection = "releases"
    what = "releases"

    def build(self, repository: str, node: dict) -> tuple[dict, list[dict], int]:
        return records.release_record(repository, node), [], 0


class IssuesWalker(_Walker):
    """Incident issues updated since the bookmark, oldest update first."""

    operation = "issues_page"
    what = "issues"

    def walk(
        self, repository: str, saved: dict[str, t.Any], start_date: str | None
    ) -> t.Iterator[DeliveryPage]:
        bookmark: str | None = saved.get(BOOKMARK) or None
        since = bookmark or start_date
        cursor = None
        labels = self.settings.server_side_labels
        while True:
            repo, requests = self._page(
                repository, {"after": cursor, "labels": labels, "since": since}
            )
            connection = repo["issues"] or {}
            page: list[dict] = []
            for node in nodes_of(connection):
                if not node.get("id"):
                    continue
                updated = utc_timestamp(node["updatedAt"])
                bookmark = updated if bookmark is None or updated > bookmark else bookmark
                match = self.settings.incident_match(node.get("title"), records.issue_labels(node))
                if match:
                    page.append(records.issue_record(repository, node, match))
            page_info = connection.get("pageInfo") or {}
            yield DeliveryPage(repository, page, {BOOKMARK: bookmark} if bookmark else {}, requests)
            if not page_info.get("hasNextPage"):
                return
            cursor = page_info.get("endCursor")
