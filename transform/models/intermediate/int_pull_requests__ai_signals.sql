-- Real (detected) signals of AI assistance, matched against the patterns of the seed
-- ai_tool_signatures: agent bot authors, AI co-author trailers and "Generated with" lines.
--
-- A table, not a view: matching ~100 MB of PR bodies (10,000 PRs) took ~13 s on 2 cores, and
-- as a view it ran again for each of its tests and for fct_pull_requests.
{{ config(materialized='table') }}

with

pull_requests as (

    select
        pull_request_id,
        author_login,
        body
    from {{ ref('stg_github__pull_requests') }}

),

commits as (

    select
        pull_request_id,
        author_login,
        message
    from {{ ref('int_commits__current') }}

),

signatures as (

    select * from {{ ref('ai_tool_signatures') }}

),

texts as (

    select
        pull_request_id,
        'pull_request_body' as evidence_source,
        body as text_value
    from pull_requests
    where body is not null

    union all

    select
        pull_request_id,
        'commit_message' as evidence_source,
        message as text_value
    from commits
    where message is not null

),

-- One scan of each text for all text patterns at once (their alternation): the join below
-- then tries each pattern only on the few texts that match one of them, not on every text.
any_text_signature as (

    select string_agg('(' || pattern || ')', '|') as pattern
    from signatures
    where signal_type in ('co_author_trailer', 'generated_with')

),

candidate_texts as (

    select texts.*
    from texts
    cross join any_text_signature
    where texts.text_value ~* any_text_signature.pattern

),

logins as (

    select
        pull_request_id,
        'pull_request_author' as evidence_source,
        author_login as actor_login
    from pull_requests
    where author_login is not null

    union all

    select
        pull_request_id,
        'commit_author' as evidence_source,
        author_login as actor_login
    from commits
    where author_login is not null

),

matches as (

    select
        texts.pull_request_id,
        signatures.signal_type,
        signatures.tool_name,
        signatures.priority,
        texts.evidence_source,
        (regexp_match(texts.text_value, '(' || signatures.pattern || ')', 'i'))[1] as evidence
    from candidate_texts as texts
    inner join signatures
        on
            signatures.signal_type in ('co_author_trailer', 'generated_with')
            and texts.text_value ~* signatures.pattern

    union all

    select
        logins.pull_request_id,
        signatures.signal_type,
        signatures.tool_name,
        signatures.priority,
        logins.evidence_source,
        logins.actor_login as evidence
    from logins
    inner join signatures
        on
            signatures.signal_type = 'bot_author'
            and logins.actor_login ~* signatures.pattern

),

ranked as (

    select
        *,
        row_number() over (
            partition by pull_request_id
            order by priority, tool_name, evidence_source, evidence
        ) as signal_rank
    from matches

),

tools as (

    select
        pull_request_id,
        jsonb_agg(distinct tool_name order by tool_name) as ai_tools_detected
    from matches
    group by pull_request_id

)

select
    pull_requests.pull_request_id,
    ranked.pull_request_id is not null as is_ai_assisted_detected,
    ranked.signal_type as ai_signal_type,
    ranked.tool_name as ai_signal_tool,
    ranked.evidence_source as ai_signal_source,
    left(ranked.evidence, 200) as ai_signal_evidence,
    tools.ai_tools_detected

from pull_requests
left join ranked
    on
        pull_requests.pull_request_id = ranked.pull_request_id
        and ranked.signal_rank = 1
left join tools
    on pull_requests.pull_request_id = tools.pull_request_id
