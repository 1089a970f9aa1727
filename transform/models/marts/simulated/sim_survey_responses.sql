-- SIMULATED. Survey answers of the author and of one reviewer of each merged PR, drawn
-- deterministically (macro sim_random, var sim_seed) at the rates set by the sim_* vars.
-- A detected AI signal raises the chance that the simulated author says AI was used.
with

pull_requests as (

    select * from {{ ref('fct_pull_requests') }}
    where is_merged and not is_author_bot and author_login is not null

),

reviews as (

    select * from {{ ref('fct_reviews') }}
    where counts_for_pickup and not is_reviewer_bot

),

first_human_reviewers as (

    select distinct on (pull_request_id)
        pull_request_id,
        reviewer_login
    from reviews
    order by pull_request_id, submitted_at, review_id

),

author_truth as (

    -- What the simulated author would answer; the reviewer guesses it.
    select
        pull_request_id,
        {{ sim_random('pull_request_id', 'ai_used') }} < case
            when is_ai_assisted_detected then {{ var('sim_ai_use_rate_when_detected') }}
            else {{ var('sim_ai_use_rate') }}
        end as sim_ai_used
    from pull_requests

),

invitations as (

    select
        pull_requests.pull_request_id,
        pull_requests.repository,
        pull_requests.merged_at,
        pull_requests.author_login as respondent_login,
        'author' as respondent_role
    from pull_requests

    union all

    select
        pull_requests.pull_request_id,
        pull_requests.repository,
        pull_requests.merged_at,
        first_human_reviewers.reviewer_login as respondent_login,
        'reviewer' as respondent_role
    from pull_requests
    inner join first_human_reviewers
        on pull_requests.pull_request_id = first_human_reviewers.pull_request_id

),

answers as (

    select
        invitations.*,
        invitations.pull_request_id || ':' || invitations.respondent_role as response_key,
        author_truth.sim_ai_used as author_sim_ai_used
    from invitations
    inner join author_truth
        on invitations.pull_request_id = author_truth.pull_request_id

)

select
    md5(response_key) as response_id,
    pull_request_id,
    repository,
    respondent_login,
    respondent_role,
    cast(
        merged_at + floor({{ sim_random('response_key', 'response_delay') }} * 4) * interval '1 day'
        as date
    ) as sim_responded_on,
    case when respondent_role = 'author' then author_sim_ai_used end as sim_ai_used,
    case
        when respondent_role = 'author' and author_sim_ai_used
            then {{ sim_pick('pull_request_id', 'ai_tool', var('sim_ai_tools')) }}
    end as sim_ai_tool,
    -- 1 (poor) to 5 (excellent), skewed towards 3-4.
    cast(
        least(5, 1 + floor(
            (
                {{ sim_random('response_key', 'quality_a') }}
                + {{ sim_random('response_key', 'quality_b') }}
            ) * 2.5
        )) as integer
    ) as sim_perceived_quality,
    case
        when respondent_role = 'reviewer'
            then case
                when
                    {{ sim_random('response_key', 'guess') }}
                    < {{ var('sim_reviewer_guess_accuracy') }}
                    then author_sim_ai_used
                else not author_sim_ai_used
            end
    end as sim_reviewer_guessed_ai

from answers
where {{ sim_random('response_key', 'responded') }} < {{ var('sim_survey_response_rate') }}
