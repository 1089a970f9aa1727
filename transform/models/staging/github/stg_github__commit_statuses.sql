with

source as (

    select * from {{ source('github', 'commit_statuses') }}

),

renamed as (

    select
        id as commit_status_id,
        {{ pull_request_link_columns() }},
        head_sha,
        context as status_context,
        upper(state) as state,
        description,
        target_url,
        cast(created_at as timestamp) as created_at,
        creator_login,
        creator_type,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

)

select * from renamed
