"""Every figure of the report, aggregated in PostgreSQL.

Each query returns one set of rows per scope: every repository, and all repositories together
(`grouping sets ((repository), ())`, the "all" scope has `repository` null). The page only
draws what comes back, so its size and build time depend on the number of repositories and
weeks, not on the number of pull requests.

Parameters (psycopg named): `start` and `end` bound the period (`start` <= t < `end`, both
Mondays, UTC); `previous_start` starts the period of equal length just before it. Table names
are formatted in as `{schema}` by the caller (an identifier, never user text in SQL).

Populations, as the marts define them (transform/README.md):
- merged PRs of the period: merged_at in the period; cycle, pickup and review time are the
  medians over them (pickup over those with a review);
- CI success rate: check runs completed in the period with a conclusion, NEUTRAL and SKIPPED
  left out; success = SUCCESS;
- AI cohorts: merged PRs of the period without dependency bots (AI agent bots stay in), as
  `ai_impact_summary` / `agg_ai_impact` count them; detected signals only.
"""

from __future__ import annotations

SCOPE = "case when grouping(repository) = 1 then null else repository end as repository"

# The last moment with data: the period ends with the ISO week holding it.
DATA_END = """
select max(greatest(created_at, coalesce(merged_at, created_at), coalesce(closed_at, created_at)))
from {schema}.fct_pull_requests
"""

REPOSITORIES = """
select repository, count(*) as pull_requests
from {schema}.fct_pull_requests
group by repository
order by count(*) desc, repository
"""

HEADLINE = """
select
    {scope},
    count(*) filter (where merged_at >= %(start)s) as merged_prs,
    count(*) filter (where merged_at < %(start)s) as previous_merged_prs,
    percentile_cont(0.5) within group (order by cycle_time_hours)
        filter (where merged_at >= %(start)s) as median_cycle_time_hours,
    percentile_cont(0.5) within group (order by cycle_time_hours)
        filter (where merged_at < %(start)s) as previous_median_cycle_time_hours,
    percentile_cont(0.5) within group (order by pickup_time_hours)
        filter (where merged_at >= %(start)s) as median_pickup_time_hours,
    percentile_cont(0.5) within group (order by review_time_hours)
        filter (where merged_at >= %(start)s) as median_review_time_hours
from {schema}.fct_pull_requests
where is_merged and merged_at >= %(previous_start)s and merged_at < %(end)s
group by grouping sets ((repository), ())
"""

OPENED_IN_PERIOD = """
select {scope}, count(*) as opened_prs
from {schema}.fct_pull_requests
where created_at >= %(start)s and created_at < %(end)s
group by grouping sets ((repository), ())
"""

CI_HEADLINE = """
select
    {scope},
    count(*) filter (where is_success) as successful_runs,
    count(*) as concluded_runs,
    cast(count(*) filter (where is_success) as double precision) / nullif(count(*), 0)
        as ci_success_rate
from {schema}.fct_check_runs
where completed_at >= %(start)s and completed_at < %(end)s
    and conclusion is not null and conclusion not in ('NEUTRAL', 'SKIPPED')
group by grouping sets ((repository), ())
"""

# Weekly flow, zero-filled: every week of the period for every scope.
WEEKLY_THROUGHPUT = """
with events as (
    select repository, created_week as week, 'opened' as event
    from {schema}.fct_pull_requests
    where created_at >= %(start)s and created_at < %(end)s
    union all
    select repository, merged_week, 'merged'
    from {schema}.fct_pull_requests
    where merged_at >= %(start)s and merged_at < %(end)s
    union all
    select repository, cast(date_trunc('week', closed_at) as date), 'closed unmerged'
    from {schema}.fct_pull_requests
    where is_closed_without_merge and closed_at >= %(start)s and closed_at < %(end)s
),

counted as (
    select {scope}, week, event, count(*) as prs
    from events
    group by grouping sets ((repository, week, event), (week, event))
),

scopes as (
    select distinct repository from counted
),

grid as (
    select scopes.repository, cast(weeks.week as date) as week, kinds.event
    from scopes
    cross join generate_series(
        cast(%(start)s as timestamp), cast(%(end)s as timestamp) - interval '1 week',
        interval '1 week'
    ) as weeks (week)
    cross join (values ('merged'), ('opened'), ('closed unmerged')) as kinds (event)
)

select grid.repository, grid.week, grid.event, coalesce(counted.prs, 0) as prs
from grid
left join counted
    on grid.repository is not distinct from counted.repository
    and grid.week = counted.week
    and grid.event = counted.event
order by grid.repository nulls first, grid.week, grid.event
"""

