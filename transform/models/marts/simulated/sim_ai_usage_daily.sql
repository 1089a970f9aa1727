-- SIMULATED. AI-tool usage of each human member on each day with GitHub activity, drawn
-- deterministically (macro sim_random, var sim_seed). A member either adopted AI tools
-- (var sim_ai_adopter_rate) or not; adopters use them on most active days.
with

activity as (

    select * from {{ ref('int_team_member_activity') }}
    where not is_bot

),

member_days as (

    select
        member_login,
        cast(activity_at as date) as activity_date,
        count(*) as github_action_count
    from activity
    group by member_login, cast(activity_at as date)

),

draws as (

    select
        member_days.*,
        member_days.member_login || ':' || member_days.activity_date as usage_key,
        {{ sim_random('member_login', 'adopter') }}
        < {{ var('sim_ai_adopter_rate') }} as sim_is_adopter
    from member_days

),

days as (

    select
        *,
        sim_is_adopter
        and {{ sim_random('usage_key', 'daily_use') }} < {{ var('sim_ai_daily_use_rate') }}
            as sim_used_ai
    from draws

)

select
    md5(usage_key) as usage_day_id,
    member_login,
    activity_date,
    github_action_count,
    sim_is_adopter,
    sim_used_ai,
    case
        when sim_used_ai then {{ sim_pick('member_login', 'tool', var('sim_ai_tools')) }}
    end as sim_ai_tool,
    case
        when sim_used_ai
            then cast(20 + floor({{ sim_random('usage_key', 'shown') }} * 180) as integer)
        else 0
    end as sim_suggestions_shown,
    case
        when sim_used_ai
            then cast(
                floor(
                    (20 + floor({{ sim_random('usage_key', 'shown') }} * 180))
                    * (0.15 + {{ sim_random('usage_key', 'accepted') }} * 0.35)
                ) as integer
            )
        else 0
    end as sim_suggestions_accepted,
    case
        when sim_used_ai
            then cast(floor({{ sim_random('usage_key', 'chats') }} * 15) as integer)
        else 0
    end as sim_chat_requests

from days
