with

check_runs as (

    select * from {{ ref('int_check_runs__current') }}

),

pull_requests as (

    select
        pull_request_id,
        head_sha
    from {{ ref('stg_github__pull_requests') }}

)

select
    check_runs.check_run_id,
    check_runs.check_run_database_id,
    check_runs.pull_request_id,
    check_runs.repository,
    check_runs.pull_request_number,
    check_runs.head_sha,
    coalesce(check_runs.head_sha = pull_requests.head_sha, false) as is_pr_head_commit,
    check_runs.check_suite_id,
    check_runs.app_name,
    check_runs.app_slug,
    check_runs.check_name,
    check_runs.status,
    check_runs.conclusion,
    coalesce(check_runs.conclusion in ({{ failing_conclusions() }}), false) as is_failure,
    coalesce(check_runs.conclusion = 'SUCCESS', false) as is_success,
    check_runs.started_at,
    check_runs.completed_at,
    cast(date_trunc('week', check_runs.completed_at) as date) as completed_week,
    {{ non_negative_hours('check_runs.started_at', 'check_runs.completed_at') }}
        as duration_hours,
    check_runs.details_url

from check_runs
left join pull_requests
    on check_runs.pull_request_id = pull_requests.pull_request_id
