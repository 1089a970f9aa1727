"""GitHub REST v3 endpoints for pull requests, over the same dataset as the GraphQL side.

Only what MeltanoLabs tap-github's pull-request streams call: the repository, the pulls list,
one pull (JSON or diff), its reviews and commits, and `/rate_limit`. Each request costs one point
of the `core` quota and passes the server's shared pipeline (auth, faults, latency, accounting).
Pagination is GitHub's: `per_page` (max 100) and `page`, with a `Link` header (next/last/...).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .models import format_datetime

if TYPE_CHECKING:
    from .models import Actor, Commit, PullRequest, Repository, Review
    from .server import FakeGitHub, Request, Response

API = "https://api.github.com"
REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
RATE_LIMITED = {
    "message": "API rate limit exceeded.",
    "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
}


def install_rest_routes(app: FakeGitHub) -> None:
    def route(pattern: str, handler: Any, operation: str) -> None:
        app.add_route(
            "GET",
            pattern,
            lambda request: _charged(app, request, operation, handler),
            kind="rest",
            resource="core",
        )

    app.add_route("GET", "/rate_limit", lambda request: _rate_limit(app, request), kind="rest")
    route(REPO, _repository, "repos.get")
    route(REPO + "/pulls", _pulls, "pulls.list")
    route(REPO + r"/pulls/(?P<number>\d+)", _pull, "pulls.get")
    route(REPO + r"/pulls/(?P<number>\d+)/reviews", _reviews, "pulls.listReviews")
    route(REPO + r"/pulls/(?P<number>\d+)/commits", _commits, "pulls.listCommits")


# Pipeline ----------------------------------------------------------------------------------------
def _charged(app: FakeGitHub, request: Request, operation: str, handler: Any) -> Response:
    """Charge one core point, then answer; over quota: GitHub's 403 "API rate limit exceeded"."""
    from .server import Response

    limiter = app.limiters["core"]
    charged, quota = limiter.try_charge(request.token_label or "", 1)
    headers = quota.headers("core")
    if not charged:
        return Response(403, dict(RATE_LIMITED), headers, operation=operation, rate_limited=True)
    repository = app.dataset.repositories.get(
        f"{request.match['owner']}/{request.match['repo']}".lower()
    ) or _find_repository(app, request.match["owner"], request.match["repo"])
    if repository is None:
        return Response(404, dict(NOT_FOUND), headers, operation=operation)
    status, body, extra = handler(app, request, repository)
    headers.update(extra)
    return Response(status, body, headers, operation=operation)


def _find_repository(app: FakeGitHub, owner: str, name: str) -> Repository | None:
    wanted = f"{owner}/{name}".lower()
    for full_name, repository in app.dataset.repositories.items():
        if full_name.lower() == wanted:
            return repository
    return None


def _rate_limit(app: FakeGitHub, request: Request) -> Response:
    """Free, as on GitHub: it reports the quotas without spending them."""
    from .server import Response

    label = request.token_label or ""
    resources = {}
    for name, limiter in app.limiters.items():
        snap = limiter.snapshot(label)
        resources[name] = {
            "limit": snap.limit,
            "used": snap.used,
            "remaining": snap.remaining,
            "reset": snap.reset,
        }
    headers = app.limiters["core"].snapshot(label).headers("core")
    return Response(
        200, {"resources": resources, "rate": resources["core"]}, headers, operation="rate_limit"
    )


