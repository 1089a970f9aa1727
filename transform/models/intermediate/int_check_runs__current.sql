-- Check runs extracted with their PR's current version (runs on an old head commit drop).
{{ current_pull_request_children(ref('stg_github__check_runs')) }}
