"""Side by side: tap-github-prs (GraphQL) vs MeltanoLabs tap-github (REST), same data and latency.

Each tap runs as a subprocess against its own fresh stand-in (same seed, so the same dataset) with
the same injected latency per request. The stand-in counts the requests; we count the records.

    .venv/bin/python -m benchmarks.compare_tap_github --prs 200 --latency 0.3 \\
        --repos acme/widgets,acme/gadgets

tap-github must be installed in its own virtualenv (see benchmarks/README_compare.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from github_standin import FakeGitHub

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OUR_TAP = PROJECT_ROOT / ".venv/bin/tap-github-prs"
THEIR_TAP = PROJECT_ROOT / "benchmarks/.venv-tap-github/bin/tap-github"
THEIR_VERSION = "meltanolabs-tap-github==1.30.1"
THEIR_STREAMS = ("pull_requests", "reviews", "pull_request_commits")
RESULT_PATH = PROJECT_ROOT / "benchmarks/results/compare.json"
# Anonymous REST gets 60 requests an hour on GitHub; here the quota must not be what we measure.
BENCH_QUOTA = 10_000_000
CANNOT_FETCH = (
    "tap-github has no stream for changed files (paths and per-file sizes), check runs or check "
    "suites, and no PR size (additions, deletions, changed files) in its pull_requests records "
    "(REST's list endpoint omits them); its pull_request_diffs stream fetches the raw diff, one "
    "more request per PR, which is not selected here."
)


def fresh_github(args: argparse.Namespace) -> FakeGitHub:
    github = FakeGitHub(
        seed=args.seed,
        prs=args.prs,
        repositories=args.repos,
        rate_limit=BENCH_QUOTA,
        allow_anonymous=True,
    )
    if args.latency:
        github.add_fault("latency", seconds=args.latency)
    return github


def clean_env() -> dict[str, str]:
    """No tokens from the caller's environment may reach either tap."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TAP_GITHUB", "GITHUB_"))
    }


def run_tap(command: list[str], github: FakeGitHub, pr_stream: str) -> dict[str, Any]:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=clean_env(), check=False)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{result.stderr[-3000:]}")
    records: Counter[str] = Counter()
    for line in result.stdout.splitlines():
        if line.startswith('{"type":"RECORD"') or '"type": "RECORD"' in line[:40]:
            records[json.loads(line)["stream"]] += 1
    stats = github.stats()
    prs = records[pr_stream]
    total = sum(records.values())
    return {
        "requests": stats["requests"],
        "requests_by_operation": {k: v["requests"] for k, v in stats["operations"].items()},
        "requests_per_pr": round(stats["requests"] / prs, 3) if prs else None,
        "prs_per_request": round(prs / stats["requests"], 2) if stats["requests"] else None,
        "graphql_cost": stats["cost"],
        "graphql_cost_per_1000_prs": round(stats["cost"] * 1000 / prs) if prs else None,
        "wall_seconds": round(wall, 2),
        "records": total,
        "records_by_stream": dict(records),
        "records_per_second": round(total / wall, 1),
        "prs": prs,
        "errors": stats["errors_4xx"] + stats["errors_5xx"],
    }


def run_ours(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    with fresh_github(args) as github:
        config = {
            "auth_token": "fake-token-1",
            "api_url": github.graphql_url,
            "repositories": args.repos,
        }
        config_path = workdir / "ours.json"
        config_path.write_text(json.dumps(config))
        return run_tap([str(OUR_TAP), "--config", str(config_path)], github, "pull_requests")


def their_catalog(config_path: Path) -> dict[str, Any]:
    """Discover, then select only the PR streams (their parent `repositories` runs unselected)."""
    discovered = subprocess.run(
        [str(THEIR_TAP), "--config", str(config_path), "--discover"],
        capture_output=True,
        text=True,
        env=clean_env(),
        check=True,
    )
    catalog = json.loads(discovered.stdout)
    for stream in catalog["streams"]:
        selected = stream["tap_stream_id"] in THEIR_STREAMS
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = selected
    return catalog


def run_theirs(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    with fresh_github(args) as github:
        config = {
            "api_url_base": github.url,
            "repositories": args.repos,
            "start_date": "2000-01-01T00:00:00Z",
        }
        config_path = workdir / "theirs.json"
        config_path.write_text(json.dumps(config))
        catalog_path = workdir / "theirs-catalog.json"
        catalog_path.write_text(json.dumps(their_catalog(config_path)))
        command = [str(THEIR_TAP), "--config", str(config_path), "--catalog", str(catalog_path)]
        return run_tap(command, github, "pull_requests")


def ratios(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, float | None]:
    def ratio(key: str) -> float | None:
        return round(ours[key] / theirs[key], 4) if ours[key] and theirs[key] else None

    return {
        "requests": ratio("requests"),
        "requests_per_pr": ratio("requests_per_pr"),
        "wall_seconds": ratio("wall_seconds"),
        "records_per_second": ratio("records_per_second"),
        "theirs_wall_over_ours": round(theirs["wall_seconds"] / ours["wall_seconds"], 1),
        "theirs_requests_over_ours": round(theirs["requests"] / ours["requests"], 1),
    }


def table(result: dict[str, Any]) -> str:
    ours, theirs, ratio = result["ours"], result["theirs"], result["ratios"]
    rows = [
        ("PRs extracted", ours["prs"], theirs["prs"], None),
        ("requests", ours["requests"], theirs["requests"], ratio["requests"]),
        ("requests per PR", ours["requests_per_pr"], theirs["requests_per_pr"], None),
        ("GraphQL cost / 1,000 PRs", ours["graphql_cost_per_1000_prs"], "n/a (REST)", None),
        ("wall seconds", ours["wall_seconds"], theirs["wall_seconds"], ratio["wall_seconds"]),
        ("records", ours["records"], theirs["records"], None),
        ("records / second", ours["records_per_second"], theirs["records_per_second"], None),
    ]
    lines = [f"{'':26} {'ours':>12} {'tap-github':>12} {'ours÷theirs':>12}"]
    for name, a, b, r in rows:
        lines.append(f"{name:26} {a!s:>12} {b!s:>12} {'' if r is None else r:>12}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prs", type=int, default=200, help="PRs in the dataset (all repos)")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds added per request")
    parser.add_argument("--repos", default="acme/widgets,acme/gadgets")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", type=Path, default=RESULT_PATH)
    args = parser.parse_args(argv)
    args.repos = [name.strip() for name in args.repos.split(",") if name.strip()]
    if not THEIR_TAP.exists():
        raise SystemExit(f"{THEIR_TAP} missing: see benchmarks/README_compare.md")
    with tempfile.TemporaryDirectory() as tmp:
        ours = run_ours(args, Path(tmp))
        theirs = run_theirs(args, Path(tmp))
    result = {
        "scenario": "compare_tap_github",
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "command": "python -m benchmarks.compare_tap_github "
        f"--prs {args.prs} --latency {args.latency} --repos {','.join(args.repos)} "
        f"--seed {args.seed}",
        "latency_seconds": args.latency,
        "dataset": {"seed": args.seed, "prs": args.prs, "repositories": args.repos},
        "theirs_version": THEIR_VERSION,
        "theirs_streams": list(THEIR_STREAMS),
        "ours": ours,
        "theirs": theirs,
        "ratios": ratios(ours, theirs),
        "tap_github_cannot_fetch": CANNOT_FETCH,
    }
    print(table(result))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written: {args.output}")
    return result


if __name__ == "__main__":
    main()
