"""Deterministic generator of repositories and pull requests with realistic distributions.

The same (seed, prs, repositories, now) always gives the same dataset. Each PR's core fields come
from `random.Random(f"{seed}:{repo}:{number}")` and its children from a second per-PR seed, lazily,
so datasets are cheap to create and a PR's content does not depend on when it is first read.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta, timezone

from . import text
from .commit_statuses import add_ci_results
from .ids import make_id, pr_payload
from .models import (
    Actor,
    CheckRun,
    CheckSuite,
    Commit,
    Dataset,
    GitSignature,
    IssueReference,
    Label,
    Milestone,
    Organization,
    PullRequest,
    PullRequestChildren,
    Repository,
    Review,
    ReviewRequest,
    Team,
)
from .timeline import timeline_events

DEFAULT_REPOSITORIES = (
    "antiwork/gumroad",
    "antiwork/flexile",
    "antiwork/helper",
    "polarsource/polar",
    "polarsource/polar-adapters",
    "posthog/posthog",
    "posthog/posthog-js",
    "fastapi/fastapi",
    "acme/widgets",
)
# Relative share of PRs per default repository (others get weight 1).
REPOSITORY_WEIGHTS = {
    "posthog/posthog": 4,
    "polarsource/polar": 2,
    "antiwork/gumroad": 2,
    "fastapi/fastapi": 1.5,
    "acme/widgets": 1.5,
}
DEFAULT_NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
HISTORY_DAYS = 730
BOT_LOGINS = {
    "dependabot": ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
    "renovate": ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"),
    "copilot-swe-agent": ("Copilot", "198982749+Copilot@users.noreply.github.com"),
    "devin-ai-integration": (
        "devin-ai-integration[bot]",
        "158243242+devin-ai-integration[bot]@users.noreply.github.com",
    ),
}
AI_AGENT_BOTS = ("copilot-swe-agent", "devin-ai-integration")
# AI code reviewers: they leave COMMENTED reviews, never author PRs.
REVIEW_BOTS = {
    "copilot-pull-request-reviewer": "Copilot",
    "coderabbitai": "CodeRabbit",
}
CHECK_APPS = (
    ("GitHub Actions", "github-actions"),
    ("Vercel", "vercel"),
    ("Codecov", "codecov"),
    ("Netlify", "netlify"),
)
# Every Nth PR (from a seed-dependent offset) gets one heavy tail, so each dataset has some.
HEAVY_TAIL_STRIDE = 97
HEAVY_KINDS = (
    "commits",
    "files",
    "reviews",
    "check_runs",
    "megabyte_body",
    "statuses",  # more than 100 commit statuses on the head commit
    "timeline",  # more than 100 timeline events
)


def stable_int(*parts: object, modulo: int = 1_000_000_000) -> int:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") % modulo


# Children's database ids are `serial * 1000 + n`, and GitHub's `Int` is 32-bit: serials must
# stay under 2**31 / 1000. The first 21 repositories get 100,000 numbers each (the default
# datasets' ids, unchanged); the rest, for organisation-scale tests of hundreds of
# repositories, get `LATE_REPOSITORY_NUMBERS` each.
EARLY_REPOSITORIES = 21
LATE_REPOSITORY_NUMBERS = 90


def child_serial(repository_names: list[str], repository: str, number: int) -> int:
    """A small per-PR integer: children's database ids derive from it and stay below 2**31."""
    index = repository_names.index(repository)
    if index < EARLY_REPOSITORIES:
        return index * 100_000 + number
    if number >= LATE_REPOSITORY_NUMBERS:
        raise ValueError(
            f"{repository}: beyond the first {EARLY_REPOSITORIES} repositories the stand-in "
            f"numbers at most {LATE_REPOSITORY_NUMBERS} PRs and issues per repository (GitHub's "
            "32-bit database ids); use fewer PRs per repository or fewer repositories"
        )
    late = (index - EARLY_REPOSITORIES) * LATE_REPOSITORY_NUMBERS + number
    serial = EARLY_REPOSITORIES * 100_000 + late
    if serial * 1000 + 999 >= 2**31:
        raise ValueError("too many repositories for 32-bit database ids in the stand-in")
    return serial


