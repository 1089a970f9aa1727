"""Deployments, releases and incident issues, generated consistently with a repository's PRs.

Each repository gets a delivery style from its own seeded `random.Random` (never the PR
generator's streams, so PR data stays byte-identical for a seed): `continuous` (a production
deployment after merges, batching merges that land within minutes), `daily`, `weekly`, or `none`
(no deployments at all: the marts must say so). A production deployment ships the stand-in's
merge commit of the last PR merged before it (`PullRequest.mergeCommit`, which the stand-in
serves as the PR's head commit), so every PR merged since the previous successful deployment
rides along: the commit range DevLake reads. Some deployments fail; some successful ones cause
an incident (an issue labelled `incident`, or titled `[Incident] ...` without the label), which
is answered by a rollback deployment of the previous good commit and closed later, sometimes by
a fix PR (`closedByPullRequestsReferences`). Releases tag merge commits every week or two.
Everything is generated lazily per repository on first access, as of the dataset's start
(`Generator.now`); PRs merged later by mutations are not deployed unless a test deploys them.

Statuses follow GitHub's deployment life cycle: QUEUED -> IN_PROGRESS -> SUCCESS | FAILURE |
ERROR, and a successful deployment becomes INACTIVE once a later deployment to the same
environment succeeds (`auto_inactive`, GitHub's default). `add_deployment` and
`add_deployment_status` are the mutations incremental tests use; a status sets the deployment's
`updatedAt` to the clock's now.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .generator import stable_int
from .ids import PREFIXES, make_id
from .models import Actor, Dataset, IssueReference, Label, PullRequest

# Node id prefixes GitHub uses for these types.
PREFIXES.update({"DE": "Deployment", "DES": "DeploymentStatus", "RE": "Release"})

DELIVERY_STYLES = ("continuous", "daily", "weekly", "none")
STYLE_WEIGHTS = (4, 3, 2, 1)
TERMINAL_STATES = ("SUCCESS", "FAILURE", "ERROR")
INCIDENT_LABEL_NAME = "incident"
STATUS_DESCRIPTIONS = {
    "SUCCESS": "Deployment finished successfully.",
    "FAILURE": "Deployment failed: health check did not pass.",
    "ERROR": "Deployment errored: runner lost.",
    "INACTIVE": "Superseded by a newer deployment.",
}
# Deployment state (Deployment.state) from the latest status, as GitHub reports it.
_DEPLOYMENT_STATE = {
    "SUCCESS": "ACTIVE",
    "INACTIVE": "INACTIVE",
    "FAILURE": "FAILURE",
    "ERROR": "ERROR",
    "IN_PROGRESS": "IN_PROGRESS",
    "QUEUED": "QUEUED",
    "PENDING": "PENDING",
    "WAITING": "WAITING",
}


@dataclass
class DeploymentStatus:
    node_id: str
    state: str
    description: str
    environment: str
    environment_url: str | None
    log_url: str | None
    created_at: datetime
    creator: Actor


@dataclass(eq=False)
class Deployment:
    repository: str
    node_id: str
    database_id: int
    environment: str
    original_environment: str
    ref_name: str | None
    commit_oid: str
    pull_request: PullRequest | None  # whose head commit is deployed (None: not a PR commit)
    task: str
    description: str
    creator: Actor
    created_at: datetime
    statuses: list[DeploymentStatus] = field(default_factory=list)

    @property
    def latest_status(self) -> DeploymentStatus | None:
        return self.statuses[-1] if self.statuses else None

    @property
    def state(self) -> str:
        latest = self.latest_status
        return _DEPLOYMENT_STATE.get(latest.state, "PENDING") if latest else "PENDING"

    @property
    def updated_at(self) -> datetime:
        latest = self.latest_status
        return max(self.created_at, latest.created_at) if latest else self.created_at


@dataclass(eq=False)
class Release:
    repository: str
    node_id: str
    database_id: int
    tag_name: str
    name: str
    commit_oid: str
    pull_request: PullRequest | None
    created_at: datetime
    published_at: datetime | None
    is_prerelease: bool
    is_draft: bool
    author: Actor


@dataclass(eq=False)
class Incident(IssueReference):
    """An issue of the repository (incidents and a few ordinary ones for the label filter)."""

    body: str = ""
    author: Actor | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    state_reason: str | None = None
    labels: list[Label] = field(default_factory=list)
    closed_by: list[PullRequest] = field(default_factory=list)


@dataclass
class Delivery:
    style: str
    deployments: list[Deployment] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    issues: list[Incident] = field(default_factory=list)


def delivery_of(dataset: Dataset, repository: str) -> Delivery:
    """The repository's delivery data, generated on first access."""
    with dataset.lock:
        cache: dict[str, Delivery] = dataset.__dict__.setdefault("_delivery", {})
        if repository not in cache:
            cache[repository] = _Builder(dataset, repository).build()
        return cache[repository]


