with

source as (

    select * from {{ source('github', 'deployment_statuses') }}

),

renamed as (

    select
        id as deployment_status_id,
        deployment_id,
        repository,
        upper(state) as state,
        description,
        environment,
        environment_url,
        log_url,
        creator_login,
        cast(created_at as timestamp) as created_at,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

)

select * from renamed
