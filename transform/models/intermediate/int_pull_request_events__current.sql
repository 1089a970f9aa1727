-- Timeline events extracted with their PR's current version.
{{ current_pull_request_children(ref('stg_github__pull_request_events')) }}
