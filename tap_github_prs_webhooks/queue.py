"""The durable queue of changed repositories, in the warehouse (schema `tap_github_prs_webhooks`).

`queue`: one row per repository with a change not yet synced (first/last event time, event
count). `deliveries`: every recorded `X-GitHub-Delivery`, so a redelivery is recognised. A
delivery and its queue row are written in one transaction: a receiver killed at any moment
leaves either both or neither.

A sync claims the queued rows, and removes only those whose event count has not moved since the
claim: an event that arrives while the pipeline runs keeps its repository queued for the next
sync.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

DEFAULT_SCHEMA = "tap_github_prs_webhooks"
# GitHub lets a delivery be redelivered for 30 days; older delivery ids can go.
DELIVERY_RETENTION_DAYS = 30
# One session-level advisory lock key: at most one sync at a time per warehouse.
SYNC_LOCK_KEY = 0x7461705F77656268  # "tap_webh"

DDL = """
create schema if not exists {schema};
create table if not exists {schema}.queue (
    repository text primary key,
    first_event_at timestamptz not null,
    last_event_at timestamptz not null,
    event_count bigint not null,
    last_event text not null,
    claimed_at timestamptz
);
create table if not exists {schema}.deliveries (
    delivery_id text primary key,
    event text not null,
    repository text,
    received_at timestamptz not null default clock_timestamp()
);
create index if not exists deliveries_received_at on {schema}.deliveries (received_at);
"""


@dataclass(frozen=True)
class Queued:
    repository: str
    first_event_at: datetime
    last_event_at: datetime
    event_count: int
    last_event: str
    claimed_at: datetime | None


@dataclass(frozen=True)
class Claim:
    """Repositories taken by one sync, with their event counts at that moment."""

    counts: dict[str, int]

    @property
    def repositories(self) -> list[str]:
        return sorted(self.counts)


class SyncAlreadyRunning(RuntimeError):
    pass


class WebhookQueue:
    def __init__(
        self,
        conninfo: dict[str, Any],
        *,
        schema: str = DEFAULT_SCHEMA,
        max_connections: int = 4,
        connect_timeout: float = 5,
    ) -> None:
        # Bounded waits everywhere: the receiver must answer GitHub within 10 s, so a warehouse
        # that does not answer fails the delivery in seconds instead of hanging it.
        self.schema = schema
        self._schema_sql = sql.Identifier(schema)
        self._pool = ConnectionPool(
            kwargs={**conninfo, "connect_timeout": max(1, round(connect_timeout))},
            min_size=1,
            max_size=max_connections,
            timeout=connect_timeout,
            open=False,
            name="tap-github-prs-webhooks",
        )
        self._conninfo = {**conninfo, "connect_timeout": max(1, round(connect_timeout))}

    # Lifecycle ------------------------------------------------------------------------------
    def open(self, *, create: bool = True) -> WebhookQueue:
        """`create=False` for readers that must not create the receiver's tables (check
        `exists()` first)."""
        # Tables first, on a connection of its own: a wrong PG* variable fails here at once with
        # libpq's own words, instead of as a pool timeout after retries.
        if create:
            self.create_tables()
        self._pool.open(wait=True, timeout=self._pool.timeout)
        return self

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> WebhookQueue:
        return self.open()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def create_tables(self) -> None:
        with psycopg.connect(**self._conninfo) as connection:
            # Receivers and syncs starting together would race on `create ... if not exists`.
            connection.execute("select pg_advisory_xact_lock(%s)", (SYNC_LOCK_KEY + 1,))
            connection.execute(sql.SQL(DDL).format(schema=self._schema_sql))

    def exists(self) -> bool:
        """Whether the queue table is there (a receiver has run against this warehouse)."""
        with psycopg.connect(**self._conninfo) as connection:
            name = self._table("queue").as_string(connection)
            row = connection.execute("select to_regclass(%s) is not null", (name,)).fetchone()
        return bool(row and row[0])

    def _table(self, name: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(self._schema_sql, sql.Identifier(name))

    # Receiver side --------------------------------------------------------------------------
    def record(self, delivery_id: str, event: str, repository: str | None) -> bool:
        """Record one delivery; False when this delivery id was recorded before (redelivery)."""
        with self._pool.connection() as connection, connection.transaction():
            inserted = connection.execute(
                sql.SQL(
                    "insert into {} (delivery_id, event, repository) values (%s, %s, %s) "
                    "on conflict (delivery_id) do nothing returning 1"
                ).format(self._table("deliveries")),
                (delivery_id, event, repository),
            ).fetchone()
            if inserted is None:
                return False
            if repository is not None:
                connection.execute(
                    sql.SQL(
                        "insert into {queue} as q (repository, first_event_at, last_event_at, "
                        "event_count, last_event) "
                        "values (%s, clock_timestamp(), clock_timestamp(), 1, %s) "
                        "on conflict (repository) do update set "
                        "last_event_at = clock_timestamp(), event_count = q.event_count + 1, "
                        "last_event = excluded.last_event"
                    ).format(queue=self._table("queue")),
                    (repository, event),
                )
        return True

    # Sync side -------------------------------------------------------------------------------
    def pending(self) -> list[Queued]:
        with self._pool.connection() as connection:
            rows = connection.execute(
                sql.SQL(
                    "select repository, first_event_at, last_event_at, event_count, last_event, "
                    "claimed_at from {} order by last_event_at desc, repository"
                ).format(self._table("queue"))
            ).fetchall()
        return [Queued(*row) for row in rows]

    @contextmanager
    def sync_lock(self) -> Iterator[None]:
        """Hold the one sync lock for the block, on a connection of its own (outside the pool,
        so a long pipeline run never takes one of the receiver's connections).

        A session-level advisory lock dies with its session: a sync killed mid-run leaves
        nothing locked, and its claimed rows are simply claimed again by the next sync."""
        with psycopg.connect(**self._conninfo, autocommit=True) as connection:
            locked = connection.execute(
                "select pg_try_advisory_lock(%s)", (SYNC_LOCK_KEY,)
            ).fetchone()
            if not locked or not locked[0]:
                raise SyncAlreadyRunning(
                    "another `tap-github-prs-webhooks sync` holds the sync lock on this warehouse"
                )
            try:
                yield
            finally:
                connection.execute("select pg_advisory_unlock(%s)", (SYNC_LOCK_KEY,))

    def claim(self, limit: int | None = None, repositories: Collection[str] | None = None) -> Claim:
        """Mark the queued repositories (most recently changed first, at most `limit`; only
        `repositories` when given) as claimed, in one transaction, and return them with their
        event counts."""
        names = None if repositories is None else list(repositories)
        with self._pool.connection() as connection, connection.transaction():
            rows = connection.execute(
                sql.SQL(
                    "with taken as (select repository from {queue} "
                    "where %s::text[] is null or repository = any(%s::text[]) "
                    "order by last_event_at desc, repository limit %s for update) "
                    "update {queue} q set claimed_at = clock_timestamp() from taken "
                    "where q.repository = taken.repository returning q.repository, q.event_count"
                ).format(queue=self._table("queue")),
                (names, names, limit),
            ).fetchall()
        return Claim(dict(rows))

    def complete(self, claim: Claim) -> list[str]:
        """After a successful run: remove the claimed rows no event has touched since the claim.
        Returns the repositories that stay queued (changed again during the run)."""
        if not claim.counts:
            return []
        names, counts = list(claim.counts), list(claim.counts.values())
        with self._pool.connection() as connection, connection.transaction():
            connection.execute(
                sql.SQL(
                    "delete from {queue} q using unnest(%s::text[], %s::bigint[]) "
                    "as c(repository, event_count) "
                    "where q.repository = c.repository and q.event_count = c.event_count"
                ).format(queue=self._table("queue")),
                (names, counts),
            )
            kept = connection.execute(
                sql.SQL(
                    "update {queue} set claimed_at = null where repository = any(%s) "
                    "returning repository"
                ).format(queue=self._table("queue")),
                (names,),
            ).fetchall()
            connection.execute(
                sql.SQL(
                    "delete from {} "
                    "where received_at < clock_timestamp() - make_interval(days => %s)"
                ).format(self._table("deliveries")),
                (DELIVERY_RETENTION_DAYS,),
            )
        return sorted(name for (name,) in kept)

    def release(self, claim: Claim) -> None:
        """After a failed run: the claimed rows stay queued, unclaimed, for the next sync."""
        if not claim.counts:
            return
        with self._pool.connection() as connection:
            connection.execute(
                sql.SQL("update {} set claimed_at = null where repository = any(%s)").format(
                    self._table("queue")
                ),
                (list(claim.counts),),
            )
