-- Each incident linked to the deployment that caused it, DevLake's way: the last successful
-- production deployment of the same repository finished before the incident was opened
-- (DevLake docs, Plugins/webhook: "incidents ... will be related to the last deployment on
-- the project with a timestamp that is before the incident's timestamp").
with

incidents as (

    select
        issue_id,
        repository,
        created_at
    from {{ ref('stg_github__issues') }}

),

deployments as (

    select
        deployment_id,
        repository,
        finished_at
    from {{ ref('int_deployments__finished') }}
    where is_production and is_success

),

candidates as (

    select
        incidents.issue_id,
        deployments.deployment_id,
        deployments.finished_at,
        row_number() over (
            partition by incidents.issue_id
            order by deployments.finished_at desc, deployments.deployment_id desc
        ) as recency
    from incidents
    inner join deployments
        on
            incidents.repository = deployments.repository
            and incidents.created_at >= deployments.finished_at

)

select
    incidents.issue_id,
    candidates.deployment_id as caused_by_deployment_id,
    candidates.finished_at as deployment_finished_at
from incidents
left join candidates
    on
        incidents.issue_id = candidates.issue_id
        and candidates.recency = 1
