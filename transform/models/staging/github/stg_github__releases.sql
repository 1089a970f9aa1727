with

source as (

    select * from {{ source('github', 'releases') }}

),

renamed as (

    select
        id as release_id,
        repository,
        cast(database_id as bigint) as release_database_id,
        tag_name,
        name as release_name,
        url,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(published_at as timestamp) as published_at,
        coalesce(is_prerelease, false) as is_prerelease,
        coalesce(is_draft, false) as is_draft,
        author_login,
        tag_commit_sha,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

)

select * from renamed
