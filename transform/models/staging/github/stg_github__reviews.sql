with

source as (

    select * from {{ source('github', 'reviews') }}

),

renamed as (

    select
        id as review_id,
        {{ pull_request_link_columns() }},
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

)

select * from renamed