WEEKLY_STAGES = """
select
    {scope},
    merged_week as week,
    count(*) as merged_prs,
    percentile_cont(0.5) within group (order by coding_time_hours) as coding,
    percentile_cont(0.5) within group (order by pickup_time_hours) as pickup,
    percentile_cont(0.5) within group (order by review_time_hours) as review,
    percentile_cont(0.5) within group (order by cycle_time_hours) as cycle
from {schema}.fct_pull_requests
where is_merged and merged_at >= %(start)s and merged_at < %(end)s
group by grouping sets ((repository, merged_week), (merged_week))
order by 1 nulls first, 2
"""

SIZE_BUCKETS = (
    (0, "0-9"),
    (10, "10-49"),
    (50, "50-99"),
    (100, "100-249"),
    (250, "250-499"),
    (500, "500-999"),
    (1000, "1,000+"),
)
CYCLE_BUCKETS = (
    (0, "< 1 h"),
    (1, "1-4 h"),
    (4, "4-24 h"),
    (24, "1-3 days"),
    (72, "3-7 days"),
    (168, "1-2 weeks"),
    (336, "2+ weeks"),
)


def _bucket(column: str, buckets: tuple[tuple[int, str], ...]) -> str:
    """The bucket's position (0 = smallest) of a non-negative value."""
    branches = " ".join(
        f"when {column} >= {low} then {index}"
        for index, (low, _) in reversed(list(enumerate(buckets)))
    )
    return f"case {branches} end"


SIZE_ORDER = _bucket("pr_size_lines", SIZE_BUCKETS)
CYCLE_ORDER = _bucket("cycle_time_hours", CYCLE_BUCKETS)


SIZE_VS_CYCLE = """
with merged as (
    select
        repository,
        SIZE_ORDER as size_order,
        CYCLE_ORDER as cycle_order,
        cycle_time_hours
    from {schema}.fct_pull_requests
    where is_merged and merged_at >= %(start)s and merged_at < %(end)s
        and cycle_time_hours is not null and pr_size_lines is not null
)

select {scope}, size_order, cycle_order, count(*) as prs
from merged
group by grouping sets ((repository, size_order, cycle_order), (size_order, cycle_order))
order by 1 nulls first, 2, 3
""".replace("SIZE_ORDER", SIZE_ORDER).replace("CYCLE_ORDER", CYCLE_ORDER)

SIZE_MEDIANS = """
with merged as (
    select
        repository,
        SIZE_ORDER as size_order,
        cycle_time_hours
    from {schema}.fct_pull_requests
    where is_merged and merged_at >= %(start)s and merged_at < %(end)s
        and cycle_time_hours is not null and pr_size_lines is not null
)

select
    {scope},
    size_order,
    count(*) as prs,
    percentile_cont(0.5) within group (order by cycle_time_hours) as median_cycle_time_hours
from merged
group by grouping sets ((repository, size_order), (size_order))
order by 1 nulls first, 2
""".replace("SIZE_ORDER", SIZE_ORDER)

# Reviews that count (fct_reviews.counts_for_pickup: by someone else, no bots, not after the
# merge), submitted in the period; the top reviewers and authors of each scope.
REVIEW_PAIRS = """
with reviews as (
    select r.repository, r.reviewer_login, pr.author_login
    from {schema}.fct_reviews as r
    inner join {schema}.fct_pull_requests as pr on r.pull_request_id = pr.pull_request_id
    where r.counts_for_pickup and r.submitted_at >= %(start)s and r.submitted_at < %(end)s
        and pr.author_login is not null
),

pairs as (
    select {scope}, reviewer_login, author_login, count(*) as reviews
    from reviews
    group by grouping sets (
        (repository, reviewer_login, author_login), (reviewer_login, author_login)
    )
),

reviewer_rank as (
    select repository, reviewer_login,
        row_number() over (
            partition by repository order by sum(reviews) desc, reviewer_login
        ) as position
    from pairs
    group by repository, reviewer_login
),

author_rank as (
    select repository, author_login,
        row_number() over (
            partition by repository order by sum(reviews) desc, author_login
        ) as position
    from pairs
    group by repository, author_login
)

select pairs.repository, pairs.reviewer_login, pairs.author_login, pairs.reviews
from pairs
inner join reviewer_rank
    on pairs.repository is not distinct from reviewer_rank.repository
    and pairs.reviewer_login = reviewer_rank.reviewer_login
    and reviewer_rank.position <= %(top)s
inner join author_rank
    on pairs.repository is not distinct from author_rank.repository
    and pairs.author_login = author_rank.author_login
    and author_rank.position <= %(top)s
order by 1 nulls first, 4 desc, 2, 3
"""

