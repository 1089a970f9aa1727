"""Time target-postgres settings on a synthetic Singer stream shaped like the tap's output.

    python scripts/measure_loader.py --prs 2000 [--database meltano_dev]

Each combination of `use_copy`, `validate_records` and `batch_size_rows` loads the same stream
into a fresh schema of the database named by PG* variables (default: meltano_dev on the local
server) and prints its wall time. The drain interval is measured separately by counting the
STATE messages the target emits and the longest gap between them.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tap_github_prs.streams import STREAM_TYPES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET = PROJECT_ROOT / ".meltano/loaders/target-postgres/venv/bin/target-postgres-drain"
CHILDREN_PER_PR = {"reviews": 3, "commits": 5, "files": 8, "check_runs": 4}

# The tap's own stream schemas and keys: the target creates the tables the tap's would get.
SCHEMAS = {stream.name: (list(stream.primary_keys), stream.schema) for stream in STREAM_TYPES}


def synthetic_stream(prs: int) -> bytes:
    """SCHEMA messages, then per PR its record and its children, with a STATE every 50 PRs."""
    out = io.StringIO()

    def emit(message: dict) -> None:
        out.write(json.dumps(message) + "\n")

    for stream, (keys, schema) in SCHEMAS.items():
        emit({"type": "SCHEMA", "stream": stream, "key_properties": keys, "schema": schema})
    stamp = "2025-03-04T05:06:07Z"
    for number in range(1, prs + 1):
        pr_id = f"PR_{number}"
        emit(
            {
                "type": "RECORD",
                "stream": "pull_requests",
                "record": {
                    "id": pr_id,
                    "repository": "acme/widgets",
                    "number": number,
                    "title": f"Change {number}",
                    "body": "x" * 400,
                    "state": "MERGED",
                    "created_at": stamp,
                    "updated_at": stamp,
                    "merged_at": stamp,
                    "additions": number,
                    "labels": ["a", "b"],
                },
            }
        )
        common = {
            "repository": "acme/widgets",
            "pull_request_id": pr_id,
            "pull_request_number": number,
            "pull_request_updated_at": stamp,
        }
        for stream, count in CHILDREN_PER_PR.items():
            for index in range(count):
                record = {**common}
                if stream == "reviews":
                    record |= {"id": f"R_{number}_{index}", "state": "APPROVED", "body": "ok"}
                    record["submitted_at"] = stamp
                elif stream == "commits":
                    record |= {"sha": f"{number:020d}{index:020d}", "message": "fix"}
                    record["authored_date"] = stamp
                elif stream == "files":
                    record |= {"path": f"src/{index}.py", "change_type": "MODIFIED"}
                    record["additions"] = index
                else:
                    record |= {"id": f"C_{number}_{index}", "name": "ci", "conclusion": "SUCCESS"}
                emit({"type": "RECORD", "stream": stream, "record": record})
        if number % 50 == 0:
            emit({"type": "STATE", "value": {"bookmarks": {"prs": number}}})
    return out.getvalue().encode()


def load(
    stream: bytes, config: dict, schema: str, feed_seconds: float = 0.0
) -> tuple[float, list[float]]:
    """Load `stream`, spread over `feed_seconds` like a tap waiting on the API.

    Returns the wall time and the times at which the target emitted state.
    """
    config_path = Path(tempfile.mkstemp(suffix=".json")[1])
    config_path.write_text(
        json.dumps(
            {
                "sqlalchemy_url": "postgresql+psycopg://",
                "default_target_schema": schema,
                "load_method": "upsert",
                **config,
            }
        )
    )
    started = time.monotonic()
    process = subprocess.Popen(
        [str(TARGET), "--config", str(config_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    state_times: list[float] = []
    assert process.stdin is not None and process.stdout is not None
    reader = threading.Thread(
        target=lambda: state_times.extend(time.monotonic() - started for _ in process.stdout)
    )
    reader.start()
    lines = stream.splitlines(keepends=True)
    chunks = max(1, int(feed_seconds * 10))
    per_chunk = -(-len(lines) // chunks)
    for index in range(chunks):
        process.stdin.write(b"".join(lines[index * per_chunk : (index + 1) * per_chunk]))
        process.stdin.flush()
        if feed_seconds:
            time.sleep(feed_seconds / chunks)  # pacing the input, not waiting for a result
    process.stdin.close()
    reader.join()
    process.wait()
    config_path.unlink()
    if process.returncode:
        raise SystemExit(f"target failed with {config}")
    return time.monotonic() - started, state_times


def drop_schema(schema: str) -> None:
    subprocess.run(
        ["psql", "-q", "-c", f"DROP SCHEMA IF EXISTS {schema} CASCADE"],
        check=True,
        capture_output=True,
    )


def measure_drain_intervals(stream: bytes, records: int) -> None:
    base = {"use_copy": True, "validate_records": False, "batch_size_rows": 5000}
    for interval in (1, 2, 5, 300):
        schema = "measure_loader"
        drop_schema(schema)
        seconds, state_times = load(
            stream, {**base, "drain_interval_seconds": interval}, schema, feed_seconds=30
        )
        gaps = [later - earlier for earlier, later in itertools.pairwise([0.0, *state_times])]
        print(
            f"drain_interval_seconds={interval:>3}: {seconds:6.2f} s for {records} rows fed "
            f"over 30 s, {len(state_times)} states, longest gap {max(gaps):5.1f} s"
        )
        drop_schema(schema)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=2000)
    parser.add_argument("--database", default=os.environ.get("PGDATABASE", "meltano_dev"))
    parser.add_argument(
        "--drain",
        action="store_true",
        help="measure drain intervals on a stream fed over 30 s instead of the settings grid",
    )
    args = parser.parse_args()
    os.environ.setdefault("PGHOST", "127.0.0.1")
    os.environ.setdefault("PGUSER", "postgres")
    os.environ["PGDATABASE"] = args.database
    stream = synthetic_stream(args.prs)
    records = sum(1 for line in stream.splitlines() if b'"RECORD"' in line)
    print(f"{records} records ({args.prs} PRs), {len(stream) / 1e6:.1f} MB")
    if args.drain:
        measure_drain_intervals(stream, records)
        return 0
    for use_copy, validate, batch in itertools.product(
        (True, False), (False, True), (1000, 5000, 10000)
    ):
        schema = "measure_loader"
        drop_schema(schema)
        config = {"use_copy": use_copy, "validate_records": validate, "batch_size_rows": batch}
        seconds, _ = load(stream, config, schema)
        print(
            f"use_copy={use_copy!s:5} validate_records={validate!s:5} "
            f"batch_size_rows={batch:>5}: {seconds:6.2f} s, {records / seconds:7.0f} rows/s"
        )
        drop_schema(schema)
    return 0


if __name__ == "__main__":
    sys.exit(main())
