{#- DORA benchmark bands of the 2023 State of DevOps report, with Apache DevLake's cut-offs
    (its DORA dashboard, "2023 report" benchmarks; docs/Metrics/*.md of
    apache/incubator-devlake-website). Each returns elite/high/medium/low, or null. -#}

{#- Deployment frequency: median deployment days per week >= 7 elite, >= 1 high; otherwise
    at least one deployment day in the month medium, else low. -#}
{% macro deployment_frequency_band(days_per_week, days_in_month) -%}
    case
        when {{ days_per_week }} is null then null
        when {{ days_per_week }} >= 7 then 'elite'
        when {{ days_per_week }} >= 1 then 'high'
        when {{ days_in_month }} >= 1 then 'medium'
        else 'low'
    end
{%- endmacro %}

{#- Lead time for changes, hours: under a day elite, a week high, a month (30 days) medium. -#}
{% macro lead_time_band(hours) -%}
    case
        when {{ hours }} is null then null
        when {{ hours }} < 24 then 'elite'
        when {{ hours }} < 24 * 7 then 'high'
        when {{ hours }} < 24 * 30 then 'medium'
        else 'low'
    end
{%- endmacro %}

{#- Change failure rate (0..1): up to 5% elite, 10% high, 15% medium, above low. -#}
{% macro change_failure_rate_band(rate) -%}
    case
        when {{ rate }} is null then null
        when {{ rate }} <= 0.05 then 'elite'
        when {{ rate }} <= 0.10 then 'high'
        when {{ rate }} <= 0.15 then 'medium'
        else 'low'
    end
{%- endmacro %}

{#- Failed deployment recovery time, hours: under an hour elite, a day high, a week medium. -#}
{% macro recovery_time_band(hours) -%}
    case
        when {{ hours }} is null then null
        when {{ hours }} < 1 then 'elite'
        when {{ hours }} < 24 then 'high'
        when {{ hours }} < 24 * 7 then 'medium'
        else 'low'
    end
{%- endmacro %}

{#- The body of agg_dora_weekly and agg_dora_monthly: the four DORA metrics per repository and
    period (`grain` is 'week' or 'month'), DevLake's definitions, each period attributed by the
    deployment's finish time:
    - deployment_days: days with at least one successful production deployment;
    - median_lead_time_hours: median over the PRs first shipped by a deployment finished in
      the period, of deployment finish minus the PR's first commit;
    - change_failure_rate: successful production deployments finished in the period that are
      linked to an incident, divided by all of them;
    - median_recovery_time_hours: median over resolved incidents caused by a deployment
      finished in the period, of resolution minus the deployment's finish.
    A repository without any production deployment gets nulls and no_data_reason, never 0. -#}
{% macro dora_aggregate(grain) -%}
with

deployments as (

    select
        deployment_id,
        repository,
        finished_at,
        finished_date,
        caused_incident
    from {{ ref('fct_deployments') }}
    where is_success

),

shipped as (

    select
        repository,
        deployment_finished_at,
        lead_time_hours
    from {{ ref('fct_deployment_pull_requests') }}
    where is_first_deployment

),

incidents as (

    select
        repository,
        deployment_finished_at,
        recovery_time_hours
    from {{ ref('fct_incidents') }}
    where caused_by_deployment_id is not null and resolved_at is not null

),

pull_requests as (

    select
        repository,
        created_at,
        merged_at
    from {{ ref('stg_github__pull_requests') }}

),

all_production as (

    select
        repository,
        count(*) as production_deployments
    from {{ ref('fct_deployments') }}
    group by repository

),

activity as (

    select
        repository,
        created_at as happened_at
    from pull_requests
    union all
    select
        repository,
        finished_at as happened_at
    from deployments

),

bounds as (

    select
        repository,
        min(happened_at) as first_at,
        max(happened_at) as last_at
    from activity
    where happened_at is not null
    group by repository

),

periods as (

    select
        bounds.repository,
        cast(period as date) as period_start
    from bounds
    cross join lateral generate_series(
        date_trunc('{{ grain }}', bounds.first_at),
        date_trunc('{{ grain }}', bounds.last_at),
        interval '1 {{ grain }}'
    ) as period

),

deployment_days as (

    select
        repository,
        cast(date_trunc('{{ grain }}', finished_date) as date) as period_start,
        count(distinct finished_date) as deployment_days,
        count(*) as successful_deployment_count,
        count(*) filter (where caused_incident) as failed_deployment_count
    from deployments
    group by repository, cast(date_trunc('{{ grain }}', finished_date) as date)

),

weekly_days as (

    select
        repository,
        cast(date_trunc('week', finished_date) as date) as week_start,
        count(distinct finished_date) as days
    from deployments
    group by repository, cast(date_trunc('week', finished_date) as date)

),

month_days as (

    select
        repository,
        cast(date_trunc('month', finished_date) as date) as month_start,
        count(distinct finished_date) as days
    from deployments
    group by repository, cast(date_trunc('month', finished_date) as date)

),

week_spine as (

    select
        bounds.repository,
        cast(week as date) as week_start
    from bounds
    cross join lateral generate_series(
        date_trunc('week', bounds.first_at), date_trunc('week', bounds.last_at), interval '1 week'
    ) as week

),

days_per_week as (

    -- Deployment days of each week (zero included), by the period the week starts in.
    select
        week_spine.repository,
        cast(date_trunc('{{ grain }}', week_spine.week_start) as date) as period_start,
        percentile_cont(0.5) within group (order by coalesce(weekly_days.days, 0)) as median_days_per_week
    from week_spine
    left join weekly_days
        on
            week_spine.repository = weekly_days.repository
            and week_spine.week_start = weekly_days.week_start
    group by week_spine.repository, cast(date_trunc('{{ grain }}', week_spine.week_start) as date)

),

lead_times as (

    select
        repository,
        cast(date_trunc('{{ grain }}', deployment_finished_at) as date) as period_start,
        round(cast(percentile_cont(0.5) within group (order by lead_time_hours) as numeric), 4) as median_lead_time_hours,
        count(lead_time_hours) as lead_time_pr_count
    from shipped
    group by repository, cast(date_trunc('{{ grain }}', deployment_finished_at) as date)

),

recoveries as (

    select
        repository,
        cast(date_trunc('{{ grain }}', deployment_finished_at) as date) as period_start,
        round(
            cast(percentile_cont(0.5) within group (order by recovery_time_hours) as numeric), 4
        )
            as median_recovery_time_hours,
        count(recovery_time_hours) as recovery_incident_count
    from incidents
    group by repository, cast(date_trunc('{{ grain }}', deployment_finished_at) as date)

),

metrics as (

    select
        periods.repository,
        periods.period_start,
        all_production.production_deployments is not null as has_deployments,
        coalesce(deployment_days.deployment_days, 0) as deployment_days,
        coalesce(deployment_days.successful_deployment_count, 0) as successful_deployment_count,
        coalesce(deployment_days.failed_deployment_count, 0) as failed_deployment_count,
        days_per_week.median_days_per_week,
        coalesce(month_days.days, 0) as month_deployment_days,
        lead_times.median_lead_time_hours,
        coalesce(lead_times.lead_time_pr_count, 0) as lead_time_pr_count,
        recoveries.median_recovery_time_hours,
        coalesce(recoveries.recovery_incident_count, 0) as recovery_incident_count
    from periods
    left join all_production
        on periods.repository = all_production.repository
    left join deployment_days
        on
            periods.repository = deployment_days.repository
            and periods.period_start = deployment_days.period_start
    left join days_per_week
        on
            periods.repository = days_per_week.repository
            and periods.period_start = days_per_week.period_start
    left join month_days
        on
            periods.repository = month_days.repository
            and cast(date_trunc('month', periods.period_start) as date) = month_days.month_start
    left join lead_times
        on
            periods.repository = lead_times.repository
            and periods.period_start = lead_times.period_start
    left join recoveries
        on
            periods.repository = recoveries.repository
            and periods.period_start = recoveries.period_start

)

select
    repository,
    period_start as {{ grain }}_start,
    case when has_deployments then deployment_days end as deployment_days,
    case when has_deployments then successful_deployment_count end as deployment_count,
    case
        when has_deployments
            then {{ deployment_frequency_band(
                'median_days_per_week' if grain == 'month' else 'deployment_days',
                'month_deployment_days') }}
    end as deployment_frequency_band,
    median_lead_time_hours,
    case when has_deployments then lead_time_pr_count end as lead_time_pr_count,
    {{ lead_time_band('median_lead_time_hours') }} as lead_time_band,
    case
        when has_deployments
            then {{ failure_rate() }}
    end as change_failure_rate,
    case when has_deployments then failed_deployment_count end as failed_deployment_count,
    {{ change_failure_rate_band('case when has_deployments then ' ~ failure_rate() ~ ' end') }}
        as change_failure_rate_band,
    median_recovery_time_hours,
    case when has_deployments then recovery_incident_count end as recovery_incident_count,
    {{ recovery_time_band('median_recovery_time_hours') }} as recovery_time_band,
    case
        when not has_deployments
            then 'no production deployments extracted for this repository'
        when successful_deployment_count = 0
            then 'no successful production deployment finished in this {{ grain }}'
    end as no_data_reason
from metrics
{%- endmacro %}


{#- Failed ÷ successful deployments of the period, 4 decimals; null when there are none. -#}
{% macro failure_rate() -%}
    round(
        cast(failed_deployment_count as numeric)
        / nullif(cast(successful_deployment_count as numeric), 0),
        4
    )
{%- endmacro %}
