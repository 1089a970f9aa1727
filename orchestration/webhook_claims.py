"""One tick of the webhook sensor: settle the runs it requested, then request runs for the
shards holding queued repositories.

Claim semantics. Rows are claimed when a run is requested, and dequeued only once that run has
succeeded:
- At request time the shard's rows are claimed (`WebhookQueue.claim`: `claimed_at` is set and
  their event counts are kept in the sensor's cursor). Nothing is deleted, so a run that fails,
  is cancelled or is never created leaves every row queued, and it is requested again.
- After the run succeeded, `WebhookQueue.complete` deletes the claimed rows whose event count has
  not moved since the claim, and only those the run loaded (its materialisations list them). A
  repository with an event during the run keeps its row: the run may have fetched it before
  that change.
Deleting at request time would lose a change whenever the run fails; taking the counts only at
success time would dequeue events that arrived while the run was going.

Run keys are `webhook:<shard>:<digest of the rows>:<attempt>`. The same queue rows give the same
key, so a retried tick, or one after the cursor was lost, asks for no second run (Dagster skips
a run key its sensor has used, and a run found under the key is adopted or settled here). A
failed run moves the rows to the next attempt, up to MAX_ATTEMPTS.
"""

# No `from __future__ import annotations`, like the rest of the package (Dagster reads
# annotations at runtime in the modules it loads).
import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import dagster as dg

from orchestration.assets import LOADED_REPOSITORIES, SHARDS
from orchestration.automation import FINISHED, repositories_by_shard, shard_run_tags
from orchestration.settings import OrchestrationSettings
from tap_github_prs_webhooks.queue import Claim, Queued, WebhookQueue

# Dagster tags every run it creates for a sensor's request with the request's run key
# (dagster._core.storage.tags.RUN_KEY_TAG).
RUN_KEY_TAG = "dagster/run_key"
SOURCE_TAG = "github/source"
# Every raw materialisation of a shard lists the repositories its run loaded; one table's
# latest materialisation is enough to know a shard's members.
MEMBERSHIP_ASSET = dg.AssetKey(["github", "pull_requests"])
# Failed runs for the same queued rows before the sensor stops asking (until the rows change).
MAX_ATTEMPTS = 3
# A requested run that the daemon never created (e.g. the sensor was stopped mid-tick): after
# this long its claim is let go, and its rows are requested again.
UNLAUNCHED_AFTER_SECONDS = 60 * 60


@dataclass
class PendingClaim:
    """A run this sensor requested and has not settled yet."""

    shard: str
    counts: dict[str, int]
    requested_at: float


@dataclass
class WebhookCursor:
    claims: dict[str, PendingClaim] = field(default_factory=dict)  # by run key
    # Already warned about, so a repository that stays queued is not reported every tick.
    reported: list[str] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str | None) -> "WebhookCursor":
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            claims={key: PendingClaim(**claim) for key, claim in data["claims"].items()},
            reported=data.get("reported", []),
            given_up=data.get("given_up", []),
        )

    def dump(self) -> str:
        claims = {key: asdict(claim) for key, claim in self.claims.items()}
        return json.dumps(
            {"claims": claims, "reported": self.reported, "given_up": self.given_up},
            sort_keys=True,
        )


def rows_key(shard: str, rows: Iterable[Queued]) -> str:
    """`webhook:<shard>:<digest>`, the same for the same queue rows."""
    # first_event_at tells a row queued again after its dequeue from the earlier one (its count
    # starts at 1 again), so a new change never matches an old, finished run.
    text = "\n".join(
        f"{row.repository}\t{row.first_event_at.isoformat()}\t{row.event_count}"
        for row in sorted(rows, key=lambda row: row.repository)
    )
    return f"webhook:{shard}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def listed(names: Iterable[str], limit: int = 20) -> str:
    """Names for a log line; an organisation webhook can queue thousands."""
    names = sorted(names)
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def run_with_key(instance: dg.DagsterInstance, key: str) -> dg.DagsterRun | None:
    runs = instance.get_runs(filters=dg.RunsFilter(tags={RUN_KEY_TAG: key}), limit=1)
    return runs[0] if runs else None


def _loaded(materialization: dg.AssetMaterialization | None) -> set[str] | None:
    value = materialization.metadata.get(LOADED_REPOSITORIES) if materialization else None
    return None if value is None else {name.lower() for name in value.value}


def loaded_by_run(instance: dg.DagsterInstance, run_id: str) -> set[str]:
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    loaded = (_loaded(record.asset_materialization) for record in records)
    return set().union(*(names for names in loaded if names))


