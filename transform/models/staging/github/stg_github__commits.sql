with

source as (

    select * from {{ source('github', 'commits') }}

),

pull_requests as (

    select
        id as pull_request_id,
        cast(updated_at as timestamp) as pull_request_updated_at
    from {{ source('github', 'pull_requests') }}

),

renamed as (

    select
        pull_request_id || ':' || sha as pull_request_commit_id,
        pull_request_id,
        sha as commit_sha,
        repository,
        cast(pull_request_number as integer) as pull_request_number,
        cast(pull_request_updated_at as timestamp) as pull_request_updated_at,
        message,
        message_headline,
        cast(authored_date as timestamp) as authored_at,
        cast(committed_date as timestamp) as committed_at,
        author_name,
        author_email,
        author_login,
        {{ is_bot_login('author_login') }} as is_author_bot,
        committer_name,
        committer_email,
        committer_login,
        cast(additions as integer) as additions,
        cast(deletions as integer) as deletions,
        cast(changed_files as integer) as changed_files,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

),

-- Commits extracted with an older version of the PR were removed since (force-push).
current_commits as (

    select
        renamed.*,
        row_number() over (
            partition by renamed.pull_request_commit_id
            order by renamed.pull_request_updated_at desc, renamed.loaded_at desc
        ) as version_rank

    from renamed
    inner join pull_requests
        on renamed.pull_request_id = pull_requests.pull_request_id
    where renamed.pull_request_updated_at >= pull_requests.pull_request_updated_at

)

select
    pull_request_commit_id,
    pull_request_id,
    commit_sha,
    repository,
    pull_request_number,
    pull_request_updated_at,
    message,
    message_headline,
    authored_at,
    committed_at,
    author_name,
    author_email,
    author_login,
    is_author_bot,
    committer_name,
    committer_email,
    committer_login,
    additions,
    deletions,
    changed_files,
    loaded_at

from current_commits
where version_rank = 1
