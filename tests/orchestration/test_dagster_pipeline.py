"""The Dagster code location end to end: shards in parallel, one killed and resumed, then dbt.

Against the GitHub stand-in and a real PostgreSQL: 3 shards (one repository each, one token
each) run 2 at a time under the `github_shards` pool, one is killed mid-way and materialised
again, then the dbt assets are built; the raw tables and the marts must equal those of one plain
`meltano run tap-github-prs target-postgres dbt:run` over the same repositories.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.e2e.conftest import private_meltano_dir
from tests.e2e.helpers import PROJECT_ROOT, Warehouse, missing_parts, run_meltano

dg = pytest.importorskip("dagster", reason="the `dagster` extra is not installed")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(bool(missing_parts()), reason=f"e2e needs {missing_parts()}"),
]

TOKENS = ["fake-token-1", "fake-token-2", "fake-token-3"]
SHARDS_AT_ONCE = 2
PRS = 60  # 20 per repository


def three_repositories_in_three_shards() -> list[str]:
    """Names in shards 0, 1 and 2 of 4, so that round robin gives each its own token."""
    from orchestration.shards import bucket_of

    chosen: dict[int, str] = {}
    for i in range(100):
        name = f"acme/service-{i}"
        if bucket_of(name, 4) < 3:
            chosen.setdefault(bucket_of(name, 4), name)
        if len(chosen) == 3:
            return sorted(chosen.values())
    raise AssertionError("no three buckets")


def shard_process_groups(shard_key: str) -> list[int]:
    """Process groups of the `meltano run` of this shard (Linux /proc)."""
    groups = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            if b"--state-id-suffix" in command and shard_key.encode() in command:
                groups.append(os.getpgid(int(entry.name)))
        except (OSError, ValueError):  # not a process, or one that has just ended
            continue
    return groups


def table_snapshot(warehouse: Warehouse, schema: str) -> dict[str, list[tuple]]:
    """Every table of a schema, rows sorted, without the loader's _sdc_* columns."""
    from psycopg import sql

    tables = [
        name
        for (name,) in warehouse.query(
            "select table_name from information_schema.tables "
            "where table_schema = %s and table_type = 'BASE TABLE'",
            (schema,),
        )
    ]
    snapshot = {}
    for table in tables:
        columns = [
            name
            for (name,) in warehouse.query(
                "select column_name from information_schema.columns where table_schema = %s "
                "and table_name = %s and column_name not like '\\_sdc%%' order by column_name",
                (schema, table),
            )
        ]
        statement = sql.SQL("select {} from {}.{}").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.Identifier(schema),
            sql.Identifier(table),
        )
        snapshot[table] = sorted(
            tuple(json.dumps(value, default=str) for value in row)
            for row in warehouse.query(statement)
        )
    return snapshot


