-- The commit-range bridge (DevLake's cicd_deployment_commits + commit diffs): a successful
-- production deployment ships the PRs merged after the previous successful deployment of the
-- same repository and environment, up to the deployed commit. Without the git graph, "up to
-- the deployed commit" is read on the base branch's merge order: the deployed commit's cut is
-- the merge of the PR whose merge commit (or one of whose commits) it is, else its commit
-- date. Exact for a linear main branch; a rollback (an older commit) ships nothing new. As in
-- DevLake, the first deployment of a repository and environment has no previous one to diff
-- against, so it ships nothing measurable. A PR shipped again (after a rollback) keeps
-- is_first_deployment only on the deployment that first shipped it.
with

deployments as (

    select
        deployment_id,
        repository,
        environment,
        ref,
        commit_sha,
        commit_committed_at,
        created_at,
        finished_at
    from {{ ref('int_deployments__finished') }}
    where is_production and is_success

),

pull_requests as (

    select
        pull_request_id,
        repository,
        base_ref_name,
        merge_commit_sha,
        merged_at
    from {{ ref('stg_github__pull_requests') }}
    where is_merged and merged_at is not null

),

commits as (

    select
        pull_request_id,
        commit_sha
    from {{ ref('int_commits__current') }}

),

commit_merges as (

    select
        deployments.deployment_id,
        pull_requests.merged_at
    from deployments
    inner join pull_requests
        on
            deployments.repository = pull_requests.repository
            and deployments.commit_sha = pull_requests.merge_commit_sha

    union all

    select
        deployments.deployment_id,
        pull_requests.merged_at
    from deployments
    inner join commits
        on deployments.commit_sha = commits.commit_sha
    inner join pull_requests
        on
            commits.pull_request_id = pull_requests.pull_request_id
            and deployments.repository = pull_requests.repository

),

cuts as (

    select
        deployments.deployment_id,
        deployments.repository,
        deployments.environment,
        deployments.ref,
        deployments.finished_at,
        coalesce(
            min(commit_merges.merged_at), deployments.commit_committed_at, deployments.created_at
        ) as cut_at
    from deployments
    left join commit_merges
        on deployments.deployment_id = commit_merges.deployment_id
    group by
        deployments.deployment_id,
        deployments.repository,
        deployments.environment,
        deployments.ref,
        deployments.finished_at,
        deployments.commit_committed_at,
        deployments.created_at

),

ranges as (

    select
        *,
        lag(deployment_id) over (
            partition by repository, environment order by finished_at, deployment_id
        ) as previous_deployment_id,
        lag(cut_at) over (
            partition by repository, environment order by finished_at, deployment_id
        ) as previous_cut_at
    from cuts

),

base_branches as (

    select distinct
        repository,
        base_ref_name
    from pull_requests

),

shipped as (

    select
        ranges.deployment_id,
        ranges.previous_deployment_id,
        pull_requests.pull_request_id,
        ranges.repository,
        ranges.finished_at as deployment_finished_at,
        pull_requests.merged_at
    from ranges
    inner join pull_requests
        on
            ranges.repository = pull_requests.repository
            and ranges.previous_cut_at < pull_requests.merged_at
            and ranges.cut_at >= pull_requests.merged_at
    left join base_branches
        on
            ranges.repository = base_branches.repository
            and ranges.ref = base_branches.base_ref_name
    -- A deployment from a branch ships that branch's PRs; from a tag or SHA, any branch's.
    where base_branches.base_ref_name is null or pull_requests.base_ref_name = ranges.ref

)

select
    deployment_id,
    previous_deployment_id,
    pull_request_id,
    repository,
    deployment_finished_at,
    merged_at,
    row_number() over (
        partition by pull_request_id order by deployment_finished_at, deployment_id
    ) = 1 as is_first_deployment
from shipped
