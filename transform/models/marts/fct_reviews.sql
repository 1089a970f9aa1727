with

reviews as (

    select * from {{ ref('int_reviews__current') }}

),

classified as (

    select * from {{ ref('int_reviews__classified') }}

),

first_reviews as (

    select
        pull_request_id,
        review_id,
        row_number() over (
            partition by pull_request_id
            order by submitted_at, review_id
        ) as review_order
    from classified
    where counts_for_pickup

)

select
    reviews.review_id,
    reviews.pull_request_id,
    reviews.repository,
    reviews.pull_request_number,
    reviews.reviewer_login,
    reviews.is_reviewer_bot,
    reviews.reviewer_association,
    reviews.state,
    reviews.submitted_at,
    cast(date_trunc('week', reviews.submitted_at) as date) as submitted_week,
    classified.is_author_self_review,
    classified.is_submitted_by_other,
    classified.counts_for_pickup,
    coalesce(first_reviews.review_order = 1, false) as is_first_review,
    {{ non_negative_hours('classified.pull_request_created_at', 'reviews.submitted_at') }}
        as hours_since_pr_created,
    reviews.commit_sha

from reviews
inner join classified
    on reviews.review_id = classified.review_id
left join first_reviews
    on reviews.review_id = first_reviews.review_id
