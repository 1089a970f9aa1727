-- The Jira key a PR links to, when one like ABC-123 appears in its title, branch or body
-- (in that order of preference). Like Jira's own linking, keys must be upper-case.
with

pull_requests as (

    select
        pull_request_id,
        title,
        head_ref_name,
        body
    from {{ ref('stg_github__pull_requests') }}

),

texts as (

    select
        pull_request_id,
        'title' as jira_key_source,
        1 as source_priority,
        title as text_value
    from pull_requests

    union all

    select
        pull_request_id,
        'head_ref_name' as jira_key_source,
        2 as source_priority,
        head_ref_name as text_value
    from pull_requests

    union all

    select
        pull_request_id,
        'body' as jira_key_source,
        3 as source_priority,
        body as text_value
    from pull_requests

),

candidates as (

    select
        texts.pull_request_id,
        texts.jira_key_source,
        texts.source_priority,
        found.match_position,
        found.match_groups[1] as jira_key
    from texts
    cross join
        lateral
        regexp_matches(texts.text_value, '\m([A-Z][A-Z0-9]+-[1-9][0-9]*)\M', 'g')
        with ordinality as found (match_groups, match_position)
    where texts.text_value is not null

),

accepted as (

    select
        *,
        split_part(jira_key, '-', 1) as jira_project_key,
        row_number() over (
            partition by pull_request_id
            order by source_priority, match_position
        ) as key_rank
    from candidates
    where
        split_part(jira_key, '-', 1) not in (
            {%- for word in var('jira_key_denylist') %}
                '{{ word }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
        {%- if var('jira_project_keys') | length > 0 %}
            and split_part(jira_key, '-', 1) in (
                {%- for key in var('jira_project_keys') %}
                    '{{ key }}'{{ "," if not loop.last }}
                {%- endfor %}
            )
        {%- endif %}

)

select
    pull_requests.pull_request_id,
    accepted.jira_key,
    accepted.jira_project_key,
    accepted.jira_key_source

from pull_requests
left join accepted
    on
        pull_requests.pull_request_id = accepted.pull_request_id
        and accepted.key_rank = 1
