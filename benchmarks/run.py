"""Benchmarks of tap-github-prs against the GitHub stand-in, at GitHub-like latency.

    .venv/bin/python -m benchmarks.run                      # every scenario, 300 ms per request
    .venv/bin/python -m benchmarks.run --only tap --prs 200,2000 --latency 0.3
    .venv/bin/python -m benchmarks.run --quick              # small sizes, a smoke run

Scenarios (`--only`, comma-separated):
- tap: our tap alone, per dataset size: requests, PRs per request, GraphQL cost per 1,000 PRs,
  wall time, records per second; then a rerun with no changes (requests, wall time, records).
- resume: SIGKILL the tap after its third STATE message, rerun from the last state; requests
  beyond an uninterrupted run = what the kill cost.
- tokens: two tokens with a quota too small for the run: nothing lost, time spent waiting.
- pipeline: `meltano run tap-github-prs target-postgres dbt-postgres:build` into a fresh
  PostgreSQL database (PG* variables, default 127.0.0.1:5432), per size.
- profile: the tap in-process at 0 ms latency under pyinstrument; records per second.

Results are printed and written as JSON to benchmarks/results/<scenario>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from github_standin import FakeGitHub

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT_ROOT / "benchmarks" / "results"
# A failed step's log is copied here: the scratch folder it was written in is deleted on exit.
FAILURE_LOGS = PROJECT_ROOT / "logs"
TOKENS = ("fake-token-1", "fake-token-2")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


def start_github(prs: int, latency: float, **options) -> FakeGitHub:
    github = FakeGitHub(seed=42, prs=prs, **options).start()
    if latency:
        github.add_fault("latency", seconds=latency)
    return github


def kept_log(name: str, text: str, tail_lines: int = 20) -> str:
    """Keep a failed step's log where it outlives the run; a hint naming it, with its tail."""
    FAILURE_LOGS.mkdir(exist_ok=True)
    path = FAILURE_LOGS / f"bench-{name}.log"
    path.write_text(text)
    tail = "\n".join(text.splitlines()[-tail_lines:])
    return f"see {path}; its last lines:\n{tail}"


def tap_config(github: FakeGitHub, tokens: tuple[str, ...] = TOKENS[:1]) -> dict:
    return {
        "auth_token": tokens[0],
        "additional_auth_tokens": list(tokens[1:]),
        "api_url": github.graphql_url,
        "repositories": sorted(github.dataset.repositories),
    }


def tap_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_GITHUB_PRS_")}
    env.pop("GITHUB_TOKEN", None)
    return env


class TapProcess:
    """The tap as a subprocess; counts RECORD messages and keeps the last STATE."""

    def __init__(self, config: dict, state: dict | None, workdir: Path) -> None:
        config_path = workdir / f"config-{secrets.token_hex(3)}.json"
        config_path.write_text(json.dumps(config))
        command = [str(PROJECT_ROOT / ".venv/bin/tap-github-prs"), "--config", str(config_path)]
        if state:
            state_path = workdir / f"state-{secrets.token_hex(3)}.json"
            state_path.write_text(json.dumps(state))
            command += ["--state", str(state_path)]
        self.stderr_path = workdir / f"tap-{secrets.token_hex(3)}.log"
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=self.stderr_path.open("w"),
            env=tap_env(),
            text=True,
        )
        self.records = 0
        self.states: list[dict] = []

    def run(self, kill_after_states: int | None = None) -> float:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith('{"type":"RECORD"') or line.startswith('{"type": "RECORD"'):
                self.records += 1
            elif '"type":"STATE"' in line[:40] or '"type": "STATE"' in line[:40]:
                self.states.append(json.loads(line)["value"])
                if kill_after_states and len(self.states) >= kill_after_states:
                    self.process.send_signal(signal.SIGKILL)
                    break
        self.process.wait()
        elapsed = time.perf_counter() - self.started
        if kill_after_states is None and self.process.returncode != 0:
            hint = kept_log("tap", self.stderr_path.read_text(errors="replace"))
            raise SystemExit(f"the tap failed (exit {self.process.returncode}); {hint}")
        return elapsed


def github_totals(github: FakeGitHub) -> dict:
    stats = github.stats()
    return {"requests": stats["requests"], "cost": stats["cost"]}


