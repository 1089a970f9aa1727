"""GraphQL resolvers for deployments, releases and issues (see delivery.py for the data).

Served as on GitHub (schema docs: `Repository.deployments`, `Repository.releases`,
`Repository.issues`):
- `deployments(environments, orderBy: {field: CREATED_AT, direction})`: exact environment
  names; the default order is CREATED_AT ASC.
- `releases(orderBy: {field: CREATED_AT | NAME, direction})`; GitHub's default is newest first.
- `issues(labels, states, filterBy: {labels, states, since}, orderBy)`: `labels` match any of
  the names; `filterBy.since` keeps issues updated at or after it.
Cost and node counts need nothing here: every connection with `first`/`last` is priced by
cost.py from the query text, as for pull requests. `install()` registers the tables; it runs
once, when resolvers.py is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .connections import Connection, empty_connection
from .delivery import Deployment, DeploymentStatus, Incident, Release, delivery_of
from .ids import parse_id
from .models import Repository, parse_datetime


@dataclass
class RefView:
    name: str
    prefix: str = "refs/heads/"


def _key(order: dict[str, Any] | None, default_field: str, default_direction: str):
    order = order or {"field": default_field, "direction": default_direction}
    sign = -1 if order.get("direction") == "DESC" else 1
    return order.get("field") or default_field, sign


def _deployments(repo: Repository, args: dict[str, Any], ctx: Any) -> Connection:
    items = delivery_of(ctx.dataset, repo.name_with_owner).deployments
    if args.get("environments"):
        wanted = set(args["environments"])
        items = [d for d in items if d.environment in wanted]
    _field, sign = _key(args.get("orderBy"), "CREATED_AT", "ASC")

    def key(d: Deployment, _i: int) -> list[int]:
        return [sign * int(d.created_at.timestamp()), sign * d.database_id]

    return Connection(sorted(items, key=lambda d: key(d, 0)), args, key)


def _releases(repo: Repository, args: dict[str, Any], ctx: Any) -> Connection:
    items = delivery_of(ctx.dataset, repo.name_with_owner).releases
    field_name, sign = _key(args.get("orderBy"), "CREATED_AT", "DESC")
    if field_name == "NAME":
        ordered = sorted(items, key=lambda r: (r.tag_name, r.database_id), reverse=sign < 0)
        return Connection(ordered, args)

    def key(r: Release, _i: int) -> list[int]:
        return [sign * int(r.created_at.timestamp()), sign * r.database_id]

    return Connection(sorted(items, key=lambda r: key(r, 0)), args, key)


def _issues(repo: Repository, args: dict[str, Any], ctx: Any) -> Connection:
    items: list[Incident] = delivery_of(ctx.dataset, repo.name_with_owner).issues
    filter_by = args.get("filterBy") or {}
    for labels in (args.get("labels"), filter_by.get("labels")):
        if labels:
            wanted = set(labels)
            items = [i for i in items if wanted & {label.name for label in i.labels}]
    for states in (args.get("states"), filter_by.get("states")):
        if states:
            items = [i for i in items if i.state in set(states)]
    if filter_by.get("since"):
        since = parse_datetime(filter_by["since"])
        items = [i for i in items if i.updated_at >= since]
    field_name, sign = _key(args.get("orderBy"), "CREATED_AT", "ASC")
    attribute = {"UPDATED_AT": "updated_at", "CREATED_AT": "created_at"}.get(field_name)

    def key(i: Incident, _i: int) -> list[int]:
        moment = getattr(i, attribute) if attribute else i.created_at
        return [sign * int(moment.timestamp()), sign * i.number]

    return Connection(sorted(items, key=lambda i: key(i, 0)), args, key)


def _commit_view(pull_request: Any, oid: str) -> Any:
    from .resolvers import GitCommitView

    if pull_request is None:
        return None
    commit = next((c for c in pull_request.commits if c.oid == oid), None)
    return GitCommitView(commit, pull_request) if commit else None


def _ts(value: Any) -> str | None:
    from .models import format_datetime

    return format_datetime(value)


DEPLOYMENT_FIELDS = {
    "id": lambda d, a, c: d.node_id,
    "databaseId": lambda d, a, c: d.database_id,
    "environment": lambda d, a, c: d.environment,
    "latestEnvironment": lambda d, a, c: d.environment,
    "originalEnvironment": lambda d, a, c: d.original_environment,
    "ref": lambda d, a, c: RefView(d.ref_name) if d.ref_name else None,
    "commitOid": lambda d, a, c: d.commit_oid,
    "commit": lambda d, a, c: _commit_view(d.pull_request, d.commit_oid),
    "task": lambda d, a, c: d.task,
    "description": lambda d, a, c: d.description,
    "payload": lambda d, a, c: "{}",
    "creator": lambda d, a, c: d.creator,
    "createdAt": lambda d, a, c: _ts(d.created_at),
    "updatedAt": lambda d, a, c: _ts(d.updated_at),
    "state": lambda d, a, c: d.state,
    "latestStatus": lambda d, a, c: d.latest_status,
    "statuses": lambda d, a, c: Connection(d.statuses, a),
    "repository": lambda d, a, c: c.dataset.repositories[d.repository],
}

DEPLOYMENT_STATUS_FIELDS = {
    "id": lambda s, a, c: s.node_id,
    "state": lambda s, a, c: s.state,
    "description": lambda s, a, c: s.description,
    "environment": lambda s, a, c: s.environment,
    "environmentUrl": lambda s, a, c: s.environment_url,
    "logUrl": lambda s, a, c: s.log_url,
    "createdAt": lambda s, a, c: _ts(s.created_at),
    "updatedAt": lambda s, a, c: _ts(s.created_at),
    "creator": lambda s, a, c: s.creator,
}

RELEASE_FIELDS = {
    "id": lambda r, a, c: r.node_id,
    "databaseId": lambda r, a, c: r.database_id,
    "tagName": lambda r, a, c: r.tag_name,
    "name": lambda r, a, c: r.name,
    "createdAt": lambda r, a, c: _ts(r.created_at),
    "updatedAt": lambda r, a, c: _ts(r.published_at or r.created_at),
    "publishedAt": lambda r, a, c: _ts(r.published_at),
    "isPrerelease": lambda r, a, c: r.is_prerelease,
    "isDraft": lambda r, a, c: r.is_draft,
    "isLatest": lambda r, a, c: False,
    "author": lambda r, a, c: r.author,
    "tag": lambda r, a, c: RefView(r.tag_name, "refs/tags/"),
    "tagCommit": lambda r, a, c: _commit_view(r.pull_request, r.commit_oid),
    "url": lambda r, a, c: f"https://github.com/{r.repository}/releases/tag/{r.tag_name}",
    "repository": lambda r, a, c: c.dataset.repositories[r.repository],
}

REF_FIELDS = {
    "name": lambda r, a, c: r.name,
    "prefix": lambda r, a, c: r.prefix,
}


def _incident_only(resolver: Any, fallback: Any) -> Any:
    """Issue fields only incidents know; a PR's closing-issue reference keeps the neutral value."""

    def wrapped(issue: Any, args: dict[str, Any], ctx: Any) -> Any:
        if isinstance(issue, Incident):
            return resolver(issue, args, ctx)
        return fallback(issue, args, ctx)

    return wrapped


