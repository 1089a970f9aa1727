with

source as (

    select * from {{ source('github', 'check_runs') }}

),

pull_requests as (

    select
        id as pull_request_id,
        cast(updated_at as timestamp) as pull_request_updated_at
    from {{ source('github', 'pull_requests') }}

),

renamed as (

    select
        id as check_run_id,
        cast(database_id as bigint) as check_run_database_id,
        repository,
        pull_request_id,
        cast(pull_request_number as integer) as pull_request_number,
        cast(pull_request_updated_at as timestamp) as pull_request_updated_at,
        head_sha,
        check_suite_id,
        app_name,
        app_slug,
        name as check_name,
        upper(status) as status,
        upper(conclusion) as conclusion,
        cast(started_at as timestamp) as started_at,
        cast(completed_at as timestamp) as completed_at,
        details_url,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

),

-- Runs extracted with an older version of the PR belong to an older head commit.
current_runs as (

    select
        renamed.*,
        row_number() over (
            partition by renamed.check_run_id
            order by renamed.pull_request_updated_at desc, renamed.loaded_at desc
        ) as version_rank

    from renamed
    inner join pull_requests
        on renamed.pull_request_id = pull_requests.pull_request_id
    where renamed.pull_request_updated_at >= pull_requests.pull_request_updated_at

)

select
    check_run_id,
    check_run_database_id,
    repository,
    pull_request_id,
    pull_request_number,
    pull_request_updated_at,
    head_sha,
    check_suite_id,
    app_name,
    app_slug,
    check_name,
    status,
    conclusion,
    started_at,
    completed_at,
    details_url,
    loaded_at

from current_runs
where version_rank = 1
