"""Assets: the raw tables, loaded shard by shard, and the dbt models built on them."""

# No `from __future__ import annotations`: Dagster reads these annotations at runtime.
import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project, ensure_manifest
from orchestration.meltano_runs import MeltanoError, MeltanoShards
from orchestration.repositories import configured_repositories
from orchestration.settings import OrchestrationSettings
from orchestration.shards import Shard

SHARDS = dg.DynamicPartitionsDefinition(name="github_repository_shards")
RAW_GROUP = "raw_github"
# Every shard step takes a slot of this pool (instance setting `concurrency.pools`, see README).
SHARD_POOL = "github_shards"
TOKEN_TAG = "github/token"  # noqa: S105 (a tag name, not a secret)
# Metadata of every raw materialisation: the repositories the run loaded (the webhook sensor
# dequeues only those).
LOADED_REPOSITORIES = "repositories"


def shard_tags(partition_key: str, token_count: int) -> dict[str, str]:
    """Run tags of a shard's run; the run queue limits runs per unique `github/token`."""
    return {TOKEN_TAG: f"token-{Shard.parse(partition_key).token_index(token_count) + 1}"}


def raw_keys(manifest: Path) -> list[dg.AssetKey]:
    """The tables of dbt's source `github` (what the marts read), keyed as dagster-dbt keys
    sources: AssetKey(["github", table]). One load writes them all."""
    sources = json.loads(manifest.read_text())["sources"].values()
    return sorted(
        dg.AssetKey(["github", source["name"]])
        for source in sources
        if source["source_name"] == "github"
    )


def build_raw_assets(settings: OrchestrationSettings) -> dg.AssetsDefinition:
    keys = raw_keys(ensure_manifest(settings))

    @dg.multi_asset(
        name="github_raw_shard",
        specs=[
            dg.AssetSpec(
                key,
                group_name=RAW_GROUP,
                description=f"raw_github.{key.path[-1]}, loaded by Meltano one shard at a time.",
                partitions_def=SHARDS,
            )
            for key in keys
        ],
        partitions_def=SHARDS,
        pool=SHARD_POOL,
    )
    def github_raw_shard(
        context: dg.AssetExecutionContext, meltano: dg.ResourceParam[MeltanoShards]
    ) -> Iterator[dg.MaterializeResult]:
        shard = Shard.parse(context.partition_key)
        repositories = shard.members(configured_repositories(meltano, settings, context.log))
        token = (
            settings.tokens[shard.token_index(len(settings.tokens))] if settings.tokens else None
        )
        context.log.info(
            "%s: %d repositories, token #%d",
            shard.key,
            len(repositories),
            shard.token_index(settings.token_count) + 1,
        )
        if repositories:
            try:
                run = meltano.run_shard(shard.key, repositories, token, context.log)
            except MeltanoError as error:
                if error.lost_ddl_race:  # first load of a stream by two shards at once
                    raise dg.RetryRequested(max_retries=3, seconds_to_wait=5) from error
                raise
        else:  # the organisation lost this shard's repositories since the partition was added
            run = None
        for key in keys:
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    LOADED_REPOSITORIES: dg.MetadataValue.json(repositories),
                    "pull_requests": run.pull_requests if run else 0,
                    "requests": run.requests if run else 0,
                },
            )

    return github_raw_shard


def build_dbt_assets(settings: OrchestrationSettings) -> dg.AssetsDefinition:
    """Every dbt model and seed; dbt tests become asset checks (dagster-dbt's default)."""
    manifest = ensure_manifest(settings)

    @dbt_assets(manifest=manifest, project=dbt_project(settings), name="github_dbt")
    def github_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from dbt.cli(["build"], context=context).stream()

    return github_dbt


__all__ = [
    "LOADED_REPOSITORIES",
    "RAW_GROUP",
    "SHARDS",
    "build_dbt_assets",
    "build_raw_assets",
    "shard_tags",
]
