"""GraphQL resolvers for `statusCheckRollup` and `timelineItems` of pull requests.

Served as on GitHub (schema docs of `StatusCheckRollup`, `PullRequest.timelineItems`):
- `PullRequest.statusCheckRollup` is the head commit's rollup, null when the head commit has
  neither check runs nor statuses. `contexts(first, after)` is a union of `CheckRun` (the
  latest run of each name in each suite) and `StatusContext` (the latest status of each
  context); check runs come first, then statuses by context name.
- `timelineItems(first, after, itemTypes, since, skip)` lists events oldest first; `itemTypes`
  keeps the listed kinds, `since` the events at or after it. `totalCount` counts after those
  filters, as `filteredCount` does.
- `CheckSuite.checkRuns(filterBy: {checkType: ALL})` also lists superseded attempts; the
  default (LATEST, as the REST API's `filter=latest`) lists only the latest per name.
Cost needs nothing here: `contexts` and `timelineItems` are connections that cost.py prices
from the query text (one request per parent node). `install()` runs when resolvers.py is
imported, after its tables exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import ids
from .commit_statuses import is_required
from .connections import Connection
from .generator import stable_int
from .models import (
    TIMELINE_ITEM_TYPES,
    CheckRun,
    CheckSuite,
    Commit,
    GitSignature,
    PullRequest,
    StatusContext,
    TimelineEvent,
    parse_datetime,
)
from .resolvers import (
    CONNECTION_FIELDS,
    GitCommitView,
    RequestContext,
    find_pull_request,
    run_suite,
    ts,
)

_FAILING_RUN = {"FAILURE", "TIMED_OUT", "CANCELLED", "ACTION_REQUIRED", "STARTUP_FAILURE"}


@dataclass
class RollupView:
    commit: Commit
    pull_request: PullRequest

    @property
    def contexts(self) -> list[CheckRun | StatusContext]:
        runs = [run for suite in self.commit.check_suites for run in suite.check_runs]
        return [*runs, *self.commit.latest_statuses]


@dataclass
class WorkflowRunView:
    suite: CheckSuite
    pull_request: PullRequest | None


def rollup_of(commit: Commit | None, pr: PullRequest | None) -> RollupView | None:
    if commit is None or pr is None:
        return None
    view = RollupView(commit, pr)
    return view if view.contexts else None


def rollup_state(view: RollupView) -> str:
    """GitHub's combined state: any failure wins, then anything still pending, else success."""
    states = set()
    for item in view.contexts:
        if isinstance(item, StatusContext):
            states.add(item.state)
        elif item.status != "COMPLETED":
            states.add("PENDING")
        else:
            states.add("FAILURE" if item.conclusion in _FAILING_RUN else "SUCCESS")
    for state in ("ERROR", "FAILURE", "PENDING"):
        if state in states:
            return state
    return "SUCCESS"


def _contexts(view: RollupView, args: dict[str, Any], _ctx: RequestContext) -> Connection:
    return Connection(view.contexts, args)


def _counts_by_state(view: RollupView, kind: type) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for item in view.contexts:
        if isinstance(item, kind):
            is_status = isinstance(item, StatusContext)
            state = item.state if is_status else (item.conclusion or item.status)
            counts[state] = counts.get(state, 0) + 1
    return [{"state": state, "count": count} for state, count in sorted(counts.items())]


class RollupConnection(Connection):
    def __init__(self, view: RollupView, args: dict[str, Any]) -> None:
        super().__init__(view.contexts, args)
        self.view = view


def _pr_of(node_id: str, ctx: RequestContext) -> PullRequest | None:
    return find_pull_request(ctx.dataset, node_id)


def _protected(pr: PullRequest | None) -> bool:
    return pr is not None and stable_int(pr.repository, "protected") % 3 != 0


def _is_required(name: str, node_id: str, args: dict[str, Any], ctx: RequestContext) -> bool:
    """Required for the given PR: it must be the PR this context belongs to, and protected."""
    own = _pr_of(node_id, ctx)
    if own is None:
        return False
    asked = args.get("pullRequestId")
    if asked is not None and asked != own.node_id:
        return False
    if asked is None and args.get("pullRequestNumber") not in (None, own.number):
        return False
    return is_required(_protected(own), name)


def _timeline_items(pr: PullRequest, args: dict[str, Any], _ctx: RequestContext) -> Connection:
    events = pr.timeline
    keyed = list(enumerate(events))
    if args.get("itemTypes"):
        wanted = set(args["itemTypes"])
        keyed = [(i, e) for i, e in keyed if TIMELINE_ITEM_TYPES.get(e.typename) in wanted]
    if args.get("since"):
        since = parse_datetime(args["since"])
        keyed = [(i, e) for i, e in keyed if e.created_at >= since]
    if args.get("skip"):
        keyed = keyed[args["skip"] :]
    position = {id(e): i for i, e in keyed}
    return Connection([e for _, e in keyed], args, lambda e, _i: position[id(e)])


