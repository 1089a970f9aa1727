"""The code location: `dagster dev -m orchestration.definitions` (see orchestration/README.md)."""

from __future__ import annotations

import os

import dagster as dg

from orchestration.assets import build_dbt_assets, build_raw_assets
from orchestration.automation import (
    build_jobs,
    build_marts_sensor,
    build_partitions_sensor,
    build_schedule,
    build_webhook_sensor,
)
from orchestration.dbt_project import DBT_ENV, dbt_resource
from orchestration.meltano_runs import MeltanoShards
from orchestration.settings import OrchestrationSettings


def build_definitions(settings: OrchestrationSettings) -> dg.Definitions:
    for name, value in DBT_ENV.items():  # dagster-dbt runs dbt with this process's environment
        os.environ.setdefault(name, value)
    shards_job, marts_job = build_jobs(settings)
    return dg.Definitions(
        assets=[build_raw_assets(settings), build_dbt_assets(settings)],
        jobs=[shards_job, marts_job],
        schedules=[build_schedule(settings, shards_job)],
        sensors=[
            build_partitions_sensor(settings),
            build_marts_sensor(shards_job, marts_job),
            build_webhook_sensor(settings, shards_job),
        ],
        resources={"meltano": MeltanoShards(settings), "dbt": dbt_resource(settings)},
    )


defs = build_definitions(OrchestrationSettings.from_env())
