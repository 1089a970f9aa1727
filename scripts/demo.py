"""`make demo`: the whole pipeline offline, from the GitHub stand-in to the marts.

1. warehouse: the PostgreSQL named by PG* (shell or .env), else the embedded one in .pgdata/;
2. the GitHub stand-in (github_standin/) on a free local port, with a sample dataset;
3. `meltano run tap-github-prs target-postgres dbt:run` in the dev environment;
4. a short summary queried from the marts;
5. the stand-in is stopped (the warehouse keeps running, with its data).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import warehouse
from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MELTANO = PROJECT_ROOT / ".venv/bin/meltano"
LOG_DIR = PROJECT_ROOT / "logs"
DEMO_TOKEN = "fake-token-1"  # noqa: S105 (not a secret: a token the stand-in accepts)
PROMISED_COMMAND = ("run", "tap-github-prs", "target-postgres", "dbt:run")
# Meltano log lines worth showing while the run goes (the full log goes to logs/demo.log).
PROGRESS = re.compile(
    r"Beginning sync|\bSynced\b|Incremental state|Run completed"  # Meltano and the tap
    r"|OK loaded seed|OK created sql table model|Done\. PASS"  # dbt: seeds, marts, totals
    r"|\bERROR\b|\bfailed\b|Traceback|Error:",
    re.IGNORECASE,
)


def step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, deadline_seconds: float = 60) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the GitHub stand-in exited early; see {LOG_DIR / 'fake-github.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)  # polling a starting server
    raise SystemExit(
        f"the GitHub stand-in did not answer on port {port} within {deadline_seconds}s"
    )


@contextmanager
def github_stand_in(seed: int, prs: int) -> Iterator[str]:
    """Run the stand-in in the background; yield its GraphQL URL."""
    port = free_port()
    LOG_DIR.mkdir(exist_ok=True)
    with (LOG_DIR / "fake-github.log").open("w") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "github_standin"),
                *("--port", str(port), "--seed", str(seed), "--prs", str(prs)),
            ],
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process)
            yield f"http://127.0.0.1:{port}/graphql"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def run_meltano(env: dict[str, str]) -> int:
    """Run the promised command, echo its progress lines, keep the full log."""
    log_path = LOG_DIR / "demo.log"
    print(f"$ meltano {' '.join(PROMISED_COMMAND)}    (full log: {log_path})", flush=True)
    started = time.monotonic()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(MELTANO), *PROMISED_COMMAND],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if PROGRESS.search(line):
                elapsed = time.monotonic() - started
                print(f"  [{elapsed:5.1f}s] {shorten(line)}", flush=True)
        return process.wait()


def shorten(line: str, width: int = 150) -> str:
    """Drop Meltano's timestamp/level prefix and ANSI colours from a log line."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", line.rstrip())
    text = re.sub(r"^\S+Z \[\w+\s*\] ", "", text)
    return text if len(text) <= width else text[: width - 1] + "…"


RAW_TABLES = ("pull_requests", "reviews", "commits", "files", "check_runs")
SUMMARY_SQL = """
select
    repository,
    count(*) as pull_requests,
    count(*) filter (where is_merged) as merged,
    round(cast(percentile_cont(0.5) within group (order by cycle_time_hours)
        filter (where is_merged) as numeric), 1) as median_cycle_time_hours
from analytics.fct_pull_requests
group by repository
order by repository
"""


