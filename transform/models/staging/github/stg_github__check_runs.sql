with

source as (

    select * from {{ source('github', 'check_runs') }}

),

renamed as (

    select
        id as check_run_id,
        cast(database_id as bigint) as check_run_database_id,
        {{ pull_request_link_columns() }},
        head_sha,
        check_suite_id,
        app_name,
        app_slug,
        name as check_name,
        upper(status) as status,
        upper(conclusion) as conclusion,
        cast(started_at as timestamp) as started_at,
        cast(completed_at as timestamp) as completed_at,
        details_url,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

)

select * from renamed
