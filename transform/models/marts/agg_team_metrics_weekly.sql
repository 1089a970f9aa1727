-- Per repository and ISO week (weeks start on Monday). Flow counts use the week of each
-- event; medians are over the PRs merged that week. Durations in hours. The AI share is
-- there twice: detected_ai_assisted_share (real signals) and simulated_ai_assisted_share
-- (simulated survey answers; left out when the var simulations_enabled is false).
with

pull_requests as (

    select * from {{ ref('fct_pull_requests') }}

),

reviews as (

    select * from {{ ref('fct_reviews') }}
    where is_submitted_by_other and not is_reviewer_bot

),

check_runs as (

    select * from {{ ref('fct_check_runs') }}
    where completed_at is not null

),

author_answers as (

    {{ simulated_author_answers() }}

),

weeks as (

    select
        repository,
        created_week as week_start
    from pull_requests
    union
    select
        repository,
        merged_week as week_start
    from pull_requests
    where merged_week is not null
    union
    select
        repository,
        cast(date_trunc('week', closed_at) as date) as week_start
    from pull_requests
    where is_closed_without_merge
    union
    select
        repository,
        submitted_week as week_start
    from reviews
    union
    select
        repository,
        completed_week as week_start
    from check_runs

),

opened as (

    select
        repository,
        created_week as week_start,
        count(*) as prs_opened
    from pull_requests
    group by repository, created_week

),

closed_unmerged as (

    select
        repository,
        cast(date_trunc('week', closed_at) as date) as week_start,
        count(*) as prs_closed_without_merge
    from pull_requests
    where is_closed_without_merge
    group by repository, cast(date_trunc('week', closed_at) as date)

),

merged as (

    select
        pull_requests.repository,
        pull_requests.merged_week as week_start,
        count(*) as prs_merged,
        {{ median('pull_requests.cycle_time_hours') }} as median_cycle_time_hours,
        {{ median('pull_requests.coding_time_hours') }} as median_coding_time_hours,
        {{ median('pull_requests.pickup_time_hours') }} as median_pickup_time_hours,
        {{ median('pull_requests.review_time_hours') }} as median_review_time_hours,
        count(*) filter (where pull_requests.is_ai_assisted_detected) as prs_merged_ai_detected,
        count(author_answers.pull_request_id) as prs_merged_sim_answered,
        count(*) filter (where author_answers.sim_ai_used) as prs_merged_sim_ai_used
    from pull_requests
    left join author_answers
        on pull_requests.pull_request_id = author_answers.pull_request_id
    where pull_requests.is_merged
    group by pull_requests.repository, pull_requests.merged_week

),

review_activity as (

    select
        repository,
        submitted_week as week_start,
        count(*) as reviews_submitted,
        count(distinct reviewer_login) as active_reviewers
    from reviews
    group by repository, submitted_week

),

ci as (

    select
        repository,
        completed_week as week_start,
        count(*) filter (where is_success) as check_runs_passed,
        count(*) filter (where is_failure) as check_runs_failed
    from check_runs
    group by repository, completed_week

)

select
    weeks.repository || ':' || weeks.week_start as repository_week_id,
    weeks.repository,
    weeks.week_start,
    cast(extract(isoyear from weeks.week_start) as integer) as iso_year,
    cast(extract(week from weeks.week_start) as integer) as iso_week,
    coalesce(opened.prs_opened, 0) as prs_opened,
    coalesce(merged.prs_merged, 0) as prs_merged,
    coalesce(closed_unmerged.prs_closed_without_merge, 0) as prs_closed_without_merge,
    round(cast(merged.median_cycle_time_hours as numeric), 4) as median_cycle_time_hours,
    round(cast(merged.median_coding_time_hours as numeric), 4) as median_coding_time_hours,
    round(cast(merged.median_pickup_time_hours as numeric), 4) as median_pickup_time_hours,
    round(cast(merged.median_review_time_hours as numeric), 4) as median_review_time_hours,
    coalesce(review_activity.reviews_submitted, 0) as reviews_submitted,
    coalesce(review_activity.active_reviewers, 0) as active_reviewers,
    round(
        {{ safe_divide('review_activity.reviews_submitted', 'review_activity.active_reviewers') }},
        4
    ) as reviews_per_reviewer,
    coalesce(ci.check_runs_passed, 0) as check_runs_passed,
    coalesce(ci.check_runs_failed, 0) as check_runs_failed,
    round(
        {{ safe_divide('ci.check_runs_passed', 'ci.check_runs_passed + ci.check_runs_failed') }},
        4
    ) as ci_pass_rate,
    round(
        {{ safe_divide('merged.prs_merged_ai_detected', 'merged.prs_merged') }}, 4
    ) as detected_ai_assisted_share
    {%- if var('simulations_enabled') %}
        ,
        round(
            {{ safe_divide('merged.prs_merged_sim_ai_used', 'merged.prs_merged_sim_answered') }},
            4
        ) as simulated_ai_assisted_share
    {%- endif %}

from weeks
left join opened
    on weeks.repository = opened.repository and weeks.week_start = opened.week_start
left join merged
    on weeks.repository = merged.repository and weeks.week_start = merged.week_start
left join closed_unmerged
    on
        weeks.repository = closed_unmerged.repository
        and weeks.week_start = closed_unmerged.week_start
left join review_activity
    on
        weeks.repository = review_activity.repository
        and weeks.week_start = review_activity.week_start
left join ci
    on weeks.repository = ci.repository and weeks.week_start = ci.week_start