def print_summary(variables: dict[str, str]) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(**libpq_arguments(variables)) as connection:
        rows = connection.execute(SUMMARY_SQL).fetchall()
        raw = {
            table: connection.execute(
                sql.SQL("select count(*) from raw_github.{}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in RAW_TABLES
        }
    print(f"  {'repository':<28} {'PRs':>6} {'merged':>7} {'median cycle time (h)':>22}")
    for repository, prs, merged, median in rows:
        median_text = "-" if median is None else f"{median}"
        print(f"  {repository:<28} {prs:>6} {merged:>7} {median_text:>22}")
    print("  raw_github rows: " + ", ".join(f"{table} {count}" for table, count in raw.items()))


# DORA's four (agg_dora_monthly), per repository: the latest month with data of each.
DORA_SQL = """
select distinct on (repository)
    repository, month_start, deployment_days, deployment_frequency_band,
    round(median_lead_time_hours, 1), lead_time_band,
    round(change_failure_rate * 100, 1), change_failure_rate_band,
    round(median_recovery_time_hours, 1), recovery_time_band, no_data_reason
from analytics.agg_dora_monthly
order by repository, (deployment_count > 0) desc nulls last, month_start desc
"""


def print_dora_summary(variables: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(**libpq_arguments(variables)) as connection:
        rows = connection.execute(DORA_SQL).fetchall()
    print("  DORA (Apache DevLake's definitions; latest month with a deployment):")
    header = ("repository", "month", "deploy days", "lead time (h)", "CFR %", "recovery (h)")
    print(
        f"  {header[0]:<28} {header[1]:<8} {header[2]:>14} {header[3]:>18} {header[4]:>13}"
        f" {header[5]:>17}"
    )

    def cell(value, band) -> str:
        return "-" if value is None else f"{value} {band or ''}".strip()

    for row in rows:
        repository, month, days, days_band, lead, lead_band, cfr, cfr_band = row[:8]
        recovery, recovery_band, reason = row[8:]
        if reason and days is None:
            print(f"  {repository:<28} {'':<8} {reason}")
            continue
        print(
            f"  {repository:<28} {str(month)[:7]:<8} {cell(days, days_band):>14}"
            f" {cell(lead, lead_band):>18} {cell(cfr, cfr_band):>13}"
            f" {cell(recovery, recovery_band):>17}"
        )


REPORT_PATH = PROJECT_ROOT / "output" / "report.html"


def write_report(variables: dict[str, str]) -> int:
    """The HTML report of the marts (tap_github_prs_report), from the same warehouse."""
    command = [sys.executable, "-m", "tap_github_prs_report", "--output", str(REPORT_PATH)]
    print(f"$ tap-github-prs-report --output {REPORT_PATH.relative_to(PROJECT_ROOT)}", flush=True)
    env = {**os.environ, **variables}
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=False).returncode


def libpq_arguments(variables: dict[str, str]) -> dict[str, str]:
    names = {"PGHOST": "host", "PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password"}
    arguments = {names[key]: value for key, value in variables.items() if key in names}
    arguments["dbname"] = variables.get("PGDATABASE", "postgres")
    return arguments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42, help="stand-in dataset seed")
    parser.add_argument(
        "--prs", type=int, default=3000, help="stand-in PRs over all its repositories"
    )
    args = parser.parse_args(argv)

    # .env fills what the shell does not set, as Meltano itself does.
    for key, value in dotenv_values(PROJECT_ROOT / ".env").items():
        if value is not None:
            os.environ.setdefault(key, value)

    step("warehouse")
    connection = warehouse.ensure_warehouse()
    print(f"  {connection.describe()}")

    step(f"GitHub stand-in (seed {args.seed}, {args.prs} PRs across its sample organizations)")
    with github_stand_in(args.seed, args.prs) as api_url:
        print(f"  {api_url}")
        step("extract, load and transform")
        # The demo reads the stand-in only: no real token or repository list from .env.
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TAP_GITHUB_PRS_")},
            **connection.variables,
            "MELTANO_ENVIRONMENT": "dev",
            "TAP_GITHUB_PRS_API_URL": api_url,
            "TAP_GITHUB_PRS_AUTH_TOKEN": DEMO_TOKEN,
        }
        returncode = run_meltano(env)
    if returncode:
        print(f"\nmeltano run failed (exit {returncode}); see {LOG_DIR / 'demo.log'}")
        return returncode

    step("summary from analytics.fct_pull_requests")
    print_summary(connection.variables)
    print_dora_summary(connection.variables)
    step("report")
    returncode = write_report(connection.variables)
    if returncode:
        print(f"\nthe report failed (exit {returncode}); the marts are built")
        return returncode
    step("done")
    print(f"  Report: {REPORT_PATH} (open it in a browser; `make report` writes it again)")
    print(f"  Query the marts: psql, with {' '.join(connection.exports().split()[1::2])}")
    print('  (`eval "$(.venv/bin/python scripts/warehouse.py env)"` sets them in your shell)')
    print("  Run again: incremental from the saved bookmarks (`meltano state list`).")
    if connection.embedded:
        print("  The embedded PostgreSQL keeps running: `make warehouse-stop` stops it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
