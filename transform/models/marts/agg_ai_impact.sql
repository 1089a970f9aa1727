-- AI-assisted versus not, on merged PRs, side by side: once on detected (real) signals
-- (detected_* columns), once on simulated survey answers (simulated_* columns, left out when
-- the var simulations_enabled is false). Cohorts: assisted / not assisted, and
-- DevLake-style adoption tiers of team-periods (repository x calendar month of the merge)
-- by their share of assisted PRs. Dependency bots are left out; AI agent bots stay in.
with

pull_requests as (

    select
        pull_request_id,
        repository || ':' || to_char(merged_at, 'YYYY-MM') as team_period,
        is_ai_assisted_detected,
        cycle_time_hours,
        pickup_time_hours,
        pr_size_lines,
        changes_requested_rounds,
        head_ci_outcome
    from {{ ref('fct_pull_requests') }}
    where is_merged and (not is_author_bot or ai_signal_type = 'bot_author')

),

author_answers as (

    {{ simulated_author_answers() }}

),

flagged as (

    select
        pull_requests.*,
        author_answers.sim_ai_used
    from pull_requests
    left join author_answers
        on pull_requests.pull_request_id = author_answers.pull_request_id

),

team_periods as (

    select
        team_period,
        {{ safe_divide('count(*) filter (where is_ai_assisted_detected)', 'count(*)') }}
            as detected_share,
        {{ safe_divide('count(*) filter (where sim_ai_used)', 'count(sim_ai_used)') }}
            as sim_share
    from flagged
    group by team_period

),

tiered as (

    select
        flagged.*,
        {{ adoption_tier('team_periods.detected_share') }} as detected_tier,
        {{ adoption_tier('team_periods.sim_share') }} as sim_tier
    from flagged
    inner join team_periods
        on flagged.team_period = team_periods.team_period

),

detected_rows as (

    select
        'assistance' as cohort_type,
        case when is_ai_assisted_detected then 'ai_assisted' else 'not_ai_assisted' end as cohort,
        *
    from tiered

    union all

    select
        'adoption_tier' as cohort_type,
        detected_tier as cohort,
        *
    from tiered

),

sim_rows as (

    select
        'assistance' as cohort_type,
        case when sim_ai_used then 'ai_assisted' else 'not_ai_assisted' end as cohort,
        *
    from tiered
    where sim_ai_used is not null

    union all

    select
        'adoption_tier' as cohort_type,
        sim_tier as cohort,
        *
    from tiered
    where sim_tier is not null

),

cohort_rows as (

    select
        'detected' as signal_source,
        *
    from detected_rows

    union all

    select
        'simulated' as signal_source,
        *
    from sim_rows

),

-- Detected and simulated cohorts go through one aggregation, so they stay comparable.
cohort_stats as (

    select
        signal_source,
        cohort_type,
        cohort,
        count(*) as pr_count,
        count(distinct team_period) as team_period_count,
        {{ median('cycle_time_hours') }} as median_cycle_time_hours,
        {{ median('pickup_time_hours') }} as median_pickup_time_hours,
        {{ median('pr_size_lines') }} as median_pr_size_lines,
        avg(changes_requested_rounds) as avg_changes_requested_rounds,
        {{ safe_divide(
            "count(*) filter (where head_ci_outcome = 'failure')",
            "count(*) filter (where head_ci_outcome in ('failure', 'success'))"
        ) }} as ci_failure_rate
    from cohort_rows
    group by signal_source, cohort_type, cohort

),

detected_stats as (

    select * from cohort_stats
    where signal_source = 'detected'

),

sim_stats as (

    select * from cohort_stats
    where signal_source = 'simulated'

),

cohorts as (

    select
        'assistance' as cohort_type,
        'ai_assisted' as cohort,
        1 as cohort_order
    union all
    select
        'assistance' as cohort_type,
        'not_ai_assisted' as cohort,
        2 as cohort_order
    union all
    select
        'adoption_tier' as cohort_type,
        'under_25_pct' as cohort,
        3 as cohort_order
    union all
    select
        'adoption_tier' as cohort_type,
        '25_to_50_pct' as cohort,
        4 as cohort_order
    union all
    select
        'adoption_tier' as cohort_type,
        '50_to_75_pct' as cohort,
        5 as cohort_order
    union all
    select
        'adoption_tier' as cohort_type,
        'over_75_pct' as cohort,
        6 as cohort_order

)

select
    cohorts.cohort_type || ':' || cohorts.cohort as cohort_id,
    cohorts.cohort_type,
    cohorts.cohort,
    cohorts.cohort_order,
    {{ cohort_figures('detected_stats', 'detected') }}
    {%- if var('simulations_enabled') %}
        ,
        {{ cohort_figures('sim_stats', 'simulated') }}
    {%- endif %}

from cohorts
left join detected_stats
    on
        cohorts.cohort_type = detected_stats.cohort_type
        and cohorts.cohort = detected_stats.cohort
{%- if var('simulations_enabled') %}
    left join sim_stats
        on
            cohorts.cohort_type = sim_stats.cohort_type
            and cohorts.cohort = sim_stats.cohort
{%- endif %}