def shard_members(instance: dg.DagsterInstance, shard: str) -> set[str] | None:
    """What the shard's latest run loaded; None when it never ran (its run will tell)."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=MEMBERSHIP_ASSET, asset_partitions=[shard]), limit=1
    ).records
    return _loaded(records[0].asset_materialization) if records else None


class WebhookTick:
    def __init__(
        self,
        context: dg.SensorEvaluationContext,
        queue: WebhookQueue,
        settings: OrchestrationSettings,
        now: dt.datetime,
    ) -> None:
        self.instance = context.instance
        self.log = context.log
        self.queue = queue
        self.settings = settings
        self.now = now
        self.cursor = WebhookCursor.parse(context.cursor)
        self.unknown: set[str] = set()
        self.given_up: set[str] = set()

    def evaluate(self) -> dg.SensorResult:
        self.settle_requested()
        rows = self.queue.pending()
        partition_keys = self.instance.get_dynamic_partitions(SHARDS.name)
        requests = self.request_runs(rows, partition_keys) if partition_keys else []
        self.report()
        if requests:
            return dg.SensorResult(run_requests=requests, cursor=self.cursor.dump())
        return dg.SensorResult(
            skip_reason=self.skip_reason(rows, partition_keys), cursor=self.cursor.dump()
        )

    # Settling ------------------------------------------------------------------------------
    def settle_requested(self) -> None:
        for key, claim in list(self.cursor.claims.items()):
            run = run_with_key(self.instance, key)
            if run is None:
                if self.now.timestamp() - claim.requested_at > UNLAUNCHED_AFTER_SECONDS:
                    self.queue.release(Claim(claim.counts))
                    del self.cursor.claims[key]
                    self.log.warning(
                        "No run was created for %s within %d s: its %d repositories are "
                        "requested again",
                        key,
                        UNLAUNCHED_AFTER_SECONDS,
                        len(claim.counts),
                    )
            elif run.status in FINISHED:
                self.settle(run, claim.counts)
                del self.cursor.claims[key]

    def settle(self, run: dg.DagsterRun, counts: dict[str, int]) -> None:
        if run.status != dg.DagsterRunStatus.SUCCESS:
            self.queue.release(Claim(counts))
            self.log.warning(
                "Run %s (%s) ended %s: its %d queued repositories stay queued",
                run.run_id,
                run.tags.get(RUN_KEY_TAG),
                run.status.value,
                len(counts),
            )
            return
        loaded = loaded_by_run(self.instance, run.run_id)
        done = {name: count for name, count in counts.items() if name.lower() in loaded}
        missed = {name: count for name, count in counts.items() if name not in done}
        kept = self.queue.complete(Claim(done))
        self.queue.release(Claim(missed))
        self.unknown.update(missed)
        self.log.info(
            "Run %s synced %d queued repositories (%d changed again during it and stay queued)",
            run.run_id,
            len(done),
            len(kept),
        )

    # Requesting ----------------------------------------------------------------------------
    def request_runs(self, rows: list[Queued], partition_keys: list[str]) -> list[dg.RunRequest]:
        by_name = {row.repository: row for row in rows}
        grouped, outside = repositories_by_shard(by_name, partition_keys)
        self.unknown.update(outside)
        busy = {claim.shard for claim in self.cursor.claims.values()}
        # A repository is in one unsettled claim at most, even when the shard count changed
        # under a requested run (the queue matches a claim to its row by event count only).
        claimed = {name for claim in self.cursor.claims.values() for name in claim.counts}
        batch = self.now.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()
        requests = []
        for shard, names in sorted(grouped.items()):
            members = shard_members(self.instance, shard)
            if members is not None:  # a shard's run loads only its configured repositories
                self.unknown.update(name for name in names if name.lower() not in members)
                names = [name for name in names if name.lower() in members]
            names = [name for name in names if name not in claimed]
            if names and shard not in busy:
                request = self.request_shard(shard, [by_name[name] for name in names], batch)
                if request is not None:
                    requests.append(request)
        return requests

    def request_shard(self, shard: str, rows: list[Queued], batch: str) -> dg.RunRequest | None:
        counts = {row.repository: row.event_count for row in rows}
        base = rows_key(shard, rows)
        for attempt in range(MAX_ATTEMPTS):
            key = f"{base}:{attempt}"
            run = run_with_key(self.instance, key)
            if run is None:
                claim = self.queue.claim(repositories=counts)
                if not claim.counts:  # dequeued meanwhile (by `tap-github-prs-webhooks sync`)
                    return None
                self.cursor.claims[key] = PendingClaim(shard, claim.counts, self.now.timestamp())
                return dg.RunRequest(
                    run_key=key,
                    partition_key=shard,
                    tags={**shard_run_tags(shard, batch, self.settings), SOURCE_TAG: "webhook"},
                )
            if run.status not in FINISHED:  # requested by a tick whose cursor was lost
                self.cursor.claims[key] = PendingClaim(shard, counts, self.now.timestamp())
                return None
            if run.status == dg.DagsterRunStatus.SUCCESS:  # finished, never settled
                self.settle(run, counts)
                return None
        self.given_up.add(base)
        return None

    # Reporting -----------------------------------------------------------------------------
    def report(self) -> None:
        new = sorted(self.unknown - set(self.cursor.reported))
        if new:
            self.log.warning(
                "Queued by the webhook receiver but in no shard's runs, so they stay queued: "
                "%s. Add them to the tap's `repositories` or `organizations`: once their "
                "shard's next run (the schedule, or any materialisation) has loaded them, this "
                "sensor runs them.",
                listed(new),
            )
        self.cursor.reported = sorted(self.unknown)
        for key in sorted(self.given_up - set(self.cursor.given_up)):
            self.log.warning(
                "%s: %d runs for the same queued rows failed; no other run is requested until "
                "those rows change (they stay queued)",
                key,
                MAX_ATTEMPTS,
            )
        self.cursor.given_up = sorted(self.given_up)

    def skip_reason(self, rows: list[Queued], partition_keys: list[str]) -> str:
        if not rows:
            return "The webhook queue is empty."
        if not partition_keys:
            return (
                f"{len(rows)} repositories queued, but no shards yet: start the sensor "
                "github_shard_partitions."
            )
        parts = [f"{len(rows)} repositories queued, no new shard run"]
        if self.cursor.claims:
            parts.append(f"{len(self.cursor.claims)} requested runs not finished yet")
        if self.unknown:
            parts.append(f"in no shard's runs: {listed(self.unknown)}")
        if self.given_up:
            parts.append(f"{len(self.given_up)} shards failed {MAX_ATTEMPTS} times")
        return "; ".join(parts) + "."
