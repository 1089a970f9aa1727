-- Bridge: which PRs each successful production deployment shipped (the commit range since
-- the previous successful one), with each PR's lead time for changes (DevLake: deployment
-- finish minus the PR's first commit's authored date).
with

bridge as (

    select * from {{ ref('int_deployments__pull_requests') }}

),

cycle_time as (

    select
        pull_request_id,
        first_commit_at
    from {{ ref('int_pull_requests__cycle_time') }}

)

select
    bridge.deployment_id,
    bridge.pull_request_id,
    bridge.repository,
    bridge.previous_deployment_id,
    bridge.merged_at,
    bridge.deployment_finished_at,
    bridge.is_first_deployment,
    cycle_time.first_commit_at,
    {{ non_negative_hours('cycle_time.first_commit_at', 'bridge.deployment_finished_at') }}
        as lead_time_hours,
    {{ non_negative_hours('bridge.merged_at', 'bridge.deployment_finished_at') }}
        as deploy_time_hours
from bridge
left join cycle_time
    on bridge.pull_request_id = cycle_time.pull_request_id