def scenario_tap(sizes: list[int], latency: float, workdir: Path) -> dict:
    rows = []
    for prs in sizes:
        github = start_github(prs, latency)
        try:
            log(f"tap: {prs} PRs at {latency * 1000:.0f} ms per request")
            tap = TapProcess(tap_config(github), None, workdir)
            wall = tap.run()
            totals = github_totals(github)
            github.reset_stats()
            rerun = TapProcess(tap_config(github), tap.states[-1], workdir)
            rerun_wall = rerun.run()
            rerun_totals = github_totals(github)
        finally:
            github.stop()
        repositories = len(github.dataset.repositories)
        rows.append(
            {
                "prs": prs,
                "repositories": repositories,
                "requests": totals["requests"],
                "prs_per_request": round(prs / totals["requests"], 1),
                "cost_per_1000_prs": round(totals["cost"] * 1000 / prs),
                "wall_seconds": round(wall, 1),
                "records": tap.records,
                "records_per_second": round(tap.records / wall),
                "rerun_requests": rerun_totals["requests"],
                "rerun_requests_per_repository": round(rerun_totals["requests"] / repositories, 2),
                "rerun_records": rerun.records,
                "rerun_wall_seconds": round(rerun_wall, 1),
            }
        )
        log(json.dumps(rows[-1]))
    return {"latency_seconds": latency, "runs": rows}


def scenario_resume(prs: int, latency: float, workdir: Path) -> dict:
    github = start_github(prs, latency)
    try:
        log(f"resume: uninterrupted run of {prs} PRs")
        whole = TapProcess(tap_config(github), None, workdir)
        whole.run()
        uninterrupted = github_totals(github)["requests"]
        github.reset_stats()
        log("resume: run killed after its third STATE, then resumed")
        killed = TapProcess(tap_config(github), None, workdir)
        killed.run(kill_after_states=3)
        before_kill = github_totals(github)["requests"]
        resumed = TapProcess(tap_config(github), killed.states[-1], workdir)
        resumed.run()
        total = github_totals(github)["requests"]
    finally:
        github.stop()
    in_flight = min(len(github.dataset.repositories), 2)  # max_parallel_repos default
    return {
        "prs": prs,
        "latency_seconds": latency,
        "uninterrupted_requests": uninterrupted,
        "killed_run_requests": before_kill,
        "killed_plus_resumed_requests": total,
        "extra_requests": total - uninterrupted,
        "repositories_in_flight": in_flight,
        "records_uninterrupted": whole.records,
        "records_killed_plus_resumed": killed.records + resumed.records,
    }


def scenario_tokens(prs: int, latency: float, workdir: Path) -> dict:
    baseline_github = start_github(prs, latency)
    try:
        baseline = TapProcess(tap_config(baseline_github), None, workdir)
        baseline_wall = baseline.run()
        cost = github_totals(baseline_github)["cost"]
    finally:
        baseline_github.stop()
    # Each token's quota is 40% of the run's cost: token 1 runs dry, token 2 takes over, then
    # both are dry and the tap waits for the first reset.
    quota = max(1, int(cost * 0.4))
    window = 15
    github = start_github(prs, latency, rate_limit=quota, rate_limit_window=window)
    try:
        log(f"tokens: {prs} PRs, 2 tokens of {quota} points per {window} s (run costs {cost})")
        run = TapProcess(tap_config(github, TOKENS), None, workdir)
        wall = run.run()
        stats = github.stats()
    finally:
        github.stop()
    return {
        "prs": prs,
        "latency_seconds": latency,
        "run_cost_points": cost,
        "quota_per_token": quota,
        "quota_window_seconds": window,
        "records_baseline": baseline.records,
        "records_with_limits": run.records,
        "nothing_lost": run.records == baseline.records,
        "wall_seconds_baseline": round(baseline_wall, 1),
        "wall_seconds_with_limits": round(wall, 1),
        "seconds_spent_waiting": round(wall - baseline_wall, 1),
        "rate_limited_answers": stats.get("rate_limited", stats.get("faults")),
    }


def private_meltano_dir(root: Path) -> Path:
    """A .meltano of our own sharing the installed plugins (see tests/e2e/conftest.py)."""
    sys_dir = root / "meltano-sys"
    sys_dir.mkdir()
    for plugin_type in ("extractors", "loaders", "utilities"):
        (sys_dir / plugin_type).symlink_to(PROJECT_ROOT / ".meltano" / plugin_type)
    return sys_dir


