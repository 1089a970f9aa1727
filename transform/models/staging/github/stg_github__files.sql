with

source as (

    select * from {{ source('github', 'files') }}

),

pull_requests as (

    select
        id as pull_request_id,
        cast(updated_at as timestamp) as pull_request_updated_at
    from {{ source('github', 'pull_requests') }}

),

renamed as (

    select
        pull_request_id || ':' || path as pull_request_file_id,
        pull_request_id,
        path as file_path,
        repository,
        cast(pull_request_number as integer) as pull_request_number,
        cast(pull_request_updated_at as timestamp) as pull_request_updated_at,
        upper(change_type) as change_type,
        cast(additions as integer) as additions,
        cast(deletions as integer) as deletions,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

),

-- Files extracted with an older version of the PR are no longer part of it.
current_files as (

    select
        renamed.*,
        row_number() over (
            partition by renamed.pull_request_file_id
            order by renamed.pull_request_updated_at desc, renamed.loaded_at desc
        ) as version_rank

    from renamed
    inner join pull_requests
        on renamed.pull_request_id = pull_requests.pull_request_id
    where renamed.pull_request_updated_at >= pull_requests.pull_request_updated_at

)

select
    pull_request_file_id,
    pull_request_id,
    file_path,
    repository,
    pull_request_number,
    pull_request_updated_at,
    change_type,
    additions,
    deletions,
    loaded_at

from current_files
where version_rank = 1
