"""The GitHub stand-in's own speed: executing a fully detailed page, generating a big dataset.

Run: `.venv/bin/python -m benchmarks.standin` (writes benchmarks/results/standin.json).
Budgets (a page of 50 fully detailed PRs in well under 0.5 s, 10,000 PRs generated in under
5 s) are checked here and reported in BENCHMARKS.md, not asserted in timed tests.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from github_standin.generator import generate_dataset

from github_standin import FakeGitHub

RESULTS = Path(__file__).resolve().parent / "results" / "standin.json"

FULL_PAGE = """query Page($after: String) {
  rateLimit { cost remaining }
  repository(owner: "posthog", name: "posthog") {
    pullRequests(first: 50, after: $after, orderBy: {field: UPDATED_AT, direction: ASC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id number fullDatabaseId title body url state isDraft merged
        author { login __typename } authorAssociation mergedBy { login }
        createdAt updatedAt mergedAt closedAt additions deletions changedFiles
        baseRefName headRefName headRefOid milestone { title } reviewDecision
        labels(first: 20) { nodes { name } }
        reviewRequests(first: 10) {
          nodes { requestedReviewer { __typename ... on User { login } } } }
        closingIssuesReferences(first: 10) { nodes { number url repository { nameWithOwner } } }
        reviews(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes {
          id author { login __typename } authorAssociation state submittedAt createdAt body
          commit { oid } } }
        commits(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { commit {
          oid message messageHeadline authoredDate committedDate additions deletions
          changedFilesIfAvailable author { name email user { login } }
          committer { name email user { login } } } } }
        files(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes {
          path additions deletions changeType } }
        head: commits(last: 1) { nodes { commit { oid checkSuites(first: 10) { nodes {
          id app { name slug } checkRuns(first: 100) { pageInfo { hasNextPage endCursor }
            nodes { id databaseId name status conclusion startedAt completedAt detailsUrl }
          } } } } } }
      }
    }
  }
}"""


def page_execution_seconds(pages: int = 5) -> list[float]:
    server = FakeGitHub(seed=1, prs=3000)  # not started: execution only, no sockets
    after, timings = None, []
    for _ in range(pages):
        body = json.dumps({"query": FULL_PAGE, "variables": {"after": after}}).encode()
        started = time.perf_counter()
        outcome = server.graphql.handle(body, "token-1", {}, "perf")
        timings.append(time.perf_counter() - started)
        assert "errors" not in outcome.payload, outcome.payload["errors"]
        connection = outcome.payload["data"]["repository"]["pullRequests"]
        assert len(connection["nodes"]) == 50
        after = connection["pageInfo"]["endCursor"]
    return timings


def generation_seconds(prs: int = 10_000) -> float:
    started = time.perf_counter()
    dataset = generate_dataset(seed=5, prs=prs)
    assert len(dataset.all_pull_requests()) == prs
    return time.perf_counter() - started


def main() -> None:
    timings = page_execution_seconds()
    result = {
        "page_of_50_detailed_prs_median_s": round(statistics.median(timings), 3),
        "page_of_50_detailed_prs_all_s": [round(x, 3) for x in timings],
        "generate_10000_prs_s": round(generation_seconds(), 2),
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
