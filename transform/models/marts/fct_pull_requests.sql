with

pull_requests as (

    select * from {{ ref('stg_github__pull_requests') }}

),

cycle_time as (

    select * from {{ ref('int_pull_requests__cycle_time') }}

),

ai_signals as (

    select * from {{ ref('int_pull_requests__ai_signals') }}

),

jira_keys as (

    select * from {{ ref('int_pull_requests__jira_keys') }}

),

head_ci as (

    select * from {{ ref('int_pull_requests__head_ci') }}

),

timeline as (

    select * from {{ ref('int_pull_requests__timeline') }}

),

deploy_time as (

    select * from {{ ref('int_pull_requests__deploy_time') }}

)

select
    pull_requests.pull_request_id,
    pull_requests.repository,
    pull_requests.pull_request_number,
    pull_requests.title,
    pull_requests.url,
    pull_requests.author_login,
    pull_requests.is_author_bot,
    pull_requests.state,
    pull_requests.is_draft,
    pull_requests.is_merged,
    (pull_requests.state = 'CLOSED' and not pull_requests.is_merged) as is_closed_without_merge,
    pull_requests.base_ref_name,
    pull_requests.head_ref_name,
    pull_requests.additions,
    pull_requests.deletions,
    pull_requests.additions + pull_requests.deletions as pr_size_lines,
    pull_requests.changed_files,
    coalesce(pull_requests.commits_count, cycle_time.fetched_commit_count) as commit_count,
    pull_requests.created_at,
    cycle_time.first_commit_at,
    cycle_time.ready_for_review_at,
    timeline.first_review_requested_at,
    cycle_time.first_review_at,
    cycle_time.first_approval_at,
    pull_requests.merged_at,
    pull_requests.closed_at,
    cast(date_trunc('week', pull_requests.created_at) as date) as created_week,
    cast(date_trunc('week', pull_requests.merged_at) as date) as merged_week,
    cycle_time.coding_time_hours,
    timeline.time_in_draft_hours,
    cycle_time.pickup_time_hours,
    cycle_time.review_time_hours,
    cycle_time.cycle_time_hours,
    deploy_time.deployed_at,
    deploy_time.first_deployment_id,
    deploy_time.deploy_time_hours,
    cycle_time.cycle_time_hours + deploy_time.deploy_time_hours as cycle_time_with_deploy_hours,
    cycle_time.review_count,
    cycle_time.reviewer_count,
    cycle_time.changes_requested_rounds,
    head_ci.head_ci_outcome,
    head_ci.head_check_run_count,
    head_ci.head_failed_check_run_count,
    head_ci.head_commit_status_count,
    timeline.force_push_count,
    pull_requests.labels,
    jira_keys.jira_key,
    jira_keys.jira_key_source,
    ai_signals.is_ai_assisted_detected,
    ai_signals.ai_signal_type,
    ai_signals.ai_signal_tool,
    ai_signals.ai_signal_source,
    ai_signals.ai_signal_evidence,
    ai_signals.ai_tools_detected,
    pull_requests.updated_at

from pull_requests
left join cycle_time
    on pull_requests.pull_request_id = cycle_time.pull_request_id
left join ai_signals
    on pull_requests.pull_request_id = ai_signals.pull_request_id
left join jira_keys
    on pull_requests.pull_request_id = jira_keys.pull_request_id
left join head_ci
    on pull_requests.pull_request_id = head_ci.pull_request_id
left join deploy_time
    on pull_requests.pull_request_id = deploy_time.pull_request_id
left join timeline
    on pull_requests.pull_request_id = timeline.pull_request_id
