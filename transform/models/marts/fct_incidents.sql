-- One row per incident (issue with an incident label or title), with the deployment it is
-- attributed to and its failed deployment recovery time (DevLake: incident resolution minus
-- the finish of the deployment that caused it).
with

incidents as (

    select * from {{ ref('stg_github__issues') }}

),

links as (

    select * from {{ ref('int_incidents__deployments') }}

)

select
    incidents.issue_id,
    incidents.repository,
    incidents.issue_number,
    incidents.title,
    incidents.url,
    incidents.state,
    incidents.incident_match,
    incidents.labels,
    incidents.closed_by_pull_requests,
    incidents.created_at,
    incidents.closed_at as resolved_at,
    links.caused_by_deployment_id,
    links.deployment_finished_at,
    {{ non_negative_hours('incidents.created_at', 'incidents.closed_at') }}
        as time_to_resolve_hours,
    {{ non_negative_hours('links.deployment_finished_at', 'incidents.closed_at') }}
        as recovery_time_hours
from incidents
left join links
    on incidents.issue_id = links.issue_id
