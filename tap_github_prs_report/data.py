"""Read the marts: the period, then every figure of every scope (see queries.py)."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from typing import Any

from tap_github_prs_report import queries

ALL = "All repositories"
REQUIRED_TABLES = ("fct_pull_requests", "fct_reviews", "fct_check_runs")
OPTIONAL_TABLES = (
    "dim_team_members",
    "agg_team_metrics_weekly",
    "agg_ai_impact",
    "agg_dora_weekly",
    "agg_dora_monthly",
    "fct_deployments",
    "sim_jira_issues",
    "sim_survey_responses",
    "sim_ai_usage_daily",
)


def connection_arguments(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """libpq arguments from PG*, with dbt's defaults (transform/profiles.yml)."""
    env = os.environ if environ is None else environ
    arguments: dict[str, Any] = {
        "host": env.get("PGHOST", "127.0.0.1"),
        "port": env.get("PGPORT", "5432"),
        "user": env.get("PGUSER", "postgres"),
        "dbname": env.get("PGDATABASE", "warehouse"),
    }
    if env.get("PGPASSWORD"):
        arguments["password"] = env["PGPASSWORD"]
    return arguments


@dataclass
class Scope:
    """One repository, or all of them (`repository` None)."""

    key: str
    label: str
    repository: str | None
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReportData:
    schema: str
    start: dt.date
    end: dt.date  # exclusive
    previous_start: dt.date
    weeks: int
    data_end: dt.datetime | None
    extracted_at: dt.datetime | None
    repositories: list[tuple[str, int]]
    row_counts: dict[str, int]
    tables: set[str]
    scopes: list[Scope]
    dora: dict[str | None, dict[str, Any]]
    has_simulated: bool

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)


def _rows(connection, statement: str, params: dict[str, Any], schema_sql: str) -> list[dict]:
    from psycopg.rows import dict_row

    text = statement.format(schema=schema_sql, scope=queries.SCOPE)
    with connection.cursor(row_factory=dict_row) as cursor:
        cursor.execute(text, params)
        return [_plain(row) for row in cursor.fetchall()]


def _plain(row: dict) -> dict:
    """JSON-ready values: numbers as float/int, dates as ISO text."""
    out = {}
    for key, value in row.items():
        if isinstance(value, (dt.datetime, dt.date)):
            value = value.isoformat()
        elif value is not None and type(value).__name__ == "Decimal":
            value = float(value)
        out[key] = value
    return out


def _by_scope(rows: list[dict]) -> dict[str | None, list[dict]]:
    grouped: dict[str | None, list[dict]] = {}
    for row in rows:
        scope = row.pop("repository")
        grouped.setdefault(scope, []).append(row)
    return grouped


def tables_in(connection, schema: str) -> set[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables where table_schema = %s", (schema,)
    ).fetchall()
    return {name for (name,) in rows}


