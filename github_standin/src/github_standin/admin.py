"""Admin endpoints `/_stats`, `/_reset` and `/_admin/...` for the CLI and the demo."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .faults import Fault
from .models import format_datetime

if TYPE_CHECKING:
    from .server import FakeGitHub, Request, Response


def install_admin_routes(app: FakeGitHub) -> None:
    from .server import Response, dataset_summary

    def ok(body: Any, status: int = 200) -> Response:
        return Response(status, body)

    def guarded(action):
        def handler(request: Request) -> Response:
            try:
                return ok(action(request.json() if request.body else {}))
            except (KeyError, ValueError, TypeError) as exc:
                return ok({"message": str(exc)}, 422)

        return handler

    def pr_summary(pr) -> dict[str, Any]:
        return {
            "repository": pr.repository,
            "number": pr.number,
            "id": pr.node_id,
            "state": pr.state,
            "updatedAt": format_datetime(pr.updated_at),
        }

    app.add_route("GET", "/_stats", lambda r: ok(app.stats()), kind="admin")

    def reset(_request: Request) -> Response:
        app.reset_stats()
        return ok({"reset": True})

    app.add_route("POST", "/_reset", reset, kind="admin")
    app.add_route(
        "GET", "/_admin/dataset", lambda r: ok(dataset_summary(app.dataset)), kind="admin"
    )
    app.add_route(
        "POST",
        "/_admin/clock",
        guarded(lambda b: {"now": format_datetime(app.advance_clock(float(b.get("seconds", 0))))}),
        kind="admin",
    )
    app.add_route(
        "GET", "/_admin/clock", lambda r: ok({"now": format_datetime(app.now)}), kind="admin"
    )
    app.add_route(
        "POST",
        "/_admin/pull_requests",
        guarded(lambda b: pr_summary(app.add_pull_request(b.pop("repository"), **b))),
        kind="admin",
    )

    def review(body: dict[str, Any]) -> dict[str, Any]:
        created = app.add_review(body.pop("repository"), int(body.pop("number")), **body)
        return {"id": created.node_id, "state": created.state}

    def commit(body: dict[str, Any]) -> dict[str, Any]:
        created = app.add_commit(body.pop("repository"), int(body.pop("number")), **body)
        return {"oid": created.oid}

    app.add_route("POST", "/_admin/reviews", guarded(review), kind="admin")
    app.add_route("POST", "/_admin/commits", guarded(commit), kind="admin")
    app.add_route(
        "POST",
        "/_admin/merge",
        guarded(
            lambda b: pr_summary(
                app.merge_pull_request(b.pop("repository"), int(b.pop("number")), **b)
            )
        ),
        kind="admin",
    )
    app.add_route(
        "POST",
        "/_admin/close",
        guarded(lambda b: pr_summary(app.close_pull_request(b["repository"], int(b["number"])))),
        kind="admin",
    )
    app.add_route(
        "GET", "/_admin/faults", lambda r: ok([f.to_dict() for f in app.faults.rules]), kind="admin"
    )
    app.add_route(
        "POST",
        "/_admin/faults",
        guarded(lambda b: app.faults.add(Fault(**b)).to_dict()),
        kind="admin",
    )

    def clear(body: dict[str, Any]) -> dict[str, Any]:
        app.clear_faults(body.get("kind"))
        return {"cleared": body.get("kind") or "all"}

    app.add_route("POST", "/_admin/faults/clear", guarded(clear), kind="admin")
    app.add_route("DELETE", "/_admin/faults", guarded(clear), kind="admin")
