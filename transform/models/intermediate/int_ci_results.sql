-- Every CI result of a PR's head commit: check runs (Checks API) and commit statuses
-- (Statuses API) in one shape, one row per check run or status context, with a common outcome.
with

check_runs as (

    select * from {{ ref('int_check_runs__current') }}

),

commit_statuses as (

    select * from {{ ref('int_commit_statuses__current') }}

),

runs as (

    select
        check_run_id as ci_result_id,
        'check_run' as ci_kind,
        pull_request_id,
        repository,
        pull_request_number,
        head_sha,
        check_name as ci_name,
        app_slug as ci_source,
        case
            when status != 'COMPLETED' then 'pending'
            when conclusion in ({{ failing_conclusions() }}) then 'failure'
            when conclusion = 'SUCCESS' then 'success'
            else 'neutral'
        end as outcome,
        started_at,
        completed_at as finished_at,
        details_url

    from check_runs

),

statuses as (

    select
        commit_status_id as ci_result_id,
        'commit_status' as ci_kind,
        pull_request_id,
        repository,
        pull_request_number,
        head_sha,
        status_context as ci_name,
        creator_login as ci_source,
        case
            when state in ('PENDING', 'EXPECTED') then 'pending'
            when state in ('FAILURE', 'ERROR') then 'failure'
            else 'success'
        end as outcome,
        -- A status has no start: the rollup keeps only its latest post.
        cast(null as timestamp) as started_at,
        case when state not in ('PENDING', 'EXPECTED') then created_at end as finished_at,
        target_url as details_url

    from commit_statuses

),

unioned as (

    select * from runs
    union all
    select * from statuses

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
    started_at,
    finished_at,
    details_url

from unioned