def _event_commit(oid: str | None, event: TimelineEvent, ctx: RequestContext) -> Any:
    if oid is None:
        return None
    pr = _pr_of(event.node_id, ctx)
    commit = next((c for c in pr.commits if c.oid == oid), None) if pr else None
    if commit is None:  # a commit the force push rewrote: it is no longer in the PR
        signature = GitSignature("", "", event.created_at, None)
        commit = Commit(
            ids.make_id("PURC", f"rewritten:{oid}"),
            ids.make_id("C", f"rewritten:{oid}"),
            oid,
            "",
            signature,
            signature,
            0,
            0,
            None,
        )
    return GitCommitView(commit, pr)


def _workflow_run(suite: CheckSuite, ctx: RequestContext) -> WorkflowRunView | None:
    if suite.app_slug != "github-actions":
        return None
    return WorkflowRunView(suite, _pr_of(suite.node_id, ctx))


def _check_runs_all(original):
    """Wrap `CheckSuite.checkRuns`: `filterBy.checkType: ALL` adds the superseded attempts."""

    def resolve(suite: CheckSuite, args: dict[str, Any], ctx: RequestContext) -> Connection:
        filter_by = dict(args.get("filterBy") or {})
        if filter_by.pop("checkType", None) != "ALL" or not suite.superseded_runs:
            return original(suite, args, ctx)
        runs = sorted(
            [*suite.check_runs, *suite.superseded_runs],
            key=lambda r: (r.started_at or suite.created_at, r.database_id),
        )
        every = CheckSuite(**{**suite.__dict__, "check_runs": runs})
        return original(every, {**args, "filterBy": filter_by}, ctx)

    return resolve


def _run_suite(run: CheckRun, ctx: RequestContext) -> CheckSuite | None:
    found = run_suite(ctx.dataset, run)
    if found is not None:
        return found
    pr = _pr_of(run.node_id, ctx)
    for commit in pr.commits if pr else ():
        for suite in commit.check_suites:
            if run in suite.superseded_runs:
                return suite
    return None


ROLLUP_FIELDS = {
    "id": lambda v, a, c: ids.make_id(
        "SCR", f"{ids.pr_payload(v.pull_request.repository, v.pull_request.number)}:{v.commit.oid}"
    ),
    "commit": lambda v, a, c: GitCommitView(v.commit, v.pull_request),
    "state": lambda v, a, c: rollup_state(v),
    "contexts": lambda v, a, c: RollupConnection(v, a),
}

ROLLUP_CONNECTION_FIELDS = {
    **CONNECTION_FIELDS,
    "checkRunCount": lambda x, a, c: sum(isinstance(i, CheckRun) for i in x.view.contexts),
    "statusContextCount": lambda x, a, c: sum(
        isinstance(i, StatusContext) for i in x.view.contexts
    ),
    "checkRunCountsByState": lambda x, a, c: _counts_by_state(x.view, CheckRun),
    "statusContextCountsByState": lambda x, a, c: _counts_by_state(x.view, StatusContext),
}

TIMELINE_CONNECTION_FIELDS = {
    **CONNECTION_FIELDS,
    "filteredCount": lambda x, a, c: x.total_count,
    "pageCount": lambda x, a, c: len(x.items),
    "updatedAt": lambda x, a, c: ts(max((e.created_at for e in x.items), default=None)),
}

STATE_COUNT_FIELDS = {
    "state": lambda x, a, c: x["state"],
    "count": lambda x, a, c: x["count"],
}

STATUS_CONTEXT_FIELDS = {
    "id": lambda s, a, c: s.node_id,
    "context": lambda s, a, c: s.context,
    "state": lambda s, a, c: s.state,
    "description": lambda s, a, c: s.description,
    "targetUrl": lambda s, a, c: s.target_url,
    "createdAt": lambda s, a, c: ts(s.created_at),
    "creator": lambda s, a, c: s.creator,
    "avatarUrl": lambda s, a, c: None,
    "isRequired": lambda s, a, c: _is_required(s.context, s.node_id, a, c),
    "commit": lambda s, a, c: _status_commit(s, c),
}


def _status_commit(status: StatusContext, ctx: RequestContext) -> GitCommitView | None:
    pr = _pr_of(status.node_id, ctx)
    for commit in pr.commits if pr else ():
        if status in commit.statuses:
            return GitCommitView(commit, pr)
    return None


