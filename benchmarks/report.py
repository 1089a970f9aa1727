"""Time the HTML report (tap-github-prs-report) on a warehouse of N pull requests.

    .venv/bin/python -m benchmarks.report                      # 10,000 PRs, 3 timed builds
    .venv/bin/python -m benchmarks.report --prs 3000 --screenshot docs/report.png

The GitHub stand-in generates N PRs (seed 42, its sample repositories, no latency);
`meltano run tap-github-prs target-postgres dbt:run` fills a fresh database on the PG* server
(default 127.0.0.1:5432, dropped afterwards); then the report is built --runs times in a
subprocess, as a user runs it, and the wall time (median) and file size are printed and written
to benchmarks/results/report.json. --screenshot also saves the page's top in headless Chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT_ROOT / "benchmarks" / "results"


def fake_github(prs: int):
    from github_standin import FakeGitHub

    return FakeGitHub(seed=42, prs=prs).start()


def log(message: str) -> None:
    print(f"[bench-report] {message}", file=sys.stderr, flush=True)


def screenshot(page: Path, target: Path, workdir: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "/usr/bin/chromium",
            *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
            *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
            "--proxy-server=http://127.0.0.1:9",
            f"--user-data-dir={workdir / 'chromium'}",
            "--window-size=1300,2300",
            "--virtual-time-budget=10000",
            f"--screenshot={target}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def main(argv: list[str] | None = None) -> None:
    import psycopg

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--screenshot", type=Path, help="save the page's top as this PNG")
    args = parser.parse_args(argv)

    server = {
        "PGHOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PGPORT": os.environ.get("PGPORT", "5432"),
        "PGUSER": os.environ.get("PGUSER", "postgres"),
    }
    pg = {"host": server["PGHOST"], "port": server["PGPORT"], "user": server["PGUSER"]}
    database = f"bench_report_{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory(prefix="report-bench-") as scratch:
        workdir = Path(scratch)
        sys_dir = workdir / "meltano-sys"
        sys_dir.mkdir()
        for plugin_type in ("extractors", "loaders", "utilities"):
            (sys_dir / plugin_type).symlink_to(PROJECT_ROOT / ".meltano" / plugin_type)
        with psycopg.connect(dbname="postgres", autocommit=True, **pg) as admin:
            admin.execute(f'create database "{database}"')
        github = fake_github(args.prs)
        try:
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("MELTANO_", "TAP_GITHUB_PRS", "DBT_", "PG", "REPORT_"))
            }
            env |= server | {
                "PGDATABASE": database,
                "MELTANO_ENVIRONMENT": "dev",
                "MELTANO_SYS_DIR_ROOT": str(sys_dir),
                "MELTANO_DATABASE_URI": f"sqlite:///{workdir / 'meltano.db'}",
                "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DBT_TARGET_PATH": str(workdir / "dbt-target"),
                "DBT_LOG_PATH": str(workdir / "dbt-logs"),
                "TAP_GITHUB_PRS_API_URL": github.graphql_url,
                "TAP_GITHUB_PRS_REPOSITORIES": json.dumps(sorted(github.dataset.repositories)),
            }
            log(f"pipeline: {args.prs} PRs into {database}")
            result = subprocess.run(
                [str(PROJECT_ROOT / ".venv/bin/meltano"), "run", "tap-github-prs",
                 "target-postgres", "dbt:run"],
                cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            github.stop()
            if result.returncode:
                (workdir / "meltano.log").write_text(result.stdout + result.stderr)
                raise SystemExit(result.stdout[-3000:] + result.stderr[-3000:])
            with psycopg.connect(dbname=database, **pg) as warehouse:
                prs = warehouse.execute("select count(*) from analytics.fct_pull_requests")
                mart_prs = prs.fetchone()[0]
            page = workdir / "report.html"
            command = [str(PROJECT_ROOT / ".venv/bin/tap-github-prs-report"), "-o", str(page)]
            subprocess.run(command, env=env, check=True, capture_output=True)  # warm caches
            walls = []
            for _ in range(args.runs):
                started = time.perf_counter()
                subprocess.run(command, env=env, check=True, capture_output=True)
                walls.append(time.perf_counter() - started)
            size = page.stat().st_size
            if args.screenshot:
                screenshot(page, args.screenshot.resolve(), workdir)
                log(f"screenshot: {args.screenshot}")
        finally:
            github.stop()
            with psycopg.connect(dbname="postgres", autocommit=True, **pg) as admin:
                admin.execute(f'drop database if exists "{database}" with (force)')
    outcome = {
        "prs": args.prs,
        "fct_pull_requests": mart_prs,
        "repositories": len(github.dataset.repositories),
        "runs": args.runs,
        "wall_seconds_median": round(statistics.median(walls), 2),
        "wall_seconds": [round(wall, 2) for wall in walls],
        "bytes": size,
        "command": "tap-github-prs-report -o report.html",
    }
    print(json.dumps(outcome, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"report-{args.prs}.json").write_text(json.dumps(outcome, indent=2) + "\n")


if __name__ == "__main__":
    main()
