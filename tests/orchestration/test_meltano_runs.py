"""A shard failing only because another created the same table first is retried."""

from __future__ import annotations


def test_only_a_lost_table_creation_race_counts_as_one():
    from orchestration.meltano_runs import MeltanoError

    race = '(psycopg.errors.DuplicateTable) relation "pull_requests" already exists'
    assert MeltanoError("exited 1", race).lost_ddl_race
    assert MeltanoError("exited 1", 'duplicate key ... "pg_type_typname_nsp_index"').lost_ddl_race
    assert not MeltanoError("exited 1", "ModuleNotFoundError: No module named 'jwt'").lost_ddl_race
    assert not MeltanoError("exited -9", "").lost_ddl_race