def test_shards_in_parallel_killed_shard_resumes_marts_match_one_run(
    warehouse, postgres_server, meltano_plugins, monkeypatch, tmp_path
):
    from github_standin import FakeGitHub
    from orchestration.assets import SHARD_POOL, SHARDS
    from orchestration.definitions import build_definitions
    from orchestration.settings import OrchestrationSettings
    from orchestration.shards import shards_of

    repositories = three_repositories_in_three_shards()
    keys = [shard.key for shard in shards_of(repositories, shard_size=1)]
    assert len(keys) == 3
    # Each shard fetches one repository at a time, so 2 shards at once make at most 2 requests
    # in flight: past that the stand-in answers 403 "secondary rate limit" and counts it.
    github = FakeGitHub(
        seed=18,
        prs=PRS,
        repositories=repositories,
        tokens=TOKENS,
        heavy_tails=False,
        max_concurrent=SHARDS_AT_ONCE,
    )
    github.start()
    try:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("MELTANO_", "TAP_GITHUB_PRS", "DBT_", "DAGSTER_", "PG"))
            and key != "GITHUB_TOKEN"
        }
        env |= warehouse.variables | {
            # prod, pointed at the stand-in: dev pins its token in meltano.yml (`env:` beats the
            # shell), so there every shard would use fake-token-1.
            "MELTANO_ENVIRONMENT": "prod",
            "TAP_GITHUB_PRS_API_URL": github.graphql_url,
            "TAP_GITHUB_PRS_REPOSITORIES": json.dumps(repositories),
            "TAP_GITHUB_PRS_ORGANIZATIONS": "[]",
            "TAP_GITHUB_PRS_AUTH_TOKEN": TOKENS[0],
            "TAP_GITHUB_PRS_ADDITIONAL_AUTH_TOKENS": json.dumps(TOKENS[1:]),
            "TAP_GITHUB_PRS_PAGE_SIZE": "5",
            "TAP_GITHUB_PRS_MAX_PARALLEL_REPOS": "1",
            "DAGSTER_GITHUB_SHARD_SIZE": "1",
        }
        for key in [k for k in os.environ if k not in env]:
            monkeypatch.delenv(key)
        for key, value in env.items():
            monkeypatch.setenv(key, value)

        settings = OrchestrationSettings.from_env()
        assert settings.token_count == 3
        defs = build_definitions(settings)
        shards_job = defs.resolve_job_def("github_shards_job")
        (tmp_path / "dagster-home").mkdir()
        instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster-home"))
        instance.event_log_storage.set_concurrency_slots(SHARD_POOL, SHARDS_AT_ONCE)
        instance.add_dynamic_partitions(SHARDS.name, keys)
        # Token of each shard: its bucket's position, round robin (see README).
        token_of = {
            key: shards_job.get_tags_for_partition_key(key, None)["github/token"] for key in keys
        }
        assert sorted(token_of.values()) == ["token-1", "token-2", "token-3"]

        # Slow answers keep every shard going long enough to overlap and to be killed mid-way.
        github.add_fault("latency", seconds=0.15)
        victim = keys[-1]

        killed: list[int] = []

        def kill_victim_mid_way() -> None:
            while github.stats()["tokens"].get(token_of[victim], {}).get("requests", 0) < 2:
                time.sleep(0.05)  # polling the stand-in's progress
            for group in set(shard_process_groups(victim)):
                os.killpg(group, signal.SIGKILL)
                killed.append(group)

        killer = threading.Thread(target=kill_victim_mid_way, daemon=True)
        killer.start()
        with ThreadPoolExecutor(len(keys)) as pool:
            results = dict(
                zip(
                    keys,
                    pool.map(
                        lambda key: shards_job.execute_in_process(
                            partition_key=key, instance=instance, raise_on_error=False
                        ),
                        keys,
                    ),
                    strict=True,
                )
            )
        killer.join(timeout=1)
        assert killed, f"{victim} not killed: {token_of}, {github.stats()['tokens']}"
        assert [key for key, result in results.items() if not result.success] == [victim]
        assert github.stats()["secondary_limited"] == 0, "more shards at once than the pool"

        before = github.stats()["tokens"]
        rerun = shards_job.execute_in_process(partition_key=victim, instance=instance)
        assert rerun.success
        after = github.stats()["tokens"]
        for key in keys:
            label = token_of[key]
            if key == victim:
                assert after[label]["requests"] > before[label]["requests"]
            else:  # the other shards were not fetched again
                assert after[label]["requests"] == before[label]["requests"], key

        github.clear_faults()
        marts = defs.resolve_job_def("github_marts_job").execute_in_process(instance=instance)
        assert marts.success
        checks = [
            event.asset_check_evaluation_data
            for event in marts.all_events
            if event.event_type_value == "ASSET_CHECK_EVALUATION"
        ]
        assert checks, "dbt tests should report as asset checks"
        assert all(check.passed for check in checks)

        # The same repositories through one plain `meltano run ... dbt:run`, into another database.
        reference = Warehouse.create(postgres_server, f"{warehouse.variables['PGDATABASE']}_one")
        try:
            reference_env = env | reference.variables
            reference_env |= {
                "MELTANO_SYS_DIR_ROOT": str(private_meltano_dir(tmp_path)),
                "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path / 'meltano.db'}",
                "DBT_TARGET_PATH": str(tmp_path / "dbt-target-reference"),
                "DBT_LOG_PATH": str(tmp_path / "dbt-logs"),
            }
            run_meltano("run", "tap-github-prs", "target-postgres", "dbt:run", env=reference_env)
            for schema in ("raw_github", "analytics"):
                sharded, single = (
                    table_snapshot(warehouse, schema),
                    table_snapshot(reference, schema),
                )
                assert single and sorted(sharded) == sorted(single), schema
                for table, rows in single.items():
                    assert sharded[table] == rows, f"{schema}.{table}"
        finally:
            reference.drop()

        # Each shard's state is in the warehouse, under its own state id.
        state_ids = {
            state_id for (state_id,) in warehouse.query("select state_id from meltano.state")
        }
        assert state_ids == {f"prod:tap-github-prs-to-target-postgres:{key}" for key in keys}
    finally:
        github.stop()
    assert PROJECT_ROOT.exists()
