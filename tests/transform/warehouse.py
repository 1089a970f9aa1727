"""Load generated raw records into PostgreSQL the way target-postgres 0.8.1 lands them.

The DDL mirrors what MeltanoLabs target-postgres 0.8.1 creates for the tap's JSON schemas
(observed with ``add_record_metadata: true``): strings are ``text``, integers ``bigint``,
date-times ``timestamp without time zone`` (UTC), arrays of strings ``text[]``, arrays of
objects ``jsonb[]``, the key columns form the primary key, plus the ``_sdc_*`` columns.
Loading with plain SQL keeps the dbt test fast and free of a second virtualenv.
"""

from __future__ import annotations

from datetime import datetime, timezone

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from tests.transform.raw_data import SCHEMAS, RawData

RAW_SCHEMA = "raw_github"
SDC_COLUMNS = {
    "_sdc_extracted_at": "timestamp",
    "_sdc_received_at": "timestamp",
    "_sdc_batched_at": "timestamp",
    "_sdc_deleted_at": "timestamp",
    "_sdc_sequence": "bigint",
    "_sdc_table_version": "bigint",
    "_sdc_sync_started_at": "bigint",
}


def column_type(json_schema: dict) -> str:
    """PostgreSQL type target-postgres 0.8.1 gives a JSON-schema property."""
    types = set(json_schema.get("type", []))
    if "array" in types:
        items = json_schema.get("items", {})
        return "jsonb[]" if items.get("type") == "object" else "text[]"
    if "integer" in types:
        return "bigint"
    if "boolean" in types:
        return "boolean"
    if json_schema.get("format") == "date-time":
        return "timestamp"
    return "text"


def _value(json_schema: dict, value: object) -> object:
    if value is not None and column_type(json_schema) == "jsonb[]":
        return [Jsonb(item) for item in value]
    return value


def load_raw(conninfo: str, data: RawData) -> None:
    """Create raw_github's five tables and insert every record (one batch per stream)."""
    batched_at = datetime.now(timezone.utc).replace(tzinfo=None)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW_SCHEMA)))
        for stream, (schema, key_properties) in SCHEMAS.items():
            properties = schema["properties"]
            table = sql.Identifier(RAW_SCHEMA, stream)
            columns = {name: column_type(prop) for name, prop in properties.items()}
            definitions = [
                sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg_type))
                for name, pg_type in {**columns, **SDC_COLUMNS}.items()
            ]
            definitions.append(
                sql.SQL("primary key ({})").format(
                    sql.SQL(", ").join(map(sql.Identifier, key_properties))
                )
            )
            conn.execute(sql.SQL("drop table if exists {}").format(table))
            conn.execute(
                sql.SQL("create table {} ({})").format(table, sql.SQL(", ").join(definitions))
            )
            names = [*columns, "_sdc_batched_at"]
            insert = sql.SQL("insert into {} ({}) values ({})").format(
                table,
                sql.SQL(", ").join(map(sql.Identifier, names)),
                sql.SQL(", ").join(sql.Placeholder() * len(names)),
            )
            rows = [
                [_value(properties[name], record.get(name)) for name in columns] + [batched_at]
                for record in data.records[stream]
            ]
            with conn.cursor() as cursor:
                cursor.executemany(insert, rows)
