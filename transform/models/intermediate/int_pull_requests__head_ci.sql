-- CI outcome of each PR's head commit, from its check runs and commit statuses together.
with

pull_requests as (

    select
        pull_request_id,
        head_sha
    from {{ ref('stg_github__pull_requests') }}

),

ci_results as (

    select
        pull_request_id,
        head_sha,
        ci_kind,
        outcome
    from {{ ref('int_ci_results') }}

),

head_results as (

    select
        ci_results.pull_request_id,
        count(*) filter (where ci_results.ci_kind = 'check_run') as check_run_count,
        count(*) filter (where ci_results.ci_kind = 'commit_status') as commit_status_count,
        count(*) filter (
            where ci_results.ci_kind = 'check_run' and ci_results.outcome = 'failure'
        ) as failed_check_run_count,
        count(*) filter (where ci_results.outcome = 'failure') as failed_count,
        count(*) filter (where ci_results.outcome = 'pending') as pending_count
    from ci_results
    inner join pull_requests
        on
            ci_results.pull_request_id = pull_requests.pull_request_id
            and ci_results.head_sha = pull_requests.head_sha
    group by ci_results.pull_request_id

)

select
    pull_requests.pull_request_id,
    coalesce(head_results.check_run_count, 0) as head_check_run_count,
    coalesce(head_results.commit_status_count, 0) as head_commit_status_count,
    coalesce(head_results.failed_check_run_count, 0) as head_failed_check_run_count,
    case
        when head_results.pull_request_id is null then 'no_checks'
        when head_results.failed_count > 0 then 'failure'
        when head_results.pending_count > 0 then 'pending'
        else 'success'
    end as head_ci_outcome

from pull_requests
left join head_results
    on pull_requests.pull_request_id = head_results.pull_request_id
