with

source as (

    select * from {{ source('github', 'commits') }}

),

renamed as (

    select
        pull_request_id || ':' || sha as pull_request_commit_id,
        sha as commit_sha,
        {{ pull_request_link_columns() }},
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

)

select * from renamed
