"""Turn the marts' figures into one self-contained HTML page (jinja2 + Vega-Lite inlined)."""

from __future__ import annotations

import datetime as dt
import math
import os
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from tap_github_prs_report import charts
from tap_github_prs_report.data import ReportData, Scope

NONE = "n/a"
SECTIONS = (
    ("flow", "Flow", ("throughput", "stages")),
    ("size", "Size and cycle time", ("size_vs_cycle",)),
    ("review", "Review load", ("review_pairs", "reviewers")),
    ("ci", "CI health", ("ci_failures", "ci_durations")),
    ("ai", "AI assistance (detected signals)", ("ai_cohorts", "ai_evidence")),
)
SIMULATED_SECTION = ("simulated", "Simulated data (not measured)", ("sim_survey",))


def hours(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NONE
    if value >= 48:
        return f"{value:,.1f} h ({value / 24:,.1f} days)"
    return f"{value:,.1f} h"


def formatted(value: Any, kind: str) -> str:
    if value is None:
        return NONE
    if kind == "int":
        return f"{int(value):,}"
    if kind == "hours":
        return f"{value:,.1f}"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind in ("minutes", "number"):
        return f"{value:,.1f}"
    return str(value)


def change(current: float | None, previous: float | None) -> str:
    if current is None or previous is None or previous == 0:
        return "no previous period to compare"
    ratio = (current - previous) / previous
    direction = "up" if ratio > 0 else "down" if ratio < 0 else "unchanged"
    arrow = {"up": "▲", "down": "▼", "unchanged": "="}[direction]
    return f"{arrow} {abs(ratio) * 100:.0f}% {direction} on the previous period ({hours(previous)})"


def tiles(scope: Scope, report: ReportData) -> list[dict[str, Any]]:
    """Headline tiles: detected and measured figures only, never simulated ones."""
    head = (scope.figures["headline"] or [{}])[0]
    ci = (scope.figures["ci_headline"] or [{}])[0]
    opened = (scope.figures["opened"] or [{}])[0]
    merged = head.get("merged_prs") or 0
    previous_merged = head.get("previous_merged_prs") or 0
    rate = ci.get("ci_success_rate")
    result = [
        {
            "metric": "merged_prs",
            "label": "Merged PRs",
            "value": merged,
            "text": f"{merged:,}",
            "note": f"{previous_merged:,} in the previous period; "
            f"{opened.get('opened_prs') or 0:,} opened",
        },
        {
            "metric": "median_cycle_time_hours",
            "label": "Median cycle time",
            "value": head.get("median_cycle_time_hours"),
            "text": hours(head.get("median_cycle_time_hours")),
            "note": change(
                head.get("median_cycle_time_hours"), head.get("previous_median_cycle_time_hours")
            ),
        },
        {
            "metric": "median_pickup_time_hours",
            "label": "Median pickup time",
            "value": head.get("median_pickup_time_hours"),
            "text": hours(head.get("median_pickup_time_hours")),
            "note": "PR opened → first review by someone else",
        },
        {
            "metric": "median_review_time_hours",
            "label": "Median review time",
            "value": head.get("median_review_time_hours"),
            "text": hours(head.get("median_review_time_hours")),
            "note": "first review → merge",
        },
        {
            "metric": "ci_success_rate",
            "label": "CI success rate",
            "value": rate,
            "text": NONE if rate is None else f"{rate * 100:.1f}%",
            "note": f"{ci.get('successful_runs') or 0:,} of {ci.get('concluded_runs') or 0:,} "
            "check runs",
        },
    ]
    return result


def dora_tiles(scope: Scope, report: ReportData) -> list[dict[str, Any]]:
    """The DORA four for a repository (latest month of agg_dora_monthly), or nothing."""
    metrics = report.dora.get(scope.repository)
    if not metrics:
        return []
    out = []
    for key, label, _, unit in _dora_defs():
        value = metrics.get(key)
        if value is None:
            text = NONE
        elif unit == "%":
            text = f"{value * 100:.1f}%" if value <= 1 else f"{value:.1f}%"
        elif unit == "h":
            text = hours(value)
        else:
            text = f"{value:,.1f}"
        band = metrics.get(key + "_band")
        out.append(
            {
                "metric": f"dora_{key}",
                "label": label,
                "value": value,
                "text": text,
                "note": f"{metrics['month']}" + (f" · {band}" if band else ""),
            }
        )
    return out


def _dora_defs():
    from tap_github_prs_report.data import DORA_METRICS

    return DORA_METRICS


def table_rows(definition: charts.ChartDef, rows: list[dict]) -> list[list[str]]:
    return [[formatted(row.get(c.key), c.kind) for c in definition.columns] for row in rows]


def render(report: ReportData, command: str, generated_at: dt.datetime | None = None) -> str:
    generated_at = generated_at or dt.datetime.now(dt.timezone.utc)
    package = resources.files("tap_github_prs_report")
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: (package / "templates" / name).read_text(encoding="utf-8")
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    sections = list(SECTIONS) + ([SIMULATED_SECTION] if report.has_simulated else [])
    definitions = {kind: definition for kind, (definition, _) in charts.CHARTS.items()}
    datasets: dict[str, list[dict]] = {}
    scopes = []
    for scope in report.scopes:
        scope_sections = []
        for key, title, kinds in sections:
            figures = []
            for kind in kinds:
                definition = definitions[kind]
                rows = scope.figures.get(definition.figure, [])
                data_id = f"{scope.key}-{kind}"
                if rows:
                    datasets[data_id] = rows
                figures.append(
                    {
                        "definition": definition,
                        "data_id": data_id,
                        "has_data": bool(rows),
                        "rows": table_rows(definition, rows),
                    }
                )
            scope_sections.append({"key": key, "title": title, "figures": figures})
        scopes.append(
            {
                "scope": scope,
                "tiles": tiles(scope, report),
                "dora": dora_tiles(scope, report),
                "sections": scope_sections,
            }
        )
    bundle = _vega_bundle()
    template = environment.get_template("report.html.j2")
    return template.render(
        report=report,
        scopes=scopes,
        has_dora=bool(report.dora),
        specs=charts.specs(),
        datasets=datasets,
        vega_bundle=bundle,
        css=(package / "templates" / "report.css").read_text(encoding="utf-8"),
        script=(package / "templates" / "report.js").read_text(encoding="utf-8"),
        command=command,
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        period=f"{report.start:%d %b %Y} to {report.last_day:%d %b %Y}",
        previous_period=f"{report.previous_start:%d %b %Y} to "
        f"{report.start - dt.timedelta(days=1):%d %b %Y}",
    )


def _vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script, as vl-convert ships them (no network).

    vl-convert assembles the bundle in about 3 s; it is kept per vl-convert version in the
    user's cache folder (XDG_CACHE_HOME, else ~/.cache), which is only a speed-up.
    """
    import vl_convert

    version = getattr(vl_convert, "__version__", "unknown")
    cache_root = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    cached = Path(cache_root) / "tap-github-prs-report" / f"vega-bundle-{version}.js"
    try:
        bundle = cached.read_text(encoding="utf-8")
    except OSError:
        bundle = vl_convert.javascript_bundle()
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            partial.write_text(bundle, encoding="utf-8")
            partial.replace(cached)
        except OSError:
            pass  # a read-only home: build it every time
    # Safe inside <script>: no closing tag can end it early.
    return bundle.replace("</script", "<\\/script")