def _deployment_database_id(repository: str, index: int) -> int:
    """Below 2**31: GraphQL's Int is 32-bit (GitHub's `Deployment.databaseId` is an Int)."""
    return 1_000_000_000 + stable_int("deployment", repository, modulo=10**5) * 10_000 + index


def _ts(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def _append_status(
    repository: str, deployment: Deployment, state: str, at: datetime, creator: Actor
) -> DeploymentStatus:
    index = len(deployment.statuses)
    slug = repository.replace("/", "-")
    url = (
        f"https://{deployment.environment.lower()}.{slug}.example.com"
        if state == "SUCCESS"
        else None
    )
    status = DeploymentStatus(
        node_id=make_id("DES", f"{repository}:{deployment.node_id}:{index}"),
        state=state,
        description=STATUS_DESCRIPTIONS.get(state, ""),
        environment=deployment.environment,
        environment_url=url,
        log_url=f"https://github.com/{repository}/actions/runs/{deployment.database_id}",
        created_at=at,
        creator=creator,
    )
    deployment.statuses.append(status)
    return status


class _Builder:
    def __init__(self, dataset: Dataset, repository: str) -> None:
        self.dataset = dataset
        self.repository = repository
        self.repo = dataset.repositories[repository]
        generator = dataset.generator
        self.start_now: datetime = generator.now if generator is not None else dataset.now
        owner = self.repo.owner
        members = generator.members.get(owner) if generator is not None else None
        self.members: list[Actor] = members or list(dataset.users.values())[:12]
        self.rng = random.Random(f"{dataset.seed}:{repository}:delivery")
        self.delivery = Delivery(style=self.rng.choices(DELIVERY_STYLES, weights=STYLE_WEIGHTS)[0])
        self.incident_label = Label(
            INCIDENT_LABEL_NAME,
            "b60205",
            "Production incident",
            make_id("LA", f"{repository}:{INCIDENT_LABEL_NAME}"),
        )
        self.bug_label = next(
            (label for label in self.repo.labels if label.name == "bug"), self.incident_label
        )
        self._used_numbers = {pr.number for pr in self.repo.pull_requests}

    # -- the plan ------------------------------------------------------------------------------

    def build(self) -> Delivery:
        merged = sorted(
            (
                pr
                for pr in self.repo.pull_requests
                if pr.merged_at is not None
                and pr.merged_at <= self.start_now
                and pr.base_ref_name == "main"
            ),
            key=lambda pr: (pr.merged_at, pr.number),
        )
        if self.delivery.style != "none" and merged:
            self._deployments(merged)
        if merged:
            self._releases(merged)
        self._ordinary_issues(merged)
        self.delivery.issues.sort(key=lambda issue: issue.number)
        return self.delivery

    def _triggers(self, merged: list[PullRequest]) -> list[tuple[datetime, PullRequest]]:
        """(deployment time, last PR merged before it) for each production deployment."""
        rng, style = self.rng, self.delivery.style
        triggers: list[tuple[datetime, PullRequest]] = []
        if style == "continuous":
            for index, pr in enumerate(merged):
                following = merged[index + 1] if index + 1 < len(merged) else None
                # Merges landing within 20 minutes of each other ship in one pipeline run.
                if following and (following.merged_at - pr.merged_at) < timedelta(minutes=20):
                    continue
                triggers.append((pr.merged_at + timedelta(seconds=rng.randint(60, 900)), pr))
            return triggers
        step = timedelta(days=1 if style == "daily" else 7)
        first = merged[0].merged_at
        moment = first.replace(hour=15, minute=0, second=0) + timedelta(minutes=rng.randint(0, 90))
        index, last_shipped = 0, None
        while moment <= self.start_now:
            while index < len(merged) and merged[index].merged_at <= moment:
                index += 1
            latest = merged[index - 1] if index else None
            if latest is not None and latest is not last_shipped and moment.weekday() < 5:
                triggers.append((moment, latest))
                last_shipped = latest
            moment += step
        return triggers

    def _deployments(self, merged: list[PullRequest]) -> None:
        rng = self.rng
        environment = rng.choice(("production", "production", "prod", "Production"))
        last_good: Deployment | None = None
        previous_success: dict[str, Deployment] = {}
        for at, pr in self._triggers(merged):
            if at > self.start_now:
                break
            if rng.random() < 0.3:  # a staging run of the same commit first
                halfway = pr.merged_at + (at - pr.merged_at) / 2
                self._deploy("staging", pr, halfway, previous_success, "ok")
            roll = rng.random()
            outcome = "FAILURE" if roll < 0.07 else "ERROR" if roll < 0.09 else "ok"
            deployment = self._deploy(environment, pr, at, previous_success, outcome)
            if deployment is None or outcome != "ok":
                continue
            if rng.random() < 0.1 and last_good is not None:
                self._incident(deployment, last_good, environment, previous_success, merged)
            last_good = deployment

    def _deploy(
        self,
        environment: str,
        pr: PullRequest | None,
        at: datetime,
        previous_success: dict[str, Deployment],
        outcome: str,
        *,
        commit_oid: str | None = None,
        description: str = "",
    ) -> Deployment | None:
        rng = self.rng
        at = _ts(at)
        if at > self.start_now:
            return None
        index = len(self.delivery.deployments)
        creator = pr.merged_by if pr is not None and pr.merged_by is not None else self.members[0]
        if creator.typename != "User":
            creator = self.members[index % len(self.members)]
        deployment = Deployment(
            repository=self.repository,
            node_id=make_id("DE", f"{self.repository}:{index}"),
            database_id=_deployment_database_id(self.repository, index),
            environment=environment,
            original_environment=environment,
            ref_name="main",
            commit_oid=commit_oid or (pr.head_ref_oid if pr is not None else "0" * 40),
            pull_request=pr,
            task="deploy",
            description=description or f"Deploy {pr.head_ref_oid[:7] if pr else ''}".strip(),
            creator=creator,
            created_at=at,
        )
        self.delivery.deployments.append(deployment)
        moment = at
        plan = [("QUEUED", 0), ("IN_PROGRESS", rng.randint(5, 90))]
        final = "SUCCESS" if outcome == "ok" else outcome
        plan.append((final, rng.randint(60, 900)))
        for state, delay in plan:
            moment = _ts(moment + timedelta(seconds=delay))
            if moment > self.start_now:
                break
            _append_status(self.repository, deployment, state, moment, creator)
            if state == "SUCCESS":
                superseded = previous_success.get(environment)
                if superseded is not None:
                    _append_status(self.repository, superseded, "INACTIVE", moment, creator)
                previous_success[environment] = deployment
        return deployment

    def _incident(
        self,
        culprit: Deployment,
        last_good: Deployment,
        environment: str,
        previous_success: dict[str, Deployment],
        merged: list[PullRequest],
    ) -> None:
        rng = self.rng
        finished = culprit.statuses[-1].created_at
        opened = _ts(finished + timedelta(minutes=rng.randint(10, 360)))
        if opened > self.start_now:
            return
        # Roll back to the last good commit within the hour.
        self._deploy(
            environment,
            last_good.pull_request,
            opened + timedelta(minutes=rng.randint(5, 60)),
            previous_success,
            "ok",
            commit_oid=last_good.commit_oid,
            description=f"Rollback to {last_good.commit_oid[:7]}",
        )
        closed = _ts(opened + timedelta(minutes=rng.randint(30, 3 * 24 * 60)))
        fixes = [pr for pr in merged if opened < pr.merged_at <= closed]
        closed_by = [fixes[0]] if fixes and rng.random() < 0.6 else []
        if closed_by:
            closed = closed_by[0].merged_at
        by_title = rng.random() < 0.15  # titled as an incident, but never labelled
        labels = [] if by_title else [self.incident_label]
        if not by_title and rng.random() < 0.4:
            labels.append(self.bug_label)
        title = rng.choice(
            (
                "Checkout returns 500 after deploy",
                "Elevated error rate on API",
                "Login loop for some users",
                "Background jobs stuck",
                "Latency spike on search 🔥",
            )
        )
        self._issue(
            title=f"[Incident] {title}" if by_title else title,
            body=f"Started after deployment {culprit.commit_oid[:7]} to {environment}.",
            labels=labels,
            opened=opened,
            closed=closed if closed <= self.start_now else None,
            closed_by=closed_by,
        )

    def _ordinary_issues(self, merged: list[PullRequest]) -> None:
        """A few non-incident issues, so that a label filter has something to leave out."""
        rng = self.rng
        if not merged:
            return
        for _ in range(rng.randint(2, 6)):
            opened = _ts(rng.choice(merged).merged_at + timedelta(hours=rng.randint(1, 48)))
            if opened > self.start_now:
                continue
            closed = _ts(opened + timedelta(days=rng.randint(1, 30)))
            self._issue(
                title=rng.choice(("Docs: typo in README", "Flaky test in CI", "Support dark mode")),
                body="",
                labels=[self.bug_label] if rng.random() < 0.5 else [],
                opened=opened,
                closed=closed if closed <= self.start_now else None,
                closed_by=[],
            )

    def _issue(
        self,
        *,
        title: str,
        body: str,
        labels: list[Label],
        opened: datetime,
        closed: datetime | None,
        closed_by: list[PullRequest],
    ) -> Incident:
        number = self._free_number(opened)
        author = self.rng.choice(self.members)
        issue = Incident(
            repository=self.repository,
            number=number,
            title=title,
            state="CLOSED" if closed else "OPEN",
            node_id=make_id("I", f"{self.repository}#{number}:issue"),
            database_id=stable_int("issue", self.repository, number, modulo=10**9),
            body=body,
            author=author,
            created_at=opened,
            updated_at=closed or opened,
            closed_at=closed,
            state_reason="COMPLETED" if closed else None,
            labels=labels,
            closed_by=closed_by,
        )
        self.delivery.issues.append(issue)
        return issue

    def _free_number(self, opened: datetime) -> int:
        """Issues share the PR number space: take a gap after the last PR opened before it."""
        before = [pr.number for pr in self.repo.pull_requests if pr.created_at <= opened]
        candidate = (max(before) if before else 0) + 1
        highest = max(self._used_numbers, default=0)
        while candidate in self._used_numbers and candidate <= highest:
            candidate += 1
        if candidate in self._used_numbers or candidate > highest:
            candidate = 900_000 + len(self.delivery.issues)  # past every PR, never reused
            while candidate in self._used_numbers:
                candidate += 1
        self._used_numbers.add(candidate)
        return candidate

    def _releases(self, merged: list[PullRequest]) -> None:
        rng = self.rng
        moment = merged[0].merged_at + timedelta(days=rng.randint(3, 14))
        minor, index = 0, 0
        position = 0
        while moment <= self.start_now:
            while position < len(merged) and merged[position].merged_at <= moment:
                position += 1
            released = self.delivery.releases[-1].pull_request if self.delivery.releases else None
            if position and merged[position - 1] is not released:
                pr = merged[position - 1]
                minor += 1
                prerelease = rng.random() < 0.1
                tag = f"v1.{minor}.0" + ("-rc.1" if prerelease else "")
                author = self.members[index % len(self.members)]
                created = _ts(moment)
                self.delivery.releases.append(
                    Release(
                        repository=self.repository,
                        node_id=make_id("RE", f"{self.repository}:{index}"),
                        database_id=stable_int("release", self.repository, index, modulo=10**9),
                        tag_name=tag,
                        name=f"Release {tag}",
                        commit_oid=pr.head_ref_oid,
                        pull_request=pr,
                        created_at=created,
                        published_at=_ts(created + timedelta(minutes=rng.randint(1, 120))),
                        is_prerelease=prerelease,
                        is_draft=False,
                        author=author,
                    )
                )
                index += 1
            moment += timedelta(days=rng.randint(7, 14))
        if self.delivery.releases and rng.random() < 0.5:
            last = self.delivery.releases[-1]  # the next release, still a draft
            self.delivery.releases.append(
                Release(
                    repository=self.repository,
                    node_id=make_id("RE", f"{self.repository}:{index}"),
                    database_id=stable_int("release", self.repository, index, modulo=10**9),
                    tag_name=f"v1.{minor + 1}.0",
                    name=f"Release v1.{minor + 1}.0 (draft)",
                    commit_oid=merged[-1].head_ref_oid,
                    pull_request=merged[-1],
                    created_at=max(last.created_at, _ts(self.start_now - timedelta(days=1))),
                    published_at=None,
                    is_prerelease=False,
                    is_draft=True,
                    author=self.members[0],
                )
            )


# Mutations (incremental-sync tests) -------------------------------------------------------------


def add_deployment(
    dataset: Dataset,
    repository: str,
    *,
    environment: str = "production",
    number: int | None = None,
    state: str | None = "SUCCESS",
) -> Deployment:
    """Deploy PR `number`'s merge commit (default: the last merged PR) at the clock's now."""
    with dataset.lock:
        delivery = delivery_of(dataset, repository)
        repo = dataset.repositories[repository]
        if number is not None:
            pr = repo.pull_request(number)
        else:
            merged = [p for p in repo.pull_requests if p.merged_at is not None]
            pr = max(merged, key=lambda p: (p.merged_at, p.number)) if merged else None
        index = len(delivery.deployments)
        creator = next(iter(dataset.users.values()))
        deployment = Deployment(
            repository=repository,
            node_id=make_id("DE", f"{repository}:{index}"),
            database_id=_deployment_database_id(repository, index),
            environment=environment,
            original_environment=environment,
            ref_name="main",
            commit_oid=pr.head_ref_oid if pr is not None else "0" * 40,
            pull_request=pr,
            task="deploy",
            description="Deploy",
            creator=creator,
            created_at=dataset.now,
        )
        delivery.deployments.append(deployment)
        if state is not None:
            add_deployment_status(dataset, repository, deployment.database_id, state=state)
        return deployment


def add_deployment_status(
    dataset: Dataset,
    repository: str,
    database_id: int,
    *,
    state: str = "SUCCESS",
    description: str = "",
) -> DeploymentStatus:
    """A new status on an existing deployment, created at the clock's now."""
    with dataset.lock:
        delivery = delivery_of(dataset, repository)
        deployment = next(d for d in delivery.deployments if d.database_id == database_id)
        status = _append_status(repository, deployment, state, dataset.now, deployment.creator)
        if description:
            status.description = description
        return status
