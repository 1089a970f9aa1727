"""The report built by `meltano run … dbt:run report` shows what SQL on the same marts says."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from tests.report.conftest import REPOSITORIES
from tests.report.page import Page

pytestmark = pytest.mark.e2e


def period(warehouse) -> tuple[dt.datetime, dt.datetime]:
    """26 ISO weeks ending with the week of the last activity in the data."""
    (last,) = warehouse.query(
        "select max(greatest(created_at, coalesce(merged_at, created_at),"
        " coalesce(closed_at, created_at))) from analytics.fct_pull_requests"
    )[0]
    monday = dt.datetime.combine(last.date() - dt.timedelta(days=last.weekday()), dt.time())
    end = monday + dt.timedelta(weeks=1)
    return end - dt.timedelta(weeks=26), end


def merged_rows(warehouse):
    return warehouse.query(
        "select repository, merged_at, cycle_time_hours, is_author_bot, ai_signal_type,"
        " is_ai_assisted_detected from analytics.fct_pull_requests where is_merged"
    )


def test_meltano_job_step_writes_the_page(demo_report):
    assert demo_report.path.exists()
    assert "report written:" in demo_report.meltano_output
    text = demo_report.path.read_text(encoding="utf-8")
    # Self-contained: no script, style or image is fetched from anywhere.
    assert "<script src" not in text and "<link" not in text and "@import" not in text
    assert "window.vegaEmbed=" in text
    assert 0.5e6 < demo_report.path.stat().st_size < 5e6


def test_merged_prs_and_median_cycle_time_match_sql(demo_report):
    page = Page(demo_report.path)
    start, end = period(demo_report.warehouse)
    rows = merged_rows(demo_report.warehouse)
    in_period = [row for row in rows if start <= row[1] < end]
    assert 0 < len(in_period) < len(rows), "the data should reach before the 26-week period"
    assert set(page.scopes.values()) == {"All repositories", *REPOSITORIES}

    for repository in (None, *REPOSITORIES):
        mine = [row for row in in_period if repository is None or row[0] == repository]
        cycle_times = [float(row[2]) for row in mine if row[2] is not None]
        assert mine, f"{repository}: no merged PRs in the period"
        assert page.tile(repository, "merged_prs") == len(mine), repository
        assert page.tile(repository, "median_cycle_time_hours") == pytest.approx(
            statistics.median(cycle_times), abs=1e-6
        ), repository
    assert f"{start:%d %b %Y} to" in page.text


def test_ai_cohort_counts_match_sql(demo_report):
    page = Page(demo_report.path)
    start, end = period(demo_report.warehouse)
    # Merged PRs of the period, dependency bots left out (AI agent bots stay in).
    population = [
        row
        for row in merged_rows(demo_report.warehouse)
        if start <= row[1] < end and (not row[3] or row[4] == "bot_author")
    ]
    for repository in (None, *REPOSITORIES):
        mine = [row for row in population if repository is None or row[0] == repository]
        expected = {
            "AI signal detected": sum(1 for row in mine if row[5]),
            "no AI signal": sum(1 for row in mine if not row[5]),
        }
        shown = {row["cohort"]: row["merged_prs"] for row in page.rows(repository, "ai_cohorts")}
        assert shown == {cohort: n for cohort, n in expected.items() if n}, repository
        evidence = page.rows(repository, "ai_evidence")
        assert sum(row["prs"] for row in evidence) == expected["AI signal detected"], repository
    assert all(count > 0 for count in expected.values())


def test_simulated_data_only_in_its_own_section(demo_report):
    page = Page(demo_report.path)
    headline_metrics = {metric for (_, metric) in page.tiles}
    assert not any("sim" in metric for metric in headline_metrics)
    section = page.text.index('data-topic="simulated"')
    assert "Simulated data (not measured)" in page.text[section : section + 400]
    # The simulated chart and its table sit inside that section, nowhere before it.
    first_scope_end = page.text.index('<section class="scope" id="scope-repo-1"')
    assert page.text.index('data-kind="sim_survey"') > section
    assert page.text.count('data-topic="simulated"') == len(page.scopes)
    assert section < first_scope_end


def test_missing_simulations_and_present_dora_marts(demo_report, tmp_path, monkeypatch):
    """Sims turned off (no sim_* tables) and DORA marts present: the page copes with both."""
    from tap_github_prs_report.cli import build

    warehouse = demo_report.warehouse
    statements = ["create schema variant"]
    for table in ("fct_pull_requests", "fct_reviews", "fct_check_runs", "dim_team_members"):
        statements.append(f"create view variant.{table} as select * from analytics.{table}")  # noqa: S608
    statements.append(
        "create table variant.agg_dora_monthly as select * from (values"
        " ('acme/widgets', date '2099-01-01', 3, 30.5, 0.1, 5.0, 'high', 'elite', 'medium',"
        " 'elite')) as t (repository, month_start, deployment_days, lead_time_median_hours,"
        " change_failure_rate, recovery_time_median_hours, deployment_days_band,"
        " lead_time_band, change_failure_rate_band, recovery_time_band)"
    )
    import psycopg

    arguments = warehouse.arguments(warehouse.variables, warehouse.variables["PGDATABASE"])
    with psycopg.connect(**arguments, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)
    for key, value in warehouse.variables.items():
        monkeypatch.setenv(key, value)

    path = build(tmp_path / "variant.html", schema="variant", end=dt.date(2099, 1, 15), weeks=8)
    page = Page(path)
    assert 'data-topic="simulated"' not in page.text
    assert page.tile("acme/widgets", "dora_deployment_frequency") == 3
    assert page.tile("acme/widgets", "dora_change_failure_rate") == pytest.approx(0.1)
    assert "elite" in page.text
    assert ("all", "dora") in page.tiles  # all together: no per-repository DORA figure
    assert "none for this repository in the period" in page.text
