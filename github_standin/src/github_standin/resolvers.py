"""Field and type resolvers mapping the GraphQL schema onto the dataset's dataclasses.

Resolvers are looked up by (GraphQL parent type, field). A field without a resolver resolves to
null, or for a non-null field to a harmless default, so any valid query runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
)

from . import delivery_resolvers, ids, timeline
from .connections import Connection, Edge, PageInfo, empty_connection
from .errors import GitHubError, not_found
from .models import (
    Actor,
    ChangedFile,
    CheckRun,
    CheckSuite,
    Commit,
    Dataset,
    GitSignature,
    IssueReference,
    Label,
    Milestone,
    Organization,
    PullRequest,
    Repository,
    Review,
    ReviewRequest,
    Team,
    TimelineEvent,
    format_datetime,
)
from .search import SEARCH_RESULT_CAP, search_pull_requests


@dataclass
class RateLimitView:
    cost: int
    limit: int
    remaining: int
    used: int
    reset_at: str
    node_count: int


@dataclass
class RequestContext:
    dataset: Dataset
    rate_limit: RateLimitView
    dry_run: bool = False
    extra_errors: list[dict[str, Any]] = field(default_factory=list)


class QueryRoot:
    """The root value; its fields are in `QUERY_FIELDS`."""


class GitCommitView:
    """A `Commit` object (as opposed to the `PullRequestCommit` wrapping it)."""

    __slots__ = ("commit", "pull_request")

    def __init__(self, commit: Commit, pull_request: PullRequest | None) -> None:
        self.commit = commit
        self.pull_request = pull_request


@dataclass
class AppView:
    name: str
    slug: str


@dataclass
class Stub:
    """Stands in for an object the stand-in does not model, for non-null fields."""

    typename: str


Resolver = Callable[[Any, dict[str, Any], RequestContext], Any]


def ts(value: datetime | None) -> str | None:
    return format_datetime(value)


# Lookups --------------------------------------------------------------------------------------


def find_pull_request(dataset: Dataset, node_id: str) -> PullRequest | None:
    parsed = ids.parse_id(node_id)
    if parsed is None:
        return None
    location = ids.split_pr_payload(parsed[1])
    if location is None:
        return None
    repo = dataset.repositories.get(location[0])
    if repo is None:
        return None
    try:
        return repo.pull_request(location[1])
    except KeyError:
        return None


def find_node(dataset: Dataset, node_id: str) -> Any:
    parsed = ids.parse_id(node_id)
    if parsed is None:
        return None
    prefix, payload = parsed
    if prefix == "R":
        return dataset.repositories.get(payload)
    if prefix == "O":
        return dataset.organizations.get(payload)
    if prefix == "U":
        return dataset.users.get(payload)
    if prefix == "BOT":
        return dataset.bots.get(payload)
    if prefix == "MDM":
        return dataset.mannequins.get(payload)
    if prefix == "T":
        org, _, slug = payload.partition("/")
        organization = dataset.organizations.get(org)
        return (
            next((t for t in organization.teams if t.slug == slug), None) if organization else None
        )
    if prefix in ("LA", "MI"):
        repo_name, _, _rest = payload.partition(":")
        repo = dataset.repositories.get(repo_name)
        if repo is None:
            return None
        pool = repo.labels if prefix == "LA" else repo.milestones
        return next((x for x in pool if x.node_id == node_id), None)
    pr = find_pull_request(dataset, node_id)
    if pr is None:
        return None
    if prefix == "PR":
        return pr
    if prefix == "PRR":
        return next((r for r in pr.reviews if r.node_id == node_id), None)
    if prefix == "PURC":
        return next((c for c in pr.commits if c.node_id == node_id), None)
    if prefix == "C":
        commit = next((c for c in pr.commits if c.commit_node_id == node_id), None)
        return GitCommitView(commit, pr) if commit else None
    if prefix == "RR":
        return next((r for r in pr.review_requests if r.node_id == node_id), None)
    if prefix == "I":
        return next((i for i in pr.closing_issues if i.node_id == node_id), None)
    if prefix in ("SC", "SCR") or prefix in timeline.ID_PREFIXES.values():
        return rollup_resolvers.find_child(pr, prefix, node_id)
    for commit in pr.commits:
        for suite in commit.check_suites:
            if prefix == "CS" and suite.node_id == node_id:
                return suite
            for run in suite.check_runs:
                if prefix == "CR" and run.node_id == node_id:
                    return run
    return rollup_resolvers.find_child(pr, prefix, node_id) if prefix == "CR" else None


def suite_commit(dataset: Dataset, suite: CheckSuite) -> GitCommitView | None:
    pr = find_pull_request(dataset, suite.node_id)
    if pr is None:
        return None
    for commit in pr.commits:
        if suite in commit.check_suites:
            return GitCommitView(commit, pr)
    return None


def run_suite(dataset: Dataset, run: CheckRun) -> CheckSuite | None:
    pr = find_pull_request(dataset, run.node_id)
    for commit in pr.commits if pr else ():
        for suite in commit.check_suites:
            if run in suite.check_runs:
                return suite
    return None


# Query ---------------------------------------------------------------------------------------


def _repository(_root: Any, args: dict[str, Any], ctx: RequestContext) -> Repository | None:
    name = f"{args['owner']}/{args['name']}"
    repo = ctx.dataset.repositories.get(name)
    if repo is None:
        lowered = name.lower()
        repo = next((r for n, r in ctx.dataset.repositories.items() if n.lower() == lowered), None)
    if repo is None:
        raise not_found(f"Could not resolve to a Repository with the name '{name}'.")
    return repo


def _organization(_root: Any, args: dict[str, Any], ctx: RequestContext) -> Organization:
    org = ctx.dataset.organizations.get(args["login"])
    if org is None:
        raise not_found(
            f"Could not resolve to an Organization with the login of '{args['login']}'."
        )
    return org


def _user(_root: Any, args: dict[str, Any], ctx: RequestContext) -> Actor:
    user = ctx.dataset.users.get(args["login"])
    if user is None:
        raise not_found(f"Could not resolve to a User with the login of '{args['login']}'.")
    return user


def _repository_owner(_root: Any, args: dict[str, Any], ctx: RequestContext) -> Any:
    login = args["login"]
    return ctx.dataset.organizations.get(login) or ctx.dataset.users.get(login)


def _node(_root: Any, args: dict[str, Any], ctx: RequestContext) -> Any:
    found = find_node(ctx.dataset, args["id"])
    if found is None:
        raise not_found(f"Could not resolve to a node with the global id of '{args['id']}'")
    return found


def _nodes(_root: Any, args: dict[str, Any], ctx: RequestContext) -> list[Any]:
    if len(args["ids"]) > 100:
        raise GitHubError(
            f"You may not request more than 100 nodes at once (requested {len(args['ids'])}).",
            "EXCESSIVE_PAGINATION",
        )
    found = []
    for index, node_id in enumerate(args["ids"]):
        item = find_node(ctx.dataset, node_id)
        if item is None:
            ctx.extra_errors.append(
                {
                    "type": "NOT_FOUND",
                    "path": ["nodes", index],
                    "message": f"Could not resolve to a node with the global id of '{node_id}'",
                }
            )
        found.append(item)
    return found


def _viewer(_root: Any, _args: dict[str, Any], ctx: RequestContext) -> Actor:
    return next(iter(ctx.dataset.users.values()))


def _search(_root: Any, args: dict[str, Any], ctx: RequestContext) -> Connection:
    if ctx.dry_run or args.get("type") != "ISSUE":
        return empty_connection()
    matches = search_pull_requests(ctx.dataset.all_pull_requests(), args["query"])
    return Connection(matches[:SEARCH_RESULT_CAP], args, total_count=len(matches))


def _rate_limit(_root: Any, _args: dict[str, Any], ctx: RequestContext) -> RateLimitView:
    return ctx.rate_limit


def _skip_in_dry_run(resolver: Resolver) -> Resolver:
    def wrapped(root: Any, args: dict[str, Any], ctx: RequestContext) -> Any:
        return None if ctx.dry_run else resolver(root, args, ctx)

    return wrapped


QUERY_FIELDS: dict[str, Resolver] = {
    "repository": _skip_in_dry_run(_repository),
    "organization": _skip_in_dry_run(_organization),
    "user": _skip_in_dry_run(_user),
    "repositoryOwner": _skip_in_dry_run(_repository_owner),
    "node": _skip_in_dry_run(_node),
    "nodes": lambda r, a, c: [] if c.dry_run else _nodes(r, a, c),
    "viewer": _viewer,
    "search": _search,
    "rateLimit": _rate_limit,
}

# Repositories and organisations ----------------------------------------------------------------


def _order_key(order: dict[str, Any] | None) -> Callable[[PullRequest, int], list[int]]:
    order = order or {}
    sign = -1 if order.get("direction") == "DESC" else 1
    if order.get("field") == "UPDATED_AT":
        return lambda pr, _i: [sign * int(pr.updated_at.timestamp()), sign * pr.number]
    if order.get("field") == "CREATED_AT":
        return lambda pr, _i: [sign * int(pr.created_at.timestamp()), sign * pr.number]
    return lambda pr, _i: [sign * pr.number]


def _pull_requests(repo: Repository, args: dict[str, Any], _ctx: RequestContext) -> Connection:
    prs: list[PullRequest] = repo.pull_requests
    if args.get("states"):
        states = set(args["states"])
        prs = [pr for pr in prs if pr.state in states]
    if args.get("labels"):
        wanted = set(args["labels"])
        prs = [pr for pr in prs if wanted & {label.name for label in pr.labels}]
    if args.get("baseRefName"):
        prs = [pr for pr in prs if pr.base_ref_name == args["baseRefName"]]
    if args.get("headRefName"):
        prs = [pr for pr in prs if pr.head_ref_name == args["headRefName"]]
    key = _order_key(args.get("orderBy"))
    ordered = sorted(prs, key=lambda pr: key(pr, 0))
    return Connection(ordered, args, key)


def _pull_request(repo: Repository, args: dict[str, Any], _ctx: RequestContext) -> PullRequest:
    try:
        return repo.pull_request(args["number"])
    except KeyError:
        raise not_found(
            f"Could not resolve to a PullRequest with the number of {args['number']}."
        ) from None


def _org_repositories(org: Organization, args: dict[str, Any], ctx: RequestContext) -> Connection:
    repos = [r for r in ctx.dataset.repositories.values() if r.owner == org.login]
    order = args.get("orderBy") or {}
    field_name = order.get("field")
    if field_name == "NAME":
        repos.sort(key=lambda r: r.name.lower())
    elif field_name in ("CREATED_AT", "UPDATED_AT", "PUSHED_AT"):
        repos.sort(key=lambda r: (r.created_at, r.name))
    if order.get("direction") == "DESC":
        repos.reverse()
    return Connection(repos, args)


REPOSITORY_FIELDS: dict[str, Resolver] = {
    "id": lambda r, a, c: r.node_id,
    "databaseId": lambda r, a, c: r.database_id,
    "name": lambda r, a, c: r.name,
    "nameWithOwner": lambda r, a, c: r.name_with_owner,
    "owner": lambda r, a, c: c.dataset.organizations.get(r.owner) or Stub("Organization"),
    "url": lambda r, a, c: r.url,
    "description": lambda r, a, c: r.description,
    "createdAt": lambda r, a, c: ts(r.created_at),
    "updatedAt": lambda r, a, c: ts(r.created_at),
    "isPrivate": lambda r, a, c: r.is_private,
    "isArchived": lambda r, a, c: r.is_archived,
    "isFork": lambda r, a, c: r.is_fork,
    "visibility": lambda r, a, c: "PRIVATE" if r.is_private else "PUBLIC",
    "pullRequests": _pull_requests,
    "pullRequest": _pull_request,
    "labels": lambda r, a, c: Connection(r.labels, a),
    "milestones": lambda r, a, c: Connection(r.milestones, a),
    "resourcePath": lambda r, a, c: "/" + r.name_with_owner,
}

ORGANIZATION_FIELDS: dict[str, Resolver] = {
    "id": lambda o, a, c: o.node_id,
    "databaseId": lambda o, a, c: o.database_id,
    "login": lambda o, a, c: o.login,
    "name": lambda o, a, c: o.name,
    "url": lambda o, a, c: f"https://github.com/{o.login}",
    "repositories": _org_repositories,
    "repository": lambda o, a, c: c.dataset.repositories.get(f"{o.login}/{a['name']}"),
    "teams": lambda o, a, c: Connection(o.teams, a),
    "team": lambda o, a, c: next((t for t in o.teams if t.slug == a["slug"]), None),
}

# Pull requests ---------------------------------------------------------------------------------


def _reviews(pr: PullRequest, args: dict[str, Any], _ctx: RequestContext) -> Connection:
    reviews = pr.reviews
    if args.get("states"):
        states = set(args["states"])
        reviews = [r for r in reviews if r.state in states]
    if args.get("author"):
        reviews = [r for r in reviews if r.author and r.author.login == args["author"]]
    return Connection(reviews, args)


def _commits(pr: PullRequest, args: dict[str, Any], _ctx: RequestContext) -> Connection:
    return Connection(pr.commits, args)


def _head_commit_view(pr: PullRequest) -> GitCommitView | None:
    head = pr.head_commit
    return GitCommitView(head, pr) if head else None


PULL_REQUEST_FIELDS: dict[str, Resolver] = {
    "id": lambda p, a, c: p.node_id,
    "number": lambda p, a, c: p.number,
    "fullDatabaseId": lambda p, a, c: str(p.full_database_id),
    "databaseId": lambda p, a, c: p.full_database_id,
    "title": lambda p, a, c: p.title,
    "body": lambda p, a, c: p.body,
    "bodyText": lambda p, a, c: p.body,
    "url": lambda p, a, c: p.url,
    "permalink": lambda p, a, c: p.url,
    "resourcePath": lambda p, a, c: p.url.removeprefix("https://github.com"),
    "state": lambda p, a, c: p.state,
    "closed": lambda p, a, c: p.state != "OPEN",
    "isDraft": lambda p, a, c: p.is_draft,
    "merged": lambda p, a, c: p.merged,
    "mergedBy": lambda p, a, c: p.merged_by,
    "author": lambda p, a, c: p.author,
    "authorAssociation": lambda p, a, c: p.author_association,
    "createdAt": lambda p, a, c: ts(p.created_at),
    "publishedAt": lambda p, a, c: ts(p.created_at),
    "updatedAt": lambda p, a, c: ts(p.updated_at),
    "mergedAt": lambda p, a, c: ts(p.merged_at),
    "closedAt": lambda p, a, c: ts(p.closed_at),
    "additions": lambda p, a, c: p.additions,
    "deletions": lambda p, a, c: p.deletions,
    "changedFiles": lambda p, a, c: p.changed_files,
    "baseRefName": lambda p, a, c: p.base_ref_name,
    "headRefName": lambda p, a, c: p.head_ref_name,
    "headRefOid": lambda p, a, c: p.head_ref_oid,
    "repository": lambda p, a, c: c.dataset.repositories[p.repository],
    "baseRepository": lambda p, a, c: c.dataset.repositories[p.repository],
    "labels": lambda p, a, c: Connection(p.labels, a),
    "milestone": lambda p, a, c: p.milestone,
    "reviewDecision": lambda p, a, c: p.review_decision,
    "reviewRequests": lambda p, a, c: Connection(p.review_requests, a),
    "closingIssuesReferences": lambda p, a, c: Connection(p.closing_issues, a),
    "reviews": _reviews,
    "latestReviews": _reviews,
    "commits": _commits,
    "files": lambda p, a, c: Connection(p.files, a),
    "mergeCommit": lambda p, a, c: _head_commit_view(p) if p.merged else None,
}

REVIEW_FIELDS: dict[str, Resolver] = {
    "id": lambda r, a, c: r.node_id,
    "databaseId": lambda r, a, c: r.database_id,
    "fullDatabaseId": lambda r, a, c: str(r.database_id),
    "author": lambda r, a, c: r.author,
    "authorAssociation": lambda r, a, c: r.author_association,
    "state": lambda r, a, c: r.state,
    "body": lambda r, a, c: r.body,
    "bodyText": lambda r, a, c: r.body,
    "createdAt": lambda r, a, c: ts(r.created_at),
    "submittedAt": lambda r, a, c: ts(r.submitted_at),
    "publishedAt": lambda r, a, c: ts(r.submitted_at),
    "updatedAt": lambda r, a, c: ts(r.submitted_at or r.created_at),
    "commit": lambda r, a, c: _review_commit(r, c),
    "pullRequest": lambda r, a, c: find_pull_request(c.dataset, r.node_id),
    "url": lambda r, a, c: _child_url(c, r.node_id, f"#pullrequestreview-{r.database_id}"),
}


def _review_commit(review: Review, ctx: RequestContext) -> GitCommitView | None:
    pr = find_pull_request(ctx.dataset, review.node_id)
    if pr is None or review.commit_oid is None:
        return None
    commit = next((c for c in pr.commits if c.oid == review.commit_oid), None)
    return GitCommitView(commit, pr) if commit else None


def _child_url(ctx: RequestContext, node_id: str, suffix: str) -> str:
    pr = find_pull_request(ctx.dataset, node_id)
    return (pr.url if pr else "https://github.com") + suffix


PULL_REQUEST_COMMIT_FIELDS: dict[str, Resolver] = {
    "id": lambda pc, a, c: pc.node_id,
    "commit": lambda pc, a, c: GitCommitView(pc, find_pull_request(c.dataset, pc.node_id)),
    "pullRequest": lambda pc, a, c: find_pull_request(c.dataset, pc.node_id),
    "url": lambda pc, a, c: _child_url(c, pc.node_id, f"/commits/{pc.oid}"),
}


def _check_suites(view: GitCommitView, args: dict[str, Any], _ctx: RequestContext) -> Connection:
    suites = view.commit.check_suites
    wanted = (args.get("filterBy") or {}).get("checkName")
    if wanted:
        suites = [s for s in suites if any(r.name == wanted for r in s.check_runs)]
    return Connection(suites, args)


def _commit_url(view: GitCommitView) -> str:
    repository = view.pull_request.repository if view.pull_request else "unknown/unknown"
    return f"https://github.com/{repository}/commit/{view.commit.oid}"


COMMIT_FIELDS: dict[str, Resolver] = {
    "id": lambda v, a, c: v.commit.commit_node_id,
    "oid": lambda v, a, c: v.commit.oid,
    "abbreviatedOid": lambda v, a, c: v.commit.oid[:7],
    "message": lambda v, a, c: v.commit.message,
    "messageHeadline": lambda v, a, c: v.commit.message_headline,
    "messageBody": lambda v, a, c: v.commit.message_body,
    "authoredDate": lambda v, a, c: ts(v.commit.authored_date),
    "committedDate": lambda v, a, c: ts(v.commit.committed_date),
    "additions": lambda v, a, c: v.commit.additions,
    "deletions": lambda v, a, c: v.commit.deletions,
    "changedFiles": lambda v, a, c: v.commit.changed_files or 0,
    "changedFilesIfAvailable": lambda v, a, c: v.commit.changed_files,
    "author": lambda v, a, c: v.commit.author,
    "committer": lambda v, a, c: v.commit.committer,
    "authoredByCommitter": lambda v, a, c: v.commit.author.email == v.commit.committer.email,
    "checkSuites": _check_suites,
    "url": lambda v, a, c: _commit_url(v),
    "repository": lambda v, a, c: (
        c.dataset.repositories[v.pull_request.repository] if v.pull_request else Stub("Repository")
    ),
}

GIT_ACTOR_FIELDS: dict[str, Resolver] = {
    "name": lambda g, a, c: g.name,
    "email": lambda g, a, c: g.email,
    "date": lambda g, a, c: ts(g.date),
    "user": lambda g, a, c: g.user,
}

FILE_FIELDS: dict[str, Resolver] = {
    "path": lambda f, a, c: f.path,
    "additions": lambda f, a, c: f.additions,
    "deletions": lambda f, a, c: f.deletions,
    "changeType": lambda f, a, c: f.change_type,
    "viewerViewedState": lambda f, a, c: "UNVIEWED",
}


def _check_runs(suite: CheckSuite, args: dict[str, Any], _ctx: RequestContext) -> Connection:
    runs = suite.check_runs
    filter_by = args.get("filterBy") or {}
    if filter_by.get("checkName"):
        runs = [r for r in runs if r.name == filter_by["checkName"]]
    if filter_by.get("status"):
        runs = [r for r in runs if r.status == filter_by["status"]]
    if filter_by.get("statuses"):
        runs = [r for r in runs if r.status in filter_by["statuses"]]
    if filter_by.get("conclusions"):
        runs = [r for r in runs if r.conclusion in filter_by["conclusions"]]
    return Connection(runs, args)


CHECK_SUITE_FIELDS: dict[str, Resolver] = {
    "id": lambda s, a, c: s.node_id,
    "databaseId": lambda s, a, c: s.database_id,
    "app": lambda s, a, c: AppView(s.app_name, s.app_slug),
    "status": lambda s, a, c: s.status,
    "conclusion": lambda s, a, c: s.conclusion,
    "createdAt": lambda s, a, c: ts(s.created_at),
    "updatedAt": lambda s, a, c: ts(s.created_at),
    "checkRuns": _check_runs,
    "commit": lambda s, a, c: suite_commit(c.dataset, s),
    "url": lambda s, a, c: _child_url(c, s.node_id, f"/checks?check_suite_id={s.database_id}"),
}

CHECK_RUN_FIELDS: dict[str, Resolver] = {
    "id": lambda r, a, c: r.node_id,
    "databaseId": lambda r, a, c: r.database_id,
    "name": lambda r, a, c: r.name,
    "status": lambda r, a, c: r.status,
    "conclusion": lambda r, a, c: r.conclusion,
    "startedAt": lambda r, a, c: ts(r.started_at),
    "completedAt": lambda r, a, c: ts(r.completed_at),
    "detailsUrl": lambda r, a, c: r.details_url,
    "url": lambda r, a, c: r.details_url,
    "permalink": lambda r, a, c: r.details_url,
    "checkSuite": lambda r, a, c: run_suite(c.dataset, r),
    "isRequired": lambda r, a, c: False,
}

APP_FIELDS: dict[str, Resolver] = {
    "name": lambda s, a, c: s.name,
    "slug": lambda s, a, c: s.slug,
    "id": lambda s, a, c: ids.make_id("A", s.slug),
    "url": lambda s, a, c: f"https://github.com/apps/{s.slug}",
}


def _actor_fields(extra: dict[str, Resolver]) -> dict[str, Resolver]:
    return {
        "id": lambda u, a, c: u.node_id,
        "login": lambda u, a, c: u.login,
        "databaseId": lambda u, a, c: u.database_id,
        "url": lambda u, a, c: u.url,
        "resourcePath": lambda u, a, c: u.url.removeprefix("https://github.com"),
        "avatarUrl": lambda u, a, c: f"https://avatars.githubusercontent.com/u/{u.database_id}?v=4",
        **extra,
    }


USER_FIELDS = _actor_fields(
    {"name": lambda u, a, c: u.name, "email": lambda u, a, c: u.email or ""}
)
BOT_FIELDS = _actor_fields({})
MANNEQUIN_FIELDS = _actor_fields({"email": lambda u, a, c: u.email})

TEAM_FIELDS: dict[str, Resolver] = {
    "id": lambda t, a, c: t.node_id,
    "databaseId": lambda t, a, c: t.database_id,
    "slug": lambda t, a, c: t.slug,
    "name": lambda t, a, c: t.name,
    "combinedSlug": lambda t, a, c: t.combined_slug,
    "organization": lambda t, a, c: c.dataset.organizations.get(t.organization),
    "url": lambda t, a, c: f"https://github.com/orgs/{t.organization}/teams/{t.slug}",
}

LABEL_FIELDS: dict[str, Resolver] = {
    "id": lambda x, a, c: x.node_id,
    "name": lambda x, a, c: x.name,
    "color": lambda x, a, c: x.color,
    "description": lambda x, a, c: x.description,
}

MILESTONE_FIELDS: dict[str, Resolver] = {
    "id": lambda m, a, c: m.node_id,
    "number": lambda m, a, c: m.number,
    "title": lambda m, a, c: m.title,
    "state": lambda m, a, c: m.state,
    "closed": lambda m, a, c: m.state == "CLOSED",
    "dueOn": lambda m, a, c: ts(m.due_on),
}


def _issue_repository(issue: IssueReference, ctx: RequestContext) -> Repository:
    repo = ctx.dataset.repositories.get(issue.repository)
    if repo is not None:
        return repo
    owner, name = issue.repository.split("/", 1)
    return Repository(
        owner, name, ids.make_id("R", issue.repository), 0, ctx.dataset.now, "", [], []
    )


ISSUE_FIELDS: dict[str, Resolver] = {
    "id": lambda i, a, c: i.node_id,
    "databaseId": lambda i, a, c: i.database_id,
    "fullDatabaseId": lambda i, a, c: str(i.database_id),
    "number": lambda i, a, c: i.number,
    "title": lambda i, a, c: i.title,
    "url": lambda i, a, c: i.url,
    "state": lambda i, a, c: i.state,
    "closed": lambda i, a, c: i.state == "CLOSED",
    "repository": lambda i, a, c: _issue_repository(i, c),
}

REVIEW_REQUEST_FIELDS: dict[str, Resolver] = {
    "id": lambda r, a, c: r.node_id,
    "databaseId": lambda r, a, c: r.database_id,
    "requestedReviewer": lambda r, a, c: r.reviewer,
    "asCodeOwner": lambda r, a, c: False,
    "pullRequest": lambda r, a, c: find_pull_request(c.dataset, r.node_id),
}

RATE_LIMIT_FIELDS: dict[str, Resolver] = {
    "cost": lambda r, a, c: r.cost,
    "limit": lambda r, a, c: r.limit,
    "remaining": lambda r, a, c: r.remaining,
    "used": lambda r, a, c: r.used,
    "resetAt": lambda r, a, c: r.reset_at,
    "nodeCount": lambda r, a, c: r.node_count,
}

PAGE_INFO_FIELDS: dict[str, Resolver] = {
    "hasNextPage": lambda p, a, c: p.has_next_page,
    "hasPreviousPage": lambda p, a, c: p.has_previous_page,
    "startCursor": lambda p, a, c: p.start_cursor,
    "endCursor": lambda p, a, c: p.end_cursor,
}

CONNECTION_FIELDS: dict[str, Resolver] = {
    "totalCount": lambda x, a, c: x.total_count,
    "nodes": lambda x, a, c: x.items,
    "edges": lambda x, a, c: x.edges,
    "pageInfo": lambda x, a, c: x.page_info,
    "issueCount": lambda x, a, c: x.total_count,
}
EDGE_FIELDS: dict[str, Resolver] = {
    "cursor": lambda e, a, c: e.cursor,
    "node": lambda e, a, c: e.node,
}

FIELDS: dict[str, dict[str, Resolver]] = {
    "Query": QUERY_FIELDS,
    "Repository": REPOSITORY_FIELDS,
    "Organization": ORGANIZATION_FIELDS,
    "PullRequest": PULL_REQUEST_FIELDS,
    "PullRequestReview": REVIEW_FIELDS,
    "PullRequestCommit": PULL_REQUEST_COMMIT_FIELDS,
    "Commit": COMMIT_FIELDS,
    "GitActor": GIT_ACTOR_FIELDS,
    "PullRequestChangedFile": FILE_FIELDS,
    "CheckSuite": CHECK_SUITE_FIELDS,
    "CheckRun": CHECK_RUN_FIELDS,
    "App": APP_FIELDS,
    "User": USER_FIELDS,
    "Bot": BOT_FIELDS,
    "Mannequin": MANNEQUIN_FIELDS,
    "Team": TEAM_FIELDS,
    "Label": LABEL_FIELDS,
    "Milestone": MILESTONE_FIELDS,
    "Issue": ISSUE_FIELDS,
    "ReviewRequest": REVIEW_REQUEST_FIELDS,
    "RateLimit": RATE_LIMIT_FIELDS,
    "PageInfo": PAGE_INFO_FIELDS,
}

PYTHON_TYPE_NAMES: dict[type, str] = {
    Repository: "Repository",
    Organization: "Organization",
    PullRequest: "PullRequest",
    Review: "PullRequestReview",
    Commit: "PullRequestCommit",
    GitCommitView: "Commit",
    CheckSuite: "CheckSuite",
    CheckRun: "CheckRun",
    Team: "Team",
    Label: "Label",
    Milestone: "Milestone",
    IssueReference: "Issue",
    ReviewRequest: "ReviewRequest",
    ChangedFile: "PullRequestChangedFile",
    GitSignature: "GitActor",
    AppView: "App",
}


def resolve_type(value: Any, info: GraphQLResolveInfo, abstract_type: Any) -> str | None:
    if isinstance(value, Actor):
        return value.typename
    if isinstance(value, Stub):
        return value.typename
    if isinstance(value, TimelineEvent):
        return value.typename
    return PYTHON_TYPE_NAMES.get(type(value))


_defaults: dict[int, Any] = {}
_SCALAR_DEFAULTS = {"Boolean": False, "Int": 0, "Float": 0.0, "String": "", "ID": "", "BigInt": "0"}


def _default_value(return_type: Any) -> Any:
    if not isinstance(return_type, GraphQLNonNull):
        return None
    inner = return_type.of_type
    if isinstance(inner, GraphQLList):
        return []
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    if isinstance(inner, GraphQLScalarType):
        if inner.name == "DateTime":
            return "1970-01-01T00:00:00Z"
        if inner.name in ("URI", "HTML"):
            return "https://github.com/" if inner.name == "URI" else ""
        if inner.name == "GitObjectID":
            return "0" * 40
        return _SCALAR_DEFAULTS.get(inner.name, "")
    if isinstance(inner, GraphQLObjectType):
        if inner.name.endswith("Connection"):
            return empty_connection()
        return Stub(inner.name)
    types = getattr(inner, "types", None)
    return Stub(types[0].name) if types else None


def resolve_field(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    parent = info.parent_type.name
    table = FIELDS.get(parent)
    if table is None:
        if isinstance(source, Connection):
            table = CONNECTION_FIELDS
        elif isinstance(source, Edge):
            table = EDGE_FIELDS
        elif isinstance(source, PageInfo):
            table = PAGE_INFO_FIELDS
    if table is not None and not isinstance(source, Stub):
        resolver = table.get(info.field_name)
        if resolver is not None:
            return resolver(source, args, info.context)
    key = id(info.return_type)
    if key not in _defaults:
        _defaults[key] = _default_value(info.return_type)
    value = _defaults[key]
    return [] if isinstance(value, list) else value


# Deployments, releases and issues: their resolvers live in delivery_resolvers.py.
delivery_resolvers.install(FIELDS, PYTHON_TYPE_NAMES)

# statusCheckRollup and timelineItems: their resolvers live in rollup_resolvers.py.
from . import rollup_resolvers  # noqa: E402  (it imports this module's tables)

rollup_resolvers.install(FIELDS, PYTHON_TYPE_NAMES)
