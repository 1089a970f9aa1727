-- SIMULATED. One Jira issue per real key found in PRs (title, branch or body), plus one
-- generated issue (key <sim_jira_project_key>-<GitHub PR database id>) per PR without one.
-- Type, story points and sprint are drawn deterministically (macro sim_random, var sim_seed).
with

pull_requests as (

    select * from {{ ref('fct_pull_requests') }}

),

stg_pull_requests as (

    select
        pull_request_id,
        full_database_id
    from {{ ref('stg_github__pull_requests') }}

),

keyed as (

    select
        pull_requests.pull_request_id,
        pull_requests.state,
        pull_requests.created_at,
        pull_requests.labels,
        pull_requests.jira_key is not null as is_key_from_pull_request,
        coalesce(
            pull_requests.jira_key,
            '{{ var("sim_jira_project_key") }}-' || coalesce(
                stg_pull_requests.full_database_id,
                cast(
                    cast(('x' || substr(md5(pull_requests.pull_request_id), 1, 12)) as bit(48))
                    as bigint
                ) || ''
            )
        ) as jira_key
    from pull_requests
    inner join stg_pull_requests
        on pull_requests.pull_request_id = stg_pull_requests.pull_request_id

),

issues as (

    select
        jira_key,
        bool_or(is_key_from_pull_request) as is_key_from_pull_request,
        min(created_at) as first_linked_pr_created_at,
        jsonb_agg(pull_request_id order by created_at, pull_request_id)
            as linked_pull_request_ids,
        count(*) as linked_pull_request_count,
        bool_or(labels @> '["bug"]') as has_bug_label,
        bool_or(state = 'MERGED') as any_merged,
        bool_or(state = 'OPEN') as any_open
    from keyed
    group by jira_key

)

select
    jira_key,
    split_part(jira_key, '-', 1) as jira_project_key,
    is_key_from_pull_request,
    case
        when has_bug_label then 'Bug'
        when {{ sim_random('jira_key', 'issue_type') }} < 0.6 then 'Story'
        when {{ sim_random('jira_key', 'issue_type') }} < 0.85 then 'Task'
        else 'Bug'
    end as sim_issue_type,
    cast(
        (array[1, 2, 3, 5, 8, 13])[1 + floor({{ sim_random('jira_key', 'points') }} * 6)::int]
        as integer
    ) as sim_story_points,
    -- The sprint (named by its start date) in which the first linked PR was opened.
    cast(
        cast('{{ var("sim_sprint_start_date") }}' as date)
        + cast(
            floor(
                (
                    cast(first_linked_pr_created_at as date)
                    - cast('{{ var("sim_sprint_start_date") }}' as date)
                )
                / cast({{ var('sim_sprint_length_days') }} as numeric)
            ) * {{ var('sim_sprint_length_days') }} as integer
        )
        as date
    ) as sim_sprint_start_date,
    case
        when any_open then 'In Progress'
        when any_merged then 'Done'
        else 'Cancelled'
    end as sim_status,
    first_linked_pr_created_at,
    linked_pull_request_ids,
    linked_pull_request_count

from issues
