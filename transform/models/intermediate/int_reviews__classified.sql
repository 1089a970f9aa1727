-- Each review, flagged for the metrics: the author's own reviews and comments never count,
-- nor do pending (unsubmitted) reviews; pickup also ignores bots (AI reviewers answer within
-- seconds, which is no one picking the PR up) and reviews submitted after the merge.
with

reviews as (

    select * from {{ ref('int_reviews__current') }}

),

pull_requests as (

    select
        pull_request_id,
        author_login,
        created_at,
        merged_at
    from {{ ref('stg_github__pull_requests') }}

),

classified as (

    select
        reviews.review_id,
        reviews.pull_request_id,
        reviews.repository,
        reviews.reviewer_login,
        reviews.is_reviewer_bot,
        reviews.state,
        reviews.submitted_at,
        pull_requests.created_at as pull_request_created_at,
        pull_requests.merged_at as pull_request_merged_at,
        coalesce(reviews.reviewer_login = pull_requests.author_login, false)
            as is_author_self_review,
        (
            reviews.submitted_at is not null
            and reviews.state != 'PENDING'
            and reviews.reviewer_login is distinct from pull_requests.author_login
        ) as is_submitted_by_other

    from reviews
    inner join pull_requests
        on reviews.pull_request_id = pull_requests.pull_request_id

)

select
    review_id,
    pull_request_id,
    repository,
    reviewer_login,
    is_reviewer_bot,
    state,
    submitted_at,
    pull_request_created_at,
    is_author_self_review,
    is_submitted_by_other,
    (
        is_submitted_by_other
        and not is_reviewer_bot
        and (pull_request_merged_at is null or submitted_at <= pull_request_merged_at)
    ) as counts_for_pickup

from classified
