-- DevLake's PR deploy time: from the merge to the finish of the deployment that first
-- shipped the PR (docs/Metrics/PRDeployTime.md), in hours. PRs never deployed have no row.
with

shipped as (

    select
        pull_request_id,
        deployment_id,
        deployment_finished_at,
        merged_at
    from {{ ref('int_deployments__pull_requests') }}
    where is_first_deployment

)

select
    pull_request_id,
    deployment_id as first_deployment_id,
    deployment_finished_at as deployed_at,
    {{ non_negative_hours('merged_at', 'deployment_finished_at') }} as deploy_time_hours
from shipped
