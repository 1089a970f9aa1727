"""The report's charts as Vega-Lite specs, built once with Altair (and validated there).

Every spec reads its rows from the named dataset `rows`; the page fills it in per scope, so a
report of 30 repositories carries each spec once and only the aggregated rows 31 times.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt

from tap_github_prs_report import queries

# Okabe & Ito's palette, readable with every common colour-vision deficiency.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000"]
SEQUENTIAL = "viridis"  # perceptually uniform, colour-blind safe
ROWS = alt.Data(name="rows")
WIDTH = 440
HEIGHT = 260
WEEK = alt.X("week:T", title="Week (ISO, starting Monday, UTC)", axis=alt.Axis(format="%d %b %y"))


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text | int | hours | percent | minutes | number


@dataclass(frozen=True)
class ChartDef:
    kind: str
    figure: str  # key of Scope.figures
    title: str
    description: str
    columns: tuple[Column, ...]


def _configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure_range(category=OKABE_ITO)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=11, titleFontSize=12)
        .configure_title(fontSize=14, anchor="start")
    )


def _throughput() -> alt.Chart:
    return (
        alt.Chart(ROWS)
        .mark_line(point=True)
        .encode(
            x=WEEK,
            y=alt.Y("prs:Q", title="Pull requests per week"),
            color=alt.Color(
                "event:N",
                title="Event",
                sort=["merged", "opened", "closed unmerged"],
                scale=alt.Scale(range=OKABE_ITO[:3]),
            ),
            strokeDash=alt.StrokeDash("event:N", title="Event", legend=None),
            tooltip=[alt.Tooltip("week:T", title="Week"), "event:N", "prs:Q"],
        )
    )


def _stages() -> alt.Chart:
    return (
        alt.Chart(ROWS)
        .transform_fold(["coding", "pickup", "review"], as_=["stage", "hours"])
        .transform_calculate(order="indexof(['coding', 'pickup', 'review'], datum.stage)")
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="Week merged (ISO, starting Monday, UTC)"),
            y=alt.Y("hours:Q", title="Median hours per stage", stack="zero"),
            color=alt.Color(
                "stage:N",
                title="Stage",
                sort=["coding", "pickup", "review"],
                scale=alt.Scale(range=OKABE_ITO[:3]),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("week:T", title="Week"),
                "stage:N",
                alt.Tooltip("hours:Q", title="median hours", format=".1f"),
                alt.Tooltip("merged_prs:Q", title="merged PRs"),
            ],
        )
    )


def _heatmap(
    x: str, x_title: str, y: str, y_title: str, value: str, value_title: str, x_sort, y_sort
):
    base = alt.Chart(ROWS).encode(
        x=alt.X(x, title=x_title, sort=x_sort, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y(y, title=y_title, sort=y_sort),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(value, title=value_title, scale=alt.Scale(scheme=SEQUENTIAL)),
        tooltip=[x, y, value],
    )
    field = value.split(":")[0]
    # Dark text on viridis' light (high) end, white on its dark (low) end.
    labels = (
        base.transform_joinaggregate(top=f"max({field})")
        .mark_text(fontSize=10)
        .encode(
            text=alt.Text(value),
            color=alt.condition(
                f"datum.{field} > 0.6 * datum.top", alt.value("black"), alt.value("white")
            ),
        )
    )
    return cells + labels


def _size_vs_cycle():
    return _heatmap(
        "size:O",
        "PR size (lines added + deleted)",
        "cycle:O",
        "Cycle time",
        "prs:Q",
        "Merged PRs",
        [label for _, label in queries.SIZE_BUCKETS],
        list(reversed([label for _, label in queries.CYCLE_BUCKETS])),
    )


def _review_pairs():
    return _heatmap(
        "author_login:N",
        "PR author",
        "reviewer_login:N",
        "Reviewer",
        "reviews:Q",
        "Reviews",
        "ascending",
        "ascending",
    )


def _bars(y: str, y_title: str, x: str, x_title: str, x_format: str | None, color: str):
    axis = alt.Axis(format=x_format) if x_format else alt.Axis()
    return (
        alt.Chart(ROWS)
        .mark_bar(color=color)
        .encode(
            y=alt.Y(y, title=y_title, sort="-x"),
            x=alt.X(x, title=x_title, axis=axis),
            tooltip=[y, alt.Tooltip(x, format=x_format or ".1f")],
        )
    )


def _reviewers():
    return _bars(
        "reviewer_login:N",
        "Reviewer",
        "median_hours_to_first_review:Q",
        "Median hours from PR opened to their first review",
        None,
        OKABE_ITO[0],
    )


def _ci_failures():
    return _bars(
        "check_name:N", "Check", "failure_rate:Q", "Failure rate (% of runs)", "%", OKABE_ITO[5]
    )


def _ci_durations():
    return _bars(
        "check_name:N",
        "Check",
        "median_duration_minutes:Q",
        "Median duration (minutes)",
        None,
        OKABE_ITO[1],
    )


def _ai_cohorts():
    def panel(field: str, title: str) -> alt.Chart:
        return (
            alt.Chart(ROWS)
            .mark_bar()
            .encode(
                x=alt.X("cohort:N", title=None, axis=alt.Axis(labelAngle=0)),
                y=alt.Y(field, title=title),
                color=alt.Color(
                    "cohort:N",
                    title="Cohort (detected signals)",
                    sort=["AI signal detected", "no AI signal"],
                    scale=alt.Scale(range=OKABE_ITO[:2]),
                ),
                tooltip=["cohort:N", "merged_prs:Q", alt.Tooltip(field, format=".1f")],
            )
            .properties(width=150, height=HEIGHT - 40)
        )

    return alt.hconcat(
        panel("median_cycle_time_hours:Q", "Median cycle time (hours)"),
        panel("median_size_lines:Q", "Median PR size (lines)"),
        panel("mean_changes_requested_rounds:Q", "Changes-requested rounds (mean per PR)"),
    )


def _ai_evidence():
    return (
        alt.Chart(ROWS)
        .mark_bar()
        .encode(
            y=alt.Y("tool:N", title="AI tool named by the signal", sort="-x"),
            x=alt.X("sum(prs):Q", title="Merged PRs with the signal"),
            color=alt.Color("signal_type:N", title="Signal", scale=alt.Scale(range=OKABE_ITO[:3])),
            tooltip=["tool:N", "signal_type:N", "prs:Q"],
        )
    )


def _sim_survey():
    return (
        alt.Chart(ROWS)
        .mark_line(point=True, color=OKABE_ITO[3], strokeDash=[4, 3])
        .encode(
            x=alt.X("week:T", title="Week answered (ISO, starting Monday, UTC)"),
            y=alt.Y(
                "sim_ai_used_share:Q",
                title="SIMULATED share of authors saying AI was used (%)",
                axis=alt.Axis(format="%"),
            ),
            tooltip=[
                alt.Tooltip("week:T", title="Week"),
                alt.Tooltip("sim_ai_used_share:Q", format=".0%", title="simulated share"),
                alt.Tooltip("answers:Q", title="simulated answers"),
            ],
        )
    )


HOURS = "hours"
CHARTS: dict[str, tuple[ChartDef, object]] = {}


def _register(definition: ChartDef, builder) -> None:
    CHARTS[definition.kind] = (definition, builder)


_register(
    ChartDef(
        "throughput",
        "throughput",
        "Weekly throughput",
        "Pull requests merged, opened and closed without merge per week.",
        (Column("week", "Week"), Column("event", "Event"), Column("prs", "PRs", "int")),
    ),
    _throughput,
)
_register(
    ChartDef(
        "stages",
        "stages",
        "Cycle time by stage, per week merged",
        "Median coding, pickup and review time of the PRs merged each week, stacked, in "
        "hours (no deploy stage: no deployments are known).",
        (
            Column("week", "Week merged"),
            Column("merged_prs", "Merged PRs", "int"),
            Column("coding", "Median coding (h)", HOURS),
            Column("pickup", "Median pickup (h)", HOURS),
            Column("review", "Median review (h)", HOURS),
            Column("cycle", "Median cycle (h)", HOURS),
        ),
    ),
    _stages,
)
_register(
    ChartDef(
        "size_vs_cycle",
        "size_vs_cycle",
        "PR size against cycle time",
        "Merged PRs of the period counted by size (lines added + deleted) and cycle time.",
        (
            Column("size", "Size (lines)"),
            Column("cycle", "Cycle time"),
            Column("prs", "PRs", "int"),
        ),
    ),
    _size_vs_cycle,
)
_register(
    ChartDef(
        "review_pairs",
        "review_pairs",
        "Who reviews whom",
        "Reviews submitted in the period by the top reviewers on the top authors' PRs "
        "(reviews by someone other than the author, no bots).",
        (
            Column("reviewer_login", "Reviewer"),
            Column("author_login", "Author"),
            Column("reviews", "Reviews", "int"),
        ),
    ),
    _review_pairs,
)
_register(
    ChartDef(
        "reviewers",
        "reviewers",
        "Review turnaround per reviewer",
        "Median hours from a PR being opened to its first review, for the PRs each reviewer "
        "reviewed first; top reviewers by reviews.",
        (
            Column("reviewer_login", "Reviewer"),
            Column("reviews", "Reviews", "int"),
            Column("first_reviews", "First reviews", "int"),
            Column("median_hours_to_first_review", "Median hours to first review", HOURS),
        ),
    ),
    _reviewers,
)
_register(
    ChartDef(
        "ci_failures",
        "ci_checks",
        "CI failure rate per check",
        "Share of completed runs that failed, per check name (most-run checks; NEUTRAL and "
        "SKIPPED runs left out).",
        (
            Column("check_name", "Check"),
            Column("runs", "Runs", "int"),
            Column("failed_runs", "Failed", "int"),
            Column("failure_rate", "Failure rate", "percent"),
        ),
    ),
    _ci_failures,
)
_register(
    ChartDef(
        "ci_durations",
        "ci_checks",
        "Slowest checks",
        "Median run duration per check name, in minutes (most-run checks).",
        (
            Column("check_name", "Check"),
            Column("runs", "Runs", "int"),
            Column("median_duration_minutes", "Median (min)", "minutes"),
            Column("p90_duration_minutes", "90th percentile (min)", "minutes"),
        ),
    ),
    _ci_durations,
)
_register(
    ChartDef(
        "ai_cohorts",
        "ai_cohorts",
        "PRs with detected AI signals against the rest",
        "Merged PRs of the period (dependency bots left out): median cycle time in hours, "
        "median size in lines, and mean changes-requested rounds, by detected AI signal.",
        (
            Column("cohort", "Cohort"),
            Column("merged_prs", "Merged PRs", "int"),
            Column("median_cycle_time_hours", "Median cycle time (h)", HOURS),
            Column("median_size_lines", "Median size (lines)", "number"),
            Column("mean_changes_requested_rounds", "Changes-requested rounds", "number"),
            Column("median_pickup_time_hours", "Median pickup (h)", HOURS),
        ),
    ),
    _ai_cohorts,
)
_register(
    ChartDef(
        "ai_evidence",
        "ai_evidence",
        "Evidence behind the detected signals",
        "Merged PRs per AI tool and kind of signal (bot author, Co-authored-by trailer, "
        "'Generated with' line).",
        (Column("tool", "Tool"), Column("signal_type", "Signal"), Column("prs", "PRs", "int")),
    ),
    _ai_evidence,
)
_register(
    ChartDef(
        "sim_survey",
        "sim_survey",
        "SIMULATED: authors saying AI was used, per week",
        "Simulated survey answers (sim_survey_responses), not measured: the share of PR "
        "authors whose simulated answer says AI was used.",
        (
            Column("week", "Week"),
            Column("answers", "Simulated answers", "int"),
            Column("said_ai_used", "Simulated 'AI used'", "int"),
            Column("sim_ai_used_share", "Simulated share", "percent"),
        ),
    ),
    _sim_survey,
)


def specs(validate: bool = False) -> dict[str, dict]:
    """Vega-Lite spec of every chart kind, reading dataset `rows`.

    validate: check each against Vega-Lite's JSON schema (the tests do; it takes a second).
    """
    built = {}
    for kind, (definition, builder) in CHARTS.items():
        chart = builder()
        if not isinstance(chart, alt.HConcatChart):
            chart = chart.properties(width=WIDTH, height=HEIGHT)
        chart = chart.properties(
            title=alt.TitleParams(definition.title), description=definition.description
        )
        built[kind] = _configure(chart).to_dict(validate=validate)
    return built
