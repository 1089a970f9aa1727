"""One `meltano run` against the same repositories in shards run in parallel by Dagster.

    .venv/bin/python -m benchmarks.dagster_shards                       # 10,000 PRs, 20 repos
    .venv/bin/python -m benchmarks.dagster_shards --prs 2000 --shards 4 --latency 0.3

Both load the stand-in's repositories (GitHub-like latency per request) into fresh PostgreSQL
databases (PG* variables, default 127.0.0.1:5432): first one plain
`meltano run tap-github-prs target-postgres`, then every partition of the Dagster code location
(orchestration/) at once, in process, the pool allowing all shards together, one token per
shard. Reported: wall time, requests at the stand-in, PRs loaded. dbt is not included (the same
build follows both). Results: benchmarks/results/dagster_shards.json.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.run import machine
from github_standin import FakeGitHub

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT_ROOT / "benchmarks" / "results"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


SERVER = {
    "PGHOST": os.environ.get("PGHOST", "127.0.0.1"),
    "PGPORT": os.environ.get("PGPORT", "5432"),
    "PGUSER": os.environ.get("PGUSER", "postgres"),
    **({"PGPASSWORD": os.environ["PGPASSWORD"]} if os.environ.get("PGPASSWORD") else {}),
}


def connect(database: str, **options):
    import psycopg

    names = {"PGHOST": "host", "PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password"}
    arguments = {names[key]: value for key, value in SERVER.items()}
    return psycopg.connect(**arguments, dbname=database, **options)


def create_database(name: str) -> dict[str, str]:
    from psycopg import sql

    with connect("postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return SERVER | {"PGDATABASE": name}


def drop_database(name: str) -> None:
    from psycopg import sql

    with connect("postgres", autocommit=True) as admin:
        admin.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


def count_prs(variables: dict[str, str]) -> int:
    with connect(variables["PGDATABASE"]) as connection:
        return connection.execute("select count(*) from raw_github.pull_requests").fetchone()[0]


def base_env(github: FakeGitHub, repositories: list[str], tokens: list[str]) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MELTANO_", "TAP_GITHUB_PRS", "DBT_", "DAGSTER_", "PG"))
        and key != "GITHUB_TOKEN"
    }
    return env | {
        # prod, pointed at the stand-in: dev pins its token in meltano.yml (`env:` beats the
        # shell), and the shards here get one token each.
        "MELTANO_ENVIRONMENT": "prod",
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "TAP_GITHUB_PRS_API_URL": github.graphql_url,
        "TAP_GITHUB_PRS_REPOSITORIES": json.dumps(repositories),
        "TAP_GITHUB_PRS_ORGANIZATIONS": "[]",
        "TAP_GITHUB_PRS_AUTH_TOKEN": tokens[0],
    }


def single_run(github: FakeGitHub, repositories: list[str], tokens: list[str]) -> dict:
    database = f"bench_single_{secrets.token_hex(3)}"
    variables = create_database(database)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sys_dir = Path(tmp) / "sys"
            sys_dir.mkdir()
            for plugin_type in ("extractors", "loaders", "utilities"):
                (sys_dir / plugin_type).symlink_to(PROJECT_ROOT / ".meltano" / plugin_type)
            env = base_env(github, repositories, tokens) | variables
            env |= {
                "MELTANO_SYS_DIR_ROOT": str(sys_dir),
                "MELTANO_DATABASE_URI": f"sqlite:///{tmp}/meltano.db",
            }
            github.reset_stats()
            started = time.monotonic()
            meltano = str(PROJECT_ROOT / ".venv/bin/meltano")
            command = [meltano, "run", "tap-github-prs", "target-postgres"]
            done = subprocess.run(
                command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
            )
            if done.returncode:
                raise SystemExit(f"meltano run failed:\n{done.stderr[-3000:]}")
            wall = time.monotonic() - started
        return {"wall_s": round(wall, 1), "requests": github.stats()["requests"],
                "prs_loaded": count_prs(variables)}  # fmt: skip
    finally:
        drop_database(database)


def sharded_run(
    github: FakeGitHub, repositories: list[str], tokens: list[str], shard_size: int
) -> dict:
    import dagster as dg

    from orchestration.assets import SHARD_POOL, SHARDS
    from orchestration.definitions import build_definitions
    from orchestration.settings import OrchestrationSettings
    from orchestration.shards import shards_of

    database = f"bench_shards_{secrets.token_hex(3)}"
    variables = create_database(database)
    saved = dict(os.environ)
    try:
        env = base_env(github, repositories, tokens) | variables
        os.environ.clear()
        os.environ.update(env)
        os.environ["TAP_GITHUB_PRS_ADDITIONAL_AUTH_TOKENS"] = json.dumps(tokens[1:])
        os.environ["DAGSTER_GITHUB_SHARD_SIZE"] = str(shard_size)
        shards = shards_of(repositories, shard_size)
        keys = [shard.key for shard in shards]
        defs = build_definitions(OrchestrationSettings.from_env())
        job = defs.resolve_job_def("github_shards_job")
        with tempfile.TemporaryDirectory() as home:
            instance = dg.DagsterInstance.local_temp(home)
            instance.event_log_storage.set_concurrency_slots(SHARD_POOL, len(keys))
            instance.add_dynamic_partitions(SHARDS.name, keys)
            github.reset_stats()
            started = time.monotonic()
            with ThreadPoolExecutor(len(keys)) as pool:
                results = list(
                    pool.map(
                        lambda k: job.execute_in_process(partition_key=k, instance=instance), keys
                    )
                )
            wall = time.monotonic() - started
        assert all(result.success for result in results)
        return {
            "wall_s": round(wall, 1),
            "requests": github.stats()["requests"],
            "prs_loaded": count_prs(variables),
            "shards": {shard.key: len(shard.members(repositories)) for shard in shards},
        }
    finally:
        os.environ.clear()
        os.environ.update(saved)
        drop_database(database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=10_000)
    parser.add_argument("--repositories", type=int, default=20)
    parser.add_argument("--shards", type=int, default=4, help="a power of two")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per request")
    args = parser.parse_args()

    repositories = [f"acme/repo-{i:02d}" for i in range(args.repositories)]
    tokens = [f"fake-token-{i + 1}" for i in range(args.shards)]
    github = FakeGitHub(
        seed=42, prs=args.prs, repositories=repositories, tokens=tokens, rate_limit=50_000
    ).start()
    github.add_fault("latency", seconds=args.latency)
    try:
        log(f"one meltano run: {args.prs} PRs, {args.repositories} repositories")
        single = single_run(github, repositories, tokens)
        log(f"  {single}")
        log(f"{args.shards} shards in parallel (Dagster, in process)")
        sharded = sharded_run(
            github, repositories, tokens, shard_size=-(-args.repositories // args.shards)
        )
        log(f"  {sharded}")
    finally:
        github.stop()
    result = {
        "prs": args.prs,
        "repositories": args.repositories,
        "latency_s": args.latency,
        "machine": machine(),
        "single_meltano_run": single,
        "dagster_shards": sharded,
        "speedup": round(single["wall_s"] / sharded["wall_s"], 2),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dagster_shards.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