ISSUE_EXTRA_FIELDS = {
    "body": lambda i, a, c: i.body,
    "bodyText": lambda i, a, c: i.body,
    "author": lambda i, a, c: i.author,
    "createdAt": lambda i, a, c: _ts(i.created_at),
    "updatedAt": lambda i, a, c: _ts(i.updated_at),
    "closedAt": lambda i, a, c: _ts(i.closed_at),
    "stateReason": lambda i, a, c: i.state_reason,
    "labels": lambda i, a, c: Connection(i.labels, a),
    "closedByPullRequestsReferences": lambda i, a, c: Connection(i.closed_by, a),
}


def _none(_issue: Any, _args: dict[str, Any], _ctx: Any) -> None:
    return None


def _find(dataset: Any, node_id: str) -> Any:
    parsed = parse_id(node_id)
    if parsed is None or parsed[0] not in ("DE", "DES", "RE", "I"):
        return None
    prefix, payload = parsed
    repository = payload.partition(":")[0].partition("#")[0]
    if repository not in dataset.repositories:
        return None
    delivery = delivery_of(dataset, repository)
    if prefix == "DE":
        return next((d for d in delivery.deployments if d.node_id == node_id), None)
    if prefix == "DES":
        statuses = (s for d in delivery.deployments for s in d.statuses)
        return next((s for s in statuses if s.node_id == node_id), None)
    if prefix == "RE":
        return next((r for r in delivery.releases if r.node_id == node_id), None)
    return next((i for i in delivery.issues if i.node_id == node_id), None)


# What the schema's neutral value would be for a PR's closing-issue reference (not modelled).
_EPOCH = "1970-01-01T00:00:00Z"
ISSUE_REFERENCE_FALLBACKS = {
    "body": lambda i, a, c: "",
    "bodyText": lambda i, a, c: "",
    "createdAt": lambda i, a, c: _EPOCH,
    "updatedAt": lambda i, a, c: _EPOCH,
    "labels": lambda i, a, c: empty_connection(),
    "closedByPullRequestsReferences": lambda i, a, c: empty_connection(),
}


def install(fields: dict[str, dict[str, Any]], type_names: dict[type, str]) -> None:
    """Register these resolvers in resolvers.py's tables (called once from there)."""
    fields["Repository"].update(
        {"deployments": _deployments, "releases": _releases, "issues": _issues}
    )
    fields["Deployment"] = DEPLOYMENT_FIELDS
    fields["DeploymentStatus"] = DEPLOYMENT_STATUS_FIELDS
    fields["Release"] = RELEASE_FIELDS
    fields["Ref"] = REF_FIELDS
    issue_fields = fields["Issue"]
    for name, resolver in ISSUE_EXTRA_FIELDS.items():
        fallback = issue_fields.get(name) or ISSUE_REFERENCE_FALLBACKS.get(name, _none)
        issue_fields[name] = _incident_only(resolver, fallback)
    type_names.update(
        {
            Deployment: "Deployment",
            DeploymentStatus: "DeploymentStatus",
            Release: "Release",
            Incident: "Issue",
            RefView: "Ref",
        }
    )
    node = fields["Query"]["node"]

    def node_or_delivery(root: Any, args: dict[str, Any], ctx: Any) -> Any:
        if not ctx.dry_run:
            found = _find(ctx.dataset, args["id"])
            if found is not None:
                return found
        return node(root, args, ctx)

    fields["Query"]["node"] = node_or_delivery
