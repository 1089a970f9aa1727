-- Files extracted with their PR's current version (files no longer in the PR drop).
{{ current_pull_request_children(ref('stg_github__files')) }}
