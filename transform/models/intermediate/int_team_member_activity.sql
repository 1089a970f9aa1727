-- Every dated action of a GitHub login: authoring a PR, submitting a review, authoring a
-- commit. The union behind dim_team_members and the simulated AI usage.
with

pull_requests as (

    select
        pull_request_id,
        repository,
        author_login,
        is_author_bot,
        created_at
    from {{ ref('stg_github__pull_requests') }}

),

reviews as (

    select
        review_id,
        reviewer_login,
        is_reviewer_bot,
        submitted_at,
        repository,
        pull_request_id
    from {{ ref('int_reviews__current') }}

),

commits as (

    select
        pull_request_commit_id,
        pull_request_id,
        repository,
        author_login,
        author_name,
        is_author_bot,
        authored_at
    from {{ ref('int_commits__current') }}

),

activity as (

    select
        'pr_author:' || pull_request_id as activity_id,
        author_login as member_login,
        cast(null as text) as display_name,
        is_author_bot as is_bot,
        'pr_author' as member_role,
        created_at as activity_at,
        repository,
        pull_request_id
    from pull_requests
    where author_login is not null

    union all

    select
        'reviewer:' || review_id as activity_id,
        reviewer_login as member_login,
        cast(null as text) as display_name,
        is_reviewer_bot as is_bot,
        'reviewer' as member_role,
        submitted_at as activity_at,
        repository,
        pull_request_id
    from reviews
    where reviewer_login is not null and submitted_at is not null

    union all

    select
        'commit_author:' || pull_request_commit_id as activity_id,
        author_login as member_login,
        author_name as display_name,
        is_author_bot as is_bot,
        'commit_author' as member_role,
        authored_at as activity_at,
        repository,
        pull_request_id
    from commits
    where author_login is not null

)

select
    activity_id,
    member_login,
    display_name,
    is_bot,
    member_role,
    activity_at,
    repository,
    pull_request_id

from activity
