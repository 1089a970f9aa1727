"""`tap-github-prs-report`: read the marts through PG* (as dbt does), write one HTML file.

Settings come from options, else from the environment (Meltano's `report` utility sets them):
REPORT_OUTPUT, REPORT_WEEKS, REPORT_END, REPORT_SCHEMA (else DBT_SCHEMA, else analytics).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
import time
from pathlib import Path

DEFAULT_OUTPUT = "output/report.html"


def parse_args(argv: list[str]) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(
        prog="tap-github-prs-report",
        description="Write one self-contained HTML report of the tap-github-prs marts.",
    )
    parser.add_argument(
        "--output",
        "-o",
        default=env.get("REPORT_OUTPUT") or DEFAULT_OUTPUT,
        help=f"HTML file to write (env REPORT_OUTPUT; default {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--weeks",
        type=int,
        default=int(env.get("REPORT_WEEKS") or 26),
        help="length of the period in ISO weeks, ending with the last week of data "
        "(env REPORT_WEEKS; default 26)",
    )
    parser.add_argument(
        "--end",
        type=dt.date.fromisoformat,
        default=dt.date.fromisoformat(env["REPORT_END"]) if env.get("REPORT_END") else None,
        help="a day in the period's last week, YYYY-MM-DD (env REPORT_END; default: the "
        "last day with data)",
    )
    parser.add_argument(
        "--schema",
        default=env.get("REPORT_SCHEMA") or env.get("DBT_SCHEMA") or "analytics",
        help="schema of the marts (env REPORT_SCHEMA, else DBT_SCHEMA; default analytics)",
    )
    args = parser.parse_args(argv)
    if args.weeks < 1:
        parser.error("--weeks must be at least 1")
    return args


def build(
    output: Path,
    weeks: int = 26,
    end: dt.date | None = None,
    schema: str = "analytics",
    command: str = "tap-github-prs-report",
) -> Path:
    """Read the marts and write the page; return its path."""
    import psycopg

    from tap_github_prs_report import data, render

    with psycopg.connect(**data.connection_arguments(), connect_timeout=10) as connection:
        report = data.read(connection, schema=schema, weeks=weeks, end=end)
    page = render.render(report, command=command)
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(output.name + ".tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(output)
    return output


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    command = shlex.join(["tap-github-prs-report", *argv])
    if os.environ.get("MELTANO_PROJECT_ROOT"):
        command = "meltano report utility: " + command
    started = time.perf_counter()
    output = build(Path(args.output), args.weeks, args.end, args.schema, command)
    elapsed = time.perf_counter() - started
    size = output.stat().st_size
    print(f"report written: {output.resolve()} ({size / 1e6:.2f} MB, {elapsed:.1f} s)", flush=True)
    return 0