REVIEWER_TURNAROUND = """
with per_reviewer as (
    select
        {scope},
        reviewer_login,
        count(*) as reviews,
        count(*) filter (where is_first_review) as first_reviews,
        percentile_cont(0.5) within group (order by hours_since_pr_created)
            filter (where is_first_review) as median_hours_to_first_review
    from {schema}.fct_reviews
    where counts_for_pickup and submitted_at >= %(start)s and submitted_at < %(end)s
    group by grouping sets ((repository, reviewer_login), (reviewer_login))
),

ranked as (
    select *, row_number() over (
        partition by repository order by reviews desc, reviewer_login
    ) as position
    from per_reviewer
)

select repository, reviewer_login, reviews, first_reviews, median_hours_to_first_review
from ranked
where position <= %(top)s
order by 1 nulls first, reviews desc, reviewer_login
"""

CI_CHECKS = """
with per_check as (
    select
        {scope},
        check_name,
        count(*) as runs,
        count(*) filter (where is_failure) as failed_runs,
        cast(count(*) filter (where is_failure) as double precision) / nullif(count(*), 0)
            as failure_rate,
        percentile_cont(0.5) within group (order by duration_hours) * 60
            as median_duration_minutes,
        percentile_cont(0.9) within group (order by duration_hours) * 60
            as p90_duration_minutes
    from {schema}.fct_check_runs
    where completed_at >= %(start)s and completed_at < %(end)s
        and conclusion is not null and conclusion not in ('NEUTRAL', 'SKIPPED')
    group by grouping sets ((repository, check_name), (check_name))
),

ranked as (
    select *, row_number() over (
        partition by repository order by runs desc, check_name
    ) as position
    from per_check
)

select repository, check_name, runs, failed_runs, failure_rate, median_duration_minutes,
    p90_duration_minutes
from ranked
where position <= %(top)s
order by 1 nulls first, runs desc, check_name
"""

AI_POPULATION = """
from {schema}.fct_pull_requests
where is_merged and merged_at >= %(start)s and merged_at < %(end)s
    and (not is_author_bot or ai_signal_type = 'bot_author')
"""

AI_COHORTS = (
    """
select
    {scope},
    case when is_ai_assisted_detected then 'AI signal detected' else 'no AI signal' end
        as cohort,
    count(*) as merged_prs,
    percentile_cont(0.5) within group (order by cycle_time_hours) as median_cycle_time_hours,
    percentile_cont(0.5) within group (order by pr_size_lines) as median_size_lines,
    avg(changes_requested_rounds) as mean_changes_requested_rounds,
    percentile_cont(0.5) within group (order by pickup_time_hours) as median_pickup_time_hours
"""
    + AI_POPULATION
    + """
group by grouping sets ((repository, is_ai_assisted_detected), (is_ai_assisted_detected))
order by 1 nulls first, 2
"""
)

AI_EVIDENCE = (
    """
select
    {scope},
    case ai_signal_type
        when 'bot_author' then 'AI agent author'
        when 'co_author_trailer' then 'Co-authored-by trailer'
        when 'generated_with' then '"Generated with" line'
        else ai_signal_type
    end as signal_type,
    coalesce(ai_signal_tool, 'unknown tool') as tool,
    count(*) as prs
"""
    + AI_POPULATION
    + """
    and is_ai_assisted_detected
group by grouping sets ((repository, ai_signal_type, ai_signal_tool),
    (ai_signal_type, ai_signal_tool))
order by 1 nulls first, 4 desc, 2, 3
"""
)

# Simulated (sim_survey_responses): never in a headline, only in the page's simulated section.
SIM_SURVEY_WEEKLY = """
select
    {scope},
    cast(date_trunc('week', sim_responded_on) as date) as week,
    count(*) as answers,
    count(*) filter (where sim_ai_used) as said_ai_used,
    cast(count(*) filter (where sim_ai_used) as double precision) / nullif(count(*), 0)
        as sim_ai_used_share
from {schema}.sim_survey_responses
where respondent_role = 'author'
    and sim_responded_on >= %(start)s and sim_responded_on < %(end)s
group by grouping sets ((repository, date_trunc('week', sim_responded_on)),
    (date_trunc('week', sim_responded_on)))
order by 1 nulls first, 2
"""

EXTRACTED_AT = "select max(_sdc_batched_at) from raw_github.pull_requests"
