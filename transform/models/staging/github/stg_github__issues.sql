with

source as (

    select * from {{ source('github', 'issues') }}

),

renamed as (

    select
        id as issue_id,
        repository,
        cast(number as integer) as issue_number,
        title,
        url,
        upper(state) as state,
        state_reason,
        author_login,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(closed_at as timestamp) as closed_at,
        {{ to_jsonb_array('labels') }} as labels,
        incident_match,
        {{ to_jsonb_array('closed_by_pull_requests') }} as closed_by_pull_requests,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

)

select * from renamed
