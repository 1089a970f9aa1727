with

activity as (

    select * from {{ ref('int_team_member_activity') }}

),

latest_display_names as (

    select distinct on (member_login)
        member_login,
        display_name
    from activity
    where display_name is not null
    order by member_login asc, activity_at desc, activity_id asc

),

members as (

    select
        member_login,
        bool_or(is_bot) or {{ is_bot_login('member_login') }} as is_bot,
        min(activity_at) as first_activity_at,
        max(activity_at) as last_activity_at,
        count(distinct pull_request_id) filter (where member_role = 'pr_author')
            as pull_requests_authored,
        count(*) filter (where member_role = 'reviewer') as reviews_submitted,
        count(distinct pull_request_id) filter (where member_role = 'reviewer')
            as pull_requests_reviewed,
        count(*) filter (where member_role = 'commit_author') as commits_authored,
        count(distinct repository) as repository_count
    from activity
    group by member_login

)

select
    members.member_login,
    coalesce(latest_display_names.display_name, members.member_login) as display_name,
    members.is_bot,
    members.first_activity_at,
    members.last_activity_at,
    members.pull_requests_authored,
    members.reviews_submitted,
    members.pull_requests_reviewed,
    members.commits_authored,
    members.repository_count

from members
left join latest_display_names
    on members.member_login = latest_display_names.member_login
