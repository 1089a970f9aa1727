"""The HTTP server: a route table shared by the GraphQL endpoint, admin endpoints and (later) REST.

Every API request (route kind other than `admin`) passes the same pipeline: faults are planned,
latency injected, the token checked, secondary limits and 5xx faults applied, the route handler
run, body faults applied, `x-ratelimit-*` headers added and the request accounted in `/_stats`.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import mutations
from .apps import INSTALLATION_TOKEN_TTL, App, AppRegistry, install_app_routes
from .faults import Fault, FaultInjector
from .generator import generate_dataset
from .graphql_endpoint import GraphQLEndpoint, timeout_answer
from .heavy import make_heavy
from .models import Dataset, format_datetime
from .ratelimit import RateLimiter
from .secondary import SecondaryLimiter
from .server_time import GITHUB_BUDGET_SECONDS, ServerTimeModel
from .stats import Stats

DEFAULT_TOKENS = ("fake-token-1", "fake-token-2")
ANONYMOUS = "anonymous"  # the quota and stats label of requests without a token
BAD_CREDENTIALS = {
    "message": "Bad credentials",
    "documentation_url": "https://docs.github.com/graphql",
}
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
SECONDARY_DOCS = "https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#secondary-rate-limits"
SERVER_ERROR_BODIES = {
    500: {"message": "Server Error"},
    502: {"message": "Server Error"},
    503: {"message": "Service Unavailable"},
    504: {
        "message": "We couldn't respond to your request in time. Sorry about that. Please try "
        "resubmitting your request and contact us if the problem persists."
    },
}


# The scopes every configured token reports (X-OAuth-Scopes): read access to repositories and
# organisations, what the tap needs.
CLASSIC_TOKEN_SCOPES = "read:org, repo"  # noqa: S105 (scope names, not a secret)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Any
    body: bytes
    request_id: str
    match: re.Match[str] | None = None
    token_label: str | None = None
    faults: dict[str, Fault] = field(default_factory=dict)
    transient: str | None = None  # what a firing `transient` fault does to this request

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


@dataclass
class Response:
    status: int = 200
    body: Any = None  # bytes, or anything JSON-serialisable
    headers: dict[str, str] = field(default_factory=dict)
    cost: int = 0
    node_count: int = 0
    operation: str | None = None
    applied_faults: list[str] = field(default_factory=list)
    rate_limited: bool = False
    secondary_limited: bool = False
    server_time: dict[str, Any] | None = None  # the time model's account of this request
    repositories: tuple[str, ...] = ()  # "owner/name" the request asked about (GraphQL root)
    # "before_headers" or "after_headers": close the connection there instead of answering.
    drop: str | None = None

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Callable[[Request], Response]
    kind: str = "rest"  # "graphql", "rest", "app" (JWT-authenticated) or "admin"
    resource: str = "core"  # which primary quota its x-ratelimit-* headers show


class _QuietThreadingHTTPServer(ThreadingHTTPServer):
    """A client that hangs up mid-answer (a killed tap) is normal here, not an error to print."""

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class FakeGitHub:
    """A local GitHub API stand-in. Use as a context manager, or call `start()` and `stop()`."""

    def __init__(
        self,
        *,
        seed: int = 42,
        prs: int = 200,
        repositories: Iterable[str] | None = None,
        dataset: Dataset | None = None,
        now: datetime | str | None = None,
        heavy_tails: bool = True,
        tokens: Iterable[str] = DEFAULT_TOKENS,
        rate_limit: int = 5000,
        rate_limit_window: float = 3600,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Iterable[Fault] = (),
        fault_seed: int = 0,
        secondary_per_minute: int | None = None,
        max_concurrent: int | None = None,
        allow_anonymous: bool = False,
        log: bool = False,
        heavy_share: float = 0.0,
        time_model: bool | ServerTimeModel = False,
        time_scale: float = 1.0,
        time_budget: float = GITHUB_BUDGET_SECONDS,
        timeout_status: int = 502,
        secondary_cpu_per_minute: float | None = None,
        app_token_ttl: float = INSTALLATION_TOKEN_TTL,
        app_clock: Callable[[], float] = time.time,
    ) -> None:
        self.dataset = dataset or generate_dataset(
            seed=seed,
            prs=prs,
            repositories=list(repositories) if repositories else None,
            now=now,
            heavy_tails=heavy_tails,
        )
        if heavy_share:
            make_heavy(self.dataset, heavy_share)
        # GitHub's server time (server_time.py): off by default, so answers stay instant.
        self.time_model: ServerTimeModel | None = None
        if isinstance(time_model, ServerTimeModel):
            self.time_model = time_model
        elif time_model:
            self.time_model = ServerTimeModel(
                time_scale=time_scale, budget=time_budget, timeout_status=timeout_status
            )
        self.tokens = list(tokens)
        self.limiters = {
            "graphql": RateLimiter(rate_limit, rate_limit_window),
            "core": RateLimiter(rate_limit, rate_limit_window),
        }
        # GitHub Apps (apps.py): register with `add_app`; `app_clock` times JWTs and tokens.
        self.apps = AppRegistry(
            self.dataset, self.limiters, token_ttl=app_token_ttl, clock=app_clock
        )
        self.faults = FaultInjector(fault_seed)
        self.secondary = SecondaryLimiter(
            secondary_per_minute,
            max_concurrent,
            cpu_per_minute=secondary_cpu_per_minute,
            cpu_window=60.0 * (self.time_model.time_scale if self.time_model else 1.0),
        )
        for fault in faults:
            self.faults.add(fault)
        self.stats_recorder = Stats()
        self.graphql = GraphQLEndpoint(self.dataset, self.limiters["graphql"], self.time_model)
        self.host, self.port = host, port
        self.log = log
        # GitHub serves REST without a token (its own, small quota); opt in for tools that need it.
        self.allow_anonymous = allow_anonymous
        self.routes: list[Route] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._request_ids = itertools.count(1)
        self._install_routes()

    # Lifecycle --------------------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        handler = type("BoundHandler", (_Handler,), {"app": self})
        self._httpd = _QuietThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    # Tokens, stats, faults ----------------------------------------------------------------------
    def token_label(self, token: str | None) -> str | None:
        """`token-1`, `token-2`, ... for configured tokens, `installation-<id>` for a live
        installation token, else None: never the token itself."""
        if token is None:
            return None
        if token not in self.tokens:
            return self.apps.token_label(token)
        return f"token-{self.tokens.index(token) + 1}"

    def add_app(self, app_id: int, **options: Any) -> App:
        """Register a GitHub App (see `AppRegistry.add_app`); its installations get tokens."""
        return self.apps.add_app(app_id, **options)

    def stats(self) -> dict[str, Any]:
        return self.stats_recorder.snapshot()

    def reset_stats(self) -> None:
        """Clear accounting and every token's quota (faults stay)."""
        self.stats_recorder.reset()
        for limiter in self.limiters.values():
            limiter.reset()

    def rate_limit(self, token: str, resource: str = "graphql") -> dict[str, Any]:
        label = self.token_label(token)
        if label is None:
            raise KeyError("not a configured token")
        snap = self.limiters[resource].snapshot(label)
        return {
            "limit": snap.limit,
            "used": snap.used,
            "remaining": snap.remaining,
            "reset": snap.reset,
        }

    def add_fault(self, kind: str, **params: Any) -> Fault:
        """Switch a fault on; see `github_standin.faults` for kinds and parameters."""
        return self.faults.add(Fault(kind=kind, **params))

    def clear_faults(self, kind: str | None = None) -> None:
        self.faults.clear(kind)

    # Clock and mutations --------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        return self.dataset.now

    def advance_clock(self, seconds: float) -> datetime:
        mutations.advance_clock(self.dataset, seconds)
        return self.dataset.now

    def add_pull_request(self, repository: str, **fields: Any):
        return mutations.add_pull_request(self.dataset, repository, **fields)

    def add_review(self, repository: str, number: int, **fields: Any):
        return mutations.add_review(self.dataset, repository, number, **fields)

    def add_commit(self, repository: str, number: int, **fields: Any):
        return mutations.add_commit(self.dataset, repository, number, **fields)

    def merge_pull_request(self, repository: str, number: int, **fields: Any):
        return mutations.merge_pull_request(self.dataset, repository, number, **fields)

    def close_pull_request(self, repository: str, number: int):
        return mutations.close_pull_request(self.dataset, repository, number)

    # Routing ------------------------------------------------------------------------------------
    def add_route(
        self,
        method: str,
        pattern: str,
        handler: Callable[[Request], Response],
        *,
        kind: str = "rest",
        resource: str = "core",
    ) -> None:
        """Register a handler; `pattern` is a regex matched against the whole path.

        The latest registration wins, so a test can override a built-in route."""
        self.routes.insert(0, Route(method.upper(), re.compile(pattern), handler, kind, resource))

    def _install_routes(self) -> None:
        from .admin import install_admin_routes

        for path in ("/graphql", "/api/graphql"):
            self.add_route(
                "POST", re.escape(path), self._graphql, kind="graphql", resource="graphql"
            )
        install_admin_routes(self)
        install_app_routes(self)
        # The REST side plugs in here: rest.py (this package) defines install_rest_routes(app).
        if importlib.util.find_spec(f"{__package__}.rest") is not None:
            importlib.import_module(f"{__package__}.rest").install_rest_routes(self)

    def _graphql(self, request: Request) -> Response:
        outcome = self.graphql.handle(
            request.body, request.token_label or "", request.faults, request.request_id
        )
        return Response(
            status=outcome.status,
            body=outcome.payload,
            headers=outcome.quota.headers("graphql"),
            cost=outcome.cost,
            node_count=outcome.node_count,
            operation=outcome.operation_name,
            applied_faults=outcome.applied_faults,
            rate_limited=outcome.rate_limited,
            server_time=outcome.server_time,
            repositories=outcome.repositories,
        )

    def next_request_id(self) -> str:
        n = next(self._request_ids)
        return (
            f"FAKE:{n:04X}:{n * 7919 % 65536:04X}:{n * 104729 % 1048576:05X}:{int(time.time()):08X}"
        )

    def dispatch(self, method: str, raw_path: str, headers: Any, body: bytes) -> Response:
        """Run one request through the pipeline (also usable without a socket)."""
        parts = urlsplit(raw_path)
        request = Request(
            method, parts.path, parse_qs(parts.query), headers, body, self.next_request_id()
        )
        route = None
        for candidate in self.routes:
            match = candidate.pattern.fullmatch(parts.path)
            if match and candidate.method == method:
                route, request.match = candidate, match
                break
        if route is None:
            return Response(
                404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
            )
        if route.kind == "admin":
            return route.handler(request)
        if route.kind == "app":
            return self._app_request(route, request)
        return self._api(route, request)

    def _app_request(self, route: Route, request: Request) -> Response:
        """Authenticated by the App's JWT, not a token (apps.py): counted, no token quota."""
        response = route.handler(request)
        response.headers.setdefault("x-github-request-id", request.request_id)
        self.stats_recorder.record(
            kind="app", status=response.status, token_label=None, operation=response.operation
        )
        return response

    def _api(self, route: Route, request: Request) -> Response:
        request.faults = self.faults.plan()
        if "transient" in request.faults:
            request.transient = self.faults.pick_transient(request.faults["transient"])
        request.token_label = self.token_label(_bearer(request.headers.get("Authorization")))
        anonymous = not request.headers.get("Authorization")
        if request.token_label is None and self.allow_anonymous and anonymous:
            request.token_label = ANONYMOUS
        limiter = self.limiters.get(route.resource, self.limiters["core"])
        applied: list[str] = []
        if request.token_label is None:
            response = _unauthorized(route.resource)
        else:
            response = self._admitted(route, request, limiter, applied)
            self._corrupt_body(request, response)
            self._drop_connection(request, response)
            if "x-ratelimit-remaining" not in response.headers:
                snapshot = limiter.snapshot(request.token_label)
                response.headers.update(snapshot.headers(route.resource))
        for kind in response.applied_faults:
            if kind in request.faults:
                self.faults.mark_fired(request.faults[kind])
        if (request.token_label or "").startswith("token-"):
            # GitHub lists a classic PAT's or OAuth token's scopes on every authenticated
            # response; an App's installation token has permissions, not scopes, and no header.
            # https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps#checking-for-granted-scopes
            response.headers.setdefault("x-oauth-scopes", CLASSIC_TOKEN_SCOPES)
        response.headers.setdefault("x-github-request-id", request.request_id)
        self.stats_recorder.record(
            kind=route.kind,
            status=response.status,
            token_label=request.token_label,
            operation=response.operation,
            cost=response.cost,
            node_count=response.node_count,
            faults=applied + response.applied_faults,
            rate_limited=response.rate_limited,
            secondary_limited=response.secondary_limited,
            server_time=response.server_time,
            repositories=response.repositories,
        )
        return response

    def _admitted(
        self, route: Route, request: Request, limiter: RateLimiter, applied: list[str]
    ) -> Response:
        """Pass the secondary limits, then run latency, early faults or the handler."""
        wait = self.secondary.enter(request.token_label or "")
        if wait is not None:
            return self._secondary_limited(request, limiter, route, wait or None)
        response = None
        try:
            latency = request.faults.get("latency")
            if latency is not None:  # inside: a slow request is a request in flight
                self.faults.mark_fired(latency)
                applied.append("latency")
                time.sleep(latency.seconds)
            response = self._early_fault(request, limiter, route) or route.handler(request)
            return response
        finally:
            self.secondary.leave()
            if response is not None and response.server_time is not None:
                self.secondary.record_cpu(
                    request.token_label or "", response.server_time["seconds"]
                )

    def _corrupt_body(self, request: Request, response: Response) -> None:
        """The malformed- and truncated-JSON faults: a 200 whose body does not parse."""
        transient = request.transient
        for kind in ("malformed_json", "truncated_json"):
            wanted = kind in request.faults or (kind == transient and response.status == 200)
            if wanted and response.status == 200:
                encoded = response.encoded()
                response.body = (
                    encoded[: max(1, len(encoded) // 2)]
                    if kind == "truncated_json"
                    else b'{"data": {"repository": <html>oops</html>'
                )
                response.applied_faults.append(kind)
                if kind == transient:
                    response.applied_faults.append("transient")
                return

    def _drop_connection(self, request: Request, response: Response) -> None:
        """Close the connection instead of answering (the request has run and been charged)."""
        fault = request.faults.get("dropped_connection")
        if fault is not None:
            response.drop = "after_headers" if fault.after_headers else "before_headers"
            response.applied_faults.append("dropped_connection")
        elif request.transient == "dropped_connection":
            response.drop = "before_headers"
            response.applied_faults += ["dropped_connection", "transient"]

    def _secondary_limited(
        self,
        request: Request,
        limiter: RateLimiter,
        route: Route,
        retry_after: int | None,
        status: int = 403,
        fault: str | None = None,
    ) -> Response:
        message = SECONDARY_MESSAGE.format(request_id=request.request_id)
        body: dict[str, Any] = {"documentation_url": SECONDARY_DOCS, "message": message}
        if status == 200:
            body = {"errors": [{"type": "RATE_LIMITED", "message": message}]}
        headers = limiter.snapshot(request.token_label or "").headers(route.resource)
        if retry_after is not None:
            headers["retry-after"] = str(retry_after)
        response = Response(status, body, headers, applied_faults=[fault] if fault else [])
        response.secondary_limited = True
        return response

    def _early_fault(self, request: Request, limiter: RateLimiter, route: Route) -> Response | None:
        for kind, status in (
            ("secondary_403", 403),
            ("secondary_429", 429),
            ("secondary_200", 200),
        ):
            fault = request.faults.get(kind)
            if fault is not None:
                return self._secondary_limited(
                    request, limiter, route, fault.retry_after, status, kind
                )
        fault = request.faults.get("server_error")
        transient = request.transient
        if fault is None and transient not in ("502", "504"):
            return None
        status = self.faults.pick_status(fault) if fault is not None else int(transient or 0)
        body = SERVER_ERROR_BODIES.get(status, {"message": "Server Error"})
        if route.kind == "graphql" and status in (502, 504):
            body = timeout_answer(status, request.request_id)  # GitHub's GraphQL 502/504
        applied = ["server_error"] if fault is not None else ["transient", "server_error"]
        return Response(status, body, applied_faults=applied)


def _unauthorized(resource: str) -> Response:
    headers = {
        "x-ratelimit-limit": "60",
        "x-ratelimit-remaining": "60",
        "x-ratelimit-used": "0",
        "x-ratelimit-reset": str(int(time.time()) + 3600),
        "x-ratelimit-resource": resource,
    }
    return Response(401, dict(BAD_CREDENTIALS), headers)


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() not in ("bearer", "token") or not value.strip():
        return None
    return value.strip()


class _Handler(BaseHTTPRequestHandler):
    app: FakeGitHub
    protocol_version = "HTTP/1.1"
    server_version = "GitHub.com"
    sys_version = ""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            response = self.app.dispatch(self.command, self.path, self.headers, body)
        except Exception as exc:  # a bug in the stand-in: answer 500 and say so on stderr
            print(f"fake_github: {type(exc).__name__}: {exc}", file=sys.stderr)
            response = Response(500, {"message": "Server Error (stand-in bug)"})
        if response.drop == "before_headers":
            self.close_connection = True  # hang up: the client sees the connection closed
            return
        payload = response.encoded()
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if response.drop == "after_headers":
            self.wfile.flush()
            self.close_connection = True  # headers promised a body that never comes
            return
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        if self.app.log:  # method, path and status only: never headers, so never tokens
            sys.stderr.write(f"fake_github {self.address_string()} {format % args}\n")


def dataset_summary(dataset: Dataset) -> dict[str, Any]:
    return {
        "seed": dataset.seed,
        "now": format_datetime(dataset.now),
        "repositories": {
            name: len(repo.pull_requests) for name, repo in dataset.repositories.items()
        },
    }
