"""Dagster code location of the pipeline: raw loads partitioned by repository shard, then dbt.

Optional: `pip install -e '.[dagster]'`. Nothing else in the project imports it; `meltano run`
works the same without it. See orchestration/README.md.
"""
