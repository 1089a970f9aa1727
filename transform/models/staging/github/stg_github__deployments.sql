with

source as (

    select * from {{ source('github', 'deployments') }}

),

renamed as (

    select
        id as deployment_id,
        repository,
        cast(database_id as bigint) as deployment_database_id,
        environment,
        original_environment,
        latest_environment,
        coalesce(is_production, false) as is_production,
        ref,
        commit_sha,
        cast(commit_committed_at as timestamp) as commit_committed_at,
        task,
        description,
        creator_login,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        upper(state) as state,
        upper(latest_status_state) as latest_status_state,
        cast(latest_status_at as timestamp) as latest_status_at,
        cast(statuses_count as integer) as statuses_count,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

)

select * from renamed
