-- One row per production deployment (environment matching the tap's
-- deployment_environments), every outcome; DORA counts only the successful ones.
with

deployments as (

    select * from {{ ref('int_deployments__finished') }}
    where is_production

),

shipped as (

    select
        deployment_id,
        count(*) as shipped_pull_request_count,
        count(*) filter (where is_first_deployment) as first_shipped_pull_request_count
    from {{ ref('int_deployments__pull_requests') }}
    group by deployment_id

),

incidents as (

    select
        caused_by_deployment_id as deployment_id,
        count(*) as incident_count
    from {{ ref('int_incidents__deployments') }}
    where caused_by_deployment_id is not null
    group by caused_by_deployment_id

),

earlier_commits as (

    -- The same commit went live before: a redeploy or a rollback to it.
    select
        deployment_id,
        count(*) over (
            partition by repository, environment, commit_sha
            order by finished_at, deployment_id
            rows between unbounded preceding and 1 preceding
        ) as earlier_successes
    from deployments
    where is_success

)

select
    deployments.deployment_id,
    deployments.repository,
    deployments.environment,
    deployments.ref,
    deployments.commit_sha,
    deployments.created_at,
    deployments.finished_at,
    cast(deployments.finished_at as date) as finished_date,
    deployments.outcome,
    deployments.is_success,
    coalesce(earlier_commits.earlier_successes, 0) > 0 as is_redeploy,
    coalesce(shipped.shipped_pull_request_count, 0) as shipped_pull_request_count,
    coalesce(shipped.first_shipped_pull_request_count, 0) as first_shipped_pull_request_count,
    coalesce(incidents.incident_count, 0) as incident_count,
    coalesce(incidents.incident_count, 0) > 0 as caused_incident,
    {{ non_negative_hours('deployments.created_at', 'deployments.finished_at') }}
        as duration_hours
from deployments
left join shipped
    on deployments.deployment_id = shipped.deployment_id
left join incidents
    on deployments.deployment_id = incidents.deployment_id
left join earlier_commits
    on deployments.deployment_id = earlier_commits.deployment_id
