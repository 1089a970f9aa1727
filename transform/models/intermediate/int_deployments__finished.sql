-- Each deployment's outcome and finish time, from its status history.
-- Finished = the first SUCCESS status (when it went live), else the first FAILURE/ERROR;
-- a later INACTIVE (superseded) does not undo a success. DevLake counts only successful
-- production deployments, at their finish time (docs/Metrics/DeploymentFrequency.md).
with

deployments as (

    select
        deployment_id,
        repository,
        environment,
        is_production,
        ref,
        commit_sha,
        commit_committed_at,
        created_at
    from {{ ref('stg_github__deployments') }}

),

statuses as (

    select
        deployment_id,
        state,
        created_at
    from {{ ref('stg_github__deployment_statuses') }}

),

terminal as (

    select
        deployment_id,
        min(created_at) filter (where state = 'SUCCESS') as first_success_at,
        min(created_at) filter (where state in ('FAILURE', 'ERROR')) as first_failure_at
    from statuses
    group by deployment_id

),

outcomes as (

    select
        deployments.*,
        case
            when terminal.first_success_at is not null then 'SUCCESS'
            when terminal.first_failure_at is not null then 'FAILURE'
            else 'UNFINISHED'
        end as outcome,
        coalesce(terminal.first_success_at, terminal.first_failure_at) as finished_at
    from deployments
    left join terminal
        on deployments.deployment_id = terminal.deployment_id

)

select
    deployment_id,
    repository,
    environment,
    is_production,
    ref,
    commit_sha,
    commit_committed_at,
    created_at,
    outcome,
    finished_at,
    outcome = 'SUCCESS' as is_success
from outcomes
