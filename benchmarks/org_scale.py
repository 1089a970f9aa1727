"""An organisation of 500 repositories: what an incremental run costs when little changed.

Run: `.venv/bin/python -m benchmarks.org_scale [--repositories 500]`
(writes benchmarks/results/org_scale.json; BENCHMARKS.md reports it).

1. a first sync of every stream (pull requests and children, deployments, releases, issues);
2. a rerun with nothing changed: requests (one per 100 repositories expected);
3. 3 repositories get a new pull request, a minute apart; the rerun's requests, and which
   repositories it walked, in which order.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import time
from pathlib import Path

from github_standin import FakeGitHub
from tap_github_prs.tap import TapGitHubPRs

RESULTS = Path(__file__).resolve().parent / "results" / "org_scale.json"
TOKEN = "fake-token-1"  # noqa: S105 (the stand-in's token, not a secret)


def sync(github: FakeGitHub, state: dict | None) -> tuple[list[dict], dict, float]:
    config = {
        "auth_token": TOKEN,
        "api_url": github.graphql_url,
        "repositories": sorted(github.dataset.repositories),
        "start_date": "2020-01-01T00:00:00Z",
        "max_parallel_repos": 8,
    }
    tap = TapGitHubPRs(config=config, state=state or {}, parse_env_config=False)
    buffer = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(buffer):
        tap.sync_all()
    seconds = time.perf_counter() - started
    messages = [json.loads(line) for line in buffer.getvalue().splitlines()]
    records = [m for m in messages if m["type"] == "RECORD"]
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    return records, states[-1], seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=500)
    args = parser.parse_args(argv)
    names = [f"bigorg/repo-{index:04d}" for index in range(args.repositories)]
    result: dict = {"repositories": args.repositories}
    with FakeGitHub(seed=5, prs=2 * args.repositories, repositories=names, heavy_tails=False) as gh:
        records, state, seconds = sync(gh, None)
        result["first_sync"] = {
            "requests": gh.stats()["requests"],
            "records": len(records),
            "seconds": round(seconds, 1),
        }
        gh.reset_stats()
        records, state, seconds = sync(gh, state)
        result["no_change_rerun"] = {
            "requests": gh.stats()["requests"],
            "records": len(records),
            "seconds": round(seconds, 1),
        }
        gh.advance_clock(3600)
        changed = [names[7], names[250], names[-1]]
        for repository in changed:
            gh.advance_clock(60)
            gh.add_pull_request(repository, title=f"New in {repository}")
        gh.reset_stats()
        records, state, seconds = sync(gh, state)
        walked = [r["record"]["repository"] for r in records if r["stream"] == "pull_requests"]
        result["after_3_changed"] = {
            "requests": gh.stats()["requests"],
            "changed": changed,
            "pull_requests_from": walked,
            "seconds": round(seconds, 1),
        }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
