"""A burst of signed GitHub deliveries into the webhook receiver: events per second, queue size.

    .venv/bin/python -m benchmarks.webhooks_burst                    # 1,000 events, 10 repos
    .venv/bin/python -m benchmarks.webhooks_burst --events 5000 --clients 32

The receiver runs as users run it (`tap-github-prs-webhooks serve`, its own process) on a fresh
database of the PG* server (default 127.0.0.1:5432, dropped afterwards). --clients threads send
the deliveries (each a unique X-GitHub-Delivery, events cycling over the nine queued kinds,
repositories round-robin) over keep-alive connections, as GitHub's senders do. Printed and
written to benchmarks/results/webhooks_burst.json: wall time, events per second, latency
percentiles per delivery (GitHub wants an answer within 10 s), and the queue afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import requests
from psycopg import sql

from tap_github_prs_webhooks.events import QUEUED_EVENTS
from tap_github_prs_webhooks.settings import connection_arguments
from tap_github_prs_webhooks.signature import sign

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT_ROOT / "benchmarks" / "results"
EXECUTABLE = PROJECT_ROOT / ".venv/bin/tap-github-prs-webhooks"
SECRET = secrets.token_hex(16)


def log(message: str) -> None:
    print(f"[bench-webhooks] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def admin(database: str, statement: sql.Composable) -> None:
    with psycopg.connect(**connection_arguments() | {"dbname": "postgres"}, autocommit=True) as c:
        c.execute(statement.format(sql.Identifier(database)))


def deliveries(events: int, repositories: int) -> list[tuple[str, bytes]]:
    kinds = sorted(QUEUED_EVENTS)
    out = []
    for n in range(events):
        name = f"acme/repo-{n % repositories}"
        payload = {"action": "synchronize", "repository": {"full_name": name}, "n": n}
        out.append((kinds[n % len(kinds)], json.dumps(payload).encode()))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repositories", type=int, default=10)
    parser.add_argument("--clients", type=int, default=16)
    options = parser.parse_args()

    database = f"bench_webhooks_{secrets.token_hex(4)}"
    admin(database, sql.SQL("CREATE DATABASE {}"))
    env = os.environ | {"PGDATABASE": database, "TAP_GITHUB_PRS_WEBHOOK_SECRET": SECRET}
    port = free_port()
    server = subprocess.Popen(
        [str(EXECUTABLE), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in server.stderr:
            if "Receiving GitHub webhooks at" in line:
                break
        else:
            raise SystemExit(f"the receiver exited {server.wait()} before listening")
        # Drain its log so a full pipe never blocks it.
        threading.Thread(target=server.stderr.read, daemon=True).start()
        result = burst(f"http://127.0.0.1:{port}/", options, env)
    finally:
        server.terminate()
        server.wait(timeout=30)
        admin(database, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)"))

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "webhooks_burst.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


def burst(url: str, options: argparse.Namespace, env: dict[str, str]) -> dict:
    items = deliveries(options.events, options.repositories)
    local = threading.local()

    def send(item: tuple[str, bytes]) -> tuple[int, float]:
        event, body = item
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        headers = {
            "Content-Type": "application/json",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": sign(SECRET, body),
        }
        started = time.perf_counter()
        status = session.post(url, data=body, headers=headers, timeout=10).status_code
        return status, time.perf_counter() - started

    log(
        f"{options.events} events for {options.repositories} repositories, "
        f"{options.clients} clients"
    )
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=options.clients) as pool:
        answers = list(pool.map(send, items))
    wall = time.perf_counter() - started

    latencies = sorted(seconds for _, seconds in answers)
    statuses: dict[str, int] = {}
    for status, _ in answers:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    arguments = connection_arguments(env)
    with psycopg.connect(**arguments) as connection:
        queue_rows, events_counted = connection.execute(
            "select count(*), coalesce(sum(event_count), 0) from tap_github_prs_webhooks.queue"
        ).fetchone()
        (delivery_rows,) = connection.execute(
            "select count(*) from tap_github_prs_webhooks.deliveries"
        ).fetchone()
    return {
        "events": options.events,
        "repositories": options.repositories,
        "clients": options.clients,
        "wall_seconds": round(wall, 3),
        "events_per_second": round(options.events / wall, 1),
        "latency_ms": {
            "p50": round(statistics.median(latencies) * 1000, 1),
            "p99": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
            "max": round(latencies[-1] * 1000, 1),
        },
        "statuses": statuses,
        "queue_rows": queue_rows,
        "events_counted": int(events_counted),
        "delivery_rows": delivery_rows,
        "cpus": os.cpu_count(),
    }


if __name__ == "__main__":
    raise SystemExit(main())
