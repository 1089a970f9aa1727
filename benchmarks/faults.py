"""GitHub's failure modes at full speed: the tap against the stand-in with faults, vs. a clean run.

Run: `.venv/bin/python -m benchmarks.faults [--prs 2000] [--latency 0.3] [--time-scale 1.0]`
(writes benchmarks/results/faults.json; BENCHMARKS.md reports it).

Scenarios, each on the stand-in's default repositories (seed 42), the tap in this process:
- clean: no fault;
- every_5th_502: every 5th request answered at once by a 502 with GitHub's body;
- random_10pct: 10% of requests fail at random (fast 502, 504, dropped connection, truncated
  body; seeded), and every record must equal the clean run's;
- heavy_time_model: a fifth of the PRs carry >100 commits and files, GitHub's server-time model
  on (scaled), compared with the same data without the model (where no page can time out):
  requests, records, and how full the page requests were (`pages`: shares of the budget);
- secondary_limits: max_parallel_repos 16 with GitHub's secondary limits on (2,000 points per
  minute, 100 concurrent requests, 60 s of CPU per minute): answers that hit a limit, and
  records equal to the clean run's.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
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


def page_fill(stats: dict, budget: float) -> dict | None:
    """How full the pull request page requests were, in shares of GitHub's time budget (the
    stand-in's modelled seconds): a page smaller than it must be shows as a light request."""
    requests = (stats.get("server_time") or {}).get("requests") or []
    pages = [r for r in requests if r.get("operation") == "PullRequestsPage"]
    answered = sorted(r["modelled"] / budget for r in pages if not r["timed_out"])
    if not answered:
        return None
    return {
        "page_requests": len(pages),
        "timed_out": sum(1 for r in pages if r["timed_out"]),
        "median_share_of_budget": round(statistics.median(answered), 2),
        "mean_share_of_budget": round(statistics.fmean(answered), 2),
        "under_half_of_budget": sum(1 for share in answered if share < 0.5),
    }


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
    if github.time_model is not None:
        result["pages"] = page_fill(stats, github.time_model.budget)
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
        "requests_by_operation_without_model": plain["requests_by_operation"],
        "requests_ratio": round(modelled["requests"] / plain["requests"], 2),
        "records_identical": modelled_records == plain_records,
    }


SCENARIOS = ("every_5th_502", "random_10pct", "heavy", "secondary_limits")


def compared(result: dict, records: set[str], clean: dict, clean_records: set[str]) -> dict:
    return {
        **result,
        "requests_ratio": round(result["requests"] / clean["requests"], 2),
        "seconds_ratio": round(result["seconds"] / clean["seconds"], 2),
        "records_identical": records == clean_records,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.3)
    # 1.0: GitHub-like seconds (a heavy page takes seconds; the run ~8 min). Smaller scales
    # shrink the budget with them, and the stand-in's own execution time starts to count.
    parser.add_argument("--time-scale", type=float, default=1.0)
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated among {', '.join(SCENARIOS)} (the clean run comes along when "
        "needed); prints the results without writing the results file",
    )
    args = parser.parse_args(argv)
    chosen = [name for name in args.only.split(",") if name] or list(SCENARIOS)
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    prs, latency = args.prs, args.latency
    results: dict[str, t.Any] = {
        "command": " ".join([".venv/bin/python -m benchmarks.faults", *(argv or sys.argv[1:])]),
        "prs": prs,
        "latency_s": latency,
    }
    if set(chosen) - {"heavy"}:
        clean, clean_records = scenario("clean", prs, latency, [])
        results["clean"] = clean
    if "every_5th_502" in chosen:
        every_5th, records = scenario(
            "every_5th_502", prs, latency, [Fault("server_error", status=502, every=5)]
        )
        results["every_5th_502"] = compared(every_5th, records, clean, clean_records)
    if "random_10pct" in chosen:
        random_10, records = scenario(
            "random_10pct", prs, latency, [Fault("transient", probability=0.1)], fault_seed=7
        )
        results["random_10pct"] = compared(random_10, records, clean, clean_records)
    if "heavy" in chosen:
        results["heavy_time_model"] = heavy(prs, args.time_scale)
    if "secondary_limits" in chosen:
        limited, records = scenario(
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
            "records_identical": records == clean_records,
        }
    if not args.only:
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
