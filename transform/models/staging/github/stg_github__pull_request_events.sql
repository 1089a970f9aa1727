with

source as (

    select * from {{ source('github', 'pull_request_events') }}

),

renamed as (

    select
        id as event_id,
        {{ pull_request_link_columns() }},
        event_type,
        cast(created_at as timestamp) as created_at,
        actor_login,
        actor_type,
        requested_reviewer,
        requested_reviewer_type,
        before_commit_sha,
        after_commit_sha,
        merge_commit_sha,
        merge_ref_name,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

)

select * from renamed
