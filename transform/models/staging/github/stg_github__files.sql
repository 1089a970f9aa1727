with

source as (

    select * from {{ source('github', 'files') }}

),

renamed as (

    select
        pull_request_id || ':' || path as pull_request_file_id,
        path as file_path,
        {{ pull_request_link_columns() }},
        upper(change_type) as change_type,
        cast(additions as integer) as additions,
        cast(deletions as integer) as deletions,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

)

select * from renamed
