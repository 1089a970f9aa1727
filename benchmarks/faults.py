"""GitHub's failure modes at full speed: the tap against the stand-in with faults, vs. a clean run.

Run: `.venv/bin/python -m benchmarks.faults [--prs 2000] [--latency 0.3]`
(writes benchmarks/results/faults.json; BENCHMARKS.md reports it).

Scenarios, each on the stand-in's default repositories (seed 42), the tap in this process:
- clean: no fault;
- every_5th_502: every 5th request answered at once by a 502 with GitHub's body;
- random_10pct: 10% of requests fail at random (fast 502, 504, dropped connection, truncated
  body; seeded), and every record must equal the clean run's;
- heavy_time_model: a fifth of the PRs carry >100 commits and files, GitHub's server-time model
  on (scaled), compared with the same data without the model (where no page can time out);
- secondary_limits: max_parallel_repos 16 with GitHub's secondary limits on (2,000 points per
  minute, 100 concurrent requests, 60 s of CPU per minute): answers that hit a limit, and
  records equal to the clean run's.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import time
import typing as t
from pathlib import Path

from github_standin.faults import Fault

from github_standin import FakeGitHub
from tap_github_prs.tap import TapGitHubPRs

RESULTS = Path(__file__).resolve().parent / "results" / "faults.json"
TOKEN = "fake-token-1"  # noqa: S105 (the stand-in's token, not a secret)


def run_tap(github: FakeGitHub, **config: object) -> tuple[set[str], float]:
    """Sync every repository in this process; return the records (as JSON lines) and seconds."""
    tap_config = {
        "auth_token": TOKEN,
        "api_url": github.graphql_url,
        "repositories": sorted(github.dataset.repositories),
        "start_date": "2020-01-01T00:00:00Z",
        **config,
    }
    tap = TapGitHubPRs(config=tap_config, parse_env_config=False)
    buffer = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(buffer):
        tap.sync_all()
    seconds = time.perf_counter() - started
    records = set()
    for line in buffer.getvalue().splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            records.add(message["stream"] + "\t" + json.dumps(message["record"], sort_keys=True))
    return records, seconds


def measure(github: FakeGitHub, **config: object) -> tuple[dict, set[str]]:
    github.reset_stats()
    records, seconds = run_tap(github, **config)
    stats = github.stats()
    result = {
        "requests": stats["requests"],
        "seconds": round(seconds, 1),
        "records": len(records),
        "status": stats.get("status", {}),
        "faults": stats.get("faults", {}),
        "requests_by_operation": {
            name: operation.get("requests", 0)
            for name, operation in (stats.get("operations") or {}).items()
        },
    }
    return result, records


def scenario(
    name: str, prs: int, latency: float, faults: list[Fault], **server: t.Any
) -> tuple[dict, set[str]]:
    tap_options = {"max_parallel_repos": server.pop("parallel", 2)}
    if server.get("time_model"):
        # The stand-in's 10 s budget is scaled: tell the tap GitHub's limit at that scale.
        tap_options["github_timeout_seconds"] = max(1.0, 10 * server["time_scale"])
    with FakeGitHub(seed=42, prs=prs, faults=faults, **server) as github:
        if latency:
            github.add_fault("latency", seconds=latency)
        result, records = measure(github, **tap_options)
    print(f"{name}: {result}", flush=True)
    return result, records


def heavy(prs: int, time_scale: float) -> dict:
    plain, plain_records = scenario("heavy_no_model", prs, 0.0, [], heavy_share=0.2)
    modelled, modelled_records = scenario(
        "heavy_time_model", prs, 0.0, [], heavy_share=0.2, time_model=True, time_scale=time_scale
    )
    return {
        **modelled,
        "time_scale": time_scale,
        "requests_without_model": plain["requests"],
        "requests_ratio": round(modelled["requests"] / plain["requests"], 2),
        "records_identical": modelled_records == plain_records,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--time-scale", type=float, default=0.3)
    parser.add_argument("--only", default="", help="comma-separated: heavy (the others need clean)")
    args = parser.parse_args(argv)
    if args.only == "heavy":
        results_heavy = heavy(args.prs, args.time_scale)
        print(json.dumps(results_heavy, indent=2))
        return
    prs, latency = args.prs, args.latency
    results: dict[str, dict] = {"prs": prs, "latency_s": latency}

    clean, clean_records = scenario("clean", prs, latency, [])
    results["clean"] = clean

    every_5th, every_5th_records = scenario(
        "every_5th_502", prs, latency, [Fault("server_error", status=502, every=5)]
    )
    results["every_5th_502"] = {
        **every_5th,
        "requests_ratio": round(every_5th["requests"] / clean["requests"], 2),
        "seconds_ratio": round(every_5th["seconds"] / clean["seconds"], 2),
        "records_identical": every_5th_records == clean_records,
    }

    random_10, random_records = scenario(
        "random_10pct", prs, latency, [Fault("transient", probability=0.1)], fault_seed=7
    )
    results["random_10pct"] = {
        **random_10,
        "requests_ratio": round(random_10["requests"] / clean["requests"], 2),
        "seconds_ratio": round(random_10["seconds"] / clean["seconds"], 2),
        "records_identical": random_records == clean_records,
    }

    results["heavy_time_model"] = heavy(prs, args.time_scale)

    limited, limited_records = scenario(
        "secondary_limits",
        prs,
        0.0,
        [],
        secondary_per_minute=2000,
        max_concurrent=100,
        secondary_cpu_per_minute=60,
        parallel=16,
    )
    results["secondary_limits"] = {
        **limited,
        "max_parallel_repos": 16,
        "records_identical": limited_records == clean_records,
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
