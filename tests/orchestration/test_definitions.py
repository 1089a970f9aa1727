"""The code location loads and validates; both instance files load as Dagster reads them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.helpers import PROJECT_ROOT, Warehouse

dg = pytest.importorskip("dagster", reason="the `dagster` extra is not installed")

ORCHESTRATION = PROJECT_ROOT / "orchestration"


def load_instance(config_file: Path, home: Path, drop: tuple[str, ...] = ()):
    config = yaml.safe_load(config_file.read_text())
    for key in drop:
        config.pop(key)
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    return dg.DagsterInstance.from_ref(dg._core.instance.ref.InstanceRef.from_dir(str(home)))


def run_queue_limits(instance) -> dict[str, int]:
    return {
        limit["key"]: limit["limit"]
        for limit in instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    }


@pytest.mark.slow
def test_dagster_definitions_validate():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate",
         "-m", "orchestration.definitions"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert "Validation successful for code location orchestration.definitions" in output


def test_definitions_hold_the_promised_pieces():
    from orchestration.definitions import defs

    assert {job.name for job in defs.jobs} >= {"github_shards_job", "github_marts_job"}
    assert [schedule.cron_schedule for schedule in defs.schedules] == ["0 * * * *"]
    assert {sensor.name for sensor in defs.sensors} == {
        "github_shard_partitions",
        "github_marts_after_shards",
        "github_webhook_shards",
    }
    graph = defs.resolve_asset_graph()
    staging = dg.AssetKey(["analytics_staging", "stg_github__pull_requests"])
    assert dg.AssetKey(["github", "pull_requests"]) in graph.get(staging).parent_keys
    assert graph.asset_check_keys, "dbt tests should be asset checks"


def test_local_instance_queues_runs_with_per_token_and_per_shard_limits(tmp_path):
    instance = load_instance(ORCHESTRATION / "dagster.yaml", tmp_path / "home")
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert run_queue_limits(instance) == {"github/token": 4, "dagster/partition": 1}
    assert instance.get_concurrency_config().pool_config.default_pool_limit == 8


def test_production_example_loads_on_postgresql(tmp_path, postgres_server, monkeypatch):
    storage = Warehouse.create(postgres_server, f"dagster_{os.getpid()}_{tmp_path.name[-8:]}")
    try:
        monkeypatch.setenv("DAGSTER_PG_HOST", postgres_server["PGHOST"])
        monkeypatch.setenv("DAGSTER_PG_USER", postgres_server["PGUSER"])
        monkeypatch.setenv("DAGSTER_PG_PASSWORD", postgres_server.get("PGPASSWORD", ""))
        monkeypatch.setenv("DAGSTER_PG_DB", storage.variables["PGDATABASE"])
        # dagster-docker is not installed here: everything but the launcher is checked.
        instance = load_instance(
            ORCHESTRATION / "dagster.yaml.example", tmp_path / "home", drop=("run_launcher",)
        )
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert instance.get_runs() == []
        assert run_queue_limits(instance) == {"github/token": 4, "dagster/partition": 1}
        instance.dispose()
    finally:
        storage.drop()
