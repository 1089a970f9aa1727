"""Commit statuses and check-run re-runs on a PR's head commit, for `statusCheckRollup`.

GitHub's rollup lists the head commit's check runs (the latest run of each name in a suite: a
re-run replaces the earlier attempt) and its commit statuses, the latest per context (the
combined status: "the most recent status for each context", docs.github.com REST
"Get the combined status for a specific reference"). Many CI and deploy services post statuses
rather than check runs (CircleCI, Jenkins, Codecov, Vercel), so some PRs have statuses only,
some check runs only, some both, and a few more than 100 contexts.

Everything here draws from its own `random.Random`, so the data generated before it existed
(PR fields, commits, check suites) stays identical for a given seed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .ids import make_id, pr_payload
from .models import Actor, CheckRun, Commit, PullRequest, StatusContext

# (context, service) pairs; the service names the bot that posts and the target URL.
STATUS_CONTEXTS = (
    ("ci/circleci: build", "circleci"),
    ("ci/circleci: test", "circleci"),
    ("continuous-integration/jenkins/pr-merge", "jenkins"),
    ("codecov/project", "codecov"),
    ("codecov/patch", "codecov"),
    ("Vercel", "vercel"),
    ("license/cla", "cla-assistant"),
)
STATUS_CREATORS = {
    service: Actor(
        login=f"{service}[bot]" if service != "jenkins" else "jenkins-ci",
        typename="Bot" if service != "jenkins" else "User",
        database_id=90_000_000 + index,
        node_id=make_id("BOT" if service != "jenkins" else "U", f"status-{service}"),
    )
    for index, service in enumerate(("circleci", "jenkins", "codecov", "vercel", "cla-assistant"))
}
DESCRIPTIONS = {
    "PENDING": "Your tests are queued",
    "SUCCESS": "All checks passed",
    "FAILURE": "Some checks failed",
    "ERROR": "The build errored",
}
# Contexts and check names that branch protection requires, per repository (isRequired).
REQUIRED_NAMES = frozenset({"test", "build", "lint", "ci/circleci: test", "license/cla"})


def is_required(repository_protected: bool, name: str) -> bool:
    """Whether branch protection requires `name` (a check name or a status context)."""
    return repository_protected and name in REQUIRED_NAMES


def add_ci_results(
    seed: int, pr: PullRequest, head: Commit, heavy: bool, serial: int, now: datetime
) -> None:
    """Post commit statuses to `head` and give some check runs an earlier, superseded attempt."""
    rng = random.Random(f"{seed}:{pr.repository}:{pr.number}:ci")
    payload = pr_payload(pr.repository, pr.number)
    has_checks = bool(head.check_suites)
    if heavy:
        contexts = [(f"ci/jenkins: shard {i + 1}", "jenkins") for i in range(rng.randint(101, 140))]
    elif (not has_checks and rng.random() < 0.55) or (has_checks and rng.random() < 0.3):
        contexts = rng.sample(STATUS_CONTEXTS, rng.choice((1, 1, 2, 3)))
    else:
        contexts = []
    for context, service in contexts:
        head.statuses.extend(_posts(rng, pr, payload, head, context, service, now))
    _superseded_runs(rng, payload, head, serial)


def _posts(
    rng: random.Random,
    pr: PullRequest,
    payload: str,
    head: Commit,
    context: str,
    service: str,
    now: datetime,
) -> list[StatusContext]:
    """A context's statuses in the order posted: pending, then a result (sometimes retried)."""
    at = head.committed_date + timedelta(seconds=rng.randint(1, 60))
    states = ["PENDING"]
    final = rng.choices(("SUCCESS", "FAILURE", "ERROR"), weights=(82, 13, 5))[0]
    if final != "SUCCESS" and rng.random() < 0.3:
        states += [final, "PENDING", "SUCCESS"]  # retried and passed
    else:
        states.append(final)
    posts = []
    for index, state in enumerate(states):
        if at > now:
            break
        posts.append(
            StatusContext(
                node_id=make_id("SC", f"{payload}:{head.oid[:12]}:{context}:{index}"),
                context=context,
                state=state,
                description=DESCRIPTIONS[state],
                target_url=_target_url(service, pr, head, rng),
                created_at=at,
                creator=STATUS_CREATORS[service],
            )
        )
        at = at + timedelta(seconds=rng.randint(20, 900) if state == "PENDING" else 5)
    return posts


def _target_url(service: str, pr: PullRequest, head: Commit, rng: random.Random) -> str:
    number = rng.randint(1000, 99999)
    return {
        "circleci": f"https://app.circleci.com/pipelines/github/{pr.repository}/{number}",
        "jenkins": f"https://jenkins.example.com/job/{pr.repository}/PR-{pr.number}/{number}/",
        "codecov": f"https://app.codecov.io/gh/{pr.repository}/commit/{head.oid}",
        "vercel": f"https://vercel.com/{pr.repository}/{number}",
        "cla-assistant": f"https://cla-assistant.io/{pr.repository}?pullRequest={pr.number}",
    }[service]


def _superseded_runs(rng: random.Random, payload: str, head: Commit, serial: int) -> None:
    """About one PR in ten had a completed check run re-run: the earlier attempt is kept aside."""
    if rng.random() >= 0.1:
        return
    for s, suite in enumerate(head.check_suites):
        done = [run for run in suite.check_runs if run.started_at and run.completed_at]
        for k, run in enumerate(rng.sample(done, min(len(done), rng.choice((1, 1, 2))))):
            assert run.started_at is not None
            earlier = run.started_at - timedelta(seconds=rng.randint(60, 900))
            started = max(suite.created_at, earlier)
            suite.superseded_runs.append(
                CheckRun(
                    node_id=make_id(
                        "CR", f"{payload}:{head.oid[:12]}:{s}:{suite.check_runs.index(run)}:a1"
                    ),
                    database_id=serial * 1000 + 600 + s * 20 + k,
                    name=run.name,
                    status="COMPLETED",
                    conclusion=rng.choice(("FAILURE", "FAILURE", "CANCELLED", "TIMED_OUT")),
                    started_at=started,
                    completed_at=min(run.started_at, started + timedelta(seconds=30)),
                    details_url=f"{run.details_url}?attempt=1",
                )
            )
