-- Draft, ready-for-review, review-request and force-push milestones of each PR, from its
-- timeline events. Draft time: from creation (when opened as a draft) or each conversion to
-- draft, to the next ready-for-review; a PR still a draft counts until it closed or last
-- changed.
with

pull_requests as (

    select
        pull_request_id,
        is_draft,
        created_at,
        updated_at,
        closed_at
    from {{ ref('stg_github__pull_requests') }}

),

events as (

    select
        pull_request_id,
        event_type,
        created_at
    from {{ ref('int_pull_request_events__current') }}

),

draft_events as (

    select
        pull_request_id,
        event_type,
        created_at,
        row_number() over (
            partition by pull_request_id order by created_at asc, event_type desc
        ) as event_order
    from events
    where event_type in ('ReadyForReviewEvent', 'ConvertToDraftEvent')

),

-- Opened as a draft when its first draft event is a ready-for-review, or when it has none
-- and is still a draft.
openings as (

    select
        pull_requests.pull_request_id,
        pull_requests.created_at,
        coalesce(pull_requests.closed_at, pull_requests.updated_at) as ended_at,
        coalesce(
            first_draft_events.event_type = 'ReadyForReviewEvent', pull_requests.is_draft
        ) as opened_as_draft
    from pull_requests
    left join draft_events as first_draft_events
        on
            pull_requests.pull_request_id = first_draft_events.pull_request_id
            and first_draft_events.event_order = 1

),

transitions as (

    select
        pull_request_id,
        created_at as changed_at,
        case when opened_as_draft then 'draft' else 'ready' end as state
    from openings
    union all
    select
        pull_request_id,
        created_at as changed_at,
        case when event_type = 'ConvertToDraftEvent' then 'draft' else 'ready' end as state
    from draft_events
    union all
    select
        pull_request_id,
        ended_at as changed_at,
        'end' as state
    from openings

),

spans as (

    select
        pull_request_id,
        state,
        changed_at,
        lead(changed_at) over (
            partition by pull_request_id order by changed_at asc, state = 'end' asc
        ) as next_changed_at
    from transitions

),

draft_time as (

    select
        pull_request_id,
        sum({{ non_negative_hours('changed_at', 'next_changed_at') }}) filter (
            where state = 'draft'
        ) as time_in_draft_hours
    from spans
    group by pull_request_id

),

milestones as (

    select
        pull_request_id,
        max(created_at) filter (
            where event_type = 'ReadyForReviewEvent'
        ) as last_ready_for_review_at,
        min(created_at) filter (
            where event_type = 'ReviewRequestedEvent'
        ) as first_review_requested_at,
        count(*) filter (where event_type = 'HeadRefForcePushedEvent') as force_push_count,
        count(*) filter (where event_type = 'ReopenedEvent') as reopen_count
    from events
    group by pull_request_id

)

select
    openings.pull_request_id,
    openings.opened_as_draft,
    milestones.last_ready_for_review_at,
    milestones.first_review_requested_at,
    coalesce(draft_time.time_in_draft_hours, 0) as time_in_draft_hours,
    coalesce(milestones.force_push_count, 0) as force_push_count,
    coalesce(milestones.reopen_count, 0) as reopen_count

from openings
left join draft_time
    on openings.pull_request_id = draft_time.pull_request_id
left join milestones
    on openings.pull_request_id = milestones.pull_request_id
