"""Jobs, the hourly schedule and the sensors that keep shards and marts in step."""

# No `from __future__ import annotations`: Dagster reads these annotations at runtime.
import datetime as dt
from collections.abc import Iterable

import dagster as dg

from orchestration.assets import RAW_GROUP, SHARDS, shard_tags
from orchestration.meltano_runs import MeltanoShards
from orchestration.repositories import configured_repositories
from orchestration.settings import OrchestrationSettings
from orchestration.shards import Shard, bucket_of, shard_count, shards_of

BATCH_TAG = "github/batch"
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def build_jobs(settings: OrchestrationSettings) -> tuple:
    shards_job = dg.define_asset_job(
        "github_shards_job",
        selection=dg.AssetSelection.groups(RAW_GROUP),
        # Tags per partition reach every run of the job: schedule, sensor, UI, backfill.
        config=dg.PartitionedConfig(
            partitions_def=SHARDS,
            run_config_for_partition_key_fn=lambda _key: {},
            tags_for_partition_key_fn=lambda key: shard_tags(key, settings.token_count),
        ),
    )
    marts_job = dg.define_asset_job(
        "github_marts_job", selection=dg.AssetSelection.all() - dg.AssetSelection.groups(RAW_GROUP)
    )
    return shards_job, marts_job


def shard_run_requests(
    partition_keys: Iterable[str], batch: str, settings: OrchestrationSettings
) -> list[dg.RunRequest]:
    """One run per shard, all tagged with one batch (the marts wait for the whole batch)."""
    return [
        dg.RunRequest(
            run_key=f"{batch}:{key}", partition_key=key, tags=shard_run_tags(key, batch, settings)
        )
        for key in sorted(partition_keys)
    ]


def shard_run_tags(partition_key: str, batch: str, settings: OrchestrationSettings) -> dict:
    """The batch (read by the marts sensor) and the shard's token (limited by the run queue)."""
    return {BATCH_TAG: batch, **shard_tags(partition_key, settings.token_count)}


def repositories_by_shard(
    repositories: Iterable[str], partition_keys: Iterable[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """Each repository's current shard by its hash bucket, and the repositories whose bucket
    has no partition (no shards yet, or the partitions sensor has not caught up).

    A bucket only says where a repository would be: whether its shard's runs load it depends
    on the configuration (the webhook sensor checks what the shard's last run loaded).
    """
    shards = [Shard.parse(key) for key in partition_keys]
    count = max((shard.count for shard in shards), default=1)
    keys = {shard.key for shard in shards}
    grouped: dict[str, list[str]] = {}
    outside: list[str] = []
    for name in repositories:
        key = Shard(bucket_of(name, count), count).key
        if key in keys:
            grouped.setdefault(key, []).append(name)
        else:
            outside.append(name)
    return grouped, sorted(outside)


def build_schedule(settings: OrchestrationSettings, shards_job) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="github_shards_hourly",
        cron_schedule="0 * * * *",
        job=shards_job,
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def github_shards_hourly(context: dg.ScheduleEvaluationContext):
        """Incremental: each shard run starts from its own state."""
        keys = context.instance.get_dynamic_partitions(SHARDS.name)
        if not keys:
            return dg.SkipReason("No shards yet: start the sensor github_shard_partitions.")
        batch = context.scheduled_execution_time.astimezone(dt.timezone.utc).isoformat()
        return shard_run_requests(keys, batch, settings)

    return github_shards_hourly


def build_partitions_sensor(settings: OrchestrationSettings) -> dg.SensorDefinition:
    @dg.sensor(
        name="github_shard_partitions",
        minimum_interval_seconds=15 * 60,
        default_status=dg.DefaultSensorStatus.STOPPED,
    )
    def github_shard_partitions(
        context: dg.SensorEvaluationContext, meltano: dg.ResourceParam[MeltanoShards]
    ):
        """Shards of the configured repositories and organisations: add new, delete emptied."""
        repositories = configured_repositories(meltano, settings, context.log)
        wanted = {shard.key for shard in shards_of(repositories, settings.shard_size)}
        existing = set(context.instance.get_dynamic_partitions(SHARDS.name))
        requests = []
        if wanted - existing:
            requests.append(SHARDS.build_add_request(sorted(wanted - existing)))
        if existing - wanted:
            requests.append(SHARDS.build_delete_request(sorted(existing - wanted)))
        context.log.info(
            "%d repositories in %d shards (%d per shard wanted, %d shards counted)",
            len(repositories),
            len(wanted),
            settings.shard_size,
            shard_count(len(repositories), settings.shard_size),
        )
        return dg.SensorResult(dynamic_partitions_requests=requests)

    return github_shard_partitions


def build_marts_sensor(shards_job, marts_job) -> dg.SensorDefinition:
    @dg.sensor(
        name="github_marts_after_shards",
        job=marts_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
    )
    def github_marts_after_shards(context: dg.SensorEvaluationContext):
        """The marts once per batch, when every shard run of that batch has finished."""
        runs = context.instance.get_runs(filters=dg.RunsFilter(job_name=shards_job.name), limit=500)
        batches: dict[str, list[dg.DagsterRun]] = {}
        for run in runs:
            if batch := run.tags.get(BATCH_TAG):
                batches.setdefault(batch, []).append(run)
        handled = context.cursor or ""
        ready = sorted(
            batch
            for batch, members in batches.items()
            if batch > handled
            and all(run.status in FINISHED for run in members)
            and any(run.status == dg.DagsterRunStatus.SUCCESS for run in members)
        )
        if not ready:
            return dg.SkipReason("No finished batch of shard runs to build marts for.")
        latest = ready[-1]  # one build covers every batch loaded before it
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=latest, tags={BATCH_TAG: latest})], cursor=latest
        )

    return github_marts_after_shards


def build_webhook_sensor(settings: OrchestrationSettings, shards_job) -> dg.SensorDefinition:
    @dg.sensor(
        name="github_webhook_shards",
        job=shards_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
    )
    def github_webhook_shards(context: dg.SensorEvaluationContext):
        """Runs of the shards holding the repositories the webhook receiver queued; they are
        dequeued when their run succeeds (orchestration/webhook_claims.py)."""
        try:  # the extra `webhooks` (psycopg's pool); the code location loads without it
            from orchestration.webhook_claims import WebhookTick
            from tap_github_prs_webhooks.queue import WebhookQueue
            from tap_github_prs_webhooks.settings import connection_arguments
        except ImportError as error:
            return dg.SkipReason(f"Reading the webhook queue needs the extra `webhooks`: {error}")
        queue = WebhookQueue(
            connection_arguments(), schema=settings.webhook_schema, max_connections=1
        )
        # Never create the receiver's tables from here: no table, no receiver, nothing to do.
        if not queue.exists():
            return dg.SkipReason(
                f"No webhook queue ({settings.webhook_schema}.queue) in the warehouse: "
                "`tap-github-prs-webhooks serve` creates it."
            )
        queue.open(create=False)
        try:
            return WebhookTick(
                context, queue, settings, dt.datetime.now(dt.timezone.utc)
            ).evaluate()
        finally:
            queue.close()

    return github_webhook_shards
