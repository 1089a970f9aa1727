-- Commits extracted with their PR's current version (force-pushed-away ones drop).
{{ current_pull_request_children(ref('stg_github__commits')) }}
