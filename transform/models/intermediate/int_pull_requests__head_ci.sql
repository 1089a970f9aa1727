-- CI outcome of each PR's head commit, from its check runs.
with

pull_requests as (

    select
        pull_request_id,
        head_sha
    from {{ ref('stg_github__pull_requests') }}

),

check_runs as (

    select
        pull_request_id,
        head_sha,
        status,
        conclusion
    from {{ ref('int_check_runs__current') }}

),

head_runs as (

    select
        check_runs.pull_request_id,
        count(*) as check_run_count,
        count(*) filter (where check_runs.status != 'COMPLETED') as running_check_run_count,
        count(*) filter (
            where check_runs.conclusion in ({{ failing_conclusions() }})
        ) as failed_check_run_count
    from check_runs
    inner join pull_requests
        on
            check_runs.pull_request_id = pull_requests.pull_request_id
            and check_runs.head_sha = pull_requests.head_sha
    group by check_runs.pull_request_id

)

select
    pull_requests.pull_request_id,
    coalesce(head_runs.check_run_count, 0) as head_check_run_count,
    coalesce(head_runs.failed_check_run_count, 0) as head_failed_check_run_count,
    case
        when head_runs.check_run_count is null then 'no_checks'
        when head_runs.failed_check_run_count > 0 then 'failure'
        when head_runs.running_check_run_count > 0 then 'pending'
        else 'success'
    end as head_ci_outcome

from pull_requests
left join head_runs
    on pull_requests.pull_request_id = head_runs.pull_request_id