def _ts(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def _apportion(total: int, names: list[str]) -> dict[str, int]:
    weights = [REPOSITORY_WEIGHTS.get(name, 1.0) for name in names]
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(names)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return dict(zip(names, counts, strict=True))


class Generator:
    """Builds a `Dataset`; keeps the people pools needed later by mutations."""

    def __init__(
        self,
        seed: int,
        repositories: list[str],
        now: datetime,
        heavy_tails: bool,
    ) -> None:
        self.seed = seed
        self.repository_names = repositories
        self.now = _ts(now)
        self.heavy_tails = heavy_tails
        self.users: dict[str, Actor] = {}
        self.bots: dict[str, Actor] = {}
        self.members: dict[str, list[Actor]] = {}
        self.outsiders: list[Actor] = []
        self._build_people()

    # People -------------------------------------------------------------------------------
    def _build_people(self) -> None:
        rng = random.Random(f"{self.seed}:people")
        for login, (name, email) in BOT_LOGINS.items():
            self.bots[login] = Actor(
                login=login,
                typename="Bot",
                database_id=stable_int("bot", login, modulo=10**8),
                node_id=make_id("BOT", login),
                name=name,
                email=email,
            )
        for login, name in REVIEW_BOTS.items():
            self.bots[login] = Actor(
                login=login,
                typename="Bot",
                database_id=stable_int("bot", login, modulo=10**8),
                node_id=make_id("BOT", login),
                name=name,
            )
        humans = []
        used: set[str] = set()
        while len(humans) < 80:
            first, last = rng.choice(text.FIRST_NAMES), rng.choice(text.LAST_NAMES)
            login = text.make_login(rng, first, last)
            if login in used:
                continue
            used.add(login)
            email = (
                f"{stable_int(login, modulo=10**8)}+{login}@users.noreply.github.com"
                if rng.random() < 0.6
                else f"{text.ascii_fold(first)}.{text.ascii_fold(last)}@example.com"
            )
            actor = Actor(
                login=login,
                typename="User",
                database_id=stable_int("user", login, modulo=10**8),
                node_id=make_id("U", login),
                name=f"{first} {last}",
                email=email,
            )
            humans.append(actor)
            self.users[login] = actor
        owners = sorted({name.split("/")[0] for name in self.repository_names})
        for owner in owners:
            owner_rng = random.Random(f"{self.seed}:members:{owner}")
            self.members[owner] = owner_rng.sample(humans[:60], 12)
        self.outsiders = humans[60:]
        # Placeholders left by an import from another forge, before anyone claimed them.
        self.mannequins = {
            login: Actor(
                login=login,
                typename="Mannequin",
                database_id=stable_int("mannequin", login, modulo=10**8),
                node_id=make_id("MDM", login),
                email=f"{login}@imported.example.com",
            )
            for login in ("svn-import-jdoe", "gitlab-import-amara")
        }

    # Dataset --------------------------------------------------------------------------------
    def build(self, prs: int) -> Dataset:
        organizations: dict[str, Organization] = {}
        for owner in sorted(self.members):
            organizations[owner] = Organization(
                login=owner,
                node_id=make_id("O", owner),
                database_id=stable_int("org", owner, modulo=10**8),
                name=owner.capitalize(),
                teams=[
                    Team(
                        owner,
                        slug,
                        slug.replace("-", " ").title(),
                        stable_int(owner, slug, modulo=10**7),
                        make_id("T", f"{owner}/{slug}"),
                    )
                    for slug in ("core", "frontend", "platform-eng")
                ],
            )
        counts = _apportion(prs, self.repository_names)
        repositories: dict[str, Repository] = {}
        heavy_offsets = {
            kind: random.Random(f"{self.seed}:heavy:{kind}").randrange(
                min(HEAVY_TAIL_STRIDE, max(prs, 1))
            )
            for kind in HEAVY_KINDS
        }
        global_index = 0
        for repo_index, name in enumerate(self.repository_names):
            repo = self._repository(repo_index, name)
            repositories[name] = repo
            rng = random.Random(f"{self.seed}:{name}")
            count = counts[name]
            offsets = sorted(rng.uniform(0, HISTORY_DAYS * 86400) for _ in range(count))
            number = rng.randint(1, 40)
            for offset in offsets:
                created_at = _ts(
                    self.now - timedelta(days=HISTORY_DAYS) + timedelta(seconds=offset)
                )
                heavy = set()
                if self.heavy_tails:
                    heavy = {
                        kind
                        for kind, start in heavy_offsets.items()
                        if global_index % HEAVY_TAIL_STRIDE == start
                    }
                repo.pull_requests.append(
                    self.pull_request(repo, number, created_at, organizations[repo.owner], heavy)
                )
                global_index += 1
                number += 1 + (rng.random() < 0.4) * rng.randint(1, 4)
        return Dataset(
            seed=self.seed,
            now=self.now,
            repositories=repositories,
            organizations=organizations,
            users=self.users,
            mannequins=self.mannequins,
            bots=self.bots,
        )

    def _repository(self, repo_index: int, name: str) -> Repository:
        owner, short = name.split("/", 1)
        rng = random.Random(f"{self.seed}:{name}:meta")
        labels = [
            Label(label, color, description, make_id("LA", f"{name}:{label}"))
            for label, color, description in text.LABELS
            if rng.random() < 0.75 or label in ("bug", "dependencies")
        ]
        milestones = [
            Milestone(
                number=i + 1,
                title=title,
                state="CLOSED" if i < 2 else "OPEN",
                due_on=_ts(self.now - timedelta(days=300 - 120 * i)),
                node_id=make_id("MI", f"{name}:{i + 1}"),
            )
            for i, title in enumerate(text.MILESTONES[: rng.randint(0, 4)])
        ]
        return Repository(
            owner=owner,
            name=short,
            node_id=make_id("R", name),
            database_id=stable_int("repo", name, modulo=10**9),
            created_at=_ts(self.now - timedelta(days=HISTORY_DAYS + rng.randint(30, 2000))),
            description=f"{short} — {rng.choice(text.REPO_BLURBS)}",
            labels=labels,
            milestones=milestones,
        )

    # Pull requests ------------------------------------------------------------------------
    def pull_request(
        self,
        repo: Repository,
        number: int,
        created_at: datetime,
        organization: Organization,
        heavy: set[str],
        *,
        state: str | None = None,
        now: datetime | None = None,
    ) -> PullRequest:
        """One PR as of `now` (default: the dataset's start); its children use the same `now`."""
        now = now or self.now
        name = repo.name_with_owner
        rng = random.Random(f"{self.seed}:{name}:{number}")
        roll = rng.random()
        bot_kind = None
        if roll < 0.12:
            bot_kind = "dependabot"
        elif roll < 0.17:
            bot_kind = "renovate"
        elif roll < 0.23:
            bot_kind = rng.choice(AI_AGENT_BOTS)
        if bot_kind:
            author: Actor | None = self.bots[bot_kind]
            association = "NONE" if bot_kind in AI_AGENT_BOTS else "CONTRIBUTOR"
        elif roll < 0.235:
            author, association = None, "NONE"  # deleted account ("ghost")
        elif roll < 0.238:
            author, association = rng.choice(list(self.mannequins.values())), "MANNEQUIN"
        elif roll < 0.85:
            author, association = rng.choice(self.members[repo.owner]), "MEMBER"
        else:
            author = rng.choice(self.outsiders)
            association = rng.choice(("CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "NONE"))

        title, head_ref, body = text.pull_request_text(rng, bot_kind, heavy)
        if "megabyte_body" in heavy:
            body += text.megabyte_paste()
        age = (now - created_at).total_seconds()
        lifetime = min(rng.lognormvariate(10.5, 1.6), age * 1.5)
        if state is None:
            fate = rng.random()
            state = "MERGED" if fate < 0.66 else "CLOSED" if fate < 0.8 else "OPEN"
            if state != "OPEN" and lifetime >= age:
                state = "OPEN"
        merged_at = closed_at = merged_by = None
        if state in ("MERGED", "CLOSED"):
            closed_at = _ts(created_at + timedelta(seconds=max(60, lifetime)))
            if state == "MERGED":
                merged_at = closed_at
                merged_by = (
                    author
                    if (author and author.typename == "User" and rng.random() < 0.5)
                    else rng.choice(self.members[repo.owner])
                )
            last_activity = closed_at
            updated_at = _ts(
                closed_at + timedelta(seconds=rng.choice((0, 0, 1, 2, 30, 3600 * rng.random())))
            )
        else:
            last_activity = _ts(created_at + timedelta(seconds=age * rng.random() ** 2))
            updated_at = last_activity
        updated_at = min(updated_at, now)
        is_draft = state == "OPEN" and rng.random() < 0.25
        labels = [label for label in repo.labels if rng.random() < 0.12]
        if bot_kind in ("dependabot", "renovate"):
            labels = [label for label in repo.labels if label.name == "dependencies"] + labels
            labels = list({label.name: label for label in labels}.values())
        milestone = rng.choice(repo.milestones) if repo.milestones and rng.random() < 0.2 else None
        pr = PullRequest(
            repository=name,
            number=number,
            node_id=make_id("PR", pr_payload(name, number)),
            full_database_id=1_000_000_000 + stable_int("pr", name, number, modulo=10**9),
            title=title,
            body=body,
            state=state,
            is_draft=is_draft,
            author=author,
            author_association=association,
            created_at=created_at,
            updated_at=updated_at,
            merged_at=merged_at,
            closed_at=closed_at,
            merged_by=merged_by,
            base_ref_name="main" if rng.random() < 0.9 else "develop",
            head_ref_name=head_ref,
            labels=labels,
            milestone=milestone,
            requires_review=stable_int(name, "protected") % 3 != 0,
        )
        plan = {
            "serial": child_serial(self.repository_names, name, number),
            "heavy": frozenset(heavy),
            "last_activity": last_activity,
            "bot_kind": bot_kind,
            "organization": organization,
            "now": now,
        }
        pr._children_factory = lambda p: self.children(p, plan)
        return pr

    def children(self, pr: PullRequest, plan: dict) -> PullRequestChildren:
        rng = random.Random(f"{self.seed}:{pr.repository}:{pr.number}:children")
        heavy = plan["heavy"]
        start, end = pr.created_at, plan["last_activity"]
        span = max((end - start).total_seconds(), 60)
        payload = pr_payload(pr.repository, pr.number)
        owner = pr.repository.split("/")[0]
        bot_kind = plan["bot_kind"]
        children = PullRequestChildren()

        # Files
        n_files = (
            rng.randint(101, 260) if "files" in heavy else min(1 + int(rng.expovariate(1 / 6)), 80)
        )
        children.files = text.changed_files(rng, n_files, bot_kind)

        # Commits: the first is usually authored before the PR opened.
        n_commits = (
            rng.randint(101, 250)
            if "commits" in heavy
            else min(1 + int(rng.expovariate(1 / 3)), 60)
        )
        ai_tool = (
            None if bot_kind else (rng.choice(text.AI_COAUTHORS) if rng.random() < 0.25 else None)
        )
        authored = start - timedelta(seconds=rng.uniform(60, 3 * 86400))
        if rng.random() < 0.04:
            authored = start + timedelta(seconds=rng.uniform(1, 600))  # pushed after opening
        for i in range(n_commits):
            if i:
                authored = min(authored + timedelta(seconds=rng.uniform(0, span / n_commits)), end)
            authored = _ts(authored)
            committed = _ts(
                authored + timedelta(seconds=rng.choice((0, 0, 5, 120, 86400 * rng.random())))
            )
            committed = min(committed, end) if committed > authored else authored
            author_sig = self._signature(rng, pr, bot_kind, authored)
            if rng.random() < 0.12 and not bot_kind:
                committer_sig = GitSignature(
                    "GitHub", "noreply@github.com", committed, self.users.get("web-flow")
                )
            else:
                committer_sig = GitSignature(
                    author_sig.name, author_sig.email, committed, author_sig.user
                )
            files_touched = rng.randint(1, max(1, min(n_files, 12)))
            oid = hashlib.sha1(f"{self.seed}:{payload}:{i}".encode()).hexdigest()  # noqa: S324
            children.commits.append(
                Commit(
                    node_id=make_id("PURC", f"{payload}:c:{i}"),
                    commit_node_id=make_id("C", f"{payload}:c:{i}"),
                    oid=oid,
                    message=text.commit_message(rng, pr, bot_kind, ai_tool, self.members[owner]),
                    author=author_sig,
                    committer=committer_sig,
                    additions=rng.randint(0, 40 * files_touched),
                    deletions=rng.randint(0, 20 * files_touched),
                    changed_files=None if rng.random() < 0.03 else files_touched,
                )
            )
        head = children.commits[-1]
        head.check_suites = self._check_suites(
            plan["now"], rng, pr, payload, head, "check_runs" in heavy, plan["serial"]
        )

        # Reviews: mostly by others, some self-comments, all after the PR opened.
        n_reviews = (
            rng.randint(101, 180)
            if "reviews" in heavy
            else (0 if bot_kind and rng.random() < 0.5 else min(int(rng.expovariate(1 / 2.2)), 25))
        )
        reviewers = [
            m for m in self.members[owner] if pr.author is None or m.login != pr.author.login
        ]
        times = sorted(rng.uniform(0, span) for _ in range(n_reviews))
        review_bot = (
            rng.choice(sorted(REVIEW_BOTS)) if not bot_kind and rng.random() < 0.15 else None
        )
        for i, offset in enumerate(times):
            created = _ts(start + timedelta(seconds=offset))
            if review_bot and i == 0:  # the AI reviewer answers first
                reviewer, state = self.bots[review_bot], "COMMENTED"
            elif pr.author is not None and pr.author.typename == "User" and rng.random() < 0.08:
                reviewer, state = pr.author, "COMMENTED"
            else:
                reviewer = rng.choice(reviewers) if rng.random() > 0.01 else None
                state = rng.choices(
                    ("APPROVED", "COMMENTED", "CHANGES_REQUESTED", "DISMISSED", "PENDING"),
                    weights=(44, 36, 12, 6, 2),
                )[0]
            commit_at = head if rng.random() < 0.7 else rng.choice(children.commits)
            children.reviews.append(
                Review(
                    node_id=make_id("PRR", f"{payload}:r:{i}"),
                    database_id=plan["serial"] * 1000 + i,
                    author=reviewer,
                    author_association=_association(reviewer, self.members[owner]),
                    state=state,
                    body=text.review_body(rng, state),
                    created_at=created,
                    submitted_at=None if state == "PENDING" else created,
                    commit_oid=commit_at.oid,
                )
            )

        # Pending review requests on open PRs.
        if pr.state == "OPEN":
            organization = plan["organization"]
            for i in range(rng.choice((0, 0, 1, 1, 2, 3))):
                reviewer: Actor | Team = (
                    rng.choice(organization.teams) if rng.random() < 0.25 else rng.choice(reviewers)
                )
                children.review_requests.append(
                    ReviewRequest(
                        make_id("RR", f"{payload}:q:{i}"),
                        stable_int("rr", payload, i, modulo=10**9),
                        reviewer,
                    )
                )
            unique = {getattr(r.reviewer, "node_id", ""): r for r in children.review_requests}
            children.review_requests = list(unique.values())

        # Issues this PR closes.
        if not bot_kind and rng.random() < 0.3:
            for i in range(rng.choice((1, 1, 1, 2))):
                repo_name = (
                    pr.repository
                    if rng.random() < 0.85
                    else f"{owner}/{rng.choice(('issues', 'roadmap'))}"
                )
                issue_number = max(1, pr.number - rng.randint(1, 40))
                children.closing_issues.append(
                    IssueReference(
                        repository=repo_name,
                        number=issue_number,
                        title=text.issue_title(rng),
                        state="CLOSED" if pr.merged_at else "OPEN",
                        node_id=make_id("I", f"{repo_name}#{issue_number}:{i}"),
                        database_id=stable_int("issue", repo_name, issue_number, modulo=10**9),
                    )
                )

        # Commit statuses, re-runs and timeline events draw from seeds of their own, after
        # everything above, so adding them changed none of the data generated before.
        add_ci_results(self.seed, pr, head, "statuses" in heavy, plan["serial"], plan["now"])
        children.timeline = timeline_events(
            self.seed,
            pr,
            children,
            self.members[owner],
            plan["last_activity"],
            "timeline" in heavy,
        )
        return children

    def _signature(
        self, rng: random.Random, pr: PullRequest, bot_kind: str | None, when: datetime
    ) -> GitSignature:
        if bot_kind:
            name, email = BOT_LOGINS[bot_kind]
            return GitSignature(name, email, when, None)
        person = (
            pr.author
            if pr.author is not None and rng.random() < 0.9
            else rng.choice(list(self.users.values()))
        )
        if person.typename != "User":  # a mannequin's commits carry its old e-mail, no user
            return GitSignature(person.login, person.email or "", when, None)
        if rng.random() < 0.08:
            return GitSignature(
                person.name or person.login, f"{person.login}@laptop.local", when, None
            )
        return GitSignature(person.name or person.login, person.email or "", when, person)

    def _check_suites(
        self,
        now: datetime,
        rng: random.Random,
        pr: PullRequest,
        payload: str,
        head: Commit,
        heavy: bool,
        serial: int,
    ) -> list[CheckSuite]:
        suites = []
        n_suites = 1 if heavy else rng.choice((0, 1, 1, 1, 2, 2, 3))
        base = head.committed_date
        for s in range(n_suites):
            app_name, app_slug = CHECK_APPS[0] if s == 0 else rng.choice(CHECK_APPS[1:])
            created = _ts(base + timedelta(seconds=rng.randint(1, 30)))
            n_runs = (
                rng.randint(101, 160)
                if heavy
                else (rng.randint(1, 12) if app_slug == "github-actions" else 1)
            )
            suite_db = serial * 10 + s
            runs = []
            for r in range(n_runs):
                started = _ts(created + timedelta(seconds=rng.randint(0, 120)))
                in_progress = (
                    pr.state == "OPEN" and started > now - timedelta(hours=2) and rng.random() < 0.5
                )
                if in_progress or started >= now:
                    status, conclusion, completed = (
                        rng.choice(("IN_PROGRESS", "QUEUED")),
                        None,
                        None,
                    )
                    started = min(started, now)
                else:
                    status = "COMPLETED"
                    conclusion = rng.choices(
                        (
                            "SUCCESS",
                            "FAILURE",
                            "SKIPPED",
                            "NEUTRAL",
                            "CANCELLED",
                            "TIMED_OUT",
                            "ACTION_REQUIRED",
                            "STARTUP_FAILURE",
                        ),
                        weights=(74, 12, 6, 2, 3, 1, 1, 1),
                    )[0]
                    completed = min(_ts(started + timedelta(seconds=rng.randint(5, 1800))), now)
                run_db = serial * 1000 + s * 200 + r
                runs.append(
                    CheckRun(
                        node_id=make_id("CR", f"{payload}:{head.oid[:12]}:{s}:{r}"),
                        database_id=run_db,
                        name=text.check_run_name(rng, app_slug, r),
                        status=status,
                        conclusion=conclusion,
                        started_at=started,
                        completed_at=completed,
                        details_url=f"https://github.com/{pr.repository}/actions/runs/{suite_db}/job/{run_db}",
                    )
                )
            suites.append(
                CheckSuite(
                    node_id=make_id("CS", f"{payload}:{head.oid[:12]}:{s}"),
                    database_id=suite_db,
                    app_name=app_name,
                    app_slug=app_slug,
                    status="COMPLETED"
                    if all(r.status == "COMPLETED" for r in runs)
                    else "IN_PROGRESS",
                    conclusion=_suite_conclusion(runs),
                    created_at=created,
                    check_runs=runs,
                )
            )
        return suites


def _association(reviewer: Actor | None, members: list[Actor]) -> str:
    if reviewer is not None and reviewer.typename == "Bot":
        return "NONE"
    return "MEMBER" if reviewer in members else "CONTRIBUTOR"


def _suite_conclusion(runs: list[CheckRun]) -> str | None:
    if any(r.status != "COMPLETED" for r in runs):
        return None
    conclusions = {r.conclusion for r in runs}
    for worst in ("STARTUP_FAILURE", "FAILURE", "TIMED_OUT", "CANCELLED", "ACTION_REQUIRED"):
        if worst in conclusions:
            return worst
    return "SUCCESS" if "SUCCESS" in conclusions else "NEUTRAL"


def generate_dataset(
    seed: int = 42,
    prs: int = 200,
    repositories: list[str] | tuple[str, ...] | None = None,
    now: datetime | str | None = None,
    heavy_tails: bool = True,
) -> Dataset:
    """Build a deterministic dataset of `prs` pull requests spread over `repositories`."""
    if isinstance(now, str):
        from .models import parse_datetime

        now = parse_datetime(now)
    names = list(repositories or DEFAULT_REPOSITORIES)
    generator = Generator(seed, names, now or DEFAULT_NOW, heavy_tails)
    dataset = generator.build(prs)
    dataset.generator = generator  # mutations reuse its people and child factories
    return dataset