WORKFLOW_RUN_FIELDS = {
    "id": lambda w, a, c: ids.make_id("WFR", str(w.suite.database_id)),
    "databaseId": lambda w, a, c: w.suite.database_id,
    "runNumber": lambda w, a, c: w.suite.database_id % 100_000,
    "event": lambda w, a, c: "pull_request",
    "createdAt": lambda w, a, c: ts(w.suite.created_at),
    "updatedAt": lambda w, a, c: ts(w.suite.created_at),
    "url": lambda w, a, c: (
        f"https://github.com/{w.pull_request.repository if w.pull_request else 'unknown/unknown'}"
        f"/actions/runs/{w.suite.database_id}"
    ),
    "checkSuite": lambda w, a, c: w.suite,
    "workflow": lambda w, a, c: w,
}
WORKFLOW_FIELDS = {
    "id": lambda w, a, c: ids.make_id("W", f"{w.suite.app_slug}:ci"),
    "name": lambda w, a, c: "CI",
    "databaseId": lambda w, a, c: 1000 + stable_int("workflow", w.suite.app_slug, modulo=10**6),
}


def _event_fields() -> dict[str, Any]:
    return {
        "id": lambda e, a, c: e.node_id,
        "actor": lambda e, a, c: e.actor,
        "createdAt": lambda e, a, c: ts(e.created_at),
        "pullRequest": lambda e, a, c: _pr_of(e.node_id, c),
        "closable": lambda e, a, c: _pr_of(e.node_id, c),
        "requestedReviewer": lambda e, a, c: e.requested_reviewer,
        "beforeCommit": lambda e, a, c: _event_commit(e.before_commit_oid, e, c),
        "afterCommit": lambda e, a, c: _event_commit(e.after_commit_oid, e, c),
        "commit": lambda e, a, c: _event_commit(e.commit_oid, e, c),
        "mergeRefName": lambda e, a, c: e.merge_ref_name or "",
        "stateReason": lambda e, a, c: None,
        "url": lambda e, a, c: _event_url(e, c),
        "resourcePath": lambda e, a, c: _event_url(e, c).removeprefix("https://github.com"),
    }


def _event_url(event: TimelineEvent, ctx: RequestContext) -> str:
    pr = _pr_of(event.node_id, ctx)
    return (pr.url if pr else "https://github.com") + f"#event-{abs(hash(event.node_id)) % 10**9}"


def find_child(pr: PullRequest, prefix: str, node_id: str) -> Any:
    """The rollup, status context, timeline event or superseded check run `node_id` of `pr`."""
    if prefix == "SCR":  # the rollup of one of the PR's commits: `owner/name#N:<oid>`
        oid = ids.parse_id(node_id)[1].rsplit(":", 1)[-1]  # type: ignore[index]
        return rollup_of(next((c for c in pr.commits if c.oid == oid), None), pr)
    if prefix == "SC":
        return next((s for c in pr.commits for s in c.statuses if s.node_id == node_id), None)
    if prefix == "CR":
        for commit in pr.commits:
            for suite in commit.check_suites:
                for run in suite.superseded_runs:
                    if run.node_id == node_id:
                        return run
        return None
    return next((e for e in pr.timeline if e.node_id == node_id), None)


def install(fields: dict[str, dict[str, Any]], python_type_names: dict[type, str]) -> None:
    """Register the tables above and the new fields of PullRequest, Commit, CheckRun, ..."""
    fields["PullRequest"]["statusCheckRollup"] = lambda p, a, c: rollup_of(p.head_commit, p)
    fields["PullRequest"]["timelineItems"] = _timeline_items
    fields["Commit"]["statusCheckRollup"] = lambda v, a, c: rollup_of(v.commit, v.pull_request)
    fields["CheckRun"]["checkSuite"] = lambda r, a, c: _run_suite(r, c)
    fields["CheckRun"]["isRequired"] = lambda r, a, c: _is_required(r.name, r.node_id, a, c)
    fields["CheckSuite"]["workflowRun"] = lambda s, a, c: _workflow_run(s, c)
    fields["CheckSuite"]["checkRuns"] = _check_runs_all(fields["CheckSuite"]["checkRuns"])
    fields["StatusCheckRollup"] = ROLLUP_FIELDS
    fields["StatusCheckRollupContextConnection"] = ROLLUP_CONNECTION_FIELDS
    fields["CheckRunStateCount"] = STATE_COUNT_FIELDS
    fields["StatusContextStateCount"] = STATE_COUNT_FIELDS
    fields["StatusContext"] = STATUS_CONTEXT_FIELDS
    fields["PullRequestTimelineItemsConnection"] = TIMELINE_CONNECTION_FIELDS
    fields["WorkflowRun"] = WORKFLOW_RUN_FIELDS
    fields["Workflow"] = WORKFLOW_FIELDS
    for typename in TIMELINE_ITEM_TYPES:
        fields[typename] = _event_fields()
    python_type_names[RollupView] = "StatusCheckRollup"
    python_type_names[StatusContext] = "StatusContext"
    python_type_names[WorkflowRunView] = "WorkflowRun"