def scenario_pipeline(sizes: list[int], latency: float, workdir: Path) -> dict:
    import psycopg

    server = {
        "PGHOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PGPORT": os.environ.get("PGPORT", "5432"),
        "PGUSER": os.environ.get("PGUSER", "postgres"),
    }
    rows = []
    for prs in sizes:
        database = f"bench_{secrets.token_hex(4)}"
        with psycopg.connect(dbname="postgres", autocommit=True, **_pg(server)) as admin:
            admin.execute(f'create database "{database}"')
        github = start_github(prs, latency)
        run_dir = workdir / database
        run_dir.mkdir()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("MELTANO_", "TAP_GITHUB_PRS", "TARGET_POSTGRES", "DBT_", "PG"))
        }
        env |= server | {
            "PGDATABASE": database,
            "MELTANO_ENVIRONMENT": "dev",
            "MELTANO_SYS_DIR_ROOT": str(private_meltano_dir(run_dir)),
            "MELTANO_DATABASE_URI": f"sqlite:///{run_dir / 'meltano.db'}",
            "DBT_TARGET_PATH": str(run_dir / "dbt-target"),
            "DBT_LOG_PATH": str(run_dir / "dbt-logs"),
            "TAP_GITHUB_PRS_API_URL": github.graphql_url,
            "TAP_GITHUB_PRS_REPOSITORIES": json.dumps(sorted(github.dataset.repositories)),
        }
        command = [
            str(PROJECT_ROOT / ".venv/bin/meltano"),
            "run",
            "tap-github-prs",
            "target-postgres",
            "dbt-postgres:build",
        ]
        log(f"pipeline: {prs} PRs at {latency * 1000:.0f} ms: {' '.join(command[1:])}")
        try:
            started = time.perf_counter()
            result = subprocess.run(
                command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
            )
            wall = time.perf_counter() - started
            if result.returncode != 0:
                hint = kept_log("pipeline", result.stdout + result.stderr)
                raise SystemExit(f"pipeline failed (exit {result.returncode}); {hint}")
            with psycopg.connect(dbname=database, **_pg(server)) as warehouse:
                loaded = warehouse.execute("select count(*) from raw_github.pull_requests")
                raw_prs = loaded.fetchone()[0]
                built = warehouse.execute("select count(*) from analytics.fct_pull_requests")
                mart_prs = built.fetchone()[0]
            requests = github.stats()["requests"]
        finally:
            github.stop()
            with psycopg.connect(dbname="postgres", autocommit=True, **_pg(server)) as admin:
                admin.execute(f'drop database if exists "{database}" with (force)')
        rows.append(
            {
                "prs": prs,
                "wall_seconds": round(wall, 1),
                "requests": requests,
                "raw_pull_requests": raw_prs,
                "fct_pull_requests": mart_prs,
            }
        )
        log(json.dumps(rows[-1]))
    return {"latency_seconds": latency, "command": " ".join(command[1:]), "runs": rows}


def _pg(server: dict[str, str]) -> dict[str, str]:
    return {"host": server["PGHOST"], "port": server["PGPORT"], "user": server["PGUSER"]}


def scenario_profile(prs: int, workdir: Path) -> dict:
    """The tap's CPU path: in-process, 0 ms latency, replaying responses from a warm cache."""
    import contextlib
    import io

    from pyinstrument import Profiler

    from tap_github_prs.tap import TapGitHubPRs

    github = start_github(prs, 0)
    cache_dir = workdir / "profile-cache"
    config = tap_config(github) | {"cache_dir": str(cache_dir), "cache_mode": "use"}
    try:
        # First run fills the cache, so the measured run spends no time in the stand-in.
        with contextlib.redirect_stdout(io.StringIO()):
            TapGitHubPRs(config=config, parse_env_config=False).sync_all()
        profiler = Profiler()
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            profiler.start()
            started = time.perf_counter()
            TapGitHubPRs(config=config, parse_env_config=False).sync_all()
            elapsed = time.perf_counter() - started
            profiler.stop()
    finally:
        github.stop()
    records = output.getvalue().count('"type":"RECORD"') + output.getvalue().count(
        '"type": "RECORD"'
    )
    report = RESULTS / "profile.txt"
    report.write_text(profiler.output_text(unicode=False, color=False, show_all=False))
    return {
        "prs": prs,
        "records": records,
        "seconds": round(elapsed, 2),
        "records_per_second": round(records / elapsed),
        "profile": str(report.relative_to(PROJECT_ROOT)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="tap,resume,tokens,pipeline,profile")
    parser.add_argument("--prs", default="200,2000,10000", help="sizes of the tap scenario")
    parser.add_argument("--pipeline-prs", default="1000,10000")
    parser.add_argument("--resume-prs", type=int, default=2000)
    parser.add_argument("--tokens-prs", type=int, default=2000)
    parser.add_argument("--profile-prs", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per request")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.prs, args.pipeline_prs = "200", "200"
        args.resume_prs = args.tokens_prs = args.profile_prs = 300
    sizes = [int(size) for size in args.prs.split(",")]
    pipeline_sizes = [int(size) for size in args.pipeline_prs.split(",")]
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tap-github-prs-bench-") as scratch:
        workdir = Path(scratch)
        scenarios = {
            "tap": lambda: scenario_tap(sizes, args.latency, workdir),
            "resume": lambda: scenario_resume(args.resume_prs, args.latency, workdir),
            "tokens": lambda: scenario_tokens(args.tokens_prs, args.latency, workdir),
            "pipeline": lambda: scenario_pipeline(pipeline_sizes, args.latency, workdir),
            "profile": lambda: scenario_profile(args.profile_prs, workdir),
        }
        for name in args.only.split(","):
            result = {"scenario": name, "machine": machine(), **scenarios[name]()}
            (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
            print(json.dumps(result, indent=2), flush=True)


if __name__ == "__main__":
    main()
