"""Command line: `python -m github_standin --port 8765 --seed 42 --prs 500`."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from .faults import FAULT_KINDS, Fault
from .generator import DEFAULT_NOW, DEFAULT_REPOSITORIES
from .models import format_datetime
from .server import DEFAULT_TOKENS, FakeGitHub, dataset_summary
from .server_time import GITHUB_BUDGET_SECONDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m github_standin",
        description=(
            "A local stand-in for GitHub's GraphQL API (POST /graphql and /api/graphql) on "
            "GitHub's real schema, with deterministic data, GitHub's cost and rate-limit rules "
            "and faults on demand. Admin endpoints: GET /_stats, POST /_reset, /_admin/... "
            "(see github_standin/README.md)."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--seed", type=int, default=42, help="seed of the deterministic data generator"
    )
    data.add_argument(
        "--prs",
        type=int,
        default=2000,
        help="number of pull requests, spread over the repositories",
    )
    data.add_argument(
        "--repositories",
        default=",".join(DEFAULT_REPOSITORIES),
        help="comma-separated owner/name list of repositories to generate",
    )
    data.add_argument(
        "--now", default=format_datetime(DEFAULT_NOW), help="the data clock's start (UTC ISO-8601)"
    )
    data.add_argument(
        "--no-heavy-tails",
        action="store_true",
        help="leave out PRs with >100 commits/files/reviews/check runs and megabyte bodies",
    )
    data.add_argument(
        "--heavy-share",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="make this share (0-1) of the PRs heavy: 101-250 commits and 101-260 files each",
    )
    server = parser.add_argument_group("server")
    server.add_argument("--host", default="127.0.0.1", help="address to bind")
    server.add_argument("--port", type=int, default=8765, help="port to bind (0 picks a free one)")
    server.add_argument(
        "--tokens",
        default=",".join(DEFAULT_TOKENS),
        help="comma-separated valid tokens; any other gets 401 Bad credentials",
    )
    server.add_argument(
        "--rate-limit",
        type=int,
        default=5000,
        help="primary rate limit: points per token per window",
    )
    server.add_argument(
        "--rate-limit-window", type=float, default=3600, help="seconds until a token's quota resets"
    )
    server.add_argument(
        "--secondary-per-minute",
        type=int,
        metavar="N",
        help="enforce a secondary limit of N requests per minute per token (GitHub: 2000; off "
        "by default)",
    )
    server.add_argument(
        "--max-concurrent",
        type=int,
        metavar="N",
        help="enforce a secondary limit of N requests in flight (GitHub: 100); off by default",
    )
    server.add_argument(
        "--secondary-cpu-per-minute",
        type=float,
        metavar="SECONDS",
        help="enforce a secondary limit of SECONDS modelled server time per token per minute "
        "(GitHub: 60 for GraphQL); needs --time-model; off by default",
    )
    timing = parser.add_argument_group(
        "server time",
        "GitHub's server time (github_standin/README.md): each query takes time by the nodes it "
        "returns, and one over the budget is answered 502/504 after the budget, still charged.",
    )
    timing.add_argument(
        "--time-model", action="store_true", help="answer after the modelled server time"
    )
    timing.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="wall seconds per modelled second: 1.0 is GitHub-like, 0.1 ten times faster",
    )
    timing.add_argument(
        "--time-budget",
        type=float,
        default=GITHUB_BUDGET_SECONDS,
        metavar="SECONDS",
        help="modelled seconds before a query is terminated (GitHub: 10)",
    )
    timing.add_argument(
        "--timeout-status",
        type=int,
        choices=(502, 504),
        default=502,
        help="status of a timed-out query (GitHub sends either)",
    )
    server.add_argument(
        "--log",
        action="store_true",
        help="log each request's method, path and status (never headers or tokens)",
    )
    faults = parser.add_argument_group(
        "faults",
        "Each fault fires on every Nth API request (--fault-every, default 1 = every request) "
        "or at random (--fault-probability). Add more rules with POST /_admin/faults.",
    )
    faults.add_argument(
        "--latency", type=float, metavar="SECONDS", help="add this much latency to requests"
    )
    faults.add_argument(
        "--rate-limit-exhausted",
        type=int,
        metavar="RESET_IN",
        help="answer RATE_LIMITED (200, remaining 0) with the reset this many seconds ahead",
    )
    faults.add_argument(
        "--secondary-403",
        action="store_true",
        help="answer 403 'You have exceeded a secondary rate limit'",
    )
    faults.add_argument(
        "--secondary-429",
        action="store_true",
        help="answer 429 'You have exceeded a secondary rate limit'",
    )
    faults.add_argument(
        "--retry-after",
        type=int,
        metavar="SECONDS",
        help="send retry-after with the secondary-limit faults (omitted by default)",
    )
    faults.add_argument(
        "--timeout-above-nodes",
        type=int,
        metavar="NODES",
        help="answer 502 with GitHub's timeout body for queries whose node count exceeds NODES",
    )
    faults.add_argument(
        "--server-errors", action="store_true", help="answer a random 500/502/503/504"
    )
    faults.add_argument(
        "--malformed-json", action="store_true", help="answer 200 with a body that is not JSON"
    )
    faults.add_argument(
        "--truncated-json", action="store_true", help="answer 200 with the JSON body cut in half"
    )
    faults.add_argument(
        "--dropped-connections",
        action="store_true",
        help="run the request, then close the connection without an answer",
    )
    faults.add_argument(
        "--transient",
        action="store_true",
        help="one of a fast 502, a fast 504, a dropped connection or a truncated body, at random "
        "(use with --fault-probability or --fault-every)",
    )
    faults.add_argument(
        "--partial-data",
        action="store_true",
        help="null one list element in data and report it in errors",
    )
    faults.add_argument(
        "--fault-every",
        type=int,
        default=1,
        metavar="N",
        help="the faults above fire on every Nth request",
    )
    faults.add_argument(
        "--fault-probability",
        type=float,
        metavar="P",
        help="the faults above fire at random with probability P instead",
    )
    faults.add_argument("--fault-seed", type=int, default=0, help="seed for random faults")
    parser.epilog = "Fault kinds for POST /_admin/faults: " + ", ".join(FAULT_KINDS)
    return parser


def faults_from_args(args: argparse.Namespace) -> list[Fault]:
    schedule = {"every": args.fault_every, "probability": args.fault_probability}
    faults = []
    if args.latency is not None:
        faults.append(Fault("latency", seconds=args.latency, **schedule))
    if args.rate_limit_exhausted is not None:
        faults.append(Fault("rate_limit", reset_in=args.rate_limit_exhausted, **schedule))
    if args.secondary_403:
        faults.append(Fault("secondary_403", retry_after=args.retry_after, **schedule))
    if args.secondary_429:
        faults.append(Fault("secondary_429", retry_after=args.retry_after, **schedule))
    if args.timeout_above_nodes is not None:
        faults.append(Fault("timeout", node_threshold=args.timeout_above_nodes, **schedule))
    for flag, kind in (
        ("server_errors", "server_error"),
        ("malformed_json", "malformed_json"),
        ("truncated_json", "truncated_json"),
        ("partial_data", "partial_data"),
        ("dropped_connections", "dropped_connection"),
        ("transient", "transient"),
    ):
        if getattr(args, flag):
            faults.append(Fault(kind, **schedule))
    return faults


def server_from_args(args: argparse.Namespace) -> FakeGitHub:
    """The (not yet started) stand-in the command line describes."""
    return FakeGitHub(
        seed=args.seed,
        prs=args.prs,
        repositories=[r.strip() for r in args.repositories.split(",") if r.strip()],
        now=args.now,
        heavy_tails=not args.no_heavy_tails,
        tokens=[t.strip() for t in args.tokens.split(",") if t.strip()],
        rate_limit=args.rate_limit,
        rate_limit_window=args.rate_limit_window,
        host=args.host,
        port=args.port,
        faults=faults_from_args(args),
        fault_seed=args.fault_seed,
        secondary_per_minute=args.secondary_per_minute,
        max_concurrent=args.max_concurrent,
        log=args.log,
        heavy_share=args.heavy_share,
        time_model=args.time_model,
        time_scale=args.time_scale,
        time_budget=args.time_budget,
        timeout_status=args.timeout_status,
        secondary_cpu_per_minute=args.secondary_cpu_per_minute,
    )


def main(argv: list[str] | None = None) -> int:
    server = server_from_args(build_parser().parse_args(argv)).start()
    summary = dataset_summary(server.dataset)
    print(json.dumps({"url": server.url, "graphql_url": server.graphql_url, **summary}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