def _page(app: FakeGitHub, request: Request, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    """Slice one page and build GitHub's `Link` header (only the rels that apply)."""
    per_page = min(100, max(1, _int(request.query.get("per_page"), 30)))
    page = max(1, _int(request.query.get("page"), 1))
    last = max(1, math.ceil(len(items) / per_page))
    params = {key: values[-1] for key, values in request.query.items() if key != "page"}

    def link(number: int, rel: str) -> str:
        return f'<{app.url}{request.path}?{urlencode({**params, "page": number})}>; rel="{rel}"'

    links = []
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links += [link(1, "first"), link(min(page - 1, last), "prev")]
    headers = {"link": ", ".join(links)} if links else {}
    return items[(page - 1) * per_page : page * per_page], headers


def _int(values: list[str] | None, default: int) -> int:
    try:
        return int(values[-1]) if values else default
    except ValueError:
        return default


# Handlers: (app, request, repository) -> (status, body, extra headers) ------------------------
def _repository(app: FakeGitHub, request: Request, repository: Repository):
    return 200, repository_json(repository), {}


def _pulls(app: FakeGitHub, request: Request, repository: Repository):
    state = (request.query.get("state") or ["open"])[-1]
    sort = (request.query.get("sort") or ["created"])[-1]
    descending = (request.query.get("direction") or ["desc"])[-1] != "asc"
    with app.dataset.lock:
        pulls = [pr for pr in repository.pull_requests if _state_matches(pr, state)]
    key = {"updated": lambda pr: pr.updated_at}.get(sort, lambda pr: pr.created_at)
    pulls.sort(key=lambda pr: (key(pr), pr.number), reverse=descending)
    page, headers = _page(app, request, pulls)
    return 200, [pull_json(pr, repository) for pr in page], headers


def _pull(app: FakeGitHub, request: Request, repository: Repository):
    pr = _pull_request(repository, request)
    if pr is None:
        return 404, dict(NOT_FOUND), {}
    if "diff" in (request.headers.get("Accept") or ""):
        return 200, diff_text(pr).encode(), {}
    return 200, pull_json(pr, repository), {}


def _reviews(app: FakeGitHub, request: Request, repository: Repository):
    pr = _pull_request(repository, request)
    if pr is None:
        return 404, dict(NOT_FOUND), {}
    page, headers = _page(app, request, pr.reviews)
    return 200, [review_json(review, pr) for review in page], headers


def _commits(app: FakeGitHub, request: Request, repository: Repository):
    pr = _pull_request(repository, request)
    if pr is None:
        return 404, dict(NOT_FOUND), {}
    page, headers = _page(app, request, pr.commits[:250])  # GitHub caps this list at 250
    return 200, [commit_json(commit, repository) for commit in page], headers


def _pull_request(repository: Repository, request: Request) -> PullRequest | None:
    number = int(request.match["number"])
    return next((pr for pr in repository.pull_requests if pr.number == number), None)


def _state_matches(pr: PullRequest, state: str) -> bool:
    if state == "all":
        return True
    return ("open" if pr.state == "OPEN" else "closed") == state


# JSON shapes ------------------------------------------------------------------------------------
def _date(value: Any) -> str | None:
    return format_datetime(value) if value is not None else None


def user_json(actor: Actor | None) -> dict[str, Any] | None:
    if actor is None:
        return None
    login = actor.login if actor.typename != "Bot" else f"{actor.login}[bot]"
    return {
        "login": login,
        "id": actor.database_id,
        "node_id": actor.node_id,
        "avatar_url": f"https://avatars.githubusercontent.com/u/{actor.database_id}?v=4",
        "gravatar_id": "",
        "html_url": f"https://github.com/{login}",
        "type": "Bot" if actor.typename == "Bot" else "User",
        "site_admin": False,
    }


def repository_json(repository: Repository) -> dict[str, Any]:
    full_name = f"{repository.owner}/{repository.name}"
    return {
        "id": repository.database_id,
        "node_id": repository.node_id,
        "name": repository.name,
        "full_name": full_name,
        "private": repository.is_private,
        "owner": {"login": repository.owner, "id": 0, "type": "Organization"},
        "html_url": f"https://github.com/{full_name}",
        "description": repository.description,
        "fork": False,
        "url": f"{API}/repos/{full_name}",
        "created_at": _date(repository.created_at),
        "updated_at": _date(repository.created_at),
        "pushed_at": _date(repository.created_at),
        "has_issues": True,
        "has_pull_requests": True,
        "archived": False,
        "disabled": False,
        "visibility": "private" if repository.is_private else "public",
        "default_branch": "main",
    }


def pull_json(pr: PullRequest, repository: Repository) -> dict[str, Any]:
    full_name = f"{repository.owner}/{repository.name}"
    url = f"{API}/repos/{full_name}/pulls/{pr.number}"
    owner = {"login": repository.owner, "id": 0, "type": "Organization"}
    repo = {"id": repository.database_id, "name": repository.name, "full_name": full_name}
    head_commit = pr.head_commit
    return {
        "url": url,
        "id": pr.full_database_id,
        "node_id": pr.node_id,
        "html_url": pr.url,
        "diff_url": f"{pr.url}.diff",
        "patch_url": f"{pr.url}.patch",
        "issue_url": f"{API}/repos/{full_name}/issues/{pr.number}",
        "number": pr.number,
        "state": "open" if pr.state == "OPEN" else "closed",
        "locked": False,
        "title": pr.title,
        "user": user_json(pr.author),
        "body": pr.body,
        "labels": [
            {
                "node_id": label.node_id,
                "name": label.name,
                "color": label.color,
                "description": label.description,
                "default": False,
            }
            for label in pr.labels
        ],
        "milestone": (
            {"number": pr.milestone.number, "title": pr.milestone.title} if pr.milestone else None
        ),
        "created_at": _date(pr.created_at),
        "updated_at": _date(pr.updated_at),
        "closed_at": _date(pr.closed_at),
        "merged_at": _date(pr.merged_at),
        "merge_commit_sha": None,
        "draft": pr.is_draft,
        "author_association": pr.author_association,
        "head": {
            "label": f"{repository.owner}:{pr.head_ref_name}",
            "ref": pr.head_ref_name,
            "sha": head_commit.oid if head_commit else None,
            "user": owner,
            "repo": repo,
        },
        "base": {
            "label": f"{repository.owner}:{pr.base_ref_name}",
            "ref": pr.base_ref_name,
            "sha": None,
            "user": owner,
            "repo": repo,
        },
    }


def review_json(review: Review, pr: PullRequest) -> dict[str, Any]:
    return {
        "id": review.database_id,
        "node_id": review.node_id,
        "user": user_json(review.author),
        "body": review.body,
        "state": review.state,
        "html_url": f"{pr.url}#pullrequestreview-{review.database_id}",
        "author_association": review.author_association,
        "submitted_at": _date(review.submitted_at),
        "commit_id": review.commit_oid,
    }


def commit_json(commit: Commit, repository: Repository) -> dict[str, Any]:
    full_name = f"{repository.owner}/{repository.name}"

    def signature(sig: Any) -> dict[str, Any]:
        return {"name": sig.name, "email": sig.email, "date": _date(sig.date)}

    return {
        "url": f"{API}/repos/{full_name}/commits/{commit.oid}",
        "sha": commit.oid,
        "node_id": commit.commit_node_id,
        "html_url": f"https://github.com/{full_name}/commit/{commit.oid}",
        "commit": {
            "author": signature(commit.author),
            "committer": signature(commit.committer),
            "message": commit.message,
        },
        "author": user_json(commit.author.user),
        "committer": user_json(commit.committer.user),
        "parents": [],
    }


def diff_text(pr: PullRequest) -> str:
    """A unified diff with the right line counts per file (contents are placeholders)."""
    chunks = []
    for changed in pr.files:
        chunks.append(
            f"diff --git a/{changed.path} b/{changed.path}\n--- a/{changed.path}\n"
            f"+++ b/{changed.path}\n@@ -1,{changed.deletions} +1,{changed.additions} @@\n"
            + "".join("-old\n" for _ in range(changed.deletions))
            + "".join("+new\n" for _ in range(changed.additions))
        )
    return "".join(chunks)
