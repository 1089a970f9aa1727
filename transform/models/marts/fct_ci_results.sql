-- CI health per check name and status context: every check run and commit status of the
-- PRs' head commits, one row each, in one shape (int_ci_results).
with

ci_results as (

    select * from {{ ref('int_ci_results') }}

)

select
    ci_result_id,
    ci_kind,
    pull_request_id,
    repository,
    pull_request_number,
    head_sha,
    ci_name,
    ci_source,
    outcome,
    outcome = 'failure' as is_failure,
    outcome = 'success' as is_success,
    started_at,
    finished_at,
    cast(date_trunc('week', finished_at) as date) as finished_week,
    {{ non_negative_hours('started_at', 'finished_at') }} as duration_hours,
    details_url

from ci_results
