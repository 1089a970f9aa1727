"""GraphQL points per 1,000 PRs and PRs per request of the pull-request page, and what each
nested connection of the page costs.

    .venv/bin/python -m benchmarks.page_cost            # seed 42, 2,000 PRs, 9 repositories

1. Syncs the stand-in's default dataset (what `python -m github_standin` serves) with the tap
   in this process, pull-request streams only, and counts requests and points per operation
   from the stand-in's `/_stats`.
2. Prices page variants with `rateLimit(dryRun: true)` (the stand-in answers with GitHub's
   static cost and runs nothing): the page as sent, the page with one connection left out,
   and the old CI path (`commits(last: 1) > checkSuites(first: 5) > checkRuns(first: 100)`).

Writes benchmarks/results/page_cost.json.
"""

from __future__ import annotations

import contextlib
import io
import json
import urllib.request
from pathlib import Path

import graphql

from github_standin import FakeGitHub
from tap_github_prs import queries
from tap_github_prs.streams import STREAM_TYPES
from tap_github_prs.tap import DEFAULT_PAGE_SIZE, TapGitHubPRs

RESULTS = Path(__file__).resolve().parent / "results"
PR_STREAMS = (
    "pull_requests",
    "reviews",
    "commits",
    "files",
    "check_runs",
    "commit_statuses",
    "pull_request_events",
)
OLD_CI_PATH = """  headCommit: commits(last: 1) {
    nodes { commit { id oid checkSuites(first: 5) { totalCount pageInfo { ...PageInfoFields }
      nodes { id app { name slug } checkRuns(first: 100) { totalCount
        pageInfo { ...PageInfoFields } nodes { id name status conclusion } } } } } }
  }
"""


def _sync(github: FakeGitHub) -> dict:
    config = {
        "auth_token": github.tokens[0],
        "repositories": sorted(github.dataset.repositories),
        "api_url": github.graphql_url,
    }
    tap = TapGitHubPRs(config=config, parse_env_config=False)
    for stream in tap.streams.values():  # pull-request streams only
        stream.selected = stream.name in PR_STREAMS
    with contextlib.redirect_stdout(io.StringIO()):
        tap.sync_all()
    operations = github.stats()["operations"]
    pages = operations.get("PullRequestsPage", {"requests": 0, "cost": 0})
    follow_ups = operations.get("FollowUps", {"requests": 0, "cost": 0})
    prs = sum(len(r.pull_requests) for r in github.dataset.repositories.values())
    requests = pages["requests"] + follow_ups["requests"]
    cost = pages["cost"] + follow_ups["cost"]
    return {
        "prs": prs,
        "page_size": DEFAULT_PAGE_SIZE,
        "page_requests": pages["requests"],
        "follow_up_requests": follow_ups["requests"],
        "requests": requests,
        "cost": cost,
        "prs_per_request": round(prs / requests, 1),
        "points_per_1000_prs": round(1000 * cost / prs, 1),
    }


def _dry_run_cost(github: FakeGitHub, document: str, page_size: int) -> int:
    priced = document.replace("rateLimit {", "rateLimit(dryRun: true) {")
    body = json.dumps(
        {
            "query": priced,
            "variables": {
                "owner": "acme",
                "name": "widgets",
                "searchQuery": "repo:acme/widgets is:pr",
                "pageSize": page_size,
            },
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the local stand-in
        github.graphql_url,
        body,
        {"Authorization": f"bearer {github.tokens[0]}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        answer = json.loads(response.read())
    assert "errors" not in answer, answer
    return answer["data"]["rateLimit"]["cost"]


def _without(document: str, field: str) -> str:
    """The page with one top-level connection of PullRequestFields left out."""
    start = document.index(f"\n  {field}")
    depth, index = 0, document.index("{", start)
    while True:
        depth += {"{": 1, "}": -1}.get(document[index], 0)
        index += 1
        if depth == 0:
            return document[:start] + document[index:]


def _prune(document: str) -> str:
    """Drop the fragments a variant no longer uses (GitHub rejects unused fragments)."""
    parsed = graphql.parse(document)
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, graphql.FragmentDefinitionNode)
    }
    used: set[str] = set()

    def spreads(node: graphql.Node) -> list[str]:
        found: list[str] = []

        class Collect(graphql.Visitor):
            def enter_fragment_spread(self, spread, *_args):
                found.append(spread.name.value)

        graphql.visit(node, Collect())
        return found

    operation = next(
        d for d in parsed.definitions if isinstance(d, graphql.OperationDefinitionNode)
    )
    pending = spreads(operation)
    while pending:
        name = pending.pop()
        if name not in used:
            used.add(name)
            pending += spreads(fragments[name])
    kept = [operation, *(fragments[name] for name in sorted(used))]
    return graphql.print_ast(graphql.DocumentNode(definitions=tuple(kept)))


def _prices(github: FakeGitHub) -> dict:
    page = queries.load("pull_requests_page")
    variants = {"page as sent": page}
    for field in ("labels", "reviewRequests", "closingIssuesReferences", "timelineItems"):
        variants[f"without {field}"] = _without(page, field)
    old = _without(_without(page, "statusCheckRollup"), "timelineItems")
    old = old.replace("\n  reviews(first: 100)", "\n" + OLD_CI_PATH + "  reviews(first: 100)", 1)
    variants["old: checkSuites > checkRuns, no timeline"] = old
    variants = {name: _prune(document) for name, document in variants.items()}
    sizes = (50, 55, 60, 67, 68, 75, 100)
    return {
        name: {str(size): _dry_run_cost(github, document, size) for size in sizes}
        for name, document in variants.items()
    }


def main() -> None:
    with FakeGitHub(seed=42, prs=2000) as github:
        synced = _sync(github)
        prices = _prices(github)
    result = {"sync": synced, "dry_run_points_per_page": prices}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "page_cost.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    assert {s.name for s in STREAM_TYPES} >= set(PR_STREAMS)


if __name__ == "__main__":
    main()
