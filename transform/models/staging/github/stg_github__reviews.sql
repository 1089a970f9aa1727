with

source as (

    select * from {{ source('github', 'reviews') }}

),

pull_requests as (

    select
        id as pull_request_id,
        cast(updated_at as timestamp) as pull_request_updated_at
    from {{ source('github', 'pull_requests') }}

),

renamed as (

    select
        id as review_id,
        repository,
        pull_request_id,
        cast(pull_request_number as integer) as pull_request_number,
        cast(pull_request_updated_at as timestamp) as pull_request_updated_at,
        author_login as reviewer_login,
        author_type as reviewer_type,
        {{ is_bot_login('author_login', 'author_type') }} as is_reviewer_bot,
        author_association as reviewer_association,
        upper(state) as state,
        cast(submitted_at as timestamp) as submitted_at,
        cast(created_at as timestamp) as created_at,
        body,
        commit_sha,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

),

-- Keep only reviews extracted with the PR's current version: older ones belong to a
-- version of the PR that no longer exists.
current_reviews as (

    select
        renamed.*,
        row_number() over (
            partition by renamed.review_id
            order by renamed.pull_request_updated_at desc, renamed.loaded_at desc
        ) as version_rank

    from renamed
    inner join pull_requests
        on renamed.pull_request_id = pull_requests.pull_request_id
    where renamed.pull_request_updated_at >= pull_requests.pull_request_updated_at

)

select
    review_id,
    repository,
    pull_request_id,
    pull_request_number,
    pull_request_updated_at,
    reviewer_login,
    reviewer_type,
    is_reviewer_bot,
    reviewer_association,
    state,
    submitted_at,
    created_at,
    body,
    commit_sha,
    loaded_at

from current_reviews
where version_rank = 1
