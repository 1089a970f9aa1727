-- Reviews extracted with their PR's current version.
{{ current_pull_request_children(ref('stg_github__reviews')) }}
