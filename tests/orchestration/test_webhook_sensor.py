"""The webhook sensor: shard runs for the repositories the receiver queued, dequeued on success.

The queue is the receiver's own (tap_github_prs_webhooks.queue, rows written with its `record`)
in a fresh PostgreSQL database; runs are the real raw asset materialised in process with a
Meltano stand-in that loads nothing, under the run key the sensor asked for (what Dagster's
daemon does with a request).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import count

import pytest

dg = pytest.importorskip("dagster", reason="the `dagster` extra is not installed")

from orchestration import webhook_claims as claims  # noqa: E402
from orchestration.assets import SHARDS, build_raw_assets  # noqa: E402
from orchestration.automation import BATCH_TAG, build_jobs, build_webhook_sensor  # noqa: E402
from orchestration.meltano_runs import MeltanoError, ShardRun  # noqa: E402
from orchestration.settings import OrchestrationSettings  # noqa: E402
from orchestration.shards import bucket_of  # noqa: E402
from tap_github_prs_webhooks.queue import WebhookQueue  # noqa: E402
from tap_github_prs_webhooks.settings import connection_arguments  # noqa: E402

# Four buckets; bucket 3 gets no partition, as if the partitions sensor had not caught up.
PARTITIONS = ["shard-0-of-4", "shard-1-of-4", "shard-2-of-4"]
# Two tokens (by position only; these are names, not tokens): bucket b runs as token b mod 2 + 1.
SETTINGS = OrchestrationSettings(tokens=("first", "second"))
DELIVERIES = count()


def repositories_in(bucket: int, how_many: int = 1) -> list[str]:
    names = (f"acme/repo-{n}" for n in count())
    found = []
    while len(found) < how_many:
        name = next(names)
        if bucket_of(name, 4) == bucket:
            found.append(name)
    return found


A0, X0 = repositories_in(0, 2)  # X0 hashes to shard 0 but is not configured
(A1,) = repositories_in(1)
(Z3,) = repositories_in(3)  # its bucket has no partition
CONFIGURED = [A0, A1]


@pytest.fixture
def pg_env(warehouse, monkeypatch):
    for name, value in warehouse.variables.items():
        monkeypatch.setenv(name, value)
    # The raw asset reads its repositories from here (no Meltano call).
    monkeypatch.setenv("TAP_GITHUB_PRS_REPOSITORIES", json.dumps(CONFIGURED))
    monkeypatch.setenv("TAP_GITHUB_PRS_ORGANIZATIONS", "[]")
    return warehouse


@pytest.fixture
def queue(pg_env) -> Iterator[WebhookQueue]:
    opened = WebhookQueue(connection_arguments(pg_env.variables)).open()  # as `serve` does
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        test_instance.add_dynamic_partitions(SHARDS.name, PARTITIONS)
        yield test_instance


@pytest.fixture(scope="module")
def sensor():
    shards_job, _marts = build_jobs(SETTINGS)
    return build_webhook_sensor(SETTINGS, shards_job)


@pytest.fixture(scope="module")
def raw_assets():
    return build_raw_assets(SETTINGS)


def warnings_of(capfd) -> str:
    """The sensor's log lines so far (Dagster's sensor logger writes to the console, not to the
    root logger)."""
    return "\n".join(line for line in capfd.readouterr().err.splitlines() if "WARNING" in line)


def receive(queue: WebhookQueue, *repositories: str) -> None:
    for repository in repositories:
        assert queue.record(f"delivery-{next(DELIVERIES)}", "push", repository)


def queued(queue: WebhookQueue) -> dict[str, int]:
    return {row.repository: row.event_count for row in queue.pending()}


class LoadsNothing:
    """Meltano's stand-in: returns at once, or fails like a failed `meltano run`."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.loaded: list[list[str]] = []

    def run_shard(self, shard_key, repositories, token, log) -> ShardRun:
        if self.fail:
            raise MeltanoError(f"meltano run for {shard_key} exited 1")
        self.loaded.append(list(repositories))
        return ShardRun(pull_requests=0, requests=0)


def launch(instance, raw_assets, request: dg.RunRequest, *, fail: bool = False) -> dg.DagsterRun:
    """What the daemon does with a request: a run of the partition, tagged with its run key."""
    result = dg.materialize(
        [raw_assets],
        partition_key=request.partition_key,
        instance=instance,
        resources={"meltano": LoadsNothing(fail)},
        tags={**request.tags, claims.RUN_KEY_TAG: request.run_key},
        raise_on_error=False,
    )
    return result.dagster_run


def evaluate(sensor, instance, cursor: str | None):
    return sensor(dg.build_sensor_context(instance=instance, cursor=cursor))


def by_partition(result) -> dict[str, dg.RunRequest]:
    return {request.partition_key: request for request in result.run_requests}


def test_no_queue_table_skips_and_creates_nothing(pg_env, instance, sensor):
    result = evaluate(sensor, instance, None)

    assert isinstance(result, dg.SkipReason)
    assert "No webhook queue" in result.skip_message
    assert not WebhookQueue(connection_arguments(pg_env.variables)).exists()


def test_empty_queue_skips(queue, instance, sensor):
    result = evaluate(sensor, instance, None)

    assert result.run_requests == []
    assert result.skip_reason.skip_message == "The webhook queue is empty."