def read(
    connection,
    schema: str = "analytics",
    weeks: int = 26,
    end: dt.date | None = None,
    top: int = 12,
    max_repositories: int = 30,
) -> ReportData:
    from psycopg import sql

    tables = tables_in(connection, schema)
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise SystemExit(
            f"schema {schema!r} lacks {', '.join(missing)}: run dbt first "
            "(`meltano run tap-github-prs target-postgres dbt:run`)"
        )
    schema_sql = sql.Identifier(schema).as_string(connection)

    data_end = connection.execute(queries.DATA_END.format(schema=schema_sql)).fetchone()[0]
    if end is None:
        last = (data_end or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)).date()
    else:
        last = end
    period_end = last - dt.timedelta(days=last.weekday()) + dt.timedelta(weeks=1)
    start = period_end - dt.timedelta(weeks=weeks)
    previous_start = start - dt.timedelta(weeks=weeks)
    params = {"start": start, "end": period_end, "previous_start": previous_start, "top": top}

    repositories = [
        (name, count)
        for name, count in connection.execute(
            queries.REPOSITORIES.format(schema=schema_sql)
        ).fetchall()
    ]
    shown = [name for name, _ in repositories[:max_repositories]]
    scopes = [Scope("all", ALL, None)] + [
        Scope(f"repo-{index}", name, name) for index, name in enumerate(shown, start=1)
    ]

    def per_scope(name: str, statement: str) -> None:
        grouped = _by_scope(_rows(connection, statement, params, schema_sql))
        for scope in scopes:
            scope.figures[name] = grouped.get(scope.repository, [])

    per_scope("headline", queries.HEADLINE)
    per_scope("opened", queries.OPENED_IN_PERIOD)
    per_scope("ci_headline", queries.CI_HEADLINE)
    per_scope("throughput", queries.WEEKLY_THROUGHPUT)
    per_scope("stages", queries.WEEKLY_STAGES)
    per_scope("size_vs_cycle", queries.SIZE_VS_CYCLE)
    per_scope("size_medians", queries.SIZE_MEDIANS)
    per_scope("review_pairs", queries.REVIEW_PAIRS)
    per_scope("reviewers", queries.REVIEWER_TURNAROUND)
    per_scope("ci_checks", queries.CI_CHECKS)
    per_scope("ai_cohorts", queries.AI_COHORTS)
    per_scope("ai_evidence", queries.AI_EVIDENCE)
    has_simulated = "sim_survey_responses" in tables
    if has_simulated:
        per_scope("sim_survey", queries.SIM_SURVEY_WEEKLY)

    for scope in scopes:
        _label_buckets(scope.figures)

    row_counts = {}
    for table in sorted(tables & {*REQUIRED_TABLES, *OPTIONAL_TABLES}):
        statement = sql.SQL("select count(*) from {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table)
        )
        row_counts[table] = connection.execute(statement).fetchone()[0]

    extracted_at = None
    try:
        with connection.transaction():
            extracted_at = connection.execute(queries.EXTRACTED_AT).fetchone()[0]
    except Exception:  # noqa: S110 (no raw schema here: the footer says "unknown")
        pass

    return ReportData(
        schema=schema,
        start=start,
        end=period_end,
        previous_start=previous_start,
        weeks=weeks,
        data_end=data_end,
        extracted_at=extracted_at,
        repositories=repositories,
        row_counts=row_counts,
        tables=tables,
        scopes=scopes,
        dora=read_dora(connection, schema, tables, start, period_end),
        has_simulated=has_simulated,
    )


def _label_buckets(figures: dict[str, list[dict]]) -> None:
    sizes = [label for _, label in queries.SIZE_BUCKETS]
    cycles = [label for _, label in queries.CYCLE_BUCKETS]
    for row in figures["size_vs_cycle"]:
        row["size"] = sizes[row["size_order"]]
        row["cycle"] = cycles[row["cycle_order"]]
    for row in figures["size_medians"]:
        row["size"] = sizes[row["size_order"]]


# DORA (agg_dora_monthly, when the delivery marts exist): each metric is found by its column
# name, so the report follows the marts' naming without a second list to keep in step.
DORA_METRICS = (
    ("deployment_frequency", "Deployment frequency", r"deploy\w*(days|frequency)", ""),
    ("lead_time", "Lead time for changes", r"lead_time", "h"),
    ("change_failure_rate", "Change failure rate", r"change_failure_rate", "%"),
    ("recovery_time", "Failed deployment recovery time", r"recovery", "h"),
)


def read_dora(
    connection, schema: str, tables: set[str], start: dt.date, end: dt.date
) -> dict[str | None, dict[str, Any]]:
    """Latest month of each DORA metric per repository; {} when there are no deployments."""
    from psycopg import sql
    from psycopg.rows import dict_row

    if "agg_dora_monthly" not in tables:
        return {}
    statement = sql.SQL("select * from {}.{}").format(
        sql.Identifier(schema), sql.Identifier("agg_dora_monthly")
    )
    with connection.cursor(row_factory=dict_row) as cursor:
        rows = cursor.execute(statement).fetchall()
    if not rows:
        return {}
    columns = list(rows[0])
    month = next((name for name in columns if re.search(r"month|period|start", name)), columns[0])
    result: dict[str | None, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: str(r[month])):
        day = row[month]
        if isinstance(day, dt.datetime):
            day = day.date()
        if isinstance(day, dt.date) and not (start <= day < end):
            continue
        metrics = {"month": str(day)[:7]}
        for key, _, pattern, _ in DORA_METRICS:
            value_column = next(
                (c for c in columns if re.search(pattern, c) and not c.endswith("band")), None
            )
            band_column = next(
                (c for c in columns if re.search(pattern, c) and c.endswith("band")), None
            )
            value = row.get(value_column) if value_column else None
            metrics[key] = float(value) if value is not None else None
            metrics[key + "_band"] = row.get(band_column) if band_column else None
        result[row.get("repository")] = metrics
    return result
