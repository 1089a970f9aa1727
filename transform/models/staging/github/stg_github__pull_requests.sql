with

source as (

    select * from {{ source('github', 'pull_requests') }}

),

renamed as (

    select
        id as pull_request_id,
        repository,
        cast(number as integer) as pull_request_number,
        full_database_id,
        title,
        body,
        url,
        upper(state) as state,
        coalesce(is_draft, false) as is_draft,
        coalesce(merged, false) as is_merged,
        author_login,
        author_type,
        {{ is_bot_login('author_login', 'author_type') }} as is_author_bot,
        author_association,
        merged_by_login,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(merged_at as timestamp) as merged_at,
        cast(closed_at as timestamp) as closed_at,
        cast(additions as integer) as additions,
        cast(deletions as integer) as deletions,
        cast(changed_files as integer) as changed_files,
        base_ref_name,
        head_ref_name,
        head_sha,
        merge_commit_sha,
        {{ to_jsonb_array('labels') }} as labels,
        milestone_title,
        review_decision,
        {{ to_jsonb_array('requested_reviewers') }} as requested_reviewers,
        {{ to_jsonb_array('closing_issues') }} as closing_issues,
        cast(commits_count as integer) as commits_count,
        cast(reviews_count as integer) as reviews_count,
        cast(_sdc_batched_at as timestamp) as loaded_at

    from source

)

select * from renamed