def test_queued_repositories_request_their_shards_once(queue, instance, sensor):
    from dagster._core.test_utils import create_run_for_test

    receive(queue, A0, A0, A1)

    first = evaluate(sensor, instance, None)

    requests = by_partition(first)
    assert sorted(requests) == ["shard-0-of-4", "shard-1-of-4"]  # not shard 2: nothing queued
    assert requests["shard-0-of-4"].tags["github/token"] == "token-1"
    assert requests["shard-1-of-4"].tags["github/token"] == "token-2"
    (batch,) = {request.tags[BATCH_TAG] for request in requests.values()}  # one for the marts
    assert datetime.fromisoformat(batch).utcoffset() == timedelta(0)  # sorts with the schedule's
    assert {request.tags[claims.SOURCE_TAG] for request in requests.values()} == {"webhook"}
    assert all(row.claimed_at is not None for row in queue.pending())
    assert queued(queue) == {A0: 2, A1: 1}  # claimed, not removed

    again = evaluate(sensor, instance, first.cursor)
    assert again.run_requests == []
    assert "2 requested runs not finished yet" in again.skip_reason.skip_message

    # A lost cursor asks for the same run keys, which Dagster runs at most once; once a run
    # exists under the key, the sensor adopts it instead of asking again.
    lost = evaluate(sensor, instance, None)
    keys = sorted(request.run_key for request in first.run_requests)
    assert sorted(request.run_key for request in lost.run_requests) == keys
    for request in first.run_requests:
        create_run_for_test(
            instance,
            job_name="github_shards_job",
            status=dg.DagsterRunStatus.STARTED,
            tags={claims.RUN_KEY_TAG: request.run_key},
        )
    adopted = evaluate(sensor, instance, None)
    assert adopted.run_requests == []
    assert sorted(json.loads(adopted.cursor)["claims"]) == keys


def test_success_dequeues_what_the_run_loaded_and_keeps_later_events(
    queue, instance, sensor, raw_assets
):
    receive(queue, A0, X0, A1)
    first = evaluate(sensor, instance, None)
    requests = by_partition(first)
    assert sorted(requests) == ["shard-0-of-4", "shard-1-of-4"]

    for request in requests.values():
        assert launch(instance, raw_assets, request).status == dg.DagsterRunStatus.SUCCESS
    receive(queue, A1)  # an event while its run was going: that run may have missed it

    settled = evaluate(sensor, instance, first.cursor)

    # A0 loaded and untouched since its claim: dequeued. X0 is not configured, so shard 0's run
    # did not load it: it stays. A1 changed during its run: it stays, and its shard runs again.
    assert queued(queue) == {X0: 1, A1: 2}
    assert [request.partition_key for request in settled.run_requests] == ["shard-1-of-4"]
    assert all(row.claimed_at is None for row in queue.pending() if row.repository == X0)


def test_a_failed_run_keeps_its_rows_and_is_requested_again(queue, instance, sensor, raw_assets):
    receive(queue, A1)
    result = evaluate(sensor, instance, None)
    keys = []
    for _attempt in range(claims.MAX_ATTEMPTS):
        (request,) = result.run_requests
        keys.append(request.run_key)
        assert launch(instance, raw_assets, request, fail=True).status == (
            dg.DagsterRunStatus.FAILURE
        )
        result = evaluate(sensor, instance, result.cursor)
        assert queued(queue) == {A1: 1}  # released, then claimed by the next attempt

    assert [key.rsplit(":", 1)[1] for key in keys] == ["0", "1", "2"]
    assert len({key.rsplit(":", 1)[0] for key in keys}) == 1  # same rows, next attempt
    assert result.run_requests == []  # given up on these rows ...
    assert [row.claimed_at for row in queue.pending()] == [None]
    assert "shards failed 3 times" in result.skip_reason.skip_message

    receive(queue, A1)  # ... until they change
    assert [r.partition_key for r in evaluate(sensor, instance, result.cursor).run_requests] == [
        "shard-1-of-4"
    ]


def test_a_repository_in_no_shard_is_reported_and_stays_queued(
    queue, instance, sensor, raw_assets, capfd
):
    receive(queue, Z3, X0)

    first = evaluate(sensor, instance, None)
    (request,) = first.run_requests  # shard 0 never ran: only its run can tell X0's fate
    assert request.partition_key == "shard-0-of-4"
    assert Z3 in warnings_of(capfd)  # its bucket has no shard
    claimed = {row.repository: row.claimed_at is not None for row in queue.pending()}
    assert claimed == {X0: True, Z3: False}  # only the requested shard's rows are claimed
    assert launch(instance, raw_assets, request).status == dg.DagsterRunStatus.SUCCESS

    capfd.readouterr()
    settled = evaluate(sensor, instance, first.cursor)
    reported = warnings_of(capfd)

    assert settled.run_requests == []  # shard 0's last run did not load X0: no second run
    assert X0 in reported and Z3 not in reported  # each reported once
    assert f"in no shard's runs: {', '.join(sorted([X0, Z3]))}" in settled.skip_reason.skip_message
    assert queued(queue) == {X0: 1, Z3: 1}

    quiet = evaluate(sensor, instance, settled.cursor)
    assert quiet.run_requests == [] and X0 not in warnings_of(capfd)
    assert queued(queue) == {X0: 1, Z3: 1}


def test_a_requested_run_never_created_is_requested_again(queue, instance, sensor):
    receive(queue, A0)
    first = evaluate(sensor, instance, None)
    (request,) = first.run_requests
    assert evaluate(sensor, instance, first.cursor).run_requests == []  # waiting for its run

    # An hour later there is still no run under that key (say the sensor was stopped mid-tick).
    cursor = json.loads(first.cursor)
    cursor["claims"][request.run_key]["requested_at"] -= claims.UNLAUNCHED_AFTER_SECONDS + 1
    again = evaluate(sensor, instance, json.dumps(cursor))

    assert [r.run_key for r in again.run_requests] == [request.run_key]
    assert queued(queue) == {A0: 1}
