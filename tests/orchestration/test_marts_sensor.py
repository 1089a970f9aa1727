"""The marts are requested once per batch of shard runs, only when the whole batch is over."""

from __future__ import annotations

import pytest

dg = pytest.importorskip("dagster", reason="the `dagster` extra is not installed")


def test_marts_wait_for_the_whole_batch_then_run_once(tmp_path):
    from dagster._core.test_utils import create_run_for_test

    from orchestration.automation import BATCH_TAG, build_jobs, build_marts_sensor
    from orchestration.settings import OrchestrationSettings

    shards_job, marts_job = build_jobs(OrchestrationSettings())
    sensor = build_marts_sensor(shards_job, marts_job)
    instance = dg.DagsterInstance.ephemeral()

    def shard_run(batch: str, status: dg.DagsterRunStatus) -> None:
        create_run_for_test(
            instance, job_name=shards_job.name, status=status, tags={BATCH_TAG: batch}
        )

    def evaluate(cursor: str | None):
        return sensor(dg.build_sensor_context(instance=instance, cursor=cursor))

    shard_run("2026-12-01T10:00:00+00:00", dg.DagsterRunStatus.SUCCESS)
    shard_run("2026-12-01T10:00:00+00:00", dg.DagsterRunStatus.STARTED)
    assert isinstance(evaluate(None), dg.SkipReason)  # one shard still running

    shard_run("2026-12-01T10:00:00+00:00", dg.DagsterRunStatus.FAILURE)
    instance.report_run_failed(instance.get_runs()[1])  # the running one fails too
    result = evaluate(None)
    assert [request.run_key for request in result.run_requests] == ["2026-12-01T10:00:00+00:00"]
    assert isinstance(evaluate(result.cursor), dg.SkipReason)  # once per batch

    shard_run("2026-12-01T11:00:00+00:00", dg.DagsterRunStatus.FAILURE)
    assert isinstance(evaluate(result.cursor), dg.SkipReason)  # nothing new loaded
