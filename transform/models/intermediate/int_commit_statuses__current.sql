-- Commit statuses extracted with their PR's current version (statuses of an old head drop).
{{ current_pull_request_children(ref('stg_github__commit_statuses')) }}
